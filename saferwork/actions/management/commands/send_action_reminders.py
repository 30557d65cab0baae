from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from saferwork.actions import services


class Command(BaseCommand):
    help = (
        "Email each owner their overdue actions (not started or in progress, past the due date). "
        "Run it daily from cron or a scheduler; an action is in at most one reminder a day."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = services.queue_overdue_reminders()
        self.stdout.write(f"Reminders queued for {count} overdue action{'s' if count != 1 else ''}.")
