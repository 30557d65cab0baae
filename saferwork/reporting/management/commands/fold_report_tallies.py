"""Daily: apply the pending statistics increments to the counters, many reports at once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from saferwork.reporting import statistics


class Command(BaseCommand):
    help = "Fold pending statistics increments into the counters in one shuffled transaction."

    def handle(self, *args: Any, **options: Any) -> None:
        count = statistics.fold_pending_tallies()
        if options["verbosity"]:
            self.stdout.write(f"Folded {count} pending statistics increments.")
