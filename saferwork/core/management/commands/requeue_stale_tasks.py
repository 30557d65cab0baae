"""Put back in the queue the tasks whose worker died while running them.

django-tasks-db marks a task RUNNING when a worker claims it and SUCCESSFUL or FAILED when
the worker finishes; a worker killed in between (out of memory, a host lost, ``kill -9``)
leaves the row RUNNING for ever, and nothing else would run it. Workers record no
heartbeat, so a task is taken as abandoned when it has been running longer than
``--seconds`` (default 900: far longer than any of our tasks, which send one email).
It goes back to READY, keeping its id, and the next worker runs it again. Our tasks are
idempotent (``saferwork/core/tasks.py``: an email is sent once per task id), so a task
that had in fact finished its work before its worker died does not do it twice.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone


class Command(BaseCommand):
    help = "Return tasks RUNNING for longer than --seconds (their worker died) to READY."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seconds", type=int, default=15 * 60)

    def handle(self, *args: Any, seconds: int, **options: Any) -> None:
        if not apps.is_installed("django_tasks_db"):
            return
        from django_tasks_db.compat import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        cutoff = timezone.now() - timedelta(seconds=max(seconds, 0))
        with transaction.atomic():
            # Rows a live worker holds locked right now are skipped, never waited for.
            stale = list(
                DBTaskResult.objects.running()
                .filter(started_at__lt=cutoff)
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)
            )
            requeued = DBTaskResult.objects.filter(pk__in=stale, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.READY, started_at=None
            )
        if options["verbosity"]:
            self.stdout.write(f"Returned {requeued} stale task(s) to the queue.")
