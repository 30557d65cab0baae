from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from saferwork.learning import services


class Command(BaseCommand):
    help = (
        "Queue reminders to learners who have not finished an assigned module as its due date "
        "nears or passes: from three days before, at most every three days, at most four times. "
        "Run it daily; a missed day catches up."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        queued = services.send_due_reminders()
        self.stdout.write(f"Modules with reminders queued: {queued}.")
