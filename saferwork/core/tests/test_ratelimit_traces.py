"""Rate limiting on anonymous paths leaves no dated trace of a reporter's address."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import pickle
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection

from saferwork.lib import ratelimit

pytestmark = pytest.mark.django_db

WINDOW = 3600
LIMIT = (5, WINDOW)
ADDRESS = "203.0.113.7"


@pytest.fixture
def clock(monkeypatch, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "saferwork_cache"}
    }
    call_command("createcachetable", verbosity=0)
    import django.core.cache.backends.base as cache_base
    import django.core.cache.backends.db as cache_db

    fake = SimpleNamespace(now=(datetime.now(UTC).timestamp() // WINDOW) * WINDOW + 1234.567)
    fake_time = SimpleNamespace(time=lambda: fake.now)
    monkeypatch.setattr(ratelimit, "time", fake_time)
    monkeypatch.setattr(cache_base, "time", fake_time)
    monkeypatch.setattr(cache_db, "tz_now", lambda: datetime.fromtimestamp(fake.now, tz=UTC))
    return fake


def cache_rows() -> list[tuple[str, object, datetime]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key, value, expires FROM saferwork_cache")
        rows = cursor.fetchall()
    decoded = []
    for key, value, expires in rows:
        with contextlib.suppress(Exception):  # any undecodable value is kept as stored
            value = pickle.loads(base64.b64decode(value))
        if isinstance(expires, str):
            expires = datetime.fromisoformat(expires)
        decoded.append((key, value, expires))
    return decoded


def confirms(rows: list[tuple[str, object, datetime]], secret_key: str) -> bool:
    """Can someone with SECRET_KEY and the candidate address find its counter?"""
    names = " ".join(key for key, _, _ in rows)
    candidates = [hashlib.sha256(f"{secret_key}:report-submit:{ADDRESS}".encode()).hexdigest()[:32]]
    for _, value, _ in rows:
        for key in (value, secret_key):
            try:
                raw = bytes.fromhex(str(key)) if key is value else str(key).encode()
            except ValueError:
                continue
            candidates.append(hmac.new(raw, f"report-submit:{ADDRESS}".encode(), hashlib.sha256).hexdigest()[:32])
    return any(c in names for c in candidates)


def test_a_reporters_counter_keeps_no_time_and_is_unlinkable_once_the_window_key_rotated(clock, settings):
    ratelimit.hit("report-submit", ADDRESS, LIMIT)
    rows = cache_rows()
    assert rows
    for _, value, expires in rows:
        # No stored time of the report: counters hold a number, expiry falls on a window boundary.
        assert not (isinstance(value, float) and abs(value - clock.now) < 2 * WINDOW)
        assert expires.replace(tzinfo=UTC).timestamp() % WINDOW == 0, expires

    # Two windows later another reporter's attempt makes a new key; the old one is gone.
    clock.now += 2 * WINDOW
    ratelimit.hit("report-submit", "198.51.100.20", LIMIT)
    assert not confirms(cache_rows(), settings.SECRET_KEY)


def test_the_limit_still_holds_across_a_window_boundary(clock):
    clock.now = (clock.now // WINDOW + 1) * WINDOW - 2
    for _ in range(3):
        ratelimit.hit("report-submit", ADDRESS, LIMIT)
    clock.now += 4  # the next window
    for _ in range(2):
        ratelimit.hit("report-submit", ADDRESS, LIMIT)
    assert ratelimit.is_limited("report-submit", ADDRESS, LIMIT)
    clock.now += WINDOW  # paused until the end of the window after the last attempt
    assert ratelimit.is_limited("report-submit", ADDRESS, LIMIT)
    clock.now += WINDOW
    assert not ratelimit.is_limited("report-submit", ADDRESS, LIMIT)
    assert not ratelimit.is_limited("report-submit", "someone-else", LIMIT)
