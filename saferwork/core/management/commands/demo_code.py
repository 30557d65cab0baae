from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from saferwork.core import demo


class Command(BaseCommand):
    help = "Print the current two-factor code for the demo accounts (DEBUG only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_code only runs with DEBUG on.")
        code = totp(bytes.fromhex(demo.DEMO_TOTP_KEY_HEX), t0=0, step=30, digits=6)
        self.stdout.write(f"{code:06d}  (valid for {30 - int(time.time()) % 30} more seconds)")
