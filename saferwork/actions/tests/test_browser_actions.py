"""The actions hub in a real browser: add an action, move it on, add evidence, find what is overdue."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from saferwork.actions.models import Action, Evidence
from saferwork.conftest import assert_accessible, fill_date
from saferwork.lib.tests.samples import pdf_with_author
from saferwork.tests.browser import sign_in_as

# A long address must wrap on a phone, in the evidence list and in the history alike.
LONG_LINK = "https://intranet.example.org/documents/NightShiftSupervisorsBriefingOnTheReportingRoute2026.pdf"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_leader_adds_moves_on_and_evidences_an_action_then_filters_overdue(
    page: Any, live_server: Any, leader: Any, owner: Any, today: dt.date, tmp_path: Any
) -> None:
    page.set_default_timeout(30_000)  # the machine that runs this may be busy
    owner.full_name = "Olu Owens"
    owner.save()
    sign_in_as(page, live_server, leader)

    page.goto("/dashboard/")
    assert_accessible(page, "actions-dashboard")
    page.get_by_role("link", name="Actions hub").click()
    page.wait_for_url(re.compile(r".*/actions/$"))
    assert "No actions match these filters." in page.inner_text("main")
    assert_accessible(page, "actions-hub-empty")

    # An empty form names every field that is missing.
    page.get_by_role("link", name="Add an action").click()
    page.wait_for_url(re.compile(r".*/actions/new/$"))
    assert_accessible(page, "actions-new")
    page.get_by_role("button", name="Add action").click()
    page.wait_for_url(re.compile(r".*/actions/new/$"))
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Enter what needs to be done" in summary and "Select who owns this action" in summary
    assert "Enter the due date" in summary
    assert_accessible(page, "actions-new-errors")

    page.get_by_label("What needs to be done").fill("Brief the night-shift supervisors on the reporting route")
    page.get_by_label("Department or service (optional)").fill("Waste and recycling")
    page.select_option("#id_owner", label="Olu Owens (owner@example.org)")
    fill_date(page, "id_due_on", today + dt.timedelta(days=20))
    page.get_by_role("button", name="Add action").click()
    page.wait_for_url(re.compile(r".*/actions/\d+/$"))
    assert "Not started" in page.locator("#action-status").inner_text()
    assert_accessible(page, "actions-detail-new")

    # In progress, with a file (its author is removed) and a link as evidence.
    page.get_by_label("In progress").check()
    page.get_by_label("Note for the history (optional)").fill("Two of five depots done")
    page.get_by_role("button", name="Change status").click()
    page.wait_for_url(re.compile(r".*/actions/\d+/$"))
    assert "In progress" in page.locator("#action-status").inner_text()
    minutes = tmp_path / "briefing-notes.pdf"
    minutes.write_bytes(pdf_with_author("Briefing notes"))
    page.get_by_label("File", exact=True).set_input_files(str(minutes))
    page.get_by_label("What it shows (optional)").first.fill("Notes of the first briefings")
    page.get_by_role("button", name="Upload file").click()
    page.wait_for_url(re.compile(r".*/actions/\d+/$"))
    page.get_by_label("Link", exact=True).fill(LONG_LINK)
    page.get_by_role("button", name="Add link").click()
    page.wait_for_url(re.compile(r".*/actions/\d+/$"))
    evidence = page.locator("#evidence-list").inner_text()
    assert "Notes of the first briefings" in evidence and LONG_LINK in evidence
    history = page.locator("#action-history").inner_text()
    assert "Status changed from not started to in progress" in history and "Two of five depots done" in history
    assert_accessible(page, "actions-detail-evidence")
    assert Evidence.objects.count() == 2

    # A bad link stays on the page with the error beside the field.
    page.get_by_label("Link", exact=True).fill("javascript:alert(1)")
    page.get_by_role("button", name="Add link").click()
    page.wait_for_url(re.compile(r".*/evidence/link/add/$"))
    assert "Enter a link that starts with https://" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, "actions-detail-link-error")

    # A second action, already late; the overdue filter finds only that one.
    page.goto("/actions/new/")
    page.get_by_label("What needs to be done").fill("Add lone working to the housing risk assessment")
    page.select_option("#id_owner", label="Olu Owens (owner@example.org)")
    fill_date(page, "id_due_on", today - dt.timedelta(days=3))
    page.get_by_role("button", name="Add action").click()
    page.wait_for_url(re.compile(r".*/actions/\d+/$"))
    assert "Overdue" in page.locator("#action-status").inner_text()
    page.get_by_role("link", name="Back to actions").click()
    page.wait_for_url(re.compile(r".*/actions/$"))
    assert page.locator("#actions-table tbody tr").count() == 2
    page.get_by_label("Only overdue actions").check()
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r".*/actions/\?.*overdue=on"))
    table = page.locator("#actions-table").inner_text()
    assert "Add lone working" in table and "Brief the night-shift" not in table
    assert "1 action" in table
    assert_accessible(page, "actions-hub-overdue")
    assert Action.objects.count() == 2

    # The owner, with no role, sees their own actions from the dashboard.
    page.context.clear_cookies()
    sign_in_as(page, live_server, owner)
    page.goto("/dashboard/")
    page.get_by_role("link", name="Your actions").click()
    page.wait_for_url(re.compile(r".*/actions/$"))
    assert page.locator("#actions-table tbody tr").count() == 2
    assert_accessible(page, "actions-hub-owner")
