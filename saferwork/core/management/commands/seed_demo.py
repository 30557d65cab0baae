from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from saferwork.accounts.models import User
from saferwork.actions.demo import seed_actions_demo
from saferwork.core import demo
from saferwork.dialogue.demo import seed_dialogue_demo
from saferwork.duty.demo import seed_duty_demo
from saferwork.learning.demo import seed_learning_demo
from saferwork.organisations.models import Membership, Organisation
from saferwork.risk.demo import seed_risk_demo
from saferwork.standards.demo import seed_standards_demo
from saferwork.surveys.demo import seed_surveys_demo


class Command(BaseCommand):
    help = "Create the demo organisations and people (idempotent). Refuses to run with DEBUG off."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (tests only).")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("seed_demo creates accounts with published passwords: it only runs with DEBUG on.")
        orgs = {}
        for name, slug, kind, region in [demo.PROGRAMME_HOST, *demo.AFFILIATES, demo.EMPLOYER]:
            org, _ = Organisation.objects.update_or_create(
                slug=slug, defaults={"name": name, "kind": kind, "region": region, "status": "active"}
            )
            orgs[slug] = org
        people = list(demo.PEOPLE)
        for number, name in enumerate(demo.TRAINER_NAMES, start=1):
            people.append((f"trainer{number:02d}@saferwork.test", name, [("confederation", ["is_trainer"])], False))
        for email, full_name, memberships, is_staff in people:
            user = User.objects.filter(email=email).first() or User(email=email)
            user.full_name = full_name
            user.is_staff = is_staff
            user.is_superuser = is_staff
            user.set_password(demo.DEMO_PASSWORD)
            user.save()
            for slug, flags in memberships:
                membership, _ = Membership.objects.get_or_create(user=user, organisation=orgs[slug])
                for flag in ("is_programme_admin", "is_coordinator", "is_trainer", "is_case_handler", "is_leader"):
                    setattr(membership, flag, flag in flags)
                membership.save()
            if is_staff or any(flags for _slug, flags in memberships):
                device, _ = TOTPDevice.objects.get_or_create(user=user, name="Demo authenticator")
                device.key = demo.DEMO_TOTP_KEY_HEX
                device.confirmed = True
                device.save()
        call_command("seed_reporting_demo", force=True, stdout=self.stdout)
        call_command("seed_training_demo", force=True, stdout=self.stdout)
        call_command("seed_recruitment_demo", force=True, stdout=self.stdout)
        seed_actions_demo()
        seed_duty_demo()
        seed_risk_demo()
        seed_dialogue_demo()
        seed_surveys_demo()
        seed_learning_demo()
        seed_standards_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(orgs)} organisations, {len(people)} people. "
                f"Password: {demo.DEMO_PASSWORD}; TOTP secret: {demo.DEMO_TOTP_BASE32}"
            )
        )
