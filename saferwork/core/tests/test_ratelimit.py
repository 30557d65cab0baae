from __future__ import annotations

import os
import socket

import pytest
from django.core.cache import caches

from saferwork.lib import ratelimit

pytestmark = pytest.mark.django_db

LIMIT = (3, 60)


def test_limit_counts_attempts_and_resets():
    for expected in (1, 2, 3):
        assert not ratelimit.is_limited("test", "someone", LIMIT)
        assert ratelimit.hit("test", "someone", LIMIT) == expected
    assert ratelimit.is_limited("test", "someone", LIMIT)
    assert not ratelimit.is_limited("test", "someone-else", LIMIT)
    ratelimit.reset("test", "someone", LIMIT)
    assert not ratelimit.is_limited("test", "someone", LIMIT)


def test_counter_keys_never_hold_the_identity_in_clear(settings):
    ratelimit.hit("sign-in-account", "person@example.org", LIMIT)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM saferwork_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert keys and not any("person@example.org" in key for key in keys)


def test_client_address_trusts_the_proxy_header_only_when_configured(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7")
    assert ratelimit.client_address(request) == "10.0.0.1"
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    assert ratelimit.client_address(request) == "198.51.100.7"


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def test_limits_hold_in_redis_when_redis_is_configured(settings):
    if not _redis_reachable():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but Redis is not reachable on 127.0.0.1:6379")
        pytest.skip("Redis is not running here")
    settings.CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://127.0.0.1:6379/15"}}
    caches["default"].clear()
    try:
        for _ in range(3):
            ratelimit.hit("redis-test", "someone", LIMIT)
        assert ratelimit.is_limited("redis-test", "someone", LIMIT)
        assert "RedisCache" in type(caches["default"]).__name__
    finally:
        caches["default"].clear()
