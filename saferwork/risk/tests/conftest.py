from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from saferwork.actions import services as actions
from saferwork.risk import selectors, services
from saferwork.risk.models import Assessment, Control, Hazard
from saferwork.tests import factories


@pytest.fixture(autouse=True)
def _memory_storage(settings: Any) -> None:
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}


@pytest.fixture
def leader(organisation: Any) -> Any:
    return factories.member(organisation, is_leader=True, email="leader@example.org")


@pytest.fixture
def manager(organisation: Any) -> Any:
    """A department manager with no role: owns assessments, manages no register."""
    return factories.member(organisation, email="manager@example.org", with_device=False)


@pytest.fixture
def today(organisation: Any) -> dt.date:
    return selectors.today_for(organisation)


@pytest.fixture
def make_assessment(organisation: Any, leader: Any, manager: Any, today: dt.date) -> Any:
    def make(**fields: Any) -> Assessment:
        values: dict[str, Any] = {
            "organisation": organisation,
            "kind": "activity",
            "title": "Housing officers' home visits",
            "department": "Housing",
            "owner": manager,
            "review_on": today + dt.timedelta(days=90),
            "actor": leader,
            **fields,
        }
        return services.create_assessment(**values)

    return make


@pytest.fixture
def make_hazard(leader: Any) -> Any:
    def make(assessment: Assessment, **fields: Any) -> Hazard:
        values: dict[str, Any] = {
            "assessment": assessment,
            "title": "Tenants harass officers on lone visits",
            "who": ["staff", "lone_night"],
            "factors": ["lone_night_work", "customer_facing"],
            "source": "third_party",
            "inherent": (4, 5),
            "current": (4, 4),
            "target": (2, 3),
            "actor": leader,
            **fields,
        }
        return services.add_hazard(**values)

    return make


@pytest.fixture
def make_control(leader: Any, manager: Any, today: dt.date) -> Any:
    def make(hazard: Hazard, **fields: Any) -> Control:
        values: dict[str, Any] = {
            "hazard": hazard,
            "description": "Two officers on every visit to a flagged address",
            "owner": manager,
            "due_on": today + dt.timedelta(days=14),
            "actor": leader,
            **fields,
        }
        return services.add_control(**values)

    return make


@pytest.fixture
def done_with_evidence(leader: Any) -> Any:
    def finish(control: Control) -> Any:
        action = services.control_to_action(control=control, actor=leader)
        actions.add_evidence_link(action=action, url="/minutes/", actor=leader)
        actions.change_status(action=action, status="done", actor=leader)
        return action

    return finish
