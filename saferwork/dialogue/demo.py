"""Demo leadership dialogue for Northfield Borough Council (``seed_demo`` calls :func:`seed_dialogue_demo`).

DEBUG only, through ``seed_demo``; idempotent: a cohort already there is left alone. A
cohort of two sessions (one held, one to come) with a coach, a match and a thread.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from saferwork.accounts.models import User
from saferwork.actions.selectors import today_for
from saferwork.core import demo
from saferwork.dialogue import selectors, services
from saferwork.dialogue.models import Cohort
from saferwork.organisations.models import Membership, Organisation

COHORT_NAME = "Managers' leadership dialogue, spring"
# email, name: members of the council who join the cohort (the coach coaches, not attends).
DEMO_PEOPLE = [
    ("coach@saferwork.test", "Cora Fielding"),
    ("manager@saferwork.test", "Mo Adeyemi"),
]


def _person(organisation: Organisation, email: str, name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=demo.DEMO_PASSWORD, full_name=name)
    Membership.objects.get_or_create(user=user, organisation=organisation)
    return user


def seed_dialogue_demo() -> bool:
    """Add the demo cohort if it is missing; returns whether it was added."""
    organisation = Organisation.objects.get(slug="northfield-council")
    if Cohort.objects.for_organisation(organisation).filter(name=COHORT_NAME).exists():
        return False
    coordinator = User.objects.get(email="leader@saferwork.test")
    handler = User.objects.get(email="handler@saferwork.test")
    coach_user, manager = (_person(organisation, email, name) for email, name in DEMO_PEOPLE)
    today = today_for(organisation)
    cohort = services.create_cohort(
        organisation=organisation,
        name=COHORT_NAME,
        description="Four people managers meet twice to talk about power, speaking up and responding well.",
        facilitator=coordinator,
        actor=coordinator,
    )
    boss, _ = services.add_member(
        cohort=cohort, user=manager, position="line_manager", managed_by=None, actor=coordinator
    )
    services.add_member(cohort=cohort, user=handler, position="staff", managed_by=boss, actor=coordinator)
    held = services.schedule_session(
        cohort=cohort,
        details=services.SessionDetails(
            title="Session 1: what power does in a team",
            date=today - dt.timedelta(days=7),
            start_time=dt.time(10, 0),
            end_time=dt.time(12, 0),
            mode="in_person",
            venue="Committee Room 2, Northfield Town Hall",
            pre_reading="Read the council's behavioural standards and note one moment you saw power shape a "
            "conversation.",
            prompts="When did someone last tell you something you did not want to hear?\n"
            "What makes it safe to speak up here?",
        ),
        actor=coordinator,
    )
    services.record_attendance(session=held, attended={boss.pk}, actor=coordinator)
    services.schedule_session(
        cohort=cohort,
        details=services.SessionDetails(
            title="Session 2: responding well when someone tells you",
            date=today + dt.timedelta(days=14),
            start_time=dt.time(10, 0),
            end_time=dt.time(12, 0),
            mode="online",
            meeting_link="https://meet.northfield.example/dialogue",
            prompts="What would you say in the first minute?\nWho else needs to know, and who must not?",
        ),
        actor=coordinator,
    )
    coach = services.make_coach(organisation=organisation, user=coach_user, actor=coordinator)
    services.match_coach(coach=coach, participant=manager, actor=coordinator)
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=3)
    services.offer_slot(
        coach=coach, starts_at=start, ends_at=start + dt.timedelta(hours=1), where="Room 4.12", actor=coach_user
    )
    item = services.add_plan_item(
        organisation=organisation,
        owner=manager,
        what="Open every team meeting with a reminder of how to raise a concern",
        due_on=today + dt.timedelta(days=30),
        how="Two people in the team tell me they know the route",
    )
    services.share_plan_item(item=item, coach=coach, actor=manager)
    space = selectors.SpaceAccess(organisation, cohort, False)
    services.start_thread(
        space=space,
        author=manager,
        title="How do you close a meeting when someone makes a 'joke'?",
        body="I froze last week. What words have worked for you?",
    )
    return True
