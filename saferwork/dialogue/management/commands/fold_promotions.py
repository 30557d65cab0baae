from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from saferwork.dialogue import services


class Command(BaseCommand):
    help = (
        "Turn the action-plan items participants shared anonymously into actions in their "
        "organisation's hub, a batch at a time and dated to the day only. Run it daily after "
        "midnight; a promotion waits until its batch is full or its longest wait has passed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        made = services.fold_promotions()
        self.stdout.write(f"Anonymous actions added to the hub: {made}.")
