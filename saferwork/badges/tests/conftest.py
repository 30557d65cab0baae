from __future__ import annotations

import datetime
from typing import Any

import pytest

from saferwork.badges import services


@pytest.fixture
def achievement(programme_host: Any) -> Any:
    return services.default_achievement(organisation=programme_host)


@pytest.fixture
def issue(achievement: Any) -> Any:
    def make(email: str = "pat@example.org", *, show_topic: bool = True, **kwargs: Any) -> Any:
        return services.issue_badge(
            recipient_email=email,
            achievement=achievement,
            show_topic=show_topic,
            session_date=kwargs.pop("session_date", datetime.date(2026, 11, 3)),
            **kwargs,
        )

    return make
