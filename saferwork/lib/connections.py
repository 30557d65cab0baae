"""Django's connection health check without a round trip when the connection is quiet.

``CONN_HEALTH_CHECKS`` makes Django send ``SELECT 1`` before the first query of every
request on a persistent connection, so a connection the server dropped (a restart, a
fail-over, an idle timeout) is replaced instead of failing the request. That is one more
round trip on every request, the cheapest of which (an evaluation answer) is otherwise
one statement.

A server that ends a connection says so on the socket: a ``FATAL`` message ("terminating
connection…") or end-of-file. Between requests an idle connection receives nothing
else (the site does not ``LISTEN``). So before the request's first query this middleware
asks the socket, without waiting, whether anything arrived: if nothing did and psycopg
still holds the connection as idle and healthy, Django's check is marked done; if
anything did, or psycopg is unsure, Django's ``SELECT 1`` runs as before and replaces a
dead connection. What neither catches in time is a silent network cut (no reset ever
arrives); ``SELECT 1`` would wait on that too.
"""

from __future__ import annotations

import select
from collections.abc import Callable
from typing import Any

from django.db import connections
from django.http import HttpRequest, HttpResponseBase


def connection_is_quiet(wrapper: object) -> bool:
    """True if this PostgreSQL connection is idle, unbroken and nothing waits on its socket."""
    raw = getattr(wrapper, "connection", None)
    if raw is None or getattr(wrapper, "vendor", "") != "postgresql":
        return False
    try:
        from psycopg import pq

        if raw.closed or raw.broken or raw.info.transaction_status != pq.TransactionStatus.IDLE:
            return False
        poller = select.poll()
        poller.register(raw.pgconn.socket, select.POLLIN | select.POLLERR | select.POLLHUP)
        return not poller.poll(0)
    except Exception:  # noqa: BLE001 - any doubt: let Django's own check run
        return False


class QuietConnectionCheckMiddleware:
    """First in ``MIDDLEWARE``: skips Django's ``SELECT 1`` on connections that are quiet."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        for wrapper in connections.all(initialized_only=True):
            # Django's own flags (BaseDatabaseWrapper, 4.1+), not in its type stubs.
            checked: Any = wrapper
            if checked.health_check_enabled and not checked.health_check_done and connection_is_quiet(wrapper):
                checked.health_check_done = True
        return self.get_response(request)
