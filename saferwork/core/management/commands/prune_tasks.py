"""Delete finished task rows: a task's row says what was done and when, so it does not stay."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils import timezone


class Command(BaseCommand):
    help = "Delete finished (successful or failed) task rows older than --minutes (default 60)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--minutes", type=int, default=60)

    def handle(self, *args: Any, minutes: int, **options: Any) -> None:
        if not apps.is_installed("django_tasks_db"):
            return
        from django_tasks_db.models import DBTaskResult

        cutoff = timezone.now() - timedelta(minutes=max(minutes, 0))
        deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
        if options["verbosity"]:
            self.stdout.write(f"Deleted {deleted} finished task rows.")
