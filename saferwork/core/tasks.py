"""The one email task: it carries a message kind and ids, renders in the worker, returns nothing.

A task may run more than once: its worker can die after sending and before the task is
marked done, and ``manage.py requeue_stale_tasks`` then puts it back in the queue. So a
message is sent once per task run *id*: inside a task, :func:`send_email` writes a
:class:`~saferwork.core.models.SentEmail` key (a hash of the running task's id, the kind
and the ids) in the same transaction that sends, and a second run finds the key and
sends nothing. If the send fails, the transaction rolls back with it and a later run can
try again. The window left is the moment between the mail server's "accepted" and the
commit: a worker killed exactly there sends once more (at least once, never lost).

The running task is known from django-tasks' ``task_started``/``task_finished`` signals,
so the other apps' thin tasks, which call ``send_email.call(...)`` inside themselves, are
covered under their own task's id without passing anything.
"""

from __future__ import annotations

import contextvars
import hashlib
import logging
from typing import Any

from django.db import transaction
from django.dispatch import receiver
from django_tasks import task
from django_tasks.signals import task_finished, task_started

from saferwork.lib.email import EmailNotSent, deliver

logger = logging.getLogger(__name__)

_running: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("saferwork_running_tasks", default=())


@receiver(task_started)
def _task_started(sender: Any, task_result: Any, **kwargs: Any) -> None:
    _running.set((*_running.get(), str(task_result.id)))


@receiver(task_finished)
def _task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    stack = list(_running.get())
    if str(task_result.id) in stack:
        del stack[len(stack) - 1 - stack[::-1].index(str(task_result.id))]
    _running.set(tuple(stack))


def sent_key(task_id: str, kind: str, ids: list[str]) -> str:
    """The SentEmail key: one-way, and without the task's random id nothing to guess from."""
    return hashlib.sha256("\x1f".join(["send_email", task_id, kind, *ids]).encode()).hexdigest()


def send_once(*, kind: str, ids: list[str], sealed: str = "") -> bool:
    """Send ``kind`` for ``ids`` unless this task run already did; whether it sent now.
    Outside a task (a management command calling it inline) it simply sends."""
    from saferwork.core.models import SentEmail

    running = _running.get()
    if not running:
        deliver(kind=kind, ids=ids, sealed=sealed)
        return True
    with transaction.atomic():
        # On PostgreSQL a second run at the same moment waits here on the key until the
        # first commits (then finds it) or rolls back (then sends itself).
        _, created = SentEmail.objects.get_or_create(key=sent_key(running[-1], kind, [str(i) for i in ids]))
        if not created:
            logger.info("Email %s already sent by an earlier run of this task", kind)
            return False
        deliver(kind=kind, ids=ids, sealed=sealed)
    return True


@task()
def send_email(*, kind: str, ids: list[str], sealed: str = "") -> None:
    try:
        send_once(kind=kind, ids=ids, sealed=sealed)
    except Exception as exc:
        # The stored traceback and the log keep the kind and the error class only: an SMTP
        # error's text names the recipient, a template error may quote the context.
        logger.error("Email %s not sent: %s", kind, type(exc).__name__)
        raise EmailNotSent(kind) from None
