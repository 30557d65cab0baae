"""Training at scale: 200 organisations, 40 trainers, 5,000 sessions, 60,000 participants.

Measures the triage board, a session page and the trainer pool. Query counts must not
grow with the data; seeding is done once (bulk inserts) and reused on later runs.
"""

from __future__ import annotations

import datetime as dt
import time

ORGANISATIONS = 200
TRAINERS = 40
ENQUIRIES_PER_ORG = 5
SESSIONS_PER_ENQUIRY = 5  # 200 * 5 * 5 = 5,000 sessions
PARTICIPANTS_PER_SESSION = 12  # 60,000 participants
POSITIONS = ["senior_leader", "executive", "line_manager", "staff", "senior_lay_activist", "rep", "other"]
STATES = ["new", "conversation_booked", "trainers_introduced", "pre_meeting_held", "sessions_scheduled", "delivered"]


def seed() -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from saferwork.accounts.models import User
    from saferwork.organisations.models import Membership, Organisation
    from saferwork.training.models import Enquiry, EnquiryTrainer, Participant, Session, TrainerProfile

    if Organisation.objects.filter(slug="bench-host").exists():
        return
    started = time.perf_counter()
    now = timezone.now()
    today = dt.date.today()
    password = make_password("bench-password-not-secret")
    with transaction.atomic():
        host = Organisation.objects.create(name="Bench Confederation", slug="bench-host", kind="programme_host")
        orgs = Organisation.objects.bulk_create(
            [
                Organisation(name=f"Bench Union {n:03d}", slug=f"bench-union-{n:03d}", kind="union", region="London")
                for n in range(ORGANISATIONS)
            ]
        )
        users = User.objects.bulk_create(
            [User(email="bench-admin@bench.test", full_name="Bench Admin", password=password)]
            + [User(email="bench-coordinator@bench.test", full_name="Bench Coordinator", password=password)]
            + [
                User(email=f"bench-trainer{n:02d}@bench.test", full_name=f"Trainer {n:02d}", password=password)
                for n in range(TRAINERS)
            ]
        )
        admin, coordinator, trainer_users = users[0], users[1], users[2:]
        Membership.objects.bulk_create(
            [Membership(user=admin, organisation=host, is_programme_admin=True)]
            + [Membership(user=coordinator, organisation=orgs[0], is_coordinator=True)]
            + [Membership(user=u, organisation=host, is_trainer=True) for u in trainer_users]
        )
        TOTPDevice.objects.bulk_create(
            [TOTPDevice(user=u, name="bench", confirmed=True) for u in (admin, coordinator, *trainer_users)]
        )
        trainers = TrainerProfile.objects.bulk_create(
            [
                TrainerProfile(
                    organisation=host,
                    user=u,
                    regions=["London", "Wales"][n % 2 :],
                    experience="experienced" if n % 3 == 0 else "new",
                    home_union=orgs[n % ORGANISATIONS],
                )
                for n, u in enumerate(trainer_users)
            ]
        )
        enquiries = Enquiry.objects.bulk_create(
            [
                Enquiry(
                    organisation=org,
                    organisation_name=org.name,
                    contact_name="Contact",
                    contact_email=f"contact{o}-{e}@bench.test",
                    expected_participants=60,
                    expected_sessions=SESSIONS_PER_ENQUIRY,
                    region="London",
                    state=STATES[(o + e) % len(STATES)],
                    verified_at=now,
                    introduced_at=now,
                    created_at=now - dt.timedelta(minutes=o * ENQUIRIES_PER_ORG + e),
                    checklist_logistics=True,
                    checklist_audience=True,
                    checklist_standing=True,
                )
                for o, org in enumerate(orgs)
                for e in range(ENQUIRIES_PER_ORG)
            ]
        )
        EnquiryTrainer.objects.bulk_create(
            [EnquiryTrainer(enquiry=enq, trainer=trainers[i % TRAINERS]) for i, enq in enumerate(enquiries)]
        )
        sessions = Session.objects.bulk_create(
            [
                Session(
                    organisation_id=enq.organisation_id,
                    enquiry=enq,
                    # One trainer per day: session i is trainer i % 40 on day i // 40.
                    date=today + dt.timedelta(days=(i * SESSIONS_PER_ENQUIRY + s) // TRAINERS),
                    mode="in_person",
                    venue="Bench House",
                    access_info="Step-free",
                    registration_token=f"bench-{i}-{s}",
                    ics_uid=f"bench-{i}-{s}@saferwork",
                )
                for i, enq in enumerate(enquiries)
                for s in range(SESSIONS_PER_ENQUIRY)
            ]
        )
        through = Session.trainers.through
        through.objects.bulk_create(
            [through(session_id=s.pk, trainerprofile_id=trainers[n % TRAINERS].pk) for n, s in enumerate(sessions)],
            batch_size=2000,
        )
        batch: list[Participant] = []
        for s in sessions:
            for p in range(PARTICIPANTS_PER_SESSION):
                batch.append(
                    Participant(
                        organisation_id=s.organisation_id,
                        session_id=s.pk,
                        name=f"Participant {p}",
                        email=f"p{p}-{s.pk}@bench.test",
                        position=POSITIONS[p % len(POSITIONS)],
                    )
                )
            if len(batch) >= 6000:
                Participant.objects.bulk_create(batch)
                batch = []
        Participant.objects.bulk_create(batch)
    print(f"Seeded in {time.perf_counter() - started:.1f} s.\n")


def main() -> None:
    from django.test import Client

    from bench.lib import HEADER, measure, peak_memory_mb
    from saferwork.accounts.models import User
    from saferwork.tests.factories import sign_in_verified
    from saferwork.training.models import Participant, Session

    seed()
    ours = Session.objects.filter(organisation__slug__startswith="bench-union-")
    print(
        f"Data: {ours.count():,} sessions and "
        f"{Participant.objects.filter(organisation__slug__startswith='bench-union-').count():,} participants "
        f"seeded here ({Session.objects.count():,} sessions in the database, with other benchmarks' data), "
        f"{User.objects.filter(email__startswith='bench-trainer').count()} trainers.\n"
    )
    admin = Client()
    sign_in_verified(admin, User.objects.get(email="bench-admin@bench.test"))
    coordinator = Client()
    sign_in_verified(coordinator, User.objects.get(email="bench-coordinator@bench.test"))
    session = Session.objects.filter(organisation__slug="bench-union-000").order_by("pk").first()
    assert session is not None
    timings = [
        measure(admin, "/programme/enquiries/", name="triage board (page 1)"),
        measure(admin, "/programme/enquiries/?page=40", name="triage board (page 40)"),
        measure(admin, "/programme/enquiries/?q=Union+199&state=new", name="triage board (search + filter)"),
        measure(coordinator, f"/training/sessions/{session.pk}/", name="session page (12 participants)"),
        measure(admin, "/programme/trainers/", name="trainer pool (40 trainers)"),
    ]
    print(HEADER)
    for timing in timings:
        print(timing.row())
    print(f"\nPeak memory: {peak_memory_mb():.0f} MB")
