"""The risk register in a real browser: assessment, hazard, rating, control, action, evidence,
re-rated residual risk and the heatmap, each page checked with axe and at 375 px."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from saferwork.conftest import assert_accessible, assert_fits_phone, fill_date
from saferwork.risk.models import Hazard
from saferwork.tests import factories
from saferwork.tests.browser import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page: Any, name: str) -> None:
    assert_accessible(page, name)
    assert_fits_phone(page, f"{name}-phone")


def test_leader_assesses_a_risk_controls_it_and_rerates_the_residual(
    page: Any, live_server: Any, leader: Any, manager: Any, today: dt.date
) -> None:
    page.set_default_timeout(30_000)  # the machine that runs this may be busy
    manager.full_name = "Mo Manager"
    manager.save()
    sign_in_as(page, live_server, leader)

    page.goto("/dashboard/")
    page.get_by_role("link", name="Risk register").click()
    page.wait_for_url(re.compile(r".*/risk/$"))
    page.get_by_text("No assessments yet.").wait_for()
    check(page, "risk-register-empty")

    # An activity assessment owned by a department manager.
    page.get_by_role("link", name="Add an assessment").click()
    page.wait_for_url(re.compile(r".*/risk/new/$"))
    check(page, "risk-new")
    page.get_by_role("button", name="Add assessment").click()
    page.locator(".govuk-error-summary").wait_for()
    assert "Enter a title" in page.locator(".govuk-error-summary").inner_text()
    check(page, "risk-new-errors")
    page.get_by_label("Activity").check()
    page.get_by_label("Title").fill("Housing officers' home visits")
    page.get_by_label("Department or service (optional)").fill("Housing")
    page.select_option("#id_owner", label="Mo Manager (manager@example.org)")
    fill_date(page, "id_review_on", today + dt.timedelta(days=90))
    page.get_by_role("button", name="Add assessment").click()
    page.wait_for_url(re.compile(r".*/risk/\d+/$"))
    assert "Version 2026-1" in page.locator("#matrix-version").inner_text()
    check(page, "risk-assessment-new")

    # Step 1 to 3: the hazard, who might be harmed, and its ratings.
    page.get_by_role("link", name="Add a hazard").click()
    page.wait_for_url(re.compile(r".*/hazards/new/$"))
    check(page, "risk-hazard-new")
    page.get_by_label("Hazard", exact=True).fill("Tenants harass officers during lone home visits")
    page.get_by_label("Lone or night work", exact=True).check()
    page.get_by_label("Customer-facing work").check()
    page.get_by_label("Third parties (customers, clients, contractors, the public)").check()
    page.get_by_label("Staff", exact=True).check()
    page.get_by_label("Lone or night workers").check()
    for field, value in (
        ("inherent_likelihood", "4"),
        ("inherent_severity", "5"),
        ("current_likelihood", "4"),
        ("current_severity", "4"),
        ("target_likelihood", "2"),
        ("target_severity", "3"),
    ):
        page.select_option(f"#id_{field}", value)
    page.get_by_role("button", name="Add hazard").click()
    page.wait_for_url(re.compile(r".*/risk/\d+/#hazard-\d+$"))
    hazard = Hazard.objects.get()
    assert hazard.source == "third_party" and hazard.who == ["staff", "lone_night"]
    assert "Very high (16)" in page.locator(f"#current-{hazard.pk}").inner_text()
    check(page, "risk-assessment-hazard")

    # Step 4: a control, turned into an action in one click.
    page.get_by_role("link", name="Add a control for Tenants harass officers").click()
    page.wait_for_url(re.compile(r".*/controls/new/$"))
    check(page, "risk-control-new")
    page.get_by_label("Control", exact=True).fill("Two officers on every visit to a flagged address")
    page.select_option("#id_owner", label="Mo Manager (manager@example.org)")
    fill_date(page, "id_due_on", today + dt.timedelta(days=14))
    page.get_by_role("button", name="Add control").click()
    page.wait_for_url(re.compile(r".*/risk/\d+/#hazard-\d+$"))

    # The residual risk cannot be re-rated yet.
    page.get_by_role("link", name="Re-rate the residual risk of Tenants harass officers").click()
    page.wait_for_url(re.compile(r".*/rerate/$"))
    page.locator("#rerate-blocked").wait_for()
    assert "Turn at least one control into an action first." in page.inner_text("main")
    check(page, "risk-rerate-blocked")
    page.get_by_role("link", name="Back to the assessment").click()
    page.wait_for_url(re.compile(r".*/risk/\d+/#hazard-\d+$"))
    control = page.locator(f"#control-{hazard.controls.get().pk}")
    control.wait_for()

    control.get_by_role("button", name=re.compile("Turn into an action")).click()
    page.wait_for_url(re.compile(r".*/actions/\d+/$"))
    assert "Risk assessment control" in page.inner_text("main")
    check(page, "risk-action")
    page.get_by_label("Link", exact=True).fill("https://intranet.example.org/housing/visit-rota")
    page.get_by_role("button", name="Add link").click()
    page.wait_for_url(re.compile(r".*/actions/\d+/$"))
    page.locator("#evidence-list").wait_for()
    page.get_by_label("Done").check()
    page.get_by_role("button", name="Change status").click()
    page.wait_for_url(re.compile(r".*/actions/\d+/$"))
    assert "Done" in page.locator("#action-status").inner_text()

    # Back to the risk from the action's source link, and re-rate it.
    page.locator("main").get_by_role("link", name=re.compile("Two officers on every visit")).click()
    page.wait_for_url(re.compile(r".*/risk/\d+/#hazard-\d+$"))
    assert "Done with evidence" in page.locator(f"#hazard-{hazard.pk}").inner_text()
    check(page, "risk-assessment-done")
    page.get_by_role("link", name="Re-rate the residual risk of Tenants harass officers").click()
    page.wait_for_url(re.compile(r".*/rerate/$"))
    page.select_option("#id_likelihood", "2")
    page.select_option("#id_severity", "3")
    page.get_by_label("Why the rating changed (optional)").fill("Pairs on every flagged visit since March")
    check(page, "risk-rerate")
    page.get_by_role("button", name="Re-rate").click()
    page.wait_for_url(re.compile(r".*/risk/\d+/#hazard-\d+$"))
    current = page.locator(f"#current-{hazard.pk}").inner_text()
    assert "Medium (6)" in current and "Re-rated after controls" in current

    # The heatmap of the register.
    page.get_by_role("link", name="Back to the risk register").click()
    page.wait_for_url(re.compile(r".*/risk/$"))
    heatmap = page.locator("#risk-heatmap")
    heatmap.wait_for()
    assert "1 risk" in heatmap.inner_text()
    assert (
        "1" in page.locator('[data-cell="2-3"]').inner_text()
        and "medium" in page.locator('[data-cell="2-3"]').inner_text()
    )
    check(page, "risk-register-heatmap")


def test_owner_changes_an_assessment_and_a_hazard_then_deletes_the_hazard(
    page: Any, live_server: Any, manager: Any, make_assessment: Any, make_hazard: Any, make_control: Any
) -> None:
    from saferwork.conftest import current_code

    page.set_default_timeout(30_000)
    manager.full_name = "Mo Manager"
    manager.save()
    factories.add_totp(manager)  # deleting asks for a code
    assessment = make_assessment()
    hazard = make_hazard(assessment)
    make_control(hazard)
    sign_in_as(page, live_server, manager)

    page.goto(f"/risk/{assessment.pk}/")
    page.get_by_role("link", name="Change the title, owner or scope").click()
    page.wait_for_url(re.compile(r".*/risk/\d+/edit/$"))
    check(page, "risk-assessment-edit")
    page.get_by_label("Title").fill("Home visits by housing officers")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(re.compile(r".*/risk/\d+/$"))
    assert "Home visits by housing officers" in page.locator("h1").inner_text()

    # The hazard has a control: its current risk is shown, not offered for change.
    page.get_by_role("link", name="Change the hazard Tenants harass officers").click()
    page.wait_for_url(re.compile(r".*/hazards/\d+/edit/$"))
    assert "Very high (16)" in page.locator("#current-fixed").inner_text()
    check(page, "risk-hazard-edit")
    page.get_by_label("Hazard", exact=True).fill("Tenants and visitors harass officers on lone visits")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(re.compile(r".*/risk/\d+/#hazard-\d+$"))
    assert "Tenants and visitors" in page.locator(f"#hazard-{hazard.pk}").inner_text()

    # Deleting asks for a code, then says what goes and what stays.
    page.get_by_role("link", name="Delete the hazard Tenants and visitors").click()
    page.wait_for_url(re.compile(r".*/account/confirm/.*"))
    page.get_by_label("Code").fill(current_code(manager.totpdevice_set.get()))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r".*/hazards/\d+/delete/$"))
    assert "Two officers on every visit" in page.locator("#controls-deleted").inner_text()
    check(page, "risk-hazard-delete")
    page.get_by_role("button", name="Delete hazard").click()
    page.wait_for_url(re.compile(r".*/risk/\d+/$"))
    assert "Hazard deleted" in page.inner_text("main") and "No hazards yet." in page.inner_text("main")
    assert not Hazard.objects.exists()
    check(page, "risk-assessment-hazard-deleted")
