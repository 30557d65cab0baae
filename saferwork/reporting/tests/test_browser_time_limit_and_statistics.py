"""In a real browser: the tribunal date on the follow-up page (with ACAS dates), and the
statistics page for a leader. Both checked by axe."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from playwright.sync_api import expect

from saferwork.conftest import assert_accessible, current_code, fill_date, screenshot
from saferwork.reporting.models import ReportTally
from saferwork.reporting.tests.helpers import submit
from saferwork.tests import factories
from saferwork.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reporter_sees_the_tribunal_date_and_the_date_paused_by_acas(page, reporting_org, handler, legal_rules):
    slug = reporting_org.slug
    receipt = submit(Client(), slug, answers={"when": {"last_date": "2026-09-30", "ongoing": "no"}})
    page.goto(f"/report/{slug}/follow-up/")
    page.get_by_label("Your receipt").fill(receipt)
    page.get_by_role("button", name="Open my report").click()
    page.wait_for_url(f"**/report/{slug}/follow-up/case/")
    expect(page.get_by_text("Tuesday 29 December 2026")).to_be_visible()
    page.get_by_text("I have been to ACAS early conciliation").click()
    fill_date(page, "id_acas_day_a", date(2026, 12, 1))
    fill_date(page, "id_acas_day_b", date(2026, 12, 20))
    assert_accessible(page, "time-limit-01-acas-form")
    page.get_by_role("button", name="Show the date").click()
    # The button submits the form: wait for the new page rather than read the old one.
    page.get_by_text("Wednesday 20 January 2027").wait_for()
    expect(page.get_by_text("Wednesday 20 January 2027")).to_be_visible()
    assert_accessible(page, "time-limit-02-paused-date")
    screenshot(page, "time-limit-02-paused-date")


def test_leader_reads_suppressed_statistics(page, reporting_org):
    leader = factories.member(reporting_org, is_leader=True, email="leader@example.org")
    today = date.today()
    last_month = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)
    for value, count in [("third_party|third_party", 11), ("own_premises|colleague", 8), ("online|both", 3)]:
        ReportTally.objects.create(
            organisation=reporting_org, month=last_month, dimension="place_who", value=value, count=count
        )
    ReportTally.objects.create(
        organisation=reporting_org, month=last_month, dimension="behaviour", value="comments", count=15
    )
    page.goto("/account/sign-in/?next=/reporting/statistics/")
    page.get_by_label("Email address").fill(leader.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code").fill(current_code(leader.totpdevice_set.get()))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/reporting/statistics/")
    expect(page.get_by_role("heading", name="Reporting statistics")).to_be_visible()
    expect(page.get_by_text("hidden", exact=True).first).to_be_visible()
    assert_accessible(page, "statistics-01-leader")
    screenshot(page, "statistics-01-leader")
