from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from saferwork.reporting import services


class Command(BaseCommand):
    help = (
        "Escalate reports not acknowledged by their due date to the next handler and alert the "
        "organisation's handlers. Run it from a scheduler (cron or a systemd timer) at least "
        "daily, e.g. hourly on working days; it escalates each report at most once a day."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = services.escalate_overdue()
        self.stdout.write(f"Escalated {count} overdue report{'s' if count != 1 else ''}.")
