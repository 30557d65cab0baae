from __future__ import annotations

from typing import Any

import pytest

from saferwork.learning import services
from saferwork.learning.models import Module
from saferwork.tests import factories


@pytest.fixture
def learner(organisation: Any) -> Any:
    return factories.member(organisation, email="learner@example.org", with_device=False)


@pytest.fixture
def other_learner(organisation: Any) -> Any:
    return factories.member(organisation, email="other-learner@example.org", with_device=False)


@pytest.fixture
def leader(organisation: Any) -> Any:
    return factories.member(organisation, is_leader=True, email="leader@example.org")


def build_module(*, organisation: Any, actor: Any, title: str = "Own module") -> Module:
    """A published module with one step of every kind but media (files need storage)."""
    module = services.create_module(organisation=organisation, title=title, summary="", minutes=10, actor=actor)
    version = module.versions.get()
    add = services.save_step
    add(version=version, content=services.StepContent(kind="content", title="Read", body="Some **text**"))
    add(
        version=version,
        content=services.StepContent(
            kind="scenario",
            title="Choose",
            body="What now?",
            data={
                "choices": [
                    {"label": "A", "feedback": "FEEDBACK-A", "next": None},
                    {"label": "B", "feedback": "FB-B", "next": 4},
                ]
            },
        ),
    )
    add(
        version=version,
        content=services.StepContent(
            kind="check",
            title="Check",
            data={
                "pass_mark": 100,
                "questions": [
                    {"text": "Q1", "options": ["no", "yes"], "correct": 1, "feedback": "F1"},
                    {"text": "Q2", "options": ["yes", "no"], "correct": 0, "feedback": "F2"},
                ],
            },
        ),
    )
    add(version=version, content=services.StepContent(kind="reflection", title="Reflect", data={"prompt": "Think?"}))
    services.publish(version=version, actor=actor)
    return module


@pytest.fixture
def own_module(organisation: Any, coordinator: Any) -> Module:
    return build_module(organisation=organisation, actor=coordinator)


@pytest.fixture
def enrolled(own_module: Module, organisation: Any, coordinator: Any, learner: Any) -> Any:
    services.assign(
        module=own_module, organisation=organisation, people=[services.Assignee(learner.email)], actor=coordinator
    )
    enrolment = own_module.enrolments.get(email=learner.email)
    return services.start(enrolment=enrolment)
