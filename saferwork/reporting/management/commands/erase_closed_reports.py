from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from saferwork.reporting import services


class Command(BaseCommand):
    help = (
        "Erase closed cases (report, messages, notes, keys and files) a number of months after "
        "they closed, and private records nobody has added to for as long; the statistics "
        "counters are kept. Run it daily from a scheduler."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--months",
            type=int,
            default=settings.REPORTING_RETENTION_MONTHS,
            help="How long after closing a case is kept (default REPORTING_RETENTION_MONTHS, 12 months).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count = services.erase_closed_reports(months=options["months"])
        self.stdout.write(f"Erased {count} closed report{'s' if count != 1 else ''}.")
        records = services.erase_abandoned_records(months=options["months"], today=timezone.localdate())
        self.stdout.write(f"Erased {records} private record{'s' if records != 1 else ''} left untouched.")
