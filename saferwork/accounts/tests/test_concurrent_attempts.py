"""Wrong passwords and codes that arrive together are counted before they are evaluated.

Checking the limit first and counting after let every request of a burst through: the
limit of 5 became 12. These tests send a burst from many threads (each with its own
database connection) against the real cache, the database one and Redis, and count how
many passwords and codes the server actually evaluated.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from saferwork.accounts import services, views
from saferwork.tests import factories
from saferwork.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

BURST = 12
LIMIT = 5


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(params=["database", "redis"])
def shared_cache(request: Any, settings: Any) -> Iterator[str]:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        # The in-memory test database answers a second connection with "table is locked"
        # instead of waiting as a file database does: run these on PostgreSQL.
        pytest.skip("needs a database that several connections can write at once (PostgreSQL)")
    if request.param == "database":
        settings.CACHES = {"default": {"BACKEND": "saferwork.lib.cache.DatabaseCache", "LOCATION": "saferwork_cache"}}
        call_command("createcachetable", verbosity=0)
        yield "database"
        return
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    original = settings.CACHES
    port = _free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.1)
        settings.CACHES = {
            "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": f"redis://127.0.0.1:{port}/0"}
        }
        yield "redis"
    finally:
        settings.CACHES = original  # later fixtures clear the cache: not the server about to stop
        process.terminate()
        process.wait(timeout=10)


class Evaluations:
    """Wraps the check the limit guards: counts calls, and holds each one long enough
    that every request of the burst is in flight at once."""

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped
        self.count = 0
        self.lock = threading.Lock()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with self.lock:
            self.count += 1
        time.sleep(0.3)
        return self.wrapped(*args, **kwargs)


def _burst(send: Any, clients: list[Client]) -> list[int]:
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def run(client: Client) -> None:
        try:
            barrier.wait()
            statuses.append(send(client).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def test_a_burst_of_wrong_passwords_is_evaluated_at_most_the_limit_times(shared_cache, settings, monkeypatch):
    settings.RATE_LIMIT_SIGN_IN_ACCOUNT = (LIMIT, 900)
    settings.RATE_LIMIT_SIGN_IN_ADDRESS = (100, 900)
    user = factories.member(factories.OrganisationFactory(), is_coordinator=True)
    evaluated = Evaluations(views.authenticate)
    monkeypatch.setattr(views, "authenticate", evaluated)

    statuses = _burst(
        lambda client: client.post(reverse("accounts:sign_in"), {"email": user.email, "password": "wrong"}),
        [Client() for _ in range(BURST)],
    )
    assert len(statuses) == BURST
    assert evaluated.count <= LIMIT
    assert statuses.count(429) >= BURST - LIMIT
    # And the account is paused: even the right password waits.
    right = Client().post(reverse("accounts:sign_in"), {"email": user.email, "password": PASSWORD})
    assert right.status_code == 429


def test_a_burst_of_wrong_codes_is_evaluated_at_most_the_limit_times(shared_cache, settings, monkeypatch):
    settings.RATE_LIMIT_SECOND_FACTOR = (LIMIT, 900)
    user = factories.member(factories.OrganisationFactory(), is_coordinator=True)
    clients = []
    for _ in range(BURST):  # many sessions that passed the password step
        client = Client()
        client.post(reverse("accounts:sign_in"), {"email": user.email, "password": PASSWORD})
        clients.append(client)
    evaluated = Evaluations(services.verify_second_factor)
    monkeypatch.setattr(views.services, "verify_second_factor", evaluated)

    statuses = _burst(lambda client: client.post(reverse("accounts:sign_in_code"), {"code": "000000"}), clients)
    assert len(statuses) == BURST
    assert evaluated.count <= LIMIT
    assert statuses.count(429) >= BURST - LIMIT


def test_right_passwords_do_not_use_up_the_limit(shared_cache, settings):
    settings.RATE_LIMIT_SIGN_IN_ACCOUNT = (3, 900)
    user = factories.member(factories.OrganisationFactory(), with_device=False)
    for _ in range(6):
        response = Client().post(reverse("accounts:sign_in"), {"email": user.email, "password": PASSWORD})
        assert response.status_code == 302


@pytest.mark.parametrize("backend", ["saferwork.lib.cache.DatabaseCache"])
def test_the_database_cache_loses_no_increment_under_concurrency(settings, backend):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("needs a database that several connections can write at once (PostgreSQL)")
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": "saferwork_cache"}}
    call_command("createcachetable", verbosity=0)
    from django.core.cache import cache

    cache.set("counter", 0, timeout=60)
    results: list[int] = []
    barrier = threading.Barrier(BURST)

    def run() -> None:
        try:
            barrier.wait()
            results.append(cache.incr("counter"))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(BURST)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == list(range(1, BURST + 1))
    assert cache.get("counter") == BURST
