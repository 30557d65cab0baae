"""A paused sign-in stays paused for the 15 minutes the message promises, whatever the clock says."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.urls import reverse

from saferwork.tests import factories

pytestmark = pytest.mark.django_db

WINDOW = 15 * 60


class Clock:
    """Moves the time seen by the rate limiter and by the database cache's expiry together."""

    def __init__(self, start: float) -> None:
        self.now = start

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch, settings):
    # The embedded default store, whose expiry follows the fake clock (Redis keeps real time).
    settings.CACHES = {"default": {"BACKEND": "saferwork.lib.cache.DatabaseCache", "LOCATION": "saferwork_cache"}}
    call_command("createcachetable", verbosity=0)  # not there when the suite runs with REDIS_URL
    import django.core.cache.backends.base as cache_base
    import django.core.cache.backends.db as cache_db

    from saferwork.lib import ratelimit

    # Just before a quarter-hour boundary, where fixed windows used to begin afresh.
    start = (datetime.now(UTC).timestamp() // WINDOW + 1) * WINDOW - 2
    fake = Clock(start)
    fake_time = SimpleNamespace(time=lambda: fake.now)
    monkeypatch.setattr(ratelimit, "time", fake_time)
    monkeypatch.setattr(cache_base, "time", fake_time)
    monkeypatch.setattr(cache_db, "tz_now", lambda: datetime.fromtimestamp(fake.now, tz=UTC))
    return fake


def _sign_in(client, email: str, password: str):
    return client.post(reverse("accounts:sign_in"), {"email": email, "password": password})


def test_paused_sign_in_lasts_fifteen_minutes_from_the_last_wrong_password(client, coordinator, clock):
    for _ in range(5):
        assert _sign_in(client, coordinator.email, "wrong password").status_code == 200
    assert _sign_in(client, coordinator.email, factories.PASSWORD).status_code == 429

    # Past the quarter-hour boundary, and past the database cache's 5-minute default timeout.
    locked_at = clock.now
    for minutes in (0.1, 6, 14.9):
        clock.now = locked_at + minutes * 60
        response = _sign_in(client, coordinator.email, factories.PASSWORD)
        assert response.status_code == 429, f"the pause ended after {minutes} minutes"
        assert "paused for 15 minutes" in response.content.decode()

    clock.now = locked_at + WINDOW + 1
    response = _sign_in(client, coordinator.email, factories.PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:sign_in_code")


def test_wrong_passwords_either_side_of_a_quarter_hour_count_together(client, coordinator, clock):
    for _ in range(3):
        _sign_in(client, coordinator.email, "wrong password")
    clock.advance(4)  # now in the next quarter of an hour
    for _ in range(2):
        _sign_in(client, coordinator.email, "wrong password")
    assert _sign_in(client, coordinator.email, factories.PASSWORD).status_code == 429


def test_attempts_are_forgotten_once_their_window_has_passed(client, coordinator, clock):
    for _ in range(4):
        _sign_in(client, coordinator.email, "wrong password")
    clock.advance(WINDOW + 1)
    for _ in range(4):
        assert _sign_in(client, coordinator.email, "wrong password").status_code == 200
    response = _sign_in(client, coordinator.email, factories.PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:sign_in_code")
