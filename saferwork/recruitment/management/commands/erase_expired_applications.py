"""Erase unsuccessful trainer applications once their round is past retention.

Run it daily from the scheduler (cron, a systemd timer, or the platform's scheduler):

    python manage.py erase_expired_applications

A round is past retention RECRUITMENT_RETENTION_MONTHS (default 6) after it closes. Every
application that did not lead to an appointment is deleted with its scores, conflicts
and interview; the counts by stage, background and region are kept first. Safe to run
as often as you like: a round is erased once.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from saferwork.recruitment import services


class Command(BaseCommand):
    help = "Erase unsuccessful trainer applications past retention; keep the counts."

    def handle(self, *args: Any, **options: Any) -> None:
        done = services.erase_expired()
        total = sum(done.values())
        self.stdout.write(
            f"Erased {total} application{'s' if total != 1 else ''} from {len(done)} round"
            f"{'s' if len(done) != 1 else ''} closed more than {settings.RECRUITMENT_RETENTION_MONTHS} months ago."
        )
