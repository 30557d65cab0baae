"""Reach at scale: 5,000 delivered sessions, 60,000 attendees, 30,000 evaluation answers.

Seeds its own organisations, trainers, sessions, participants, attendance, reach tallies
and anonymous answers with bulk inserts (once; later runs reuse them), then measures
the programme reach dashboard (unfiltered and filtered), an organisation's reach page
and the attendance page of a 12-person session. The aggregation runs in the database:
the query count does not depend on the number of sessions.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid

ORGANISATIONS = 200
TRAINERS = 40
SESSIONS = 5_000
PER_SESSION = 12  # 60,000 participants
ANSWERS = 30_000
POSITIONS = ["senior_leader", "executive", "line_manager", "staff", "senior_lay_activist", "rep", "other"]
REGIONS = ["London", "Wales", "Scotland", "North West", "South West", "West Midlands"]
SLUG = "reach-bench"


def seed() -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from saferwork.accounts.models import User
    from saferwork.delivery.models import Attendance, EvaluationAnswer, EvaluationFormVersion, SessionAttendance
    from saferwork.organisations.models import Membership, Organisation
    from saferwork.reach.models import PositionTally, SessionTally
    from saferwork.training.models import Enquiry, Participant, Session, TrainerProfile

    if Organisation.objects.filter(slug=f"{SLUG}-host").exists():
        bench_answers = EvaluationAnswer.objects.filter(session__organisation__slug__startswith=SLUG)
        if not bench_answers.filter(release__isnull=False).exists():
            # Seeded before answers were released in groups: release them all.
            bench_answers.update(release=1)
        return
    started = time.perf_counter()
    rng = random.Random(4)
    now = timezone.now()
    today = dt.date.today()
    password = make_password("bench-password-not-secret")
    with transaction.atomic():
        host = Organisation.objects.create(name="Reach Bench Host", slug=f"{SLUG}-host", kind="programme_host")
        orgs = Organisation.objects.bulk_create(
            [
                Organisation(
                    name=f"Reach Union {n:03d}", slug=f"{SLUG}-{n:03d}", kind="union", region=REGIONS[n % len(REGIONS)]
                )
                for n in range(ORGANISATIONS)
            ]
        )
        users = User.objects.bulk_create(
            [User(email=f"{SLUG}-admin@bench.test", full_name="Reach Admin", password=password)]
            + [User(email=f"{SLUG}-coordinator@bench.test", full_name="Reach Coordinator", password=password)]
            + [
                User(email=f"{SLUG}-trainer{n:02d}@bench.test", full_name=f"Reach Trainer {n:02d}", password=password)
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
            [TrainerProfile(organisation=host, user=u, regions=["London"]) for u in trainer_users]
        )
        enquiries = Enquiry.objects.bulk_create(
            [
                Enquiry(
                    organisation=org,
                    organisation_name=org.name,
                    contact_name="Contact",
                    contact_email=f"reach{o}@bench.test",
                    expected_participants=300,
                    expected_sessions=25,
                    region=org.region,
                    state="delivered",
                    verified_at=now,
                    introduced_at=now,
                )
                for o, org in enumerate(orgs)
            ]
        )
        sessions = Session.objects.bulk_create(
            [
                Session(
                    organisation_id=enquiries[i % ORGANISATIONS].organisation_id,
                    enquiry=enquiries[i % ORGANISATIONS],
                    date=today - dt.timedelta(days=1 + i % 700),
                    mode="online" if i % 4 == 0 else "in_person",
                    status="delivered",
                    registration_token=f"{SLUG}-{i}",
                    ics_uid=f"{SLUG}-{i}@saferwork",
                )
                for i in range(SESSIONS)
            ],
            batch_size=2000,
        )
        through = Session.trainers.through
        through.objects.bulk_create(
            [through(session_id=s.pk, trainerprofile_id=trainers[n % TRAINERS].pk) for n, s in enumerate(sessions)],
            batch_size=2000,
        )
        SessionAttendance.objects.bulk_create(
            [SessionAttendance(session=s, organisation_id=s.organisation_id) for s in sessions], batch_size=2000
        )
        participants: list[Participant] = []
        for s in sessions:
            participants += [
                Participant(
                    organisation_id=s.organisation_id,
                    session_id=s.pk,
                    name=f"Participant {p}",
                    email=f"p{p}-{s.pk}@bench.test",
                    position=POSITIONS[rng.randrange(len(POSITIONS))],
                )
                for p in range(PER_SESSION)
            ]
        participants = Participant.objects.bulk_create(participants, batch_size=5000)
        Attendance.objects.bulk_create(
            [
                Attendance(participant=p, session_id=p.session_id, organisation_id=p.organisation_id, attended=True)
                for p in participants
            ],
            batch_size=5000,
        )
        by_session: dict[int, dict[str, int]] = {}
        for p in participants:
            counts = by_session.setdefault(p.session_id, {})
            counts[p.position] = counts.get(p.position, 0) + 1
        region_of = {o.pk: o.region for o in orgs}
        tallies = SessionTally.objects.bulk_create(
            [
                SessionTally(
                    session_id=s.pk,
                    organisation_id=s.organisation_id,
                    region=region_of[s.organisation_id],
                    mode=s.mode,
                    month=s.date.replace(day=1),
                    attendees=PER_SESSION,
                )
                for s in sessions
            ],
            batch_size=2000,
        )
        PositionTally.objects.bulk_create(
            [
                PositionTally(tally=t, position=position, count=n)
                for t in tallies
                for position, n in by_session[t.session_id].items()
            ],
            batch_size=5000,
        )
        tally_through = SessionTally.trainers.through
        tally_through.objects.bulk_create(
            [
                tally_through(sessiontally_id=t.pk, trainerprofile_id=trainers[n % TRAINERS].pk)
                for n, t in enumerate(tallies)
            ],
            batch_size=5000,
        )
        version = EvaluationFormVersion.current()
        EvaluationAnswer.objects.bulk_create(
            [
                EvaluationAnswer(
                    id=uuid.UUID(int=rng.getrandbits(128), version=4),
                    session_id=sessions[n % SESSIONS].pk,
                    form_version=version,
                    month=sessions[n % SESSIONS].date.replace(day=1),
                    overall=rng.randint(3, 5),
                    relevance=rng.randint(2, 5),
                    trainers=rng.randint(3, 5),
                    recognising_before=rng.randint(1, 3),
                    recognising_after=rng.randint(3, 5),
                    responding_before=rng.randint(1, 3),
                    responding_after=rng.randint(3, 5),
                    leading_before=rng.randint(1, 3),
                    leading_after=rng.randint(2, 5),
                    # Six answers per session: the first five are released, the sixth waits.
                    release=1 if n < SESSIONS * 5 else None,
                )
                for n in range(ANSWERS)
            ],
            batch_size=5000,
        )
    print(f"Seeded in {time.perf_counter() - started:.1f} s.\n")


def main() -> None:
    from django.test import Client

    from bench.lib import HEADER, measure, peak_memory_mb
    from saferwork.accounts.models import User
    from saferwork.delivery.models import EvaluationAnswer
    from saferwork.organisations.models import Organisation
    from saferwork.reach.models import SessionTally
    from saferwork.tests.factories import sign_in_verified
    from saferwork.training.models import Session, TrainerProfile

    seed()
    print(
        f"Data: {SessionTally.objects.count():,} delivered sessions with tallies, "
        f"{sum(SessionTally.objects.values_list('attendees', flat=True)):,} attendees, "
        f"{EvaluationAnswer.objects.count():,} evaluation answers.\n"
    )
    admin = Client()
    sign_in_verified(admin, User.objects.get(email=f"{SLUG}-admin@bench.test"))
    coordinator = Client()
    sign_in_verified(coordinator, User.objects.get(email=f"{SLUG}-coordinator@bench.test"))
    org = Organisation.objects.get(slug=f"{SLUG}-007")
    trainer = TrainerProfile.objects.filter(user__email=f"{SLUG}-trainer03@bench.test").get()
    trainer_client = Client()
    sign_in_verified(trainer_client, trainer.user)
    session = Session.objects.filter(trainers=trainer).order_by("-date").first()
    assert session is not None
    start = (dt.date.today() - dt.timedelta(days=365)).strftime("%Y-%m")
    timings = [
        measure(admin, "/programme/reach/", name="reach dashboard (everything)", runs=15),
        measure(
            admin,
            f"/programme/reach/?start={start}&region=London&trainer={trainer.pk}",
            name="reach dashboard (period + region + trainer)",
            runs=15,
        ),
        measure(admin, f"/programme/reach/?organisation={org.pk}", name="reach dashboard (one organisation)", runs=15),
        measure(coordinator, "/reach/", name="organisation reach page", runs=15),
        measure(
            trainer_client, f"/delivery/sessions/{session.pk}/attendance/", name="attendance page (12 people)", runs=15
        ),
    ]
    print(HEADER)
    for timing in timings:
        print(timing.row())
    print(f"\nPeak memory: {peak_memory_mb():.0f} MB")
