"""A coordinator fills in the template CSV with positions as people read them; problems name line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from saferwork.conftest import assert_accessible
from saferwork.tests.browser import sign_in_as
from saferwork.training.tests import factories as tf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _upload(page, text: str) -> None:
    page.get_by_label("Upload a CSV file").set_input_files(
        files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": text.encode()}]
    )
    page.get_by_role("button", name="Check the file").click()


def test_template_download_labels_and_errors_by_line_and_column(page, live_server, coordinator, programme_host):
    trainer = tf.trainer(programme_host, email="trainer@example.org")
    session = tf.session(tf.booking(coordinator.memberships.get().organisation, [trainer]))
    sign_in_as(page, live_server, coordinator)
    page.goto(f"/training/sessions/{session.pk}/participants/upload/")
    assert_accessible(page, "csv-upload")
    # The page lists the positions as people read them.
    assert "Senior leader or official" in page.locator("main").inner_text()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download a template CSV file").click()
    header, example = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert header == "name,email,position,manager_email"
    assert example.split(",")[2] == "Line manager"

    rows = [
        header,
        "Ada Lovelace,ada@example.org,line MANAGER ,",
        "Bo Brown,not-an-email,Senior leader or official,ada@example.org",
        "Cy Chan,cy@example.org,Chief,",
    ]
    _upload(page, "\n".join(rows) + "\n")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Line 3, column “email”: “not-an-email” is not an email address." in summary
    assert "Line 4, column “position”: “Chief” is not a position from the list." in summary
    assert "Line 2" not in summary
    assert_accessible(page, "csv-errors")

    rows[2] = "Bo Brown,bo@example.org,  senior leader OR official,ada@example.org"
    rows[3] = "Cy Chan,cy@example.org,rep,"
    _upload(page, "\n".join(rows) + "\n")
    page.get_by_text("3 people, no problems found").wait_for()
    preview = page.locator("table").inner_text()
    assert "Line manager" in preview and "Senior leader or official" in preview and "Rep or activist" in preview
    assert_accessible(page, "csv-preview")
    page.get_by_role("button", name="Import 3 people").click()
    page.wait_for_url(f"**/training/sessions/{session.pk}/")
    assert dict(session.participants.values_list("email", "position")) == {
        "ada@example.org": "line_manager",
        "bo@example.org": "senior_leader",
        "cy@example.org": "rep",
    }
