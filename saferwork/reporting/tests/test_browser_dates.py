"""In a real browser: a reporter types a date with its month left out, is told which box
is missing, and the error summary's link puts the cursor in that box."""

from __future__ import annotations

import pytest

from saferwork.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_date_missing_its_month_leads_the_reporter_to_the_month_box(page, reporting_org, handler):
    page.goto(f"/report/{reporting_org.slug}/when/")
    page.fill("#id_last_date_day", "2")
    page.fill("#id_last_date_year", "2026")
    page.get_by_role("group", name="Is it still happening?").get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert page.url.endswith("/when/")
    assert "The date it last happened must include a month." in summary.inner_text()
    assert page.locator("#id_last_date_day").input_value() == "2"  # what was typed stays
    assert page.locator("input.govuk-input--error").evaluate_all("els => els.map(e => e.id)") == ["id_last_date_month"]
    assert_accessible(page, "report-when-date-error")
    summary.get_by_role("link", name="The date it last happened must include a month.").click()
    assert page.evaluate("document.activeElement.id") == "id_last_date_month"
