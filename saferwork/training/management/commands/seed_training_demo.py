from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from saferwork.accounts.models import User
from saferwork.organisations.models import Organisation
from saferwork.training import services
from saferwork.training.models import (
    Enquiry,
    EnquiryTrainer,
    Participant,
    PreMeetingSlot,
    Session,
    TrainerAvailability,
    TrainerProfile,
)

# email number: (regions, online, in person, experience, sessions delivered, home union slug, languages)
PROFILES: dict[int, tuple[list[str], bool, bool, str, int, str, str]] = {
    1: (["London", "South East"], True, True, "experienced", 14, "retail-hospitality-union", "English"),
    2: (["North West"], True, True, "experienced", 9, "care-workers-union", "English"),
    3: (["West Midlands", "East Midlands"], True, False, "new", 1, "", "English, Punjabi, Hindi"),
    4: (["Wales"], True, True, "experienced", 11, "public-services-union", "English, Welsh"),
    5: (["Yorkshire and the Humber", "North East"], False, True, "new", 2, "education-staff-union", "English"),
    6: (["UK-wide"], True, True, "experienced", 20, "", "English"),
    7: (["London"], True, True, "new", 0, "transport-logistics-union", "English, Arabic"),
    8: (["Scotland"], True, True, "new", 3, "", "English"),
    9: (["East of England", "London"], True, True, "experienced", 7, "", "English, Polish"),
    10: (["South West", "Wales"], True, False, "new", 1, "", "English, British Sign Language"),
    11: (["Wales", "West Midlands"], True, True, "new", 2, "", "English, Welsh"),
    12: (["Northern Ireland", "North West"], True, True, "experienced", 8, "", "English, Irish"),
}

POSITIONS = ["senior_leader", "executive", "line_manager", "staff", "senior_lay_activist", "rep", "other"]


class Command(BaseCommand):
    help = "Give the demo trainers profiles and add a few training enquiries and bookings (idempotent; DEBUG only)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (tests only).")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("seed_training_demo only runs with DEBUG on.")
        host = Organisation.objects.filter(slug="confederation").first()
        if host is None:
            raise CommandError("Run seed_demo first: the confederation is missing.")
        orgs = {o.slug: o for o in Organisation.objects.all()}
        profiles: dict[int, TrainerProfile] = {}
        today = timezone.localdate()
        for number, (regions, online, in_person, experience, delivered, union, languages) in PROFILES.items():
            user = User.objects.filter(email=f"trainer{number:02d}@saferwork.test").first()
            if user is None:
                continue
            profile, _ = TrainerProfile.objects.update_or_create(
                user=user,
                defaults={
                    "organisation": host,
                    "regions": regions,
                    "delivers_online": online,
                    "delivers_in_person": in_person,
                    "experience": experience,
                    "sessions_delivered": delivered,
                    "home_union": orgs.get(union),
                    "languages": languages,
                    "co_tutors": number % 4 != 0,
                    "access_needs_met": "Step-free venues; captions online" if number % 3 == 0 else "",
                },
            )
            profiles[number] = profile
            for offset in (9 + number, 23 + number):
                TrainerAvailability.objects.update_or_create(
                    trainer=profile, date=today + dt.timedelta(days=offset), defaults={"available": number % 2 == 0}
                )
        services.default_template()
        self._enquiry(
            "education-staff-union",
            "Education Staff Union",
            "Yorkshire and the Humber",
            Enquiry.State.NEW,
            [],
            today,
            contact_email="equality@education-staff.test",
        )
        self._enquiry(
            "transport-logistics-union",
            "Transport and Logistics Union",
            "West Midlands",
            Enquiry.State.CONVERSATION_HELD,
            [],
            today,
            contact_email="women@transport-union.test",
        )
        care = self._enquiry(
            "care-workers-union",
            "Care Workers' Union",
            "North West",
            Enquiry.State.TRAINERS_INTRODUCED,
            [profiles.get(2), profiles.get(12)],
            today,
            contact_email="coordinator@saferwork.test",
        )
        if care is not None and not care.slots.exists() and profiles.get(12):
            for days in (4, 6):
                start = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=days), dt.time(14)))
                PreMeetingSlot.objects.create(
                    enquiry=care,
                    offered_by=profiles[12],
                    starts_at=start,
                    ends_at=start + dt.timedelta(hours=1),
                    where="Video call: link to follow",
                )
        public = self._enquiry(
            "public-services-union",
            "Public Services Union",
            "Wales",
            Enquiry.State.SESSIONS_SCHEDULED,
            [profiles.get(4), profiles.get(11)],
            today,
            contact_email="coordinator@saferwork.test",
            ready=True,
        )
        if public is not None and public.organisation is not None and not public.sessions.exists():
            session = Session.objects.create(
                organisation=public.organisation,
                enquiry=public,
                date=today + dt.timedelta(days=21),
                mode="in_person",
                venue="Transport House, Cardiff",
                access_info="Step-free entrance; hearing loop in the main room",
            )
            session.trainers.set([p for p in (profiles.get(4), profiles.get(11)) if p])
            for n in range(11):
                Participant.objects.create(
                    organisation=public.organisation,
                    session=session,
                    name=f"Demo Participant {n + 1}",
                    email=f"participant{n + 1:02d}@public-services.test",
                    position=POSITIONS[n % len(POSITIONS)],
                )
            # The demo participant's own place, shown on their "Your training" page.
            Participant.objects.create(
                organisation=public.organisation,
                session=session,
                name="Pat Quinn",
                email="participant@saferwork.test",
                position=POSITIONS[0],
            )
        self.stdout.write(self.style.SUCCESS(f"Training demo ready: {len(profiles)} trainer profiles."))

    def _enquiry(
        self,
        slug: str,
        name: str,
        region: str,
        state: str,
        trainers: list[TrainerProfile | None],
        today: dt.date,
        *,
        contact_email: str,
        ready: bool = False,
    ) -> Enquiry | None:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            return None
        introduced = bool([t for t in trainers if t])
        enquiry, created = Enquiry.objects.get_or_create(
            organisation=organisation,
            contact_email=contact_email,
            defaults={
                "organisation_name": name,
                "contact_name": "Chris Doyle" if contact_email.startswith("coordinator") else "Demo Contact",
                "contact_role": "Equality officer",
                "audience": ["senior_leader", "executive"],
                "expected_participants": 22,
                "expected_sessions": 2,
                "region": region,
                "delivery_mode": "in_person",
                "preferred_dates": [(today + dt.timedelta(days=d)).isoformat() for d in (21, 35)],
                "has_policy": True,
                "verified_at": timezone.now(),
                "introduced_at": timezone.now() if introduced else None,
                "state": state,
            },
        )
        if created:
            for trainer in trainers:
                if trainer:
                    EnquiryTrainer.objects.get_or_create(enquiry=enquiry, trainer=trainer)
            if ready:
                enquiry.checklist_logistics = enquiry.checklist_audience = enquiry.checklist_standing = True
                enquiry.contact_point_name = "Chris Doyle"
                enquiry.contact_point_role = "Equality officer"
                enquiry.contact_point_email = "coordinator@saferwork.test"
                enquiry.contact_point_phone = "029 2000 0000"
                enquiry.save()
        return enquiry
