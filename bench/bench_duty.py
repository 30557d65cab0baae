"""The preventative duty at scale: 500 assessments, 5,000 risks and 20,000 actions in one organisation.

Seeds (once; later runs reuse it) a large organisation with 500 risk assessments holding
5,000 hazards, each with a control, 20,000 actions (half of them done, with evidence,
closed over the last year; a tenth answering audit gaps, a quarter risk controls) and a
completed policy audit, and a small organisation with a twentieth of that. Measures the
risk register, the actions hub (first page and the overdue filter), the duty record page
and its DOCX and PDF exports for the last year, for both organisations: the query counts
must be the same for both, and each module of the record lists at most
``dutysteps.MAX_STEPS`` steps, so the export's memory (tracemalloc peak) stays bounded.
"""

from __future__ import annotations

import datetime as dt
import time
import tracemalloc
from typing import Any

SLUG = "duty-bench"
SIZES = {"large": (500, 10, 40), "small": (25, 10, 40)}  # assessments, hazards each, actions per assessment


def _seed_one(name: str, assessments: int, hazards_each: int, actions_each: int) -> None:
    from django.db import transaction
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from saferwork.accounts.models import User
    from saferwork.actions.models import Action, Evidence
    from saferwork.duty import loader
    from saferwork.duty.models import AuditAnswer, Checklist, PolicyAudit
    from saferwork.duty.selectors import GAP_SOURCE
    from saferwork.organisations.models import Membership, Organisation
    from saferwork.risk import library
    from saferwork.risk.models import Assessment, Control, Hazard, Review
    from saferwork.risk.selectors import CONTROL_SOURCE

    slug = f"{SLUG}-{name}"
    if Organisation.objects.filter(slug=slug).exists():
        return
    started = time.perf_counter()
    today = dt.date.today()
    matrix = library.current_matrix_data()
    if not Checklist.objects.filter(key="ehrc-eight-steps").exists():
        loader.load_directory()
    checklist = Checklist.objects.filter(key="ehrc-eight-steps").order_by("-version").first()
    with transaction.atomic():
        org = Organisation.objects.create(name=f"Duty Bench {name.title()}", slug=slug, kind="employer")
        lead = User.objects.create_user(f"{slug}-lead@bench.test", "bench-password-not-secret")
        lead.full_name = "Bench Lead"
        lead.save(update_fields=["full_name"])
        Membership.objects.create(user=lead, organisation=org, is_leader=True, is_coordinator=True)
        TOTPDevice.objects.create(user=lead, name="bench", confirmed=True)
        made = Assessment.objects.bulk_create(
            Assessment(
                organisation=org,
                kind="corporate" if n == 0 else "activity",
                title=f"Assessment {n:04d}",
                department=f"Department {n % 40}",
                owner=lead,
                matrix=matrix,
                matrix_version=matrix["version"],
                review_on=today + dt.timedelta(days=(n % 200) - 50),
                created_on=today - dt.timedelta(days=n % 360),
            )
            for n in range(assessments)
        )
        hazards = Hazard.objects.bulk_create(
            (
                Hazard(
                    organisation=org,
                    assessment=a,
                    title=f"Hazard {k} of {a.title}",
                    who=["staff"],
                    factors=["lone_night_work"],
                    inherent_likelihood=1 + k % 5,
                    inherent_severity=1 + (k * 3) % 5,
                    current_likelihood=1 + (k + 1) % 5,
                    current_severity=1 + (k * 2) % 5,
                    target_likelihood=1,
                    target_severity=2,
                    rerated_on=today - dt.timedelta(days=(k * 37) % 360) if k % 4 == 0 else None,
                    created_on=a.created_on,
                )
                for a in made
                for k in range(hazards_each)
            ),
            batch_size=2000,
        )
        controls = Control.objects.bulk_create(
            (
                Control(
                    organisation=org,
                    hazard=h,
                    description=f"Control for {h.title}",
                    owner=lead,
                    due_on=today,
                    created_on=today,
                )
                for h in hazards
            ),
            batch_size=2000,
        )
        Review.objects.bulk_create(
            Review(
                organisation=org,
                assessment=a,
                reviewed_on=today - dt.timedelta(days=n % 300),
                reviewed_by=lead,
                next_review_on=a.review_on,
            )
            for n, a in enumerate(made)
        )
        audit = PolicyAudit.objects.create(
            organisation=org, checklist=checklist, size="large", started_on=today, completed_on=today
        )
        answers = AuditAnswer.objects.bulk_create(
            AuditAnswer(organisation=org, audit=audit, item=item, status="not_met", answered_on=today)
            for item in checklist.items.all()
        )
        total = assessments * actions_each
        actions = Action.objects.bulk_create(
            (
                Action(
                    organisation=org,
                    title=f"Action {n:05d}",
                    department=f"Department {n % 40}",
                    owner=lead,
                    due_on=today + dt.timedelta(days=(n % 120) - 60),
                    status="done" if n % 2 == 0 else ("in_progress" if n % 3 else "not_started"),
                    closed_on=today - dt.timedelta(days=n % 360) if n % 2 == 0 else None,
                    source_kind=CONTROL_SOURCE if n % 4 == 1 else (GAP_SOURCE if n % 10 == 3 else "manual"),
                    source_ref=str(controls[n % len(controls)].pk)
                    if n % 4 == 1
                    else (str(answers[n % len(answers)].pk) if n % 10 == 3 else ""),
                    source_label=f"Source of action {n}",
                    created_by=lead,
                )
                for n in range(total)
            ),
            batch_size=2000,
        )
        Evidence.objects.bulk_create(
            (
                Evidence(organisation=org, action=a, kind="link", url="/minutes/", label="Minutes", added_on=today)
                for a in actions
                if a.status == "done" or a.source_kind == CONTROL_SOURCE
            ),
            batch_size=2000,
        )
    print(
        f"Seeded {name}: {assessments:,} assessments, {len(hazards):,} risks, {total:,} actions "
        f"in {time.perf_counter() - started:.1f} s.\n"
    )


def _export_peak(org: Any) -> tuple[float, float, int]:
    """Seconds and tracemalloc peak (MiB) to build the record and both documents; its steps."""
    from saferwork.actions.selectors import today_for
    from saferwork.duty import documents
    from saferwork.duty.record import duty_record

    today = today_for(org)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        record = duty_record(org, today - dt.timedelta(days=365), today)
        documents.docx_bytes(record)
        documents.pdf_bytes(record)
        peak = tracemalloc.get_traced_memory()[1] / (1024 * 1024)
    finally:
        tracemalloc.stop()
    return time.perf_counter() - started, peak, record.step_count


def main() -> None:
    from django.test import Client

    from bench.lib import HEADER, measure
    from saferwork.accounts.decorators import SUDO_SESSION_KEY
    from saferwork.accounts.models import User
    from saferwork.actions.models import Action
    from saferwork.actions.selectors import today_for
    from saferwork.organisations.models import Organisation
    from saferwork.risk.models import Assessment, Hazard
    from saferwork.tests.factories import sign_in_verified

    for name, size in SIZES.items():
        _seed_one(name, *size)
    rows = []
    queries: dict[str, dict[str, int]] = {}
    memory = []
    for name in SIZES:
        org = Organisation.objects.get(slug=f"{SLUG}-{name}")
        print(
            f"{name}: {Assessment.objects.filter(organisation=org).count():,} assessments, "
            f"{Hazard.objects.filter(organisation=org).count():,} risks, "
            f"{Action.objects.filter(organisation=org).count():,} actions."
        )
        client = Client()
        sign_in_verified(client, User.objects.get(email=f"{SLUG}-{name}-lead@bench.test"))
        session = client.session
        session[SUDO_SESSION_KEY] = int(time.time()) + 3600
        session.save()
        today = today_for(org)
        period = f"start={(today - dt.timedelta(days=365)).isoformat()}&end={today.isoformat()}"
        timings = [
            measure(client, "/risk/", name=f"risk register ({name})", runs=10),
            measure(client, "/actions/", name=f"actions hub ({name})", runs=10),
            measure(client, "/actions/?overdue=on&page=2", name=f"actions hub, overdue, page 2 ({name})", runs=10),
            measure(client, "/duty/record/", name=f"duty record page ({name})", runs=5),
            measure(client, f"/duty/record/export.docx?{period}", name=f"duty record DOCX ({name})", runs=5),
            measure(client, f"/duty/record/export.pdf?{period}", name=f"duty record PDF ({name})", runs=5),
        ]
        rows += timings
        queries[name] = {t.name.rsplit(" (", 1)[0]: t.queries for t in timings}
        seconds, peak, steps = _export_peak(org)
        memory.append(f"| {name} | {steps:,} | {seconds:.1f} | {peak:.1f} |")
    print()
    print(HEADER)
    for timing in rows:
        print(timing.row())
    print()
    # Every figure of the record is counted in the database whatever the size, so the two
    # organisations' pages issue the same queries.
    print("| page | queries (small) | queries (large) |\n|---|---|---|")
    for page, small in queries["small"].items():
        print(f"| {page} | {small} | {queries['large'][page]} |")
    print(
        "\n| organisation | steps in the record | seconds (record, DOCX, PDF, traced) | peak MiB |\n|---|---|---|---|"
    )
    print("\n".join(memory))
