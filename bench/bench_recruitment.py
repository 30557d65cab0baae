"""The shortlisting list at scale: 2,000 applications, each scored by 6 panellists.

Measures the page a programme admin (sees every score) and a panellist (blind until they
score) open, first page and a filtered, score-sorted page.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

APPLICATIONS = 2000
PANELLISTS = 6


def _world() -> tuple[object, object, object]:
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from saferwork.accounts.models import User
    from saferwork.organisations.models import Membership, Organisation
    from saferwork.recruitment.models import Application, Criterion, Panellist, Round, Score, ScoreSheet, Stage

    host, _ = Organisation.objects.get_or_create(
        slug="bench-recruitment-host", defaults={"name": "Bench host", "kind": "programme_host"}
    )
    admin = User.objects.filter(email="bench-recruitment-admin@example.org").first()
    if admin is None:
        admin = User.objects.create_user("bench-recruitment-admin@example.org", "bench password 123")
        Membership.objects.create(user=admin, organisation=host, is_programme_admin=True)
        TOTPDevice.objects.create(user=admin, name="bench", confirmed=True)
    round_ = Round.objects.filter(organisation=host, title="Bench round").first()
    if round_ is not None and round_.applications.count() == APPLICATIONS:
        return round_, admin, round_.panellists.order_by("id").first()
    if round_ is not None:
        round_.delete()
    now = timezone.now()
    round_ = Round.objects.create(
        organisation=host,
        title="Bench round",
        opens_at=now - timedelta(days=30),
        closes_at=now + timedelta(days=1),
        role_description="x",
        task_prompt="x",
        agreement_text="x",
    )
    criteria = [
        Criterion.objects.create(
            round=round_,
            stage=Stage.SHORTLISTING,
            name=f"Criterion {i}",
            weight=i,
            position=i,
            descriptor_1="1",
            descriptor_2="2",
            descriptor_3="3",
            descriptor_4="4",
        )
        for i in (1, 2, 3)
    ]
    panel = []
    for p in range(PANELLISTS):
        user = User.objects.filter(email=f"bench-panellist{p}@example.org").first() or User.objects.create_user(
            f"bench-panellist{p}@example.org", None
        )
        TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
        panel.append(Panellist.objects.create(round=round_, user=user, kind="expert"))
    regions = ["London", "Wales", "Scotland", "North West", "South West"]
    backgrounds = ["union_employee", "activist_rep", "union_tutor", "other"]
    apps = Application.objects.bulk_create(
        [
            Application(
                organisation=host,
                round=round_,
                status="submitted",
                full_name=f"Applicant {n}",
                email=f"applicant{n}@bench.example",
                region=regions[n % 5],
                background=backgrounds[n % 4],
                task_answer="words " * 400,
                consent=True,
                submitted_at=now - timedelta(minutes=n),
            )
            for n in range(APPLICATIONS)
        ],
        batch_size=500,
    )
    sheets = ScoreSheet.objects.bulk_create(
        [
            ScoreSheet(
                application=a,
                panellist=seat,
                stage=Stage.SHORTLISTING,
                weighted_total=Decimal(1 + (a.pk * 7 + i * 3) % 30 / 10),
            )
            for a in apps
            for i, seat in enumerate(panel)
        ],
        batch_size=1000,
    )
    Score.objects.bulk_create(
        [Score(sheet=s, criterion=c, value=1 + (s.pk + c.pk) % 4) for s in sheets for c in criteria],
        batch_size=2000,
    )
    return round_, admin, panel[0]


def main() -> None:
    from django.test import Client

    from bench.lib import HEADER, measure
    from saferwork.tests.factories import sign_in_verified

    round_, admin, seat = _world()
    base = f"/programme/recruitment/{round_.pk}/applications/"  # type: ignore[attr-defined]
    admin_client = Client()
    sign_in_verified(admin_client, admin)  # type: ignore[arg-type]
    panel_client = Client()
    sign_in_verified(panel_client, seat.user)  # type: ignore[attr-defined]
    print(f"{APPLICATIONS} applications, {PANELLISTS} panellists' scores each, 50 rows a page\n")
    print(HEADER)
    for name, client, url in [
        ("admin: first page", admin_client, base),
        ("admin: sorted by spread, wide disagreement only", admin_client, base + "?sort=spread&flagged=on"),
        (
            "admin: region + background + search, by mean",
            admin_client,
            base + "?region=Wales&background=other&q=Applicant&sort=mean",
        ),
        ("admin: page 30", admin_client, base + "?page=30"),
        ("panellist (blind): first page", panel_client, base),
    ]:
        print(measure(client, url, name=name, runs=30).row())
