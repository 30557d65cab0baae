"""Behavioural standards through HTTP: an organisation of 50,000 people in 60 departments.

Three documents: behavioural standards in two versions (both asked of everyone), the
sexual harassment policy (everyone) and a managers' handbook (a third of the departments),
about 170,000 requests, two thirds acknowledged. A few departments are small, so the
report's tables have cells to hide and complements to find. Rows are bulk-inserted (no
emails: the services would queue them); ``seed`` skips what exists.

Pages: the report by department, the coordinators' summary and one document's progress,
the CSV export (sudo), and a member's own documents and reading page. ``extra`` streams
the CSV and XLSX exports once each and reads the workers' peak memory after each.
"""

from __future__ import annotations

import http.client
import random
import time
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from bench.http_bench import HOST, Page, session_cookie

SLUG = "bench-standards"
PEOPLE = 50_000
DEPARTMENTS = 60
COORDINATOR = "coordinator@bench-standards.test"
MEMBER = "staff00001@bench-standards.test"
# A few departments under the threshold, the rest large: 8 small, 52 sharing what is left.
SMALL_SIZES = (3, 4, 6, 7, 8, 9, 11, 12)


def _sizes() -> list[int]:
    rest = PEOPLE - sum(SMALL_SIZES)
    large = DEPARTMENTS - len(SMALL_SIZES)
    sizes = [rest // large] * large
    sizes[0] += rest - sum(sizes)
    return [*SMALL_SIZES, *sizes]


def _counts(organisation: Any) -> dict[str, int]:
    from saferwork.organisations.models import Membership
    from saferwork.standards.models import Document, Request
    from saferwork.surveys.models import Department

    return {
        "standards people": Membership.objects.filter(organisation=organisation).count(),
        "standards departments": Department.objects.filter(organisation=organisation).count(),
        "standards documents": Document.objects.filter(organisation=organisation).count(),
        "standards requests": Request.objects.filter(organisation=organisation).count(),
    }


def seed() -> dict[str, int]:
    from django.db import transaction
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from saferwork.accounts.models import User
    from saferwork.lib import markdown
    from saferwork.organisations.models import Membership, Organisation
    from saferwork.standards.models import Document, DocumentVersion, Placement, Request
    from saferwork.surveys.models import Department

    organisation, _ = Organisation.objects.get_or_create(
        slug=SLUG, defaults={"name": "Bench Standards Council", "kind": "employer", "status": "active"}
    )
    if Document.objects.filter(organisation=organisation).exists():
        return _counts(organisation)
    rng = random.Random(15)  # noqa: S311 - benchmark data, not a secret
    now = timezone.now()
    with transaction.atomic():
        coordinator = User.objects.filter(email=COORDINATOR).first() or User.objects.create_user(
            COORDINATOR, None, full_name="Bench Coordinator"
        )
        TOTPDevice.objects.get_or_create(user=coordinator, name="bench", defaults={"confirmed": True})
        Membership.objects.get_or_create(
            user=coordinator, organisation=organisation, defaults={"is_coordinator": True, "is_leader": True}
        )
        departments = Department.objects.bulk_create(
            [Department(organisation=organisation, name=f"Department {n:02d}") for n in range(1, DEPARTMENTS + 1)]
        )
        # bulk_create sends no post_save: nobody is asked on joining here, the documents ask below.
        users = User.objects.bulk_create(
            [
                User(email=f"staff{n:05d}@bench-standards.test", full_name=f"Staff {n:05d}", password="!")
                for n in range(1, PEOPLE + 1)
            ],
            batch_size=5000,
        )
        Membership.objects.bulk_create([Membership(user=u, organisation=organisation) for u in users], batch_size=5000)
        placed: list[tuple[int, int]] = []
        start = 0
        for department, size in zip(departments, _sizes(), strict=True):
            placed += [(u.pk, department.pk) for u in users[start : start + size]]
            start += size
        Placement.objects.bulk_create(
            [Placement(organisation=organisation, user_id=u, department_id=d) for u, d in placed], batch_size=5000
        )

        def version(document: Document, label: str, days_ago: int, text: str) -> DocumentVersion:
            made = DocumentVersion(
                organisation=organisation,
                document=document,
                label=label,
                body=text,
                body_html=markdown.render(text),
                published_at=now - timedelta(days=days_ago),
                published_by=coordinator,
                asks_everyone=True,
            )
            made.save(force_insert=True)
            return made

        def ask(made: DocumentVersion, people: list[tuple[int, int]], acknowledged: float) -> None:
            Request.objects.bulk_create(
                [
                    Request(
                        organisation=organisation,
                        version=made,
                        user_id=u,
                        department_id=d,
                        asked_at=made.published_at,
                        acknowledged_at=made.published_at + timedelta(days=1)  # type: ignore[operator]
                        if rng.random() < acknowledged
                        else None,
                    )
                    for u, d in people
                ],
                batch_size=5000,
            )

        text = "# Our standards\n\nWe treat everyone with dignity.\n\n" + "- Speak up when you see it\n" * 40
        standards = Document.objects.create(organisation=organisation, kind="standards", title="Behavioural standards")
        old = version(standards, "1.0", 400, text)
        ask(old, placed, 0.9)
        current = version(standards, "2.0", 30, text + "\nNew: events and online spaces.\n")
        ask(current, placed, 0.6)
        policy = Document.objects.create(organisation=organisation, kind="policy", title="Sexual harassment policy")
        policy_version = version(policy, "2026", 60, "# Policy\n\nHow to report, and what happens next.\n")
        ask(policy_version, placed, 0.75)
        handbook = Document.objects.create(organisation=organisation, kind="handbook", title="Managers' handbook")
        handbook_version = version(handbook, "1", 20, "# Handbook\n\nResponding to a disclosure.\n")
        third = {d.pk for d in departments[::3]}
        ask(handbook_version, [(u, d) for u, d in placed if d in third], 0.5)
        for document, made in ((standards, current), (policy, policy_version), (handbook, handbook_version)):
            Document.objects.filter(pk=document.pk).update(current_version=made)
    return _counts(organisation)


def _policy() -> Any:
    from saferwork.standards.models import Document

    return Document.objects.select_related("current_version").get(organisation__slug=SLUG, kind="policy")


def pages() -> list[Page]:
    coordinator = session_cookie(COORDINATOR, organisation_slug=SLUG)
    exporter = session_cookie(COORDINATOR, organisation_slug=SLUG, sudo=True)
    member = session_cookie(MEMBER, organisation_slug=SLUG)
    policy = _policy()
    return [
        Page("standards: report by department (50,000 people, 60 departments)", "/standards/report/", coordinator),
        Page("standards: coordinators' summary", "/standards/manage/", coordinator),
        Page("standards: one document's progress", f"/standards/manage/{policy.pk}/", coordinator),
        Page("standards: report CSV (streamed)", "/standards/report/acknowledgements.csv", exporter),
        Page("standards: a member's documents to read", "/standards/", member),
        Page("standards: a member reads the policy", f"/standards/versions/{policy.current_version_id}/", member),
    ]


def _download(base: str, path: str, cookie: str) -> tuple[float, int, int]:
    """Seconds to read the whole response, its size in bytes and its status."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=300)
    started = time.perf_counter()
    connection.request("GET", path, headers={"Host": HOST, "X-Forwarded-Proto": "https", "Cookie": cookie})
    response = connection.getresponse()
    size = 0
    while chunk := response.read(65536):
        size += len(chunk)
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed, size, response.status


def extra(app: Any, floor: Any) -> list[str]:
    cookie = session_cookie(COORDINATOR, organisation_slug=SLUG, sudo=True)
    lines = [
        "| standards export (50,000 people, 3 documents × 60 departments) | status | seconds | KiB | "
        "workers' peak MiB after |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, path in (
        ("CSV", "/standards/report/acknowledgements.csv"),
        ("XLSX", "/standards/report/acknowledgements.xlsx"),
    ):
        elapsed, size, status = _download(app.base, path, cookie)
        peaks = " / ".join(f"{p:.0f}" for p in app.peak_mib())
        lines.append(f"| {name} | {status} | {elapsed:.2f} | {size / 1024:.1f} | {peaks} |")
    return lines
