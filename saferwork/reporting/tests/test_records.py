"""Record now, decide later: a private record under a receipt that no handler can see,
added to over time, then sent as a report or deleted for good."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from saferwork.audit.models import AuditEntry
from saferwork.reporting import services
from saferwork.reporting.models import PrivateRecord, PrivateRecordEntry, Report, ReportTally
from saferwork.reporting.tests.helpers import ANSWERS, follow_up, sign_in_handler

pytestmark = pytest.mark.django_db

SECRET = "Marrowgate said it in the lift"


def start_record(client, slug, text=SECRET, happened_on="2026-10-05"):
    response = client.post(reverse("reporting:record_start", args=[slug]), {"text": text, "happened_on": happened_on})
    assert response.status_code == 200, response.content.decode()[:2000]
    match = re.search(r"data-receipt>([\d ]+)<", response.content.decode())
    assert match
    return match.group(1).replace(" ", "")


def test_a_record_is_sealed_and_invisible_to_handlers(
    client, reporting_org, handler, django_capture_on_commit_callbacks
):
    audit_before = AuditEntry.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        start_record(client, reporting_org.slug)
    PrivateRecord.objects.get()
    # Sealed: the words are nowhere in the clear, and nothing names the organisation.
    assert SECRET.encode() not in bytes(PrivateRecordEntry.objects.get().body)
    assert not [f.name for f in PrivateRecord._meta.get_fields() if f.name == "organisation"]
    # Nobody is told, nothing is counted, nothing is audited against the organisation.
    assert mail.outbox == []
    assert not Report.objects.exists() and not ReportTally.objects.exists()
    assert AuditEntry.objects.count() == audit_before
    # The handler's pages show nothing.
    from django.test import Client

    handler_client = sign_in_handler(Client(), handler)
    listing = handler_client.get(reverse("reporting:case_list") + "?status=all").content.decode()
    assert "No cases." in listing
    # Statistics count only tallies, and a record writes none (checked above).
    assert handler_client.get(reverse("reporting:statistics")).status_code == 200


def test_reporter_adds_to_the_record_with_the_receipt(client, reporting_org, handler):
    receipt = start_record(client, reporting_org.slug)
    client.cookies.clear()
    response = follow_up(client, reporting_org.slug, receipt)
    assert response["Location"] == reverse("reporting:record", args=[reporting_org.slug])
    page = client.get(response["Location"]).content.decode()
    assert SECRET in page
    client.post(response["Location"], {"text": "He did it again at the away day", "happened_on": "2026-11-12"})
    client.cookies.clear()
    follow_up(client, reporting_org.slug, receipt)
    page = client.get(reverse("reporting:record", args=[reporting_org.slug])).content.decode()
    assert SECRET in page and "He did it again at the away day" in page
    assert PrivateRecordEntry.objects.count() == 2


def test_record_pages_need_the_receipt(client, reporting_org):
    for name in ["record", "record_delete"]:
        response = client.get(reverse(f"reporting:{name}", args=[reporting_org.slug]))
        assert response["Location"] == reverse("reporting:follow_up", args=[reporting_org.slug])
    response = client.post(reverse("reporting:record_send", args=[reporting_org.slug]))
    assert response["Location"] == reverse("reporting:follow_up", args=[reporting_org.slug])


def test_record_on_another_route_does_not_open(client, reporting_org, other_organisation, coordinator):
    services.enable_reporting(organisation=other_organisation, actor=coordinator, handler_private=None)
    receipt = start_record(client, reporting_org.slug)
    client.cookies.clear()
    response = follow_up(client, other_organisation.slug, receipt)
    assert response.status_code == 200 and "The receipt is not right" in response.content.decode()


def test_sending_the_record_fills_the_report_then_deletes_the_record(client, reporting_org, handler):
    start_record(client, reporting_org.slug)
    client.post(
        reverse("reporting:record", args=[reporting_org.slug]),
        {"text": "Again on the stairs", "happened_on": "2026-11-01"},
    )
    response = client.post(
        reverse("reporting:record_send", args=[reporting_org.slug]), {"send_to": str(reporting_org.pk)}
    )
    assert response["Location"] == reverse("reporting:question", args=[reporting_org.slug, "about-you"])
    what = client.get(reverse("reporting:question", args=[reporting_org.slug, "what-happened"])).content.decode()
    assert SECRET in what and "Again on the stairs" in what
    when = client.get(reverse("reporting:question", args=[reporting_org.slug, "when"])).content.decode()
    # The record's dates fill the day, month and year boxes.
    for field_id, shown in [("id_first_date", ("5", "10", "2026")), ("id_last_date", ("1", "11", "2026"))]:
        for part, value in zip(("day", "month", "year"), shown, strict=True):
            assert (
                f'id="{field_id}_{part}" name="{field_id[3:]}_{part}" type="text" inputmode="numeric" value="{value}"'
                in when
            )
    # The reporter answers every page (the record's words kept), checks, then sends.
    for step, data in ANSWERS.items():
        if step == "what-happened":
            data = {"behaviours": ["comments"], "description": f"{SECRET}. Again on the stairs."}
        if step == "when":
            data = {"first_date": "2026-10-05", "last_date": "2026-11-01", "ongoing": "no"}
        client.post(reverse("reporting:question", args=[reporting_org.slug, step]), data)
    assert PrivateRecord.objects.exists()
    sent = client.post(reverse("reporting:check", args=[reporting_org.slug]))
    assert "data-receipt" in sent.content.decode()
    assert Report.objects.count() == 1
    assert not PrivateRecord.objects.exists() and not PrivateRecordEntry.objects.exists()


def test_delete_for_good_needs_confirmation(client, reporting_org):
    receipt = start_record(client, reporting_org.slug)
    url = reverse("reporting:record_delete", args=[reporting_org.slug])
    response = client.post(url, {})
    assert "Confirm that you want to delete your record for good" in response.content.decode()
    assert PrivateRecord.objects.exists()
    response = client.post(url, {"confirm": "on"})
    assert "Your record has been deleted" in response.content.decode()
    assert not PrivateRecord.objects.exists() and not PrivateRecordEntry.objects.exists()
    client.cookies.clear()
    assert "The receipt is not right" in follow_up(client, reporting_org.slug, receipt).content.decode()


def test_records_nobody_adds_to_are_erased_after_the_retention_period(client, reporting_org):
    start_record(client, reporting_org.slug)
    start_record(client, reporting_org.slug)
    old, recent = PrivateRecord.objects.order_by("pk")
    PrivateRecord.objects.filter(pk=old.pk).update(last_activity_on=date(2025, 11, 20))
    PrivateRecord.objects.filter(pk=recent.pk).update(last_activity_on=date(2025, 11, 21))
    assert services.erase_abandoned_records(months=12, today=date(2026, 11, 20)) == 1
    assert list(PrivateRecord.objects.values_list("pk", flat=True)) == [recent.pk]
    assert PrivateRecordEntry.objects.filter(record=old).count() == 0


def test_record_form_rejects_a_future_date_and_empty_text(client, reporting_org):
    response = client.post(
        reverse("reporting:record_start", args=[reporting_org.slug]), {"text": "", "happened_on": "2999-01-01"}
    )
    html = response.content.decode()
    assert "Write what happened" in html and "The date must be today or in the past" in html
    assert not PrivateRecord.objects.exists()


def test_record_pages_are_private_and_have_exit_this_page(client, reporting_org):
    from saferwork.core.tests.test_pages import _assert_self_contained

    start_record(client, reporting_org.slug)
    for name in ["record_start", "record", "record_delete"]:
        response = client.get(reverse(f"reporting:{name}", args=[reporting_org.slug]))
        assert response.status_code == 200, name
        html = response.content.decode()
        assert "no-store" in response["Cache-Control"], name
        assert "govuk-exit-this-page" in html, name
        # The note on what is stored speaks of a private record, not of handlers reading it.
        assert "can read it or see that it exists" in html, name
        assert "Only the people who handle reports" not in html, name
        _assert_self_contained(html, name)


def test_sent_record_says_which_receipt_to_use_and_handlers_read_no_written_dates(client, reporting_org, handler):
    old_receipt = start_record(client, reporting_org.slug)
    record_page = client.get(reverse("reporting:record", args=[reporting_org.slug])).content.decode()
    assert "about 5 October 2026" in record_page and "2026-10-05" not in record_page
    client.post(reverse("reporting:record_send", args=[reporting_org.slug]), {"send_to": str(reporting_org.pk)})
    what = client.get(reverse("reporting:question", args=[reporting_org.slug, "what-happened"])).content.decode()
    # The words handlers will read: the day it happened in words, and no "(written …)".
    assert f"5 October 2026: {SECRET}" in what
    assert "written" not in what.lower().split("<textarea", 1)[1].split("</textarea>", 1)[0]
    for step, data in ANSWERS.items():
        if step == "what-happened":
            data = {"behaviours": ["comments"], "description": f"5 October 2026: {SECRET}"}
        client.post(reverse("reporting:question", args=[reporting_org.slug, step]), data)
    sent = client.post(reverse("reporting:check", args=[reporting_org.slug])).content.decode()
    assert "The receipt of your private record no longer opens anything" in sent
    assert "use the receipt above" in sent
    new_receipt = re.search(r"data-receipt>([\d ]+)<", sent).group(1).replace(" ", "")
    client.cookies.clear()
    assert "The receipt is not right" in follow_up(client, reporting_org.slug, old_receipt).content.decode()
    assert follow_up(client, reporting_org.slug, new_receipt).status_code == 302
