"""What the programme's people see in a browser: states that follow dated facts, history
in words, one-click co-tutor pairs, and attendance marked by its exceptions (issue 11,
findings 2 and 9)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from saferwork.conftest import assert_accessible
from saferwork.delivery.models import Attendance
from saferwork.delivery.tests.test_browser_after_session import sign_in_as
from saferwork.training import services
from saferwork.training.models import Enquiry, PreMeetingSlot
from saferwork.training.tests import factories as tf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_ticked_checklist_before_the_meeting_and_a_first_session_claim_nothing(
    page: Any, live_server: Any, coordinator: Any, programme_admin: Any, organisation: Any, programme_host: Any
) -> None:
    page.set_default_timeout(30_000)  # a busy machine: give each step longer than the default
    page.set_default_navigation_timeout(30_000)
    trainer = tf.trainer(programme_host, email="tasha@example.org", experience="experienced")
    # A pre-meeting three days away, with its checklist already ticked.
    early = tf.booking(organisation, [trainer], ready=False)
    starts = timezone.now() + dt.timedelta(days=3)
    slot = PreMeetingSlot.objects.create(
        enquiry=early, offered_by=trainer, starts_at=starts, ends_at=starts + dt.timedelta(hours=1)
    )
    services.book_slot(slot=slot, actor=coordinator)
    sign_in_as(page, live_server, coordinator)
    page.goto(f"/training/bookings/{early.pk}/")
    page.get_by_label("Timings and logistical arrangements agreed").check()
    page.get_by_label("Who the training is for").check()
    page.get_by_label("Where the organisation stands discussed").check()
    page.get_by_role("button", name="Save checklist").click()
    page.get_by_text("Checklist saved").wait_for()
    page.goto("/training/bookings/")
    bookings = page.inner_text("main")
    assert "Pre-meeting booked" in bookings and "Pre-meeting held" not in bookings
    assert_accessible(page, "states-bookings-before-the-meeting")

    # Two sessions: the first delivered, the second still to come.
    later = tf.booking(organisation, [trainer])
    Enquiry.objects.filter(pk=later.pk).update(state=Enquiry.State.SESSIONS_SCHEDULED)
    first, _second = tf.session(later, days=0), tf.session(later, days=20)
    for n in range(4):
        tf.participant(first, n)
    sign_in_as(page, live_server, trainer.user)
    page.goto(f"/delivery/sessions/{first.pk}/attendance/")
    # Only the exception is marked; "Everyone else attended" does the rest.
    page.get_by_role("group", name="Person 2").get_by_label("Absent", exact=True).check()
    page.get_by_role("button", name="Everyone else attended: save and send links").click()
    page.wait_for_url(f"**/delivery/sessions/{first.pk}/evaluation/")
    assert "3 attended, 1 absent" in page.inner_text("main")
    marks = dict(Attendance.objects.filter(session=first).values_list("participant__name", "attended"))
    assert marks == {"Person 0": True, "Person 1": True, "Person 2": False, "Person 3": True}

    # The programme admin's board: the booking is not "Delivered" while a session is to come,
    # and the enquiry's history is in words.
    services.move_enquiry(enquiry=early, state=Enquiry.State.CONVERSATION_HELD, actor=programme_admin)
    sign_in_as(page, live_server, programme_admin)
    page.goto("/programme/enquiries/")
    board = page.inner_text("main")
    # The board's counters: one booking with sessions scheduled, none delivered yet.
    assert re.search(r"Sessions scheduled\s+1\b", board) and re.search(r"Delivered\s+0\b", board), board[:400]
    assert_accessible(page, "states-board")
    page.goto(f"/programme/enquiries/{early.pk}/")
    history = page.locator("h2", has_text="History").locator("xpath=following-sibling::*[1]").inner_text()
    assert "Moved to “Conversation held”" in history
    assert "conversation_held" not in history and "enquiry.moved" not in history
    assert_accessible(page, "states-enquiry-history")


def test_a_suggested_co_tutor_pair_is_chosen_with_one_button(
    page: Any, live_server: Any, programme_admin: Any, programme_host: Any, organisation: Any
) -> None:
    enquiry = tf.enquiry(organisation)
    old = tf.trainer(programme_host, email="old@example.org", experience="experienced")
    new = tf.trainer(programme_host, email="new@example.org", experience="new")
    sign_in_as(page, live_server, programme_admin)
    page.goto(f"/programme/enquiries/{enquiry.pk}/match/")
    assert_accessible(page, "states-match-pairs")
    page.get_by_role("button", name=re.compile("^Choose this pair")).first.click()
    page.wait_for_url(f"**/programme/enquiries/{enquiry.pk}/**")
    assert set(enquiry.assignments.values_list("trainer_id", flat=True)) == {old.pk, new.pk}
