"""The health check without a round trip: skipped only on a quiet, idle connection."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from saferwork.lib.connections import QuietConnectionCheckMiddleware, connection_is_quiet

pytestmark = pytest.mark.django_db(transaction=True)


def _postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the socket check is for PostgreSQL connections")


def test_a_quiet_idle_connection_skips_djangos_select_1(settings: Any) -> None:
    _postgresql()
    assert settings.MIDDLEWARE[0] == "saferwork.lib.connections.QuietConnectionCheckMiddleware"
    connection.ensure_connection()
    connection.health_check_enabled = True
    connection.health_check_done = False
    assert connection_is_quiet(connection)
    QuietConnectionCheckMiddleware(lambda request: None)(None)  # type: ignore[arg-type]
    assert connection.health_check_done
    with CaptureQueriesContext(connection) as ctx:
        connection.close_if_health_check_failed()
    assert ctx.captured_queries == []


def test_a_connection_the_server_ended_is_not_trusted_and_is_replaced(settings: Any) -> None:
    _postgresql()
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    other = connection.copy()
    with other.cursor() as cursor:  # as a server restart would: the backend is told to end
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    other.close()
    import time

    for _ in range(50):  # the termination notice reaches the socket
        if not connection_is_quiet(connection):
            break
        time.sleep(0.05)
    assert not connection_is_quiet(connection)
    connection.health_check_enabled = True
    connection.health_check_done = False
    QuietConnectionCheckMiddleware(lambda request: None)(None)  # type: ignore[arg-type]
    assert not connection.health_check_done  # so Django's SELECT 1 runs, fails, and reconnects
    connection.close_if_health_check_failed()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


def test_pages_are_served_with_it_first(client: Client) -> None:
    assert client.get("/healthz/").status_code == 200


def test_the_first_request_freezes_what_the_worker_loaded(client: Client, settings: Any) -> None:
    import gc

    assert "saferwork.lib.gcfreeze.FreezeAfterFirstRequestMiddleware" in settings.MIDDLEWARE
    gc.unfreeze()
    from saferwork.lib.gcfreeze import FreezeAfterFirstRequestMiddleware

    middleware = FreezeAfterFirstRequestMiddleware(lambda request: "response")  # type: ignore[arg-type,return-value]
    assert gc.get_freeze_count() == 0
    assert middleware(None) == "response"  # type: ignore[arg-type]
    assert gc.get_freeze_count() > 0
    gc.unfreeze()
    middleware(None)  # type: ignore[arg-type]
    assert gc.get_freeze_count() == 0  # once per worker, not on every request
