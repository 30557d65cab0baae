from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from saferwork.surveys import services
from saferwork.surveys.models import QuestionItem, Survey


@pytest.fixture(autouse=True)
def _question_bank(request: Any) -> None:
    """The shared bank is data from a migration: a transactional test (a browser test) flushes
    it when it ends, so put it back for whichever test comes next, in any order."""
    marker = request.node.get_closest_marker("django_db")
    marked = marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    if marked or "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        from saferwork.surveys import bank as shared_bank

        shared_bank.load(QuestionItem)


def bank(code: str) -> QuestionItem:
    return QuestionItem.objects.get(organisation=None, code=code)


def build_survey(
    organisation: Any,
    actor: Any,
    *,
    departments: tuple[str, ...] = ("Housing", "Libraries"),
    score_threshold: int = 10,
    wave: str = "Spring 2026",
) -> Survey:
    """Two pages: a yes/no, a follow-up shown only after "Yes", scales and a comment."""
    survey = services.create_survey(
        organisation=organisation,
        actor=actor,
        title="Staff safety survey",
        wave=wave,
        closes_on=timezone.localdate() + dt.timedelta(days=14),
        score_threshold=score_threshold,
    )
    for name in departments:
        services.add_department(survey=survey, actor=actor, name=name)
    first = survey.sections.get()
    experienced = services.add_question(section=first, item=bank("EXP-ANY"), actor=actor)
    for code in ("BEH-COMMENTS", "BEH-TOUCHING", "CONF-REPORT", "CONF-TAKEN-SERIOUSLY"):
        services.add_question(section=first, item=bank(code), actor=actor)
    second = services.add_section(survey=survey, actor=actor, title="What happened")
    services.add_question(section=second, item=bank("WHO-DID"), actor=actor, show_if=experienced, show_if_values=[1])
    services.add_question(section=second, item=bank("TXT-IMPROVE"), actor=actor)
    return survey


@pytest.fixture
def survey(organisation: Any, coordinator: Any) -> Survey:
    return build_survey(organisation, coordinator)


@pytest.fixture
def live_survey(survey: Survey, coordinator: Any) -> Survey:
    return services.launch(survey=survey, actor=coordinator)
