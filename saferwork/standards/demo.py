"""Demo behavioural standards (``seed_demo`` calls :func:`seed_standards_demo`).

DEBUG only, through ``seed_demo``; idempotent: an organisation that already has documents
is left alone. Northfield Borough Council gets 48 staff in four departments (two of them
too small to show), its behavioural standards in two versions, its sexual harassment
policy and a managers' handbook, with some of them acknowledged; Care Workers' Union gets
a short policy its participant can read and acknowledge.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from saferwork.accounts.models import User
from saferwork.organisations.models import Membership, Organisation
from saferwork.standards import services
from saferwork.standards.models import Document, Placement, Request
from saferwork.surveys.models import Department

FIRST = ["Aisha", "Ben", "Chloe", "Dev", "Ella", "Finn", "Grace", "Harry", "Isla", "Jack", "Kemi", "Liam"]
LAST = ["Bello", "Carter", "Dunn", "Sharma"]
STAFF = [f"{first} {last}" for last in LAST for first in FIRST]  # 48 people
# Legal services and Finance are too small to show on their own; together with the people
# whose department is not recorded there are enough of them for the larger departments'
# figures to be shown without giving theirs away.
DEPARTMENTS = [("Housing", 20), ("Parks and leisure", 20), ("Legal services", 4), ("Finance", 4)]

STANDARDS_V1 = """# What we expect of each other

Everyone who works for Northfield Borough Council, and everyone we work with, is treated with
dignity and respect.

## We do

- speak up when something is not right, or tell someone who can;
- listen when someone tells us about harassment, and take it seriously;
- think about how our words and actions land with others, whatever we meant.

## We do not

- make comments, jokes or gestures of a sexual nature;
- touch people who have not asked to be touched;
- use our position to pressure anyone.
"""

STANDARDS_V2 = (
    STANDARDS_V1
    + """
## Third parties

The same standards apply to how residents, contractors and visitors treat our staff. If a
member of the public harasses you, tell your manager: it is not part of your job to put up
with it. See the [safe reporting route](/report/northfield-council/).
"""
)

POLICY = """# Sexual harassment policy

This policy sets out how the council prevents sexual harassment and what happens when
someone reports it.

## What sexual harassment is

Unwanted conduct of a sexual nature that violates someone's dignity, or creates an
intimidating, hostile, degrading, humiliating or offensive environment for them.

## How to report

You can report to your manager, to HR, to your trade union representative or through the
confidential reporting route, anonymously if you wish. We will acknowledge a report within
two working days.

| Who to contact | How |
|---|---|
| HR advice line | 01632 960 000 |
| Employee Assistance Programme | 0800 000 0000, 24 hours |
"""

HANDBOOK = """# Managers' handbook: responding to a disclosure

1. Listen, and thank them for telling you.
2. Ask what they would like to happen; do not promise to keep it secret if you cannot.
3. Write down what was said, when, and what you agreed.
4. Tell them about the confidential reporting route and support.
"""

CWU_POLICY = """# Our commitment

Care Workers' Union will not tolerate sexual harassment at our events, in our offices or
online. Reps and officials who hear of it act on it.
"""


def _staff(organisation: Organisation) -> list[User]:
    people = []
    for number, name in enumerate(STAFF, start=1):
        email = f"staff{number:02d}@northfield.saferwork.test"
        user = User.objects.filter(email=email).first()
        if user is None:
            # They never sign in (nobody needs to be them in the demo): no password to hash.
            user = User.objects.create_user(email=email, password=None, full_name=name)
        Membership.objects.get_or_create(user=user, organisation=organisation)
        people.append(user)
    return people


def seed_standards_demo() -> bool:
    """Add the demo documents if Northfield has none; returns whether they were added."""
    organisation = Organisation.objects.get(slug="northfield-council")
    if Document.objects.for_organisation(organisation).exists():
        return False
    coordinator = User.objects.get(email="leader@saferwork.test")
    staff = _staff(organisation)
    start = 0
    housing = None
    for name, size in DEPARTMENTS:
        department, _ = Department.objects.get_or_create(organisation=organisation, name=name)
        housing = housing or department
        for user in staff[start : start + size]:
            Placement.objects.update_or_create(
                organisation=organisation, user=user, defaults={"department": department}
            )
        start += size
    for email in ("manager@saferwork.test", "handler@saferwork.test"):
        manager = User.objects.filter(email=email).first()
        if manager is not None and housing is not None:
            Placement.objects.get_or_create(organisation=organisation, user=manager, defaults={"department": housing})
    first = services.publish_version(
        organisation=organisation,
        actor=coordinator,
        kind="standards",
        title="Our behavioural standards",
        label="1.0",
        body=STANDARDS_V1,
        audience=services.Audience(everyone=True),
    )
    standards = services.publish_version(
        organisation=organisation,
        document=first.document,
        actor=coordinator,
        label="1.1",
        summary="Adds how the standards apply to residents, contractors and visitors.",
        body=STANDARDS_V2,
        audience=services.Audience(previous=True),
    )
    policy = services.publish_version(
        organisation=organisation,
        actor=coordinator,
        kind="policy",
        title="Sexual harassment policy",
        label="2026",
        body=POLICY,
        audience=services.Audience(everyone=True),
    )
    handbook = services.publish_version(
        organisation=organisation,
        actor=coordinator,
        kind="handbook",
        title="Managers' handbook",
        label="1",
        body=HANDBOOK,
        audience=services.Audience(departments=(housing.pk,)) if housing else services.Audience(everyone=True),
    )
    # A draft of the handbook's next version: only coordinators see it, nobody is asked yet.
    services.save_draft(
        organisation=organisation,
        document=handbook.document,
        actor=coordinator,
        label="2",
        summary="Adds disclosures made in online meetings.",
        body=HANDBOOK + "5. If it was said in an online meeting, note the meeting and who was there.\n",
    )
    # Over half of Housing and half of Parks and leisure have acknowledged the standards;
    # the policy is a week old and fewer have.
    for version, people in ((standards, staff[:12] + staff[20:30]), (policy, staff[:10] + staff[20:24])):
        for user in people:
            found = Request.objects.get(version=version, user=user)
            services.acknowledge(request=found, actor=user)
    week_ago = timezone.now() - dt.timedelta(days=7)
    Request.objects.filter(version=policy).update(asked_at=week_ago)

    union = Organisation.objects.get(slug="care-workers-union")
    union_coordinator = User.objects.get(email="coordinator@saferwork.test")
    if not Document.objects.for_organisation(union).exists():
        services.publish_version(
            organisation=union,
            actor=union_coordinator,
            kind="policy",
            title="Our commitment on sexual harassment",
            label="1",
            body=CWU_POLICY,
            audience=services.Audience(everyone=True),
        )
    return True
