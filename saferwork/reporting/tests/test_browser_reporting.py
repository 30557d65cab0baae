"""The whole journey in a real browser: report with an image, handler replies, reporter reads."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from saferwork.conftest import assert_accessible, current_code, fill_date, screenshot
from saferwork.reporting.models import Report, ReportKey
from saferwork.reporting.tests.test_crypto import jpeg_with_exif
from saferwork.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def exit_hops(page):
    """Answer /exit/ with a stand-in page (the real one redirects to another site)."""
    hops: list[tuple[str, int, str | None]] = []

    def follow_one_hop(route):
        response = route.fetch(max_redirects=0)
        hops.append((urlsplit(route.request.url).path, response.status, response.headers.get("location")))
        route.fulfill(status=200, content_type="text/html", body="<title>Weather</title><h1>Weather</h1>")

    page.route("**/exit/", follow_one_hop)
    return hops


def _code(user):
    device = user.totpdevice_set.get()
    device.last_t = -1  # the journey asks for codes twice within one 30-second step
    device.save(update_fields=["last_t"])
    return current_code(device)


def _continue(page, name="Continue"):
    page.get_by_role("button", name=name).click()


def test_anonymous_third_party_report_with_image_reaches_handler_and_reply_reaches_reporter(
    page, reporting_org, handler, second_handler, tmp_path, settings, exit_hops, monkeypatch
):
    slug = reporting_org.slug
    # Where JavaScript runs, the browser derives the receipt key: the server must not.
    from saferwork.reporting import crypto

    server_derivations: list[str] = []
    real_derive = crypto.derive_key

    def counting_derive(secret, salt, params):
        server_derivations.append("derive")
        return real_derive(secret, salt, params)

    monkeypatch.setattr(crypto, "derive_key", counting_derive)
    image = tmp_path / "loading-bay.jpg"
    image.write_bytes(jpeg_with_exif())

    # ---- the reporter, anonymous, no account
    page.goto(f"/report/{slug}/")
    assert_accessible(page, "report-01-start")
    page.get_by_role("button", name="Start now").click()
    page.get_by_label("I saw or heard it happen to someone else").check()
    assert_accessible(page, "report-02-about-you")
    _continue(page)
    page.get_by_label("Comments, jokes or questions of a sexual nature").check()
    page.get_by_label("Unwanted touching").check()
    page.get_by_label("Tell us what happened").fill("A customer at the Zephyrmart counter grabbed my colleague's arm.")
    assert_accessible(page, "report-03-what")
    _continue(page)
    fill_date(page, "id_last_date", date(2026, 11, 2))
    page.get_by_role("group", name="Is it still happening?").get_by_label("Yes", exact=True).check()
    assert_accessible(page, "report-04-when")
    _continue(page)
    page.get_by_label("At a client's, customer's or other organisation's premises").check()
    assert_accessible(page, "report-05-where")
    _continue(page)
    page.get_by_label("A customer, client or service user").check()
    assert_accessible(page, "report-06-who")
    _continue(page)
    page.get_by_role("group", name="Did anyone else see or hear it?").get_by_label("No", exact=True).check()
    assert_accessible(page, "report-06b-witnesses")
    _continue(page)
    assert_accessible(page, "report-07-impact")
    _continue(page)
    page.get_by_label("Formal action").check()
    assert_accessible(page, "report-07b-what-next")
    _continue(page)
    page.get_by_label("Upload a file (optional)").set_input_files(str(image))
    page.get_by_role("button", name="Add file").click()
    expect(page.get_by_text("loading-bay.jpg added")).to_be_visible()
    assert_accessible(page, "report-08-evidence")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("No, I want to stay anonymous").check()
    assert_accessible(page, "report-09-name")
    _continue(page)
    page.get_by_label(second_handler.get_full_name()).check()
    assert_accessible(page, "report-10-exclude")
    _continue(page)
    page.wait_for_url(f"**/report/{slug}/check/")
    expect(page.get_by_text("A customer at the Zephyrmart counter")).to_be_visible()
    expect(page.get_by_text("loading-bay.jpg").first).to_be_visible()
    assert_accessible(page, "report-11-check")
    page.get_by_role("button", name="Send report").click()
    page.wait_for_selector("[data-receipt]")
    assert_accessible(page, "report-12-sent")
    receipt = page.locator("[data-receipt]").inner_text().replace(" ", "")
    assert re.fullmatch(r"\d{16}", receipt)

    report = Report.objects.get()
    # One derivation, to check that the browser's key is the receipt's before anything is
    # stored (a pair that does not match is refused): the receipt shown always opens it.
    assert server_derivations == ["derive"]
    # The browser derived the receipt key (hash-wasm); the server stored only its hash.
    assert report.receipt_kdf["opslimit"] == settings.REPORTING_ARGON2_OPSLIMIT
    assert not ReportKey.objects.filter(report=report, user=second_handler).exists()
    # Handlers were alerted, without details; the excluded one was not.
    alerts = [m for m in mail.outbox if "New report" in m.subject]
    assert [m.to for m in alerts] == [[handler.email]]
    assert "Zephyrmart" not in alerts[0].body

    # ---- the handler signs in through the forms (which unlock their key), opens the case
    handler_page = page.context.browser.new_context(base_url=page.url.split("/report/")[0]).new_page()
    handler_page.goto("/account/sign-in/")
    handler_page.get_by_label("Email address").fill(handler.email)
    handler_page.get_by_label("Password").fill(PASSWORD)
    handler_page.get_by_role("button", name="Continue").click()
    handler_page.get_by_label("Code").fill(_code(handler))
    handler_page.get_by_role("button", name="Sign in").click()
    handler_page.wait_for_url("**/dashboard/")
    handler_page.goto("/reporting/")
    assert handler_page.get_by_role("link", name="Reports").first.get_attribute("aria-current") == "page"
    assert_accessible(handler_page, "handler-01-case-list")
    handler_page.get_by_role("link", name=report.reference).click()
    handler_page.wait_for_url("**/account/confirm/**")
    assert_accessible(handler_page, "handler-01b-sudo")
    handler_page.get_by_label("Code").fill(_code(handler))
    handler_page.get_by_role("button", name="Confirm").click()
    handler_page.wait_for_url(f"**/reporting/cases/{report.pk}/")
    expect(handler_page.get_by_text("A customer at the Zephyrmart counter")).to_be_visible()
    assert_accessible(handler_page, "handler-02-case")
    # The image opens, and its hidden details are gone.
    with handler_page.expect_download() as download:
        handler_page.get_by_role("link", name="loading-bay.jpg").click()
    data = Path(download.value.path()).read_bytes()
    from PIL import Image

    assert not Image.open(io.BytesIO(data)).getexif() and b"Camberwick" not in data
    handler_page.get_by_label("Write to the reporter").fill("Thank you for telling us. Could you tell us the date?")
    handler_page.get_by_role("button", name="Send to the reporter").click()
    expect(handler_page.get_by_text("Message sent to the reporter")).to_be_visible()
    handler_page.context.close()

    # ---- the excluded handler signs in and finds nothing
    excluded_page = page.context.browser.new_context(base_url=page.url.split("/report/")[0]).new_page()
    excluded_page.goto("/account/sign-in/")
    excluded_page.get_by_label("Email address").fill(second_handler.email)
    excluded_page.get_by_label("Password").fill(PASSWORD)
    excluded_page.get_by_role("button", name="Continue").click()
    excluded_page.get_by_label("Code").fill(_code(second_handler))
    excluded_page.get_by_role("button", name="Sign in").click()
    excluded_page.wait_for_url("**/dashboard/")
    excluded_page.goto("/reporting/")
    assert report.reference not in excluded_page.content()
    response = excluded_page.goto(f"/reporting/cases/{report.pk}/")
    assert response.status == 404
    excluded_page.context.close()

    # ---- the reporter follows up with the receipt and reads the reply
    page.goto(f"/report/{slug}/support/")
    assert_accessible(page, "report-12b-support")
    page.goto(f"/report/{slug}/follow-up/")
    assert_accessible(page, "report-13-follow-up")
    page.get_by_label("Your receipt").fill(" ".join(receipt[i : i + 4] for i in range(0, 16, 4)))
    page.get_by_role("button", name="Open my report").click()
    page.wait_for_url(f"**/report/{slug}/follow-up/case/")
    # The submission check and the two handler sign-ins only: the follow-up derived nothing.
    assert server_derivations == ["derive", "derive", "derive"]
    expect(page.get_by_text("Thank you for telling us. Could you tell us the date?")).to_be_visible()
    assert_accessible(page, "report-14-case")
    page.get_by_label("Add information or reply").fill("It was the 2nd of November.")
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_text("Your message has been sent")).to_be_visible()

    # ---- "Exit this page" by keyboard: Shift three times
    # Wait until GOV.UK Frontend has set up the component (module scripts run after load).
    page.wait_for_selector("[data-module=govuk-exit-this-page][data-govuk-exit-this-page-init]", state="attached")
    page.get_by_label("Add information or reply").click()
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url("**/exit/")
    assert page.title() == "Weather"
    assert exit_hops and exit_hops[0][1] == 302


def test_reporter_pages_work_without_javascript(browser, live_server, reporting_org, handler):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"/report/{reporting_org.slug}/about-you/")
    page.get_by_label("It happened to me").check()
    page.get_by_role("button", name="Continue").click()
    assert page.url.endswith("/what-happened/")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    screenshot(page, "report-no-js-error")
    context.close()


def test_handler_enables_reporting_sees_recovery_key_once_and_edits_support_pages(page, organisation):
    from saferwork.tests import factories

    user = factories.member(organisation, is_case_handler=True, email="enabler@example.org")
    page.goto("/account/sign-in/?next=/reporting/settings/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code").fill(_code(user))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/confirm/**")
    page.get_by_label("Code").fill(_code(user))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/reporting/settings/")
    assert_accessible(page, "settings-01-enable")
    page.get_by_role("button", name="Enable reporting").click()
    key = page.locator("[data-recovery-key]").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{1,4})+", key)
    assert_accessible(page, "settings-02-recovery-key")
    page.get_by_role("link", name="Continue to the support pages").click()
    assert key not in page.content()
    page.get_by_label("Who to talk to").fill("Ask for Morag Quist in HR, 01632 960 123")
    page.get_by_role("button", name="Save support pages").click()
    expect(page.get_by_text("Support pages saved")).to_be_visible()
    assert_accessible(page, "settings-03-support-pages")
    page.goto(f"/report/{organisation.slug}/support/")
    expect(page.get_by_text("Ask for Morag Quist in HR")).to_be_visible()
