from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from saferwork.actions.selectors import today_for
from saferwork.dialogue import services
from saferwork.tests import factories


@pytest.fixture
def leader(organisation: Any) -> Any:
    return factories.member(organisation, is_leader=True, email="leader@example.org")


@pytest.fixture
def coach_user(organisation: Any) -> Any:
    return factories.member(organisation, email="coach@example.org", with_device=False)


@pytest.fixture
def other_coach_user(organisation: Any) -> Any:
    return factories.member(organisation, email="coach2@example.org", with_device=False)


@pytest.fixture
def other_participant(organisation: Any) -> Any:
    return factories.member(organisation, email="other@example.org", with_device=False)


@pytest.fixture
def world(
    organisation: Any,
    coordinator: Any,
    participant: Any,
    other_participant: Any,
    coach_user: Any,
    other_coach_user: Any,
) -> dict[str, Any]:
    """A cohort with two people, two sessions, a coach matched to ``participant``, a booked
    slot with a note, a plan item shared with the coach and a thread."""
    today = today_for(organisation)
    cohort = services.create_cohort(
        organisation=organisation, name="Spring cohort", description="", facilitator=None, actor=coordinator
    )
    member, _ = services.add_member(
        cohort=cohort, user=participant, position="line_manager", managed_by=None, actor=coordinator
    )
    services.add_member(cohort=cohort, user=other_participant, position="staff", managed_by=member, actor=coordinator)
    sessions = [
        services.schedule_session(
            cohort=cohort,
            details=services.SessionDetails(
                title=f"Session {n}",
                date=today + dt.timedelta(days=7 * n),
                start_time=dt.time(10),
                end_time=dt.time(12),
                mode="online",
                meeting_link="https://meet.example.org/x",
                prompts="What makes it safe to speak?",
            ),
            actor=coordinator,
        )
        for n in (1, 2)
    ]
    coach = services.make_coach(organisation=organisation, user=coach_user, actor=coordinator)
    other_coach = services.make_coach(organisation=organisation, user=other_coach_user, actor=coordinator)
    services.match_coach(coach=coach, participant=participant, actor=coordinator)
    services.match_coach(coach=other_coach, participant=other_participant, actor=coordinator)
    start = timezone.now() + dt.timedelta(days=2)
    slot = services.offer_slot(
        coach=coach, starts_at=start, ends_at=start + dt.timedelta(hours=1), where="Room 4", actor=coach_user
    )
    services.book_slot(slot=slot, participant=participant)
    note = services.save_note(slot=slot, coach=coach, text="SECRET-NOTE about confidence")
    item = services.add_plan_item(
        organisation=organisation,
        owner=participant,
        what="SECRET-PLAN speak up first",
        due_on=today + dt.timedelta(days=30),
        how="SECRET-HOW team says so",
    )
    services.share_plan_item(item=item, coach=coach, actor=participant)
    from saferwork.dialogue import selectors

    thread = services.start_thread(
        space=selectors.SpaceAccess(organisation, cohort, False),
        author=participant,
        title="Words that work",
        body="What do you say?",
    )
    return {
        "cohort": cohort,
        "sessions": sessions,
        "coach": coach,
        "slot": slot,
        "note": note,
        "item": item,
        "thread": thread,
        "member": member,
    }
