"""Every page that states the group size states the same one, read from the one constant."""

from __future__ import annotations

import io
import re

import docx
import pytest

from saferwork.conftest import assert_accessible
from saferwork.tests.browser import sign_in_as
from saferwork.training import documents
from saferwork.training.models import CAPACITY_HARD_LIMIT, CAPACITY_WARN_ABOVE
from saferwork.training.tests import factories as tf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Any "N people", "at most N", "N to M", "more than N" a person could read as the group size.
SIZES = re.compile(r"\b(?:at most|more than|recommend|takes|to)\s+(\d+)\b", re.I)


def _numbers(text: str) -> set[int]:
    return {int(n) for n in SIZES.findall(text)} - {16}  # "10:00 to 16:00" is the day, not the group


def test_course_enquiry_session_form_and_session_page_state_the_same_group_size(
    page, live_server, coordinator, programme_host
):
    trainer = tf.trainer(programme_host, email="trainer@example.org")
    booking = tf.booking(coordinator.memberships.get().organisation, [trainer])
    session = tf.session(booking)
    expected = {CAPACITY_HARD_LIMIT, CAPACITY_WARN_ABOVE}

    page.goto("/training/")
    assert_accessible(page, "group-size-course")
    row = page.locator(".govuk-summary-list__row", has_text="Group size").inner_text()
    assert f"at most {CAPACITY_HARD_LIMIT} people" in row.lower()
    assert _numbers(row) == expected

    page.goto("/training/enquire/")
    hint = page.locator("#id_expected_sessions-hint").inner_text()
    assert f"at most {CAPACITY_HARD_LIMIT} people" in hint
    assert _numbers(hint) == expected

    sign_in_as(page, live_server, coordinator)
    page.goto(f"/training/bookings/{booking.pk}/sessions/new/")
    assert_accessible(page, "group-size-session-form")
    assert page.get_by_label("Places").input_value() == str(CAPACITY_HARD_LIMIT)
    assert _numbers(page.locator("#id_capacity-hint").inner_text()) == expected

    for n in range(CAPACITY_WARN_ABOVE + 1):
        tf.participant(session, n)
    page.goto(f"/training/sessions/{session.pk}/")
    assert_accessible(page, "group-size-session")
    assert _numbers(page.locator("#capacity-warning").inner_text()) == {CAPACITY_WARN_ABOVE}

    # The overview document sent with the introduction says the same.
    overview = docx.Document(io.BytesIO(documents.overview_docx(booking, [trainer.name])))
    text = " ".join(p.text for p in overview.paragraphs if "how many people" in p.text)
    assert _numbers(text) == expected
