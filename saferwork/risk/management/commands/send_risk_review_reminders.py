from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from saferwork.risk import services


class Command(BaseCommand):
    help = (
        "Email the owner of every risk assessment whose review date has come. Run it daily from cron "
        "or a scheduler; an assessment is in at most one reminder a day."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = services.queue_review_reminders()
        self.stdout.write(f"Review reminders queued for {count} assessment{'s' if count != 1 else ''}.")
