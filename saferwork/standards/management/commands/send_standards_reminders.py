from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from saferwork.standards import services


class Command(BaseCommand):
    help = (
        "Queue reminders to everyone who has not acknowledged the current version of a document "
        "a week after being asked, then weekly (at most four). Run it daily; a missed day catches up."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        queued = services.send_due_reminders()
        self.stdout.write(f"Documents with reminders queued: {queued}.")
