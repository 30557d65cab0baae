"""Fixtures for recruitment tests: an open round with a rubric, a panel and applications."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from saferwork.recruitment.models import Application, Criterion, Interview, InterviewSlot, Panellist, Round, Stage
from saferwork.tests import factories

WORDS = "Misogyny is the soil in which harassment grows and silence keeps it alive "


def make_round(organisation: Any, **overrides: Any) -> Round:
    now = timezone.now()
    fields = {
        "title": "Trainer recruitment 2026",
        "opens_at": now - timedelta(days=7),
        "closes_at": now + timedelta(days=14),
        "role_description": "Deliver the one-day course to union leaders.",
        "task_prompt": "Describe how a workplace culture can enable sexual harassment.",
        "task_word_limit": 50,
        "agreement_text": "I will treat every session in the strictest confidence.",
        **overrides,
    }
    round_ = Round.objects.create(organisation=organisation, **fields)
    for stage, names in [
        (Stage.SHORTLISTING, [("Understanding of misogyny and enabling cultures", 2), ("Knowledge of unions", 1)]),
        (Stage.INTERVIEW, [("Facilitation", 1), ("Trade union structures", 1)]),
    ]:
        for position, (name, weight) in enumerate(names, start=1):
            Criterion.objects.create(
                round=round_,
                stage=stage,
                name=name,
                weight=weight,
                position=position,
                descriptor_1="Little evidence",
                descriptor_2="Some evidence",
                descriptor_3="Good evidence",
                descriptor_4="Excellent evidence",
            )
    return round_


def make_application(round_: Round, n: int, **overrides: Any) -> Application:
    fields = {
        "organisation": round_.organisation,
        "round": round_,
        "status": Application.Status.SUBMITTED,
        "full_name": f"Candidate {n}",
        "email": f"candidate{n}@example.net",
        "region": ["London", "Wales", "Scotland", "North West"][n % 4],
        "background": ["union_employee", "activist_rep", "union_tutor", "other"][n % 4],
        "union_details": "Branch secretary",
        "experience_training": "Ten years as a union tutor",
        "experience_subject": "Ran a harassment survey",
        "availability": "Two days a month",
        "task_answer": WORDS,
        "consent": True,
        "submitted_at": timezone.now(),
        **overrides,
    }
    return Application.objects.create(**fields)


@pytest.fixture
def round_(programme_host: Any) -> Round:
    return make_round(programme_host)


@pytest.fixture
def staff_panellist(round_: Round, programme_admin: Any) -> Panellist:
    return Panellist.objects.create(round=round_, user=programme_admin, kind=Panellist.Kind.STAFF)


@pytest.fixture
def expert(round_: Round) -> Any:
    """An independent expert: no membership anywhere, a seat on this round's panel."""
    user = factories.UserFactory(email="expert@example.net", full_name="Dr Expert")
    factories.add_totp(user)
    Panellist.objects.create(round=round_, user=user, kind=Panellist.Kind.EXPERT)
    return user


@pytest.fixture
def expert_seat(round_: Round, expert: Any) -> Panellist:
    return Panellist.objects.get(round=round_, user=expert)


@pytest.fixture
def application(round_: Round) -> Application:
    return make_application(round_, 1)


def scores_for(round_: Round, stage: str, value: int) -> dict[int, int]:
    return {c.pk: value for c in round_.criteria.filter(stage=stage)}


def agreed(round_: Round) -> Round:
    """The round with its shortlist agreed: the name-blind sift is over."""
    round_.shortlist_agreed_at = timezone.now()
    round_.save(update_fields=["shortlist_agreed_at"])
    return round_


def interview_at(application: Application, starts_in: timedelta) -> Interview:
    """An interview for ``application`` in a new slot starting ``starts_in`` from now (negative: past)."""
    start = timezone.now() + starts_in
    slot = InterviewSlot.objects.create(
        round=application.round, starts_at=start, ends_at=start + timedelta(minutes=45), location="Online"
    )
    return Interview.objects.create(application=application, slot=slot)
