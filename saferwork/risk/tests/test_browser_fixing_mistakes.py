"""Fixing mistakes in a real browser: stop sharing, change and delete a control, delete an
assessment (cancelling its open action); each new page checked with axe and at 375 px."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from saferwork.actions.models import Action
from saferwork.conftest import assert_accessible, assert_fits_phone, current_code
from saferwork.risk import services
from saferwork.risk.models import Assessment, Control
from saferwork.tests import factories
from saferwork.tests.browser import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page: Any, name: str) -> None:
    assert_accessible(page, name)
    assert_fits_phone(page, f"{name}-phone")


def test_owner_fixes_mistakes_in_an_assessment(
    page: Any,
    live_server: Any,
    leader: Any,
    organisation: Any,
    make_assessment: Any,
    make_hazard: Any,
    make_control: Any,
    today: dt.date,
) -> None:
    page.set_default_timeout(30_000)  # the machine that runs this may be busy
    reader = factories.member(organisation, email="reader@example.org")
    reader.full_name = "Rita Reader"
    reader.save()
    assessment = make_assessment(owner=leader)
    hazard = make_hazard(assessment)
    control = make_control(hazard, owner=leader)
    spare = make_control(hazard, owner=leader, description="Panic alarms for every officer")
    action = services.control_to_action(control=control, actor=leader)
    services.share_assessment(assessment=assessment, user=reader, actor=leader)
    sign_in_as(page, live_server, leader)

    # Shared by mistake: stop sharing from the assessment's page.
    page.goto(f"/risk/{assessment.pk}/")
    page.get_by_role("button", name="Stop sharing with Rita Reader").click()
    page.wait_for_url(re.compile(r".*/risk/\d+/#shared-with$"))
    assert "No longer shared with Rita Reader" in page.inner_text("main")
    assert not assessment.shared_with.exists()

    # A control with the wrong words and date: change it.
    page.get_by_role("link", name="Change the control Panic alarms").click()
    page.wait_for_url(re.compile(r".*/controls/\d+/edit/$"))
    check(page, "risk-control-edit")
    page.get_by_label("Control").fill("Personal alarms for every lone officer")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(re.compile(r".*/risk/\d+/#control-\d+$"))
    spare.refresh_from_db()
    assert spare.description == "Personal alarms for every lone officer"

    # ... then delete it after all: a code first, then what stays.
    page.get_by_role("link", name="Delete the control Personal alarms").click()
    page.wait_for_url(re.compile(r".*/account/confirm/.*"))
    page.get_by_label("Code").fill(current_code(leader.totpdevice_set.get()))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r".*/controls/\d+/delete/$"))
    check(page, "risk-control-delete")
    page.get_by_role("button", name="Delete control").click()
    page.wait_for_url(re.compile(r".*/risk/\d+/#hazard-\d+$"))
    assert not Control.objects.filter(pk=spare.pk).exists()

    # The whole assessment was a duplicate: delete it and cancel its open action.
    page.get_by_role("link", name="Delete the assessment").click()
    page.wait_for_url(re.compile(r".*/risk/\d+/delete/$"))
    assert "1 hazard" in page.locator("#what-goes").inner_text()
    page.get_by_role("button", name="Delete assessment").click()
    page.locator(".govuk-error-summary").wait_for()
    check(page, "risk-assessment-delete-errors")
    page.get_by_label("Cancel them").check()
    check(page, "risk-assessment-delete")
    page.get_by_role("button", name="Delete assessment").click()
    page.wait_for_url(re.compile(r".*/risk/$"))
    assert "Assessment deleted" in page.inner_text("main")
    assert not Assessment.objects.exists()
    assert Action.objects.get(pk=action.pk).status == "cancelled"
    check(page, "risk-register-after-delete")
