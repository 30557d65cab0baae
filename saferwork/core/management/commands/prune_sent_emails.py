"""Forget the keys of emails sent by tasks (``core.SentEmail``) after a few days.

A key only has to outlive the task that wrote it: finished task rows are pruned within
the hour (``prune_tasks``) and a stale one is requeued within minutes
(``requeue_stale_tasks``). Keys carry a day and a hash, nothing more, and go too.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from saferwork.core.models import SentEmail


class Command(BaseCommand):
    help = "Delete SentEmail keys older than --days (default 3)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=3)

    def handle(self, *args: Any, days: int, **options: Any) -> None:
        cutoff = timezone.localdate() - timedelta(days=max(days, 1))
        deleted, _ = SentEmail.objects.filter(day__lt=cutoff).delete()
        if options["verbosity"]:
            self.stdout.write(f"Forgot {deleted} sent-email key(s).")
