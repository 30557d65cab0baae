"""Learning completion at scale: 50,000 learners × 20 modules (1,000,000 enrolments) in 40 departments.

Seeds its own organisation, departments, modules and enrolments with bulk inserts (once;
later runs reuse them), then measures the organisation's completion report (the page, and
its CSV export) through the full stack, beside the same pages for a small organisation
of 100 learners: the report groups in the database and suppresses the 40 × 20 table, so
its query count is the same at both sizes.
"""

from __future__ import annotations

import random
import time

LEARNERS = 50_000
MODULES = 20
DEPARTMENTS = 40
SMALL_LEARNERS = 100
SLUG = "learning-bench"


def _organisation(slug: str, learners: int, rng: random.Random) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from saferwork.accounts.models import User
    from saferwork.learning.models import Enrolment, Module, ModuleVersion, Step
    from saferwork.organisations.models import Membership, Organisation
    from saferwork.surveys.models import Department

    now = timezone.now()
    with transaction.atomic():
        org = Organisation.objects.create(name=f"Learning Bench {slug}", slug=slug, kind="employer")
        user = User.objects.create(
            email=f"{slug}-coordinator@bench.test", full_name="Bench Coordinator", password=make_password("x")
        )
        Membership.objects.create(user=user, organisation=org, is_coordinator=True)
        TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
        departments = Department.objects.bulk_create(
            [Department(organisation=org, name=f"Department {n:02d}") for n in range(DEPARTMENTS)]
        )
        modules = Module.objects.bulk_create([Module(organisation=org, slug=f"{slug}-{n:02d}") for n in range(MODULES)])
        versions = ModuleVersion.objects.bulk_create(
            [ModuleVersion(module=m, number=1, title=f"Module {n:02d}") for n, m in enumerate(modules)]
        )
        Step.objects.bulk_create(
            [Step(version=v, position=1, kind="content", title="Read", body="Text") for v in versions]
        )
        ModuleVersion.objects.filter(pk__in=[v.pk for v in versions]).update(published_at=now)
        batch: list[Enrolment] = []
        for learner in range(learners):
            # Department sizes vary, so some cells are small and suppressed.
            department = departments[min(DEPARTMENTS - 1, int(rng.expovariate(1 / 8)))]
            for version in versions:
                done = rng.random() < 0.6
                batch.append(
                    Enrolment(
                        organisation=org,
                        module_id=version.module_id,
                        email=f"l{learner}@{slug}.test",
                        department=department,
                        version=version,
                        assigned_by=user,
                        started_at=now,
                        completed_at=now if done else None,
                    )
                )
            if len(batch) >= 20_000:
                Enrolment.objects.bulk_create(batch, batch_size=5000)
                batch = []
        Enrolment.objects.bulk_create(batch, batch_size=5000)


def seed() -> None:
    from saferwork.organisations.models import Organisation

    if Organisation.objects.filter(slug=SLUG).exists():
        return
    started = time.perf_counter()
    rng = random.Random(15)
    _organisation(SLUG, LEARNERS, rng)
    _organisation(f"{SLUG}-small", SMALL_LEARNERS, rng)
    print(f"Seeded in {time.perf_counter() - started:.1f} s.\n")


def main() -> None:
    from django.test import Client

    from bench.lib import HEADER, measure, peak_memory_mb
    from saferwork.accounts.decorators import SUDO_SESSION_KEY
    from saferwork.accounts.models import User
    from saferwork.learning.models import Enrolment
    from saferwork.tests.factories import sign_in_verified

    seed()
    timings = []
    for slug, label in ((SLUG, f"{LEARNERS:,} learners"), (f"{SLUG}-small", f"{SMALL_LEARNERS} learners")):
        count = Enrolment.objects.filter(organisation__slug=slug).count()
        print(f"{label}: {count:,} enrolments, {MODULES} modules, {DEPARTMENTS} departments")
        client = Client()
        sign_in_verified(client, User.objects.get(email=f"{slug}-coordinator@bench.test"))
        session = client.session
        session[SUDO_SESSION_KEY] = int(time.time()) + 3600
        session.save()
        timings.append(measure(client, "/learning/report/", name=f"completion report ({label})", runs=10))
        timings.append(measure(client, "/learning/report/export.csv", name=f"completion CSV ({label})", runs=10))
    print()
    print(HEADER)
    for timing in timings:
        print(timing.row())
    print(f"\nPeak memory: {peak_memory_mb():.0f} MB")
