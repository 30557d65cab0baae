"""Daily: move the reporters' pending audit entries of earlier days into the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from saferwork.audit import services


class Command(BaseCommand):
    help = "Fold the pending reporter audit entries of days before today into the audit log, shuffled."

    def handle(self, *args: Any, **options: Any) -> None:
        # Only days that have ended in every time zone (the last, UTC-12, ends a day at
        # 12:00 UTC the next day): no day's batch is folded while it can still grow.
        through = (timezone.now().astimezone(dt.UTC) - dt.timedelta(hours=36)).date()
        count = services.fold_reporter_actions(through=through)
        if options["verbosity"]:
            self.stdout.write(f"Folded {count} reporter audit entries.")
