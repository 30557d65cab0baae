"""Erase training participants' personal data once their session is older than the retention period.

Run it once a day from the scheduler (cron, a systemd timer or the platform's scheduled
jobs), for example ``0 3 * * * python manage.py erase_expired_participants``. Reach
counts are kept in tallies written when attendance is recorded, so no number changes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from saferwork.reach import services


class Command(BaseCommand):
    help = "Erase participants' personal data after the retention period (PARTICIPANT_RETENTION_MONTHS); counts kept."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--months",
            type=int,
            default=None,
            help=f"Retention in months (default: the setting, now {settings.PARTICIPANT_RETENTION_MONTHS}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        months = options["months"]
        if months is not None and months < 1:
            self.stderr.write("--months must be 1 or more.")
            raise SystemExit(2)
        result = services.erase_expired_participants(months=months)
        cutoff = services.retention_cutoff(months=months)
        self.stdout.write(
            f"Erased {result.participants} participants from {result.sessions} sessions held before {cutoff:%Y-%m-%d}."
        )
