from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from saferwork.accounts.models import User
from saferwork.core import demo
from saferwork.organisations.models import Organisation
from saferwork.reporting import crypto, keys, selectors, services
from saferwork.reporting.models import HandlerKey, ReportingSettings

DEMO_ORGANISATIONS = ["northfield-council", "care-workers-union"]
DEMO_HANDLERS = ["handler@saferwork.test", "rep@saferwork.test"]
SUPPORT = {
    "who_to_talk_to": "Hannah Moss, Dignity at Work adviser: 01234 567890 (Monday to Friday, 9am to 5pm).",
    "employee_assistance": "Our Employee Assistance Programme is free and confidential, 24 hours a day: 0800 000 0000.",
    "helplines": (
        "Rape Crisis (England and Wales): 0808 500 2222\nVictim Support: 0808 168 9111\nACAS helpline: 0300 123 1100"
    ),
}


class Command(BaseCommand):
    help = "Enable reporting for the demo organisations with their demo handlers (DEBUG only, idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (tests only).")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("seed_reporting_demo only runs with DEBUG on.")
        # Handler keys first, wrapped under the published demo password, so that signing in
        # unlocks them; an existing key is kept (reports sealed to it stay readable).
        privates: dict[str, bytes] = {}
        for email in DEMO_HANDLERS:
            user = User.objects.filter(email=email).first()
            if user is None:
                raise CommandError("Run seed_demo first.")
            key = HandlerKey.objects.filter(user=user).first()
            if key is None:
                private = keys._unlock_or_create(user=user, password=demo.DEMO_PASSWORD)
            else:
                private = keys.unwrap_with_password(key, demo.DEMO_PASSWORD)
            if private is not None:
                privates[email] = private
        for slug in DEMO_ORGANISATIONS:
            organisation = Organisation.objects.get(slug=slug)
            if not ReportingSettings.objects.filter(organisation=organisation).exists():
                recovery = services.enable_reporting(organisation=organisation, actor=None, handler_private=None)
                self.stdout.write(f"Recovery key for {organisation.name} (demo only): {recovery}")
                recovery_private = crypto.parse_recovery_key(recovery)
                assert recovery_private is not None
                # The demo handlers are given the reports as the recovery-key holder would.
                for handler in selectors.handlers(organisation).filter(reporting_key__isnull=False):
                    services.grant_with_recovery_key(
                        organisation=organisation, recovery_private=recovery_private, user=handler, actor=None
                    )
            org_settings = ReportingSettings.objects.get(organisation=organisation)
            services.update_support_pages(org_settings=org_settings, actor=None, **SUPPORT)
        for email, private in privates.items():
            keys.ensure_recovery_wraps(key=HandlerKey.objects.get(user__email=email), private=private)
        self.stdout.write(
            self.style.SUCCESS(
                f"Reporting enabled at /report/{DEMO_ORGANISATIONS[0]}/ and /report/{DEMO_ORGANISATIONS[1]}/"
            )
        )
