from __future__ import annotations

from typing import Any

import pytest

from saferwork.delivery.tests.conftest import booking, other_trainer, session, trainer  # noqa: F401


@pytest.fixture(autouse=True)
def _memory_storage(settings: Any) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
