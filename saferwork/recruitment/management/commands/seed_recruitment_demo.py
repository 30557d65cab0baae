"""Demo data for trainer recruitment: one open round, a few dozen applications, a panel.

DEBUG only and idempotent: run it again and nothing is duplicated. ``seed_demo`` calls it.
"""

from __future__ import annotations

import random
import zoneinfo
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from saferwork.accounts.models import User
from saferwork.core import demo
from saferwork.organisations.models import Organisation
from saferwork.recruitment.models import Application, Background, Criterion, Panellist, Round, ScoreSheet, Stage
from saferwork.recruitment.services import submit_scores, word_count

TITLE = "Trainer recruitment 2026"
EXPERT_EMAIL = "expert@saferwork.test"
FIRST = ["Alex", "Bea", "Cal", "Dana", "Eli", "Fern", "Gus", "Hana", "Ivo", "Jas", "Kit", "Lou", "Mo", "Nia"]
LAST = ["Ahmed", "Byrne", "Clarke", "Dlamini", "Evans", "Fox", "Gill", "Hughes", "Iqbal", "Jones", "Khan", "Lee"]
REGIONS = ["London", "North West", "Wales", "Scotland", "Yorkshire and the Humber", "West Midlands"]
ANSWER = (
    "Sexual harassment thrives where power is unequal and where jokes, comments and exclusion go "
    "unchallenged. Enabling cultures tell people that reporting is disloyal, that the harasser is too "
    "valuable to lose, and that the person harmed should keep quiet for the good of the branch. "
    "Leaders change this by modelling respect, naming misogyny, acting on reports and checking "
    "that procedures are trusted."
)
RUBRIC = [
    (Stage.SHORTLISTING, "Understanding of misogyny, sexual harassment and enabling cultures", "", 3),
    (Stage.SHORTLISTING, "Knowledge of trade unions and their structures", "", 2),
    (Stage.SHORTLISTING, "Experience of training or facilitating adults", "", 2),
    (Stage.INTERVIEW, "The written task", "Talk us through your written task.", 2),
    (Stage.INTERVIEW, "Trade unions", "How would you adapt the session for a branch committee?", 1),
    (Stage.INTERVIEW, "Facilitation", "A participant discloses harassment in the session. What do you do?", 2),
]


def _at(moment: datetime, hour: int) -> datetime:
    """``moment``'s day in London at ``hour`` o'clock: demo deadlines read like real ones (17:00, not 19:34)."""
    london = zoneinfo.ZoneInfo("Europe/London")
    day = moment.astimezone(london).date()
    return datetime(day.year, day.month, day.day, hour, tzinfo=london)


class Command(BaseCommand):
    help = "Create a demo trainer-recruitment round with applications (DEBUG only, idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (tests only).")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("seed_recruitment_demo only runs with DEBUG on.")
        host = Organisation.objects.filter(kind=Organisation.Kind.PROGRAMME_HOST).order_by("id").first()
        if host is None:
            raise CommandError("Run seed_demo first: there is no programme host.")
        now = timezone.now()
        round_, created = Round.objects.get_or_create(
            organisation=host,
            title=TITLE,
            defaults={
                "opens_at": _at(now - timedelta(days=10), 9),
                "closes_at": _at(now + timedelta(days=20), 17),
                "role_description": (
                    "Trainers deliver a one-day, values-led course on tackling and preventing sexual "
                    "harassment to leaders across the movement, online or in person, often co-tutoring. "
                    "The day rate is £450 plus expenses, paid by the organisation."
                ),
                "task_prompt": (
                    "In no more than 500 words: what is the link between misogyny, sexual harassment "
                    "and the cultures that enable it, and what can union leaders do about it?"
                ),
                "task_word_limit": 500,
                "agreement_text": (
                    "I will deliver the course as developed by the programme. I will treat every session "
                    "in the strictest confidence: nothing said in a session is fed back to the programme "
                    "or the organisation. I will not give advice for HR or investigation processes."
                ),
            },
        )
        if not created:
            # Keep the demo round open however long ago it was first seeded.
            round_.opens_at = min(round_.opens_at, _at(now - timedelta(days=1), 9))
            round_.closes_at = max(round_.closes_at, _at(now + timedelta(days=7), 17))
            round_.save(update_fields=["opens_at", "closes_at"])
        for position, (stage, name, question, weight) in enumerate(RUBRIC, start=1):
            Criterion.objects.get_or_create(
                round=round_,
                stage=stage,
                name=name,
                defaults={
                    "question": question,
                    "weight": weight,
                    "position": position,
                    "descriptor_1": "Little or no evidence",
                    "descriptor_2": "Some evidence, with gaps",
                    "descriptor_3": "Clear evidence",
                    "descriptor_4": "Outstanding, insightful evidence",
                },
            )
        admin = User.objects.filter(email="admin@saferwork.test").first()
        if admin is not None:
            Panellist.objects.get_or_create(round=round_, user=admin, defaults={"kind": Panellist.Kind.STAFF})
        # An independent expert with no membership anywhere: a seat on this panel is all they have.
        expert = User.objects.filter(email=EXPERT_EMAIL).first() or User(email=EXPERT_EMAIL)
        expert.full_name = "Dr Morgan Reyes"
        expert.set_password(demo.DEMO_PASSWORD)
        expert.save()
        device, _ = TOTPDevice.objects.get_or_create(user=expert, name="Demo authenticator")
        device.key = demo.DEMO_TOTP_KEY_HEX
        device.confirmed = True
        device.save()
        Panellist.objects.get_or_create(round=round_, user=expert, defaults={"kind": Panellist.Kind.EXPERT})
        rng = random.Random(7)  # noqa: S311 - demo names, not secrets
        backgrounds = [value for value, _label in Background.choices]
        made = 0
        for n in range(36):
            email = f"applicant{n + 1:02d}@example.net"
            _application, was_made = Application.objects.get_or_create(
                round=round_,
                email=email,
                defaults={
                    "organisation": host,
                    "status": Application.Status.SUBMITTED,
                    "full_name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    "region": rng.choice(REGIONS),
                    "background": rng.choice(backgrounds),
                    "union_details": "Member for twelve years; branch women's officer.",
                    "experience_training": "Delivered union rep courses and equality workshops.",
                    "experience_subject": "Supported members through harassment cases.",
                    "availability": "Two to four days a month.",
                    "interview_adjustments": "Step-free access, please." if n % 9 == 0 else "",
                    "task_answer": ANSWER,
                    "consent": True,
                    "consent_at": now - timedelta(days=rng.randint(0, 9)),
                    "submitted_at": now - timedelta(days=rng.randint(0, 9), hours=rng.randint(0, 23)),
                },
            )
            made += was_made
        # The expert has scored the first twenty, some far apart from the rubric's middle,
        # so the admin sees scores (and wide disagreement) once they score those too.
        criteria = list(round_.criteria.filter(stage=Stage.SHORTLISTING))
        expert_seat = Panellist.objects.get(round=round_, user=expert)
        for application in round_.applications.order_by("email")[:20]:
            if ScoreSheet.objects.filter(application=application, panellist=expert_seat).exists():
                continue
            submit_scores(
                application=application,
                panellist=expert_seat,
                stage=Stage.SHORTLISTING,
                values={c.pk: rng.choice([1, 2, 3, 4]) for c in criteria},
            )
        if word_count(ANSWER) > round_.task_word_limit:
            raise CommandError("The demo answer is longer than the demo word limit.")
        self.stdout.write(self.style.SUCCESS(f"Recruitment demo: round “{round_.title}”, {made} new applications."))
