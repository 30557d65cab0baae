"""Builders for training tests: a booking at any step of its journey."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from saferwork.tests import factories
from saferwork.training.models import Enquiry, EnquiryTrainer, Participant, Session, TrainerProfile


def trainer(host: Any, *, email: str | None = None, **fields: Any) -> TrainerProfile:
    user = factories.member(host, is_trainer=True, email=email)
    fields.setdefault("regions", ["London"])
    return TrainerProfile.objects.create(organisation=host, user=user, **fields)


def enquiry(organisation: Any, **fields: Any) -> Enquiry:
    defaults: dict[str, Any] = {
        "organisation": organisation,
        "organisation_name": organisation.name if organisation else "New Union",
        "contact_name": "Casey Contact",
        "contact_role": "Equality officer",
        "contact_email": "contact@example.org",
        "audience": ["senior_leader"],
        "expected_participants": 10,
        "region": "London",
        "delivery_mode": "either",
        "preferred_dates": [(dt.date.today() + dt.timedelta(days=40)).isoformat()],
        "verified_at": timezone.now(),
    }
    defaults.update(fields)
    return Enquiry.objects.create(**defaults)


def booking(organisation: Any, trainers: list[TrainerProfile], *, ready: bool = True, **fields: Any) -> Enquiry:
    """An introduced enquiry; ``ready`` completes the checklist and names the point of contact."""
    e = enquiry(organisation, introduced_at=timezone.now(), state=Enquiry.State.TRAINERS_INTRODUCED, **fields)
    for t in trainers:
        EnquiryTrainer.objects.create(enquiry=e, trainer=t)
    if ready:
        e.checklist_logistics = e.checklist_audience = e.checklist_standing = True
        e.contact_point_name = "Pat Point"
        e.contact_point_role = "Welfare officer"
        e.contact_point_email = "point@example.org"
        e.contact_point_phone = "020 7946 0000"
        e.state = Enquiry.State.PRE_MEETING_HELD
        e.save()
    return e


def session(booking: Enquiry, *, days: int = 30, **fields: Any) -> Session:
    fields.setdefault("mode", "in_person")
    fields.setdefault("venue", "Union House, London")
    fields.setdefault("access_info", "Step-free entrance")
    s = Session.objects.create(
        organisation=booking.organisation, enquiry=booking, date=dt.date.today() + dt.timedelta(days=days), **fields
    )
    s.trainers.set([a.trainer for a in booking.assignments.all()])
    return s


def participant(session: Session, n: int, **fields: Any) -> Participant:
    fields.setdefault("position", "staff")
    return Participant.objects.create(
        organisation=session.organisation, session=session, name=f"Person {n}", email=f"person{n}@example.org", **fields
    )
