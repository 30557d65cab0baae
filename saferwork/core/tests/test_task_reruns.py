"""A task whose worker died runs again (requeue_stale_tasks) and its email goes out once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from saferwork.core.models import SentEmail
from saferwork.core.tasks import send_email
from saferwork.lib.email import Email, renderer

pytestmark = pytest.mark.django_db(transaction=True)  # the worker closes its connection


@renderer("core.test_rerun")
def _rerun(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    yield Email(to=[f"rerun{ids[0]}@example.org"], template="reporting/email/reporter_new_message")


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _work() -> None:
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)


def _as_if_its_worker_died(task_id: str, *, minutes_ago: int = 30) -> None:
    """The row as a worker killed mid-task leaves it: claimed, RUNNING, never finished."""
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(pk=task_id).update(
        status="RUNNING",
        started_at=timezone.now() - timedelta(minutes=minutes_ago),
        finished_at=None,
        worker_ids=["a-worker-that-died"],
    )


def test_a_task_whose_worker_died_before_sending_runs_again_and_sends_once(database_tasks):
    result = send_email.enqueue(kind="core.test_rerun", ids=["1"])
    _as_if_its_worker_died(result.id)
    _work()  # a live worker does not take a RUNNING task
    assert mail.outbox == []
    call_command("requeue_stale_tasks", seconds=60, verbosity=0)
    _work()
    result.refresh()
    assert result.status == "SUCCESSFUL"
    assert [m.to for m in mail.outbox] == [["rerun1@example.org"]]


def test_a_task_that_had_sent_before_its_worker_died_does_not_send_again(database_tasks):
    result = send_email.enqueue(kind="core.test_rerun", ids=["2"])
    _work()
    assert len(mail.outbox) == 1
    # The worker sent and committed the key, then died before marking the task done.
    _as_if_its_worker_died(result.id)
    call_command("requeue_stale_tasks", seconds=60, verbosity=0)
    result.refresh()
    assert result.status == "READY"
    _work()
    result.refresh()
    assert result.status == "SUCCESSFUL"
    assert len(mail.outbox) == 1  # run twice, sent once


def test_the_key_holds_no_address_kind_or_id_only_a_hash_and_a_day(database_tasks):
    send_email.enqueue(kind="core.test_rerun", ids=["3"])
    _work()
    (row,) = SentEmail.objects.values()
    assert set(row) == {"key", "day"}
    assert len(row["key"]) == 64
    assert all(word not in row["key"] for word in ("rerun", "core.test_rerun", "example.org"))


def test_a_failed_send_leaves_no_key_so_a_later_run_can_send(database_tasks, settings):
    settings.EMAIL_BACKEND = "saferwork.core.tests.test_tasks.RefusingBackend"
    result = send_email.enqueue(kind="core.test_rerun", ids=["4"])
    _work()
    result.refresh()
    assert result.status == "FAILED"
    assert not SentEmail.objects.exists()


def test_two_tasks_with_the_same_message_both_send(database_tasks):
    # Idempotent per task run, not a filter on what is sent: a second reminder is a new task.
    send_email.enqueue(kind="core.test_rerun", ids=["5"])
    send_email.enqueue(kind="core.test_rerun", ids=["5"])
    _work()
    assert len(mail.outbox) == 2


def test_a_task_running_for_less_than_the_limit_is_left_to_its_worker(database_tasks):
    result = send_email.enqueue(kind="core.test_rerun", ids=["6"])
    _as_if_its_worker_died(result.id, minutes_ago=1)
    call_command("requeue_stale_tasks", verbosity=0)  # default: 15 minutes
    result.refresh()
    assert result.status == "RUNNING"
    call_command("requeue_stale_tasks", seconds=30, verbosity=0)
    result.refresh()
    assert result.status == "READY"


def test_finished_tasks_are_never_requeued(database_tasks):
    from django_tasks_db.models import DBTaskResult

    result = send_email.enqueue(kind="core.test_rerun", ids=["7"])
    _work()
    DBTaskResult.objects.filter(pk=result.id).update(started_at=timezone.now() - timedelta(hours=2))
    call_command("requeue_stale_tasks", seconds=60, verbosity=0)
    result.refresh()
    assert result.status == "SUCCESSFUL"


def test_old_sent_email_keys_are_forgotten():
    SentEmail.objects.create(key="a" * 64, day=timezone.localdate() - timedelta(days=10))
    SentEmail.objects.create(key="b" * 64)
    call_command("prune_sent_emails", verbosity=0)
    assert list(SentEmail.objects.values_list("key", flat=True)) == ["b" * 64]
