from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from saferwork.actions import selectors, services, sources
from saferwork.actions.models import Action
from saferwork.organisations.models import Organisation
from saferwork.tests import factories


@pytest.fixture(autouse=True)
def _memory_storage(settings: Any) -> None:
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}


@pytest.fixture
def leader(organisation: Any) -> Any:
    return factories.member(organisation, is_leader=True, email="leader@example.org")


@pytest.fixture
def owner(organisation: Any) -> Any:
    """A member with no role: owns actions, manages none."""
    return factories.member(organisation, email="owner@example.org", with_device=False)


@pytest.fixture
def today(organisation: Organisation) -> dt.date:
    return selectors.today_for(organisation)


@pytest.fixture
def make_action(organisation: Any, leader: Any, owner: Any, today: dt.date) -> Any:
    def make(**fields: Any) -> Action:
        values: dict[str, Any] = {
            "organisation": organisation,
            "title": "Publish the harassment policy on the intranet",
            "due_on": today + dt.timedelta(days=14),
            "owner": owner,
            "actor": leader,
            **fields,
        }
        status = values.pop("status", None)
        action = services.create_action(**values)
        if status:
            services.change_status(action=action, status=status, actor=leader)
        return action

    return make


@pytest.fixture
def survey_source(monkeypatch: Any) -> str:
    """A kind of source as another app would register it: references "1".."9" exist in
    every organisation whose slug is not "other" (so another organisation's are unknown)."""

    def describe(organisation: Organisation, ref: str) -> sources.Source | None:
        if ref.isdigit() and len(ref) == 1:
            return sources.Source(label=f"Staff survey 2026, Housing: item {ref}", url=f"/surveys/results/{ref}/")
        return None

    kind = sources.SourceKind(key="test_survey", label="Survey result", describe=describe)
    monkeypatch.setitem(sources._KINDS, "test_survey", kind)
    return "test_survey"
