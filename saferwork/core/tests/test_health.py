"""Health checks for a load balancer, and a calm 503 while the database is away."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from saferwork.core.health import TaskQueue

# The checks run in a thread with their own connections, as under a real worker, so what
# they read and write must be committed: every test here is transactional.
pytestmark = pytest.mark.django_db(transaction=True)


def test_readiness_checks_database_cache_storage_and_queue_in_plain_text(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    for check in ("Database", "Cache", "Storage", "TaskQueue"):
        assert check in text
    assert "no-cache" in response["Cache-Control"]


def test_readiness_in_json_names_checks_and_nothing_else(client):
    body = client.get("/health/?format=json").json()
    assert body == {"Database": "OK", "Cache": "OK", "Storage": "OK", "TaskQueue": "OK"}
    assert "organisation" not in str(body).lower()


def test_liveness_answers_without_signing_in(client):
    assert client.get("/healthz/").json() == {"status": "ok"}


def test_a_task_nobody_takes_fails_readiness(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.HEALTH_TASK_QUEUE_MAX_AGE = 60
    DBTaskResult.objects.create(
        task_path="saferwork.core.tasks.nothing",
        args_kwargs={"args": [], "kwargs": {}},
        queue_name="default",
        backend_name="default",
        run_after=timezone.now(),
    )
    assert client.get("/health/").status_code == 200  # just queued
    DBTaskResult.objects.update(enqueued_at=timezone.now() - dt.timedelta(minutes=5))
    response = client.get("/health/")
    assert response.status_code == 503
    assert "TaskQueue" in response.content.decode()
    assert "waited" in response.content.decode()


def test_the_queue_check_passes_when_tasks_run_inline(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    TaskQueue().run()  # raises on failure


@override_settings(ROOT_URLCONF="saferwork.core.tests.failing_db_urls", DEBUG=False)
def test_an_unreachable_database_gets_a_calm_503_that_asks_to_retry():
    client = Client(raise_request_exception=False)
    response = client.get("/gone/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "busy for a moment" in html and "Connection refused" not in html and "5432" not in html
    # Any other fault is still a 500.
    assert client.get("/bug/").status_code == 500
