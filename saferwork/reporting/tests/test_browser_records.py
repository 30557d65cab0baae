"""In a real browser: a private record saved, extended a week later with the receipt, then sent
as a report that the handler's list shows only once it is sent."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from saferwork.conftest import assert_accessible, fill_date, screenshot
from saferwork.reporting.models import PrivateRecord, PrivateRecordEntry, Report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _written(day):
    return f"Written {day.day} {day:%B %Y}"


def _continue(page):
    page.get_by_role("button", name="Continue").click()


def test_record_saved_extended_then_sent_as_a_report(page, reporting_org, handler):
    slug = reporting_org.slug
    page.goto(f"/report/{slug}/")
    page.get_by_role("link", name="keep a private record").click()
    page.get_by_label("What happened").fill("Marrowgate made a remark about my body in the lift.")
    fill_date(page, "id_happened_on", date(2026, 10, 5))
    assert_accessible(page, "record-01-start")
    page.get_by_role("button", name="Save my record").click()
    page.wait_for_selector("[data-receipt]")
    assert_accessible(page, "record-02-saved")
    receipt = page.locator("[data-receipt]").inner_text().replace(" ", "")
    assert not Report.objects.exists() and PrivateRecord.objects.count() == 1

    # A week later (a new browser session): back with the receipt, add to it. The record's
    # stored dates are moved back seven days, as if it had been saved a week ago.
    record = PrivateRecord.objects.get()
    week_ago = record.last_activity_on - timedelta(days=7)
    PrivateRecord.objects.filter(pk=record.pk).update(last_activity_on=week_ago)
    PrivateRecordEntry.objects.filter(record=record).update(added_on=week_ago)
    page.context.clear_cookies()
    page.goto(f"/report/{slug}/follow-up/")
    page.get_by_label("Your receipt").fill(receipt)
    page.get_by_role("button", name="Open my report").click()
    page.wait_for_url(f"**/report/{slug}/record/mine/")
    expect(page.get_by_text("Marrowgate made a remark")).to_be_visible()
    page.get_by_label("What happened").fill("It happened again at the away day.")
    fill_date(page, "id_happened_on", date(2026, 11, 12))
    page.get_by_role("button", name="Add to my record").click()
    expect(page.get_by_text("It happened again at the away day.")).to_be_visible()
    first, second = PrivateRecordEntry.objects.filter(record=record).order_by("pk")
    assert first.added_on == week_ago and second.added_on == week_ago + timedelta(days=7)
    assert PrivateRecord.objects.get().last_activity_on == second.added_on
    entries = page.locator(".sw-message")
    assert entries.count() == 2
    assert _written(week_ago) in entries.nth(0).inner_text()
    assert "about 5 October 2026" in entries.nth(0).inner_text()
    assert "Marrowgate made a remark" in entries.nth(0).inner_text()
    assert _written(second.added_on) in entries.nth(1).inner_text()
    assert "about 12 November 2026" in entries.nth(1).inner_text()
    assert "It happened again at the away day." in entries.nth(1).inner_text()
    assert_accessible(page, "record-03-extended")
    screenshot(page, "record-03-extended")

    # Send it: the questions are filled from the record; the reporter answers the rest.
    page.get_by_role("button", name="Start a report from my record").click()
    page.get_by_label("It happened to me").check()
    _continue(page)
    assert "Marrowgate made a remark" in page.get_by_label("Tell us what happened").input_value()
    page.get_by_label("Comments, jokes or questions of a sexual nature").check()
    _continue(page)
    last = page.get_by_role("group", name="When did it last happen? (optional)")
    assert [last.get_by_label(part).input_value() for part in ("Day", "Month", "Year")] == ["12", "11", "2026"]
    page.get_by_role("group", name="Is it still happening?").get_by_label("No", exact=True).check()
    _continue(page)
    page.get_by_label("At a work social event").check()
    _continue(page)
    page.get_by_label("A colleague").check()
    _continue(page)
    page.get_by_role("group", name="Did anyone else see or hear it?").get_by_label("No", exact=True).check()
    _continue(page)
    _continue(page)  # impact
    page.get_by_label("Just record it for now").check()
    _continue(page)
    _continue(page)  # evidence
    page.get_by_label("No, I want to stay anonymous").check()
    _continue(page)
    _continue(page)  # who can see
    page.wait_for_url(f"**/report/{slug}/check/")
    expect(page.get_by_text("It happened again at the away day.")).to_be_visible()
    assert_accessible(page, "record-04-check")
    page.get_by_role("button", name="Send report").click()
    page.wait_for_selector("[data-receipt]")
    assert Report.objects.count() == 1
    assert not PrivateRecord.objects.exists()
