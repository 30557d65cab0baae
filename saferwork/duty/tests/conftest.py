from __future__ import annotations

from typing import Any

import pytest

from saferwork.duty import loader
from saferwork.duty.models import Checklist
from saferwork.tests import factories


@pytest.fixture(autouse=True)
def _memory_storage(settings: Any) -> None:
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}


@pytest.fixture
def checklists(db: Any) -> list[Any]:
    return loader.load_directory()


@pytest.fixture
def ehrc(checklists: Any) -> Checklist:
    return Checklist.objects.get(key="ehrc-eight-steps", version=1)


@pytest.fixture
def leader(organisation: Any) -> Any:
    return factories.member(organisation, is_leader=True, email="leader@example.org")
