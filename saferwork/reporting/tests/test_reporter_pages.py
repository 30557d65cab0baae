"""The reporter's pages: no-store, Exit this page, support links, rate limits, fuzzing."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saferwork.core.tests.test_pages import _assert_self_contained, assert_unique_ids
from saferwork.reporting import crypto, forms
from saferwork.reporting.models import Report
from saferwork.reporting.tests.helpers import ANSWERS, follow_up, submit

pytestmark = pytest.mark.django_db


def reporter_urls(slug):
    return [
        reverse("reporting:start", args=[slug]),
        reverse("reporting:support", args=[slug]),
        reverse("reporting:follow_up", args=[slug]),
        reverse("reporting:evidence", args=[slug]),
        *[reverse("reporting:question", args=[slug, f.step]) for f in forms.ALL_STEPS],
    ]


def test_every_reporter_page_is_private_self_contained_and_has_exit_and_support(client, reporting_org, handler):
    for url in reporter_urls(reporting_org.slug):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "no-store" in response["Cache-Control"], url
        assert "govuk-exit-this-page" in html and 'href="/exit/"' in html, url
        assert reverse("reporting:support", args=[reporting_org.slug]) in html, url
        assert "What is stored, who can read it and what happens next" in html, url
        assert 'class="govuk-service-navigation' not in html
        _assert_self_contained(html, url)
        assert_unique_ids(html, url)


def test_question_counter_counts_every_question_and_the_last_is_the_total(client, reporting_org, handler):
    slug = reporting_org.slug
    pages = [reverse("reporting:question", args=[slug, f.step]) for f in forms.STEPS]
    pages.append(reverse("reporting:evidence", args=[slug]))
    pages += [reverse("reporting:question", args=[slug, f.step]) for f in forms.AFTER_EVIDENCE]
    shown = []
    for url in pages:
        match = re.search(r"Question (\d+) of (\d+)", client.get(url).content.decode())
        assert match, url
        shown.append((int(match.group(1)), int(match.group(2))))
    # The check-your-answers page that follows is not a question: the last one is "11 of 11".
    assert shown == [(n, len(pages)) for n in range(1, len(pages) + 1)]
    assert shown[-1] == (11, 11)


def test_check_page_shows_what_handlers_will_see_and_warns(client, reporting_org, handler):
    for step, data in ANSWERS.items():
        client.post(reverse("reporting:question", args=[reporting_org.slug, step]), data)
    page = client.get(reverse("reporting:check", args=[reporting_org.slug]))
    html = page.content.decode()
    assert "This is exactly what the people who handle reports" in html
    assert "can identify you" in html
    assert "Quartzberry the delivery driver grabbed my colleague" in html
    assert "A contractor or supplier" in html
    # The alert email is not part of what handlers see, and the page says so.
    assert "Handlers never see this address" in html and "private.reporter@example.net" in html
    assert "'wasm-unsafe-eval'" in page["Content-Security-Policy"]
    assert (
        "wasm-unsafe-eval"
        not in client.get(reverse("reporting:start", args=[reporting_org.slug]))["Content-Security-Policy"]
    )


def test_check_page_sends_back_to_the_first_unanswered_question(client, reporting_org):
    client.post(reverse("reporting:question", args=[reporting_org.slug, "about-you"]), {"role": "self"})
    response = client.get(reverse("reporting:check", args=[reporting_org.slug]))
    assert response["Location"] == reverse("reporting:question", args=[reporting_org.slug, "what-happened"])


def test_change_link_returns_to_the_check_page(client, reporting_org):
    for step, data in ANSWERS.items():
        client.post(reverse("reporting:question", args=[reporting_org.slug, step]), data)
    response = client.post(
        reverse("reporting:question", args=[reporting_org.slug, "where"]) + "?change=1", {"place": "online"}
    )
    assert response["Location"] == reverse("reporting:check", args=[reporting_org.slug])
    assert "Online (email, messages" in client.get(response["Location"]).content.decode()


def test_receipt_is_shown_once_and_never_stored(client, reporting_org, handler):
    receipt = submit(client, reporting_org.slug)
    assert client.get(reverse("reporting:check", args=[reporting_org.slug])).status_code == 302  # draft is gone
    report = Report.objects.get()
    assert receipt not in str(report.receipt_kdf) and receipt not in report.receipt_lookup


def test_browser_derived_receipt_key_works_and_receipt_never_reaches_follow_up(client, reporting_org, handler):
    from saferwork.reporting.models import ReportingSettings

    salt = bytes(ReportingSettings.objects.get(organisation=reporting_org).receipt_salt)
    receipt = "1234567890123456"
    key = crypto.derive_key(receipt, salt, crypto.KdfParams.current())
    shown = submit(client, reporting_org.slug, client_key=(receipt, key))
    assert shown == receipt
    response = client.post(reverse("reporting:follow_up", args=[reporting_org.slug]), {"receipt_key": key.hex()})
    assert response.status_code == 302
    assert "Quartzberry" in client.get(response["Location"]).content.decode()


def test_burst_of_wrong_receipts_from_one_address_is_rate_limited(client, reporting_org, handler, settings):
    receipt = submit(client, reporting_org.slug)
    limit = settings.RATE_LIMIT_REPORT_FOLLOW_UP[0]
    for n in range(limit):
        response = follow_up(client, reporting_org.slug, f"{n:016d}")
        assert response.status_code == 200
    # Now even the right receipt waits: guessing cannot continue from this address.
    blocked = follow_up(client, reporting_org.slug, receipt)
    assert blocked.status_code == 429
    assert "Too many receipts have been tried" in blocked.content.decode()
    # Browser-derived keys are limited the same way.
    assert (
        client.post(reverse("reporting:follow_up", args=[reporting_org.slug]), {"receipt_key": "00" * 32}).status_code
        == 429
    )
    # Another address is not affected.
    other = follow_up(client.__class__(REMOTE_ADDR="10.9.8.7"), reporting_org.slug, receipt)
    assert other.status_code == 302


def test_submissions_are_rate_limited_per_address(client, reporting_org, handler, settings):
    settings.RATE_LIMIT_REPORT_SUBMIT = (1, 3600)
    submit(client, reporting_org.slug)
    for step, data in ANSWERS.items():
        client.post(reverse("reporting:question", args=[reporting_org.slug, step]), data)
    response = client.post(reverse("reporting:check", args=[reporting_org.slug]))
    assert response.status_code == 429
    assert Report.objects.count() == 1


def test_attachment_type_and_size_limits(client, reporting_org, settings):
    settings.REPORTING_MAX_ATTACHMENT_BYTES = 2048
    url = reverse("reporting:evidence", args=[reporting_org.slug])
    too_big = client.post(url, {"file": SimpleUploadedFile("big.txt", b"a" * 4096)})
    assert "must be smaller than" in too_big.content.decode()
    exe = client.post(url, {"file": SimpleUploadedFile("tool.exe", b"MZ\x90\x00")})
    assert "must be a JPG, PNG" in exe.content.decode()
    fake_pdf = client.post(url, {"file": SimpleUploadedFile("x.pdf", b"not a pdf")})
    assert "is not a PDF" in fake_pdf.content.decode()
    fake_image = client.post(url, {"file": SimpleUploadedFile("x.jpg", b"\xff\xd8garbage")})
    assert "could not be read as an image" in fake_image.content.decode()
    broken_docx = client.post(url, {"file": SimpleUploadedFile("x.docx", b"PK\x03\x04 not really a zip")})
    assert "could not be read" in broken_docx.content.decode()
    ok = client.post(url, {"file": SimpleUploadedFile("notes.txt", b"what I wrote down")})
    assert ok.status_code == 302
    assert "notes.txt" in client.get(url).content.decode()
    client.post(reverse("reporting:evidence_remove", args=[reporting_org.slug]), {"index": "0"})
    assert "notes.txt" not in client.get(url).content.decode()


def test_named_report_needs_a_name(client, reporting_org):
    response = client.post(reverse("reporting:question", args=[reporting_org.slug, "your-name"]), {"named": "yes"})
    assert "Enter your name, or choose to stay anonymous" in response.content.decode()


# ---------------------------------------------------------------- fuzzing: no input gives a 500

FIELD_NAMES = sorted(
    {name for f in forms.ALL_STEPS for name in f.base_fields}
    | {"receipt", "receipt_key", "body", "change", "index", "file"}
)
junk = st.one_of(
    st.text(max_size=60), st.sampled_from(["", "yes", "2026-02-30", "9999-99-99", "0" * 16, "\x00", "ab" * 32])
)
payloads = st.dictionaries(st.sampled_from(FIELD_NAMES), st.one_of(junk, st.lists(junk, max_size=3)), max_size=6)
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize("step", [f.step for f in forms.ALL_STEPS])
def test_question_pages_never_fail_on_any_input(client, reporting_org, handler, step):
    @FUZZ
    @given(payloads)
    def run(data):
        response = client.post(reverse("reporting:question", args=[reporting_org.slug, step]), data)
        assert response.status_code in (200, 302)

    run()


@pytest.mark.parametrize("name", ["follow_up", "check", "evidence", "evidence_remove", "follow_up_case"])
def test_other_reporter_forms_never_fail_on_any_input(client, reporting_org, handler, settings, name):
    settings.RATE_LIMIT_REPORT_FOLLOW_UP = (10_000, 3600)
    settings.RATE_LIMIT_REPORT_SUBMIT = (10_000, 3600)
    if name in {"check", "follow_up_case"}:
        receipt = submit(client, reporting_org.slug)
        for step, data in ANSWERS.items():
            client.post(reverse("reporting:question", args=[reporting_org.slug, step]), data)
        follow_up(client, reporting_org.slug, receipt)

    @FUZZ
    @given(payloads)
    def run(data):
        response = client.post(reverse(f"reporting:{name}", args=[reporting_org.slug]), data)
        assert response.status_code in (200, 302, 429), response.status_code

    run()


def test_receipt_format_is_forgiving_but_strict():
    assert crypto.normalise_receipt("1234 5678-9012 3456") == "1234567890123456"
    assert crypto.normalise_receipt("١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦") is None  # non-ASCII digits
    assert crypto.normalise_receipt("123") is None
    assert re.fullmatch(r"\d{16}", crypto.new_receipt())


def test_draft_key_cookie_is_httponly_and_secure_in_production(client, reporting_org, settings):
    settings.REPORTING_COOKIE_SECURE = True
    response = client.post(reverse("reporting:question", args=[reporting_org.slug, "about-you"]), {"role": "self"})
    cookie = response.cookies["__Host-sw_rd"]
    assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"
    # The draft survives to the next page with that cookie.
    page = client.get(reverse("reporting:question", args=[reporting_org.slug, "about-you"]))
    assert 'value="self" checked' in page.content.decode()


def test_raising_argon2_parameters_never_locks_out_an_older_report(client, reporting_org, handler, settings):
    from saferwork.reporting.models import ReportingSettings

    settings.REPORTING_ARGON2_OPSLIMIT = 2
    receipt = submit(client, reporting_org.slug)
    assert Report.objects.get().receipt_kdf["opslimit"] == 2
    settings.REPORTING_ARGON2_OPSLIMIT = 3  # raised later
    page = client.get(reverse("reporting:follow_up", args=[reporting_org.slug])).content.decode()
    assert "&quot;opslimit&quot;: 3" in page and "&quot;opslimit&quot;: 2" in page
    # Without JavaScript the server tries each parameter set in use.
    assert follow_up(client, reporting_org.slug, receipt).status_code == 302
    # With JavaScript the browser sends one key per parameter set.
    salt = bytes(ReportingSettings.objects.get(organisation=reporting_org).receipt_salt)
    derived = [crypto.derive_key(receipt, salt, crypto.KdfParams(ops, 64)).hex() for ops in (3, 2)]
    other = client.__class__()
    response = other.post(reverse("reporting:follow_up", args=[reporting_org.slug]), {"receipt_key": ",".join(derived)})
    assert response.status_code == 302
