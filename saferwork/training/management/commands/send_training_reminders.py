from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from saferwork.training import services


class Command(BaseCommand):
    help = (
        "Queue training reminders 7 days and 1 day before each confirmed session, and move "
        "bookings whose pre-meeting has now taken place. Run once a day from cron or a "
        "scheduler; each reminder is sent once."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        queued = services.queue_reminders()
        self.stdout.write(f"{queued} reminder{'s' if queued != 1 else ''} queued.")
        moved = services.advance_dated_bookings()
        self.stdout.write(f"{moved} booking{'s' if moved != 1 else ''} moved to pre-meeting held.")
