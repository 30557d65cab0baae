"""Writes for the training programme. Each use case is one atomic function with an audit entry."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from saferwork.accounts.models import User
from saferwork.audit import services as audit
from saferwork.lib.email import queue_email
from saferwork.organisations.models import Membership, Organisation
from saferwork.organisations.selectors import find_organisation_by_name
from saferwork.organisations.services import request_to_join
from saferwork.training import tasks
from saferwork.training.models import (
    CAPACITY_HARD_LIMIT,
    CAPACITY_WARN_ABOVE,
    BookingMessage,
    Briefing,
    BriefingTemplate,
    DeliveryMode,
    Enquiry,
    EnquiryNote,
    EnquiryTrainer,
    Participant,
    Position,
    PreMeetingSlot,
    Session,
    TrainerAvailability,
    TrainerNote,
    TrainerProfile,
)
from saferwork.training.selectors import enquirer_standing


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# ---------------------------------------------------------------- enquiries


@transaction.atomic
def submit_enquiry(*, data: dict[str, Any]) -> tuple[Enquiry, str]:
    """Store an enquiry from the public form and email a link that verifies the address.

    Nobody sees the enquiry until the link is followed. Returns the raw token once.
    """
    token = secrets.token_urlsafe(32)
    enquiry = Enquiry.objects.create(verification_hash=hash_token(token), **data)
    audit.record(action="saferwork.enquiry.submitted", target=enquiry, data={"verified": False})
    # The plain token exists only in the request: it travels sealed (see lib/email.py).
    queue_email("training.verify", ids=[enquiry.pk], secrets={"token": token})
    return enquiry, token


def _unique_slug(name: str) -> str:
    base = slugify(name)[:60] or "organisation"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def verify_enquiry(*, token: str) -> Enquiry | None:
    """Mark the enquiry's address verified, match or create its organisation, acknowledge it."""
    enquiry = Enquiry.objects.select_for_update().filter(verification_hash=hash_token(token)).first()
    if enquiry is None:
        return None
    if enquiry.verified_at is not None:
        return enquiry
    # Matched however the name is cased or punctuated: a near-duplicate must not become a
    # second organisation. Matching grants the enquirer nothing (see ``introduce``).
    organisation = find_organisation_by_name(enquiry.organisation_name)
    created = organisation is None
    if organisation is None:
        organisation = Organisation.objects.create(
            name=enquiry.organisation_name.strip(),
            slug=_unique_slug(enquiry.organisation_name),
            kind=enquiry.organisation_kind,
            region=enquiry.region,
            status=Organisation.Status.PENDING,
        )
    enquiry.organisation = organisation
    enquiry.organisation_created = created
    enquiry.verified_at = timezone.now()
    enquiry.save(update_fields=["organisation", "organisation_created", "verified_at", "updated_at"])
    audit.record(
        action="saferwork.enquiry.verified",
        organisation=organisation,
        target=enquiry,
        data={"organisation_created": created},
    )
    queue_email("training.acknowledgement", ids=[enquiry.pk])
    return enquiry


@transaction.atomic
def match_enquiry_to_organisation(*, enquiry: Enquiry, organisation: Organisation, actor: User) -> Enquiry:
    """A programme admin says this enquiry is about an organisation already on SaferWork.

    Only before the introduction, and only for an enquiry that brought a new (pending)
    organisation: the enquiry moves to the existing one, which grants the enquirer nothing.
    The introduction then asks that organisation's coordinators to approve them joining
    (see ``introduce``). The pending organisation goes if nothing else uses it, so that a
    later enquiry under the same name finds the real one.
    """
    if enquiry.introduced_at is not None:
        raise ValidationError("The introduction has been made: the organisation can no longer change.")
    pending = enquiry.organisation
    if pending is None or not enquiry.organisation_created or pending.status != Organisation.Status.PENDING:
        raise ValidationError("This enquiry is already about an organisation on SaferWork.")
    if organisation.pk == pending.pk or organisation.is_programme_host:
        raise ValidationError("Choose another organisation.")
    enquiry.organisation = organisation
    enquiry.organisation_created = False
    enquiry.save(update_fields=["organisation", "organisation_created", "updated_at"])
    audit.record(
        action="saferwork.enquiry.organisation_matched",
        actor=actor,
        organisation=organisation,
        target=enquiry,
        data={"organisation": organisation.pk, "instead_of": pending.pk},
    )
    if not pending.training_enquiries.exists() and not pending.memberships.exists():
        pending.delete()
    return enquiry


@transaction.atomic
def move_enquiry(*, enquiry: Enquiry, state: str, actor: User) -> Enquiry:
    """Move an enquiry to another state on the triage board; the audit log says who and when."""
    if state not in Enquiry.State.values:
        raise ValidationError("Choose a state from the list.")
    previous = enquiry.state
    if previous == state:
        return enquiry
    enquiry.state = state
    enquiry.save(update_fields=["state", "updated_at"])
    audit.record(
        action="saferwork.enquiry.moved",
        actor=actor,
        organisation=enquiry.organisation,
        target=enquiry,
        data={"from": previous, "to": state},
    )
    return enquiry


def _advance(enquiry: Enquiry, state: str, actor: User | None) -> None:
    """Move forward automatically when the journey reaches a later step (never backwards)."""
    order = list(Enquiry.State.values)
    if enquiry.state in {Enquiry.State.CLOSED, Enquiry.State.WITHDRAWN}:
        return
    if order.index(state) > order.index(enquiry.state):
        previous = enquiry.state
        enquiry.state = state
        enquiry.save(update_fields=["state", "updated_at"])
        audit.record(
            action="saferwork.enquiry.moved",
            actor=actor,
            organisation=enquiry.organisation,
            target=enquiry,
            data={"from": previous, "to": state, "automatic": True},
        )


@transaction.atomic
def add_enquiry_note(*, enquiry: Enquiry, text: str, actor: User) -> EnquiryNote:
    """A note only programme admins read."""
    note = EnquiryNote.objects.create(enquiry=enquiry, text=text, author=actor)
    audit.record(action="saferwork.enquiry.note_added", actor=actor, organisation=enquiry.organisation, target=enquiry)
    return note


@transaction.atomic
def assign_trainers(*, enquiry: Enquiry, trainers: list[TrainerProfile], actor: User) -> None:
    """The programme admin's pick: one or two trainers for this enquiry."""
    if not 1 <= len(trainers) <= 2:
        raise ValidationError("Choose one or two trainers.")
    EnquiryTrainer.objects.filter(enquiry=enquiry).exclude(trainer__in=trainers).delete()
    for trainer in trainers:
        EnquiryTrainer.objects.get_or_create(enquiry=enquiry, trainer=trainer)
    audit.record(
        action="saferwork.enquiry.trainers_assigned",
        actor=actor,
        organisation=enquiry.organisation,
        target=enquiry,
        data={"trainers": [t.pk for t in trainers]},
    )


@transaction.atomic
def introduce(*, enquiry: Enquiry, actor: User) -> Enquiry:
    """Introduce the organisation and its trainer(s): one email to all with the overview document.

    A pending organisation is approved here. The enquirer is invited as its coordinator
    only when their enquiry brought the organisation onto SaferWork and nobody belongs to
    it yet. When the organisation already existed, saying they belong to it grants
    nothing: a join request goes to its coordinators (or a programme admin) to approve.
    """
    from saferwork.accounts import services as accounts

    if enquiry.organisation is None:
        raise ValidationError("The enquirer has not verified their email address yet.")
    if not enquiry.assignments.exists():
        raise ValidationError("Choose the trainer(s) before making the introduction.")
    organisation = enquiry.organisation
    if organisation.status == Organisation.Status.PENDING:
        organisation.status = Organisation.Status.ACTIVE
        organisation.save(update_fields=["status"])
        audit.record(
            action="saferwork.organisation.approved", actor=actor, organisation=organisation, target=organisation
        )
    standing = enquirer_standing(enquiry)
    if standing == "new_organisation":
        accounts.invite(
            organisation=organisation,
            email=enquiry.contact_email,
            full_name=enquiry.contact_name,
            flags=["is_coordinator"],
            invited_by=actor,
        )
    elif standing != "coordinator" and enquiry.join_request_id is None:
        enquiry.join_request = request_to_join(
            organisation=organisation,
            email=enquiry.contact_email,
            full_name=enquiry.contact_name,
            role=enquiry.contact_role,
            flags=["is_coordinator"],
            source=f"training enquiry {enquiry.reference}",
            requested_by=None,
        )
        enquiry.save(update_fields=["join_request", "updated_at"])
    enquiry.introduced_at = timezone.now()
    enquiry.save(update_fields=["introduced_at", "updated_at"])
    audit.record(action="saferwork.enquiry.introduced", actor=actor, organisation=organisation, target=enquiry)
    _advance(enquiry, Enquiry.State.TRAINERS_INTRODUCED, actor)
    enquiry_id = enquiry.pk
    transaction.on_commit(lambda: tasks.send_introduction.enqueue(enquiry_id=enquiry_id))
    return enquiry


# ---------------------------------------------------------------- trainers


@transaction.atomic
def ensure_trainer_profiles(*, host: Organisation) -> int:
    """Give every trainer at the programme host a profile (with the default day rate) if they lack one."""
    missing = Membership.objects.filter(organisation=host, is_trainer=True, user__trainer_profile__isnull=True)
    created = 0
    for membership in missing.select_related("user"):
        profile = TrainerProfile.objects.create(organisation=host, user=membership.user)
        audit.record(action="saferwork.trainer.profile_created", organisation=host, target=profile)
        created += 1
    return created


@transaction.atomic
def save_trainer_profile(*, profile: TrainerProfile, actor: User) -> TrainerProfile:
    """Save a trainer's profile as edited by a programme admin or the trainer."""
    profile.full_clean()
    profile.save()
    audit.record(
        action="saferwork.trainer.profile_saved", actor=actor, organisation=profile.organisation, target=profile
    )
    return profile


@transaction.atomic
def set_availability(*, trainer: TrainerProfile, dates: Iterable[dt.date], available: bool, actor: User) -> int:
    """Mark dates as free or not free for a trainer. Returns how many dates changed."""
    count = 0
    for day in dates:
        TrainerAvailability.objects.update_or_create(trainer=trainer, date=day, defaults={"available": available})
        count += 1
    audit.record(
        action="saferwork.trainer.availability_set",
        actor=actor,
        organisation=trainer.organisation,
        target=trainer,
        data={"dates": count, "available": available},
    )
    return count


@transaction.atomic
def clear_availability(*, trainer: TrainerProfile, day: dt.date, actor: User) -> None:
    TrainerAvailability.objects.filter(trainer=trainer, date=day).delete()
    audit.record(
        action="saferwork.trainer.availability_cleared",
        actor=actor,
        organisation=trainer.organisation,
        target=trainer,
        data={"date": day.isoformat()},
    )


# ---------------------------------------------------------------- pre-meeting


@transaction.atomic
def offer_slot(
    *, enquiry: Enquiry, trainer: TrainerProfile, starts_at: dt.datetime, ends_at: dt.datetime, where: str, actor: User
) -> PreMeetingSlot:
    """A trainer offers a time for the pre-meeting."""
    if ends_at <= starts_at:
        raise ValidationError("The end must be after the start.")
    slot = PreMeetingSlot.objects.create(
        enquiry=enquiry, offered_by=trainer, starts_at=starts_at, ends_at=ends_at, where=where
    )
    audit.record(
        action="saferwork.premeeting.slot_offered", actor=actor, organisation=enquiry.organisation, target=slot
    )
    return slot


@transaction.atomic
def book_slot(*, slot: PreMeetingSlot, actor: User) -> PreMeetingSlot:
    """The organisation books one offered slot; everyone receives a calendar invite."""
    slot = PreMeetingSlot.objects.select_for_update().select_related("enquiry").get(pk=slot.pk)
    if PreMeetingSlot.objects.filter(enquiry=slot.enquiry, booked_at__isnull=False).exists():
        raise ValidationError("A pre-meeting is already booked.")
    slot.booked_at = timezone.now()
    slot.save(update_fields=["booked_at"])
    audit.record(
        action="saferwork.premeeting.booked", actor=actor, organisation=slot.enquiry.organisation, target=slot.enquiry
    )
    _advance(slot.enquiry, Enquiry.State.PRE_MEETING_BOOKED, actor)
    slot_id = slot.pk
    transaction.on_commit(lambda: tasks.send_pre_meeting_invite.enqueue(slot_id=slot_id))
    return slot


@transaction.atomic
def cancel_pre_meeting(*, slot: PreMeetingSlot, actor: User) -> PreMeetingSlot:
    """Cancel a booked pre-meeting: everyone gets METHOD:CANCEL for the same UID; the slot is offered no more."""
    slot = PreMeetingSlot.objects.select_for_update().select_related("enquiry").get(pk=slot.pk)
    if slot.booked_at is None:
        raise ValidationError("This pre-meeting time is not booked.")
    slot.ics_sequence += 1
    slot.save(update_fields=["ics_sequence"])
    audit.record(
        action="saferwork.premeeting.cancelled",
        actor=actor,
        organisation=slot.enquiry.organisation,
        target=slot.enquiry,
    )
    if slot.enquiry.state == Enquiry.State.PRE_MEETING_BOOKED:
        move_enquiry(enquiry=slot.enquiry, state=Enquiry.State.TRAINERS_INTRODUCED, actor=actor)
    slot_id = slot.pk
    # The invite is built before the slot goes, so the cancellation carries its UID and new SEQUENCE.
    transaction.on_commit(lambda: tasks.send_pre_meeting_invite.enqueue(slot_id=slot_id, cancel=True))
    return slot


@transaction.atomic
def update_checklist(*, enquiry: Enquiry, logistics: bool, audience: bool, standing: bool, actor: User) -> Enquiry:
    """Tick the pre-meeting checklist; when all three are done the pre-meeting counts as held."""
    enquiry.checklist_logistics = logistics
    enquiry.checklist_audience = audience
    enquiry.checklist_standing = standing
    enquiry.save(update_fields=["checklist_logistics", "checklist_audience", "checklist_standing", "updated_at"])
    audit.record(
        action="saferwork.premeeting.checklist_updated",
        actor=actor,
        organisation=enquiry.organisation,
        target=enquiry,
        data={"logistics": logistics, "audience": audience, "standing": standing},
    )
    if enquiry.checklist_complete and _pre_meeting_has_happened(enquiry):
        _advance(enquiry, Enquiry.State.PRE_MEETING_HELD, actor)
    return enquiry


def _pre_meeting_has_happened(enquiry: Enquiry, now: dt.datetime | None = None) -> bool:
    """The booked pre-meeting's start has passed: the checklist alone does not make it held."""
    return enquiry.slots.filter(booked_at__isnull=False, starts_at__lte=now or timezone.now()).exists()


def sessions_all_done(enquiry: Enquiry) -> bool:
    """Every session of the booking is delivered or cancelled, and at least one was delivered."""
    statuses = set(enquiry.sessions.values_list("status", flat=True))
    return Session.Status.DELIVERED in statuses and statuses <= {Session.Status.DELIVERED, Session.Status.CANCELLED}


def advance_if_delivered(enquiry: Enquiry, actor: User | None) -> None:
    """Move the booking to "delivered" once every session is delivered or cancelled (forward only).

    The one place that decides it: recording attendance and cancelling a session both ask."""
    if sessions_all_done(enquiry):
        _advance(enquiry, Enquiry.State.DELIVERED, actor)


def advance_dated_bookings(*, now: dt.datetime | None = None) -> int:
    """Move bookings whose dated facts have caught up with them: a pre-meeting whose
    checklist was completed beforehand counts as held once its start has passed. Run daily
    (``send_training_reminders`` does); safe to run as often as you like."""
    moved = 0
    waiting = Enquiry.objects.filter(
        state=Enquiry.State.PRE_MEETING_BOOKED,
        checklist_logistics=True,
        checklist_audience=True,
        checklist_standing=True,
        slots__booked_at__isnull=False,
        slots__starts_at__lte=now or timezone.now(),
    ).distinct()
    for enquiry in waiting:
        with transaction.atomic():
            _advance(enquiry, Enquiry.State.PRE_MEETING_HELD, None)
        moved += 1
    return moved


@transaction.atomic
def set_contact_point(*, enquiry: Enquiry, name: str, role: str, email: str, phone: str, actor: User) -> Enquiry:
    """Record the organisation's nominated point of contact for its sessions."""
    enquiry.contact_point_name = name
    enquiry.contact_point_role = role
    enquiry.contact_point_email = email
    enquiry.contact_point_phone = phone
    enquiry.save()
    audit.record(
        action="saferwork.enquiry.contact_point_set", actor=actor, organisation=enquiry.organisation, target=enquiry
    )
    return enquiry


@transaction.atomic
def add_trainer_note(*, enquiry: Enquiry, trainer: TrainerProfile, text: str) -> TrainerNote:
    """A trainer's confidential note; the audit entry records that a note exists, never its text."""
    note = TrainerNote.objects.create(enquiry=enquiry, author=trainer, text=text)
    audit.record(
        action="saferwork.premeeting.trainer_note_added",
        actor=trainer.user,
        organisation=enquiry.organisation,
        target=enquiry,
    )
    return note


@transaction.atomic
def post_message(*, enquiry: Enquiry, author: User, text: str) -> BookingMessage:
    """A message between the organisation and its trainer(s); the others are told one has arrived.

    The notification carries no content, and the audit entry records only that a message exists.
    """
    message = BookingMessage.objects.create(enquiry=enquiry, author=author, text=text)
    audit.record(
        action="saferwork.booking.message_posted", actor=author, organisation=enquiry.organisation, target=enquiry
    )
    queue_email("training.message", ids=[enquiry.pk, author.pk])
    return message


# ---------------------------------------------------------------- sessions


@dataclass
class SessionDetails:
    date: dt.date
    start_time: dt.time
    end_time: dt.time
    mode: str
    trainers: list[TrainerProfile]
    meeting_link: str = ""
    tech_helper_name: str = ""
    venue: str = ""
    access_info: str = ""
    capacity: int = CAPACITY_HARD_LIMIT


def _check_session(enquiry: Enquiry, details: SessionDetails, session: Session | None) -> None:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not enquiry.checklist_complete:
        add("__all__", "Complete the pre-meeting checklist before confirming sessions.")
    if not enquiry.has_contact_point:
        add(
            "__all__", "Record the nominated point of contact (name, role, email and phone) before confirming sessions."
        )
    if details.end_time <= details.start_time:
        add("end_time", "The session must end after it starts.")
    if not details.trainers:
        add("trainers", "Choose at least one trainer.")
    if details.mode == DeliveryMode.ONLINE:
        if not details.meeting_link:
            add("meeting_link", "Enter the meeting link for an online session.")
        if len(details.trainers) < 2 and not details.tech_helper_name:
            add("tech_helper_name", "An online session needs a second trainer or a named tech helper.")
    else:
        if not details.venue:
            add("venue", "Enter the venue for an in-person session.")
        if not details.access_info:
            add("access_info", "Enter access information for the venue.")
    limit = session.capacity if session and session.capacity_override_reason else CAPACITY_HARD_LIMIT
    if details.capacity > max(limit, CAPACITY_HARD_LIMIT):
        add(
            "capacity",
            f"A session takes at most {CAPACITY_HARD_LIMIT} people. "
            "Only a programme admin can allow more, with a reason.",
        )
    if details.capacity < 1:
        add("capacity", "A session needs at least one place.")
    # Lock the trainers' rows so that two bookings cannot take the same trainer's day at once.
    list(TrainerProfile.objects.select_for_update().filter(pk__in=[t.pk for t in details.trainers]))
    for trainer in details.trainers:
        clash = Session.objects.filter(trainers=trainer, date=details.date).exclude(status=Session.Status.CANCELLED)
        if session is not None:
            clash = clash.exclude(pk=session.pk)
        if clash.exists():
            add("date", f"{trainer.name} is already booked on {details.date:%-d %B %Y}.")
        if TrainerAvailability.objects.filter(trainer=trainer, date=details.date, available=False).exists():
            add("date", f"{trainer.name} is not available on {details.date:%-d %B %Y}.")
    if errors:
        raise ValidationError(errors)


def _apply(session: Session, details: SessionDetails) -> None:
    for field in ("date", "start_time", "end_time", "mode", "meeting_link", "tech_helper_name", "venue", "access_info"):
        setattr(session, field, getattr(details, field))
    session.capacity = details.capacity


@transaction.atomic
def schedule_session(*, enquiry: Enquiry, details: SessionDetails, actor: User) -> Session:
    """Confirm a session for a booking and send everyone the calendar invite.

    Refused until the pre-meeting checklist is complete and a point of contact is named.
    """
    Enquiry.objects.select_for_update().filter(pk=enquiry.pk).first()  # one scheduler at a time
    _check_session(enquiry, details, None)
    assert enquiry.organisation is not None
    session = Session(organisation=enquiry.organisation, enquiry=enquiry)
    _apply(session, details)
    session.save()
    session.trainers.set(details.trainers)
    audit.record(
        action="saferwork.session.scheduled",
        actor=actor,
        organisation=enquiry.organisation,
        target=session,
        data={"date": details.date.isoformat(), "mode": details.mode},
    )
    _advance(enquiry, Enquiry.State.SESSIONS_SCHEDULED, actor)
    session_id = session.pk
    transaction.on_commit(lambda: tasks.send_session_invite.enqueue(session_id=session_id))
    return session


_INVITE_FIELDS = ("date", "start_time", "end_time", "mode", "meeting_link", "venue")


@transaction.atomic
def update_session(*, session: Session, details: SessionDetails, actor: User) -> Session:
    """Change a session. A change to when or where sends the invite again with a higher SEQUENCE."""
    session = Session.objects.select_for_update().select_related("enquiry", "organisation").get(pk=session.pk)
    if session.is_cancelled:
        raise ValidationError("This session has been cancelled.")
    _check_session(session.enquiry, details, session)
    before = {field: getattr(session, field) for field in _INVITE_FIELDS}
    before_trainers = set(session.trainers.values_list("pk", flat=True))
    _apply(session, details)
    changed = [field for field in _INVITE_FIELDS if getattr(session, field) != before[field]]
    if changed or before_trainers != {t.pk for t in details.trainers}:
        session.ics_sequence += 1
    session.save()
    session.trainers.set(details.trainers)
    audit.record(
        action="saferwork.session.changed",
        actor=actor,
        organisation=session.organisation,
        target=session,
        data={"changed": changed, "sequence": session.ics_sequence},
    )
    if changed or before_trainers != {t.pk for t in details.trainers}:
        session_id = session.pk
        transaction.on_commit(lambda: tasks.send_session_invite.enqueue(session_id=session_id))
    _promote_waiting(session, actor)  # more places may have been opened
    return session


@transaction.atomic
def cancel_session(*, session: Session, actor: User) -> Session:
    """Cancel a session: everyone who was invited receives METHOD:CANCEL for the same UID."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.is_cancelled:
        return session
    session.status = Session.Status.CANCELLED
    session.ics_sequence += 1
    session.save(update_fields=["status", "ics_sequence"])
    audit.record(action="saferwork.session.cancelled", actor=actor, organisation=session.organisation, target=session)
    advance_if_delivered(session.enquiry, actor)
    session_id = session.pk
    transaction.on_commit(lambda: tasks.send_session_invite.enqueue(session_id=session_id))
    return session


@transaction.atomic
def override_capacity(*, session: Session, capacity: int, reason: str, actor: User) -> Session:
    """A programme admin allows more than the usual maximum of places, and says why."""
    if not reason.strip():
        raise ValidationError({"reason": ["Give a reason for allowing more places."]})
    if capacity < 1:
        raise ValidationError({"capacity": ["Enter a number of places."]})
    session = Session.objects.select_for_update().get(pk=session.pk)
    previous = session.capacity
    session.capacity = capacity
    session.capacity_override_reason = reason.strip()
    session.save(update_fields=["capacity", "capacity_override_reason"])
    audit.record(
        action="saferwork.session.capacity_overridden",
        actor=actor,
        organisation=session.organisation,
        target=session,
        data={"from": previous, "to": capacity, "reason": reason.strip()},
    )
    _promote_waiting(session, actor)
    return session


# ---------------------------------------------------------------- participants


def _places_taken(session: Session) -> int:
    return session.participants.filter(status=Participant.Status.CONFIRMED).count()


@dataclass
class NewParticipant:
    name: str
    email: str
    position: str
    manager_email: str = ""

    @property
    def position_label(self) -> str:
        return str(Position(self.position).label) if self.position in Position.values else self.position


@transaction.atomic
def add_participant(*, session: Session, person: NewParticipant, actor: User | None, warn: bool = True) -> Participant:
    """Add one person: a place if one is free, else the waiting list (promoted automatically)."""
    session = Session.objects.select_for_update().select_related("organisation").get(pk=session.pk)
    if session.is_cancelled:
        raise ValidationError("This session has been cancelled.")
    before = _power_warnings(session) if warn else []
    if person.position not in Position.values:
        raise ValidationError({"position": ["Choose a position from the list."]})
    email = person.email.strip().lower()
    if session.participants.filter(email__iexact=email).exclude(status=Participant.Status.WITHDRAWN).exists():
        raise ValidationError({"email": ["This person is already on the list for this session."]})
    manager = None
    if person.manager_email:
        manager = session.participants.filter(email__iexact=person.manager_email.strip()).first()
        if manager is None:
            raise ValidationError({"manager_email": ["Nobody with that email address is attending this session."]})
    status = Participant.Status.CONFIRMED if _places_taken(session) < session.capacity else Participant.Status.WAITING
    participant, _ = Participant.objects.update_or_create(
        session=session,
        email=email,
        defaults={
            "organisation": session.organisation,
            "name": person.name.strip(),
            "position": person.position,
            "managed_by": manager,
            "status": status,
            "added_at": timezone.now(),
        },
    )
    audit.record(
        action="saferwork.participant.added",
        actor=actor,
        organisation=session.organisation,
        target=session,
        data={"status": status, "position": person.position},
    )
    if status == Participant.Status.WAITING:
        # However they were added (the link, the coordinator, a CSV): they hear where they stand.
        participant_id = participant.pk
        transaction.on_commit(lambda: tasks.send_waiting_list.enqueue(participant_id=participant_id))
    elif status == Participant.Status.CONFIRMED and actor is None:
        participant_id = participant.pk
        transaction.on_commit(lambda: tasks.send_place_offered.enqueue(participant_id=participant_id))
    elif status == Participant.Status.CONFIRMED:
        # Confirmed people receive the session's calendar entry (same UID as everyone's).
        session_id, ids = session.pk, [participant.pk]
        transaction.on_commit(lambda: tasks.send_session_invite.enqueue(session_id=session_id, participant_ids=ids))
    if warn:
        _tell_about_new_warnings(session, before)
    return participant


def _power_warnings(session: Session) -> list[str]:
    from saferwork.training import selectors

    return selectors.power_dynamics_warnings(selectors.session_participants(session))


def _tell_about_new_warnings(session: Session, before: list[str]) -> None:
    """Email the coordinator(s) and trainer(s) when the group gains a power-dynamics concern.

    Participants never receive this. People registering through the link can change the
    mix without the coordinator looking at the page, hence the email.
    """

    def concern(warning: str) -> str:
        # The same concern with different head counts is not news.
        return re.sub(r"\(\d+\)", "", warning)

    seen = {concern(w) for w in before}
    new = [w for w in _power_warnings(session) if concern(w) not in seen]
    if not new:
        return
    # The worker lists the group's concerns as they stand: no warning text in the task.
    queue_email("training.power_dynamics", ids=[session.pk])


def _promote_waiting(session: Session, actor: User | None) -> list[Participant]:
    promoted = []
    free = session.capacity - _places_taken(session)
    for waiting in session.participants.filter(status=Participant.Status.WAITING).order_by("added_at", "id")[
        : max(free, 0)
    ]:
        waiting.status = Participant.Status.CONFIRMED
        waiting.save(update_fields=["status"])
        audit.record(
            action="saferwork.participant.promoted", actor=actor, organisation=session.organisation, target=session
        )
        participant_id = waiting.pk
        transaction.on_commit(partial(tasks.send_place_offered.enqueue, participant_id=participant_id, promoted=True))
        promoted.append(waiting)
    return promoted


@transaction.atomic
def withdraw_participant(*, participant: Participant, actor: User | None) -> list[Participant]:
    """Withdraw someone; the first on the waiting list gets the place and an email."""
    session = Session.objects.select_for_update().get(pk=participant.session_id)
    was_confirmed = participant.status == Participant.Status.CONFIRMED
    participant.status = Participant.Status.WITHDRAWN
    participant.save(update_fields=["status"])
    session.participants.filter(managed_by=participant).update(managed_by=None)
    audit.record(
        action="saferwork.participant.withdrawn", actor=actor, organisation=session.organisation, target=session
    )
    if was_confirmed and not session.is_cancelled:
        session_id, ids = session.pk, [participant.pk]
        # The person who leaves receives METHOD:CANCEL, which removes the entry from their calendar.
        transaction.on_commit(
            lambda: tasks.send_session_invite.enqueue(session_id=session_id, participant_ids=ids, cancel=True)
        )
        return _promote_waiting(session, actor)
    return []


@transaction.atomic
def import_participants(*, session: Session, people: list[NewParticipant], actor: User) -> int:
    """Import a file already checked clean, in file order (so managers come before their staff)."""
    before = _power_warnings(session)
    pending_managers: list[tuple[str, str]] = []
    for person in people:
        add_participant(
            session=session, person=NewParticipant(person.name, person.email, person.position), actor=actor, warn=False
        )
        if person.manager_email:
            pending_managers.append((person.email.lower(), person.manager_email.lower()))
    for email, manager_email in pending_managers:
        manager = session.participants.filter(email=manager_email).first()
        session.participants.filter(email=email).update(managed_by=manager)
    audit.record(
        action="saferwork.participant.imported",
        actor=actor,
        organisation=session.organisation,
        target=session,
        data={"rows": len(people)},
    )
    _tell_about_new_warnings(session, before)
    return len(people)


# ---------------------------------------------------------------- briefing and reminders


def default_template() -> BriefingTemplate:
    template = BriefingTemplate.objects.order_by("pk").first()
    if template is None:
        template = BriefingTemplate.objects.create(
            introduction=(
                "You are invited to a day of training on tackling and preventing sexual harassment at work. "
                "It is values-led and forward-looking, for people who can change how our organisation works."
            ),
            about_the_day=(
                "The day runs from 10:00 to 16:00 with breaks, in a small group of about "
                f"{CAPACITY_WARN_ABOVE} people (never more than {CAPACITY_HARD_LIMIT}), so that everyone can take "
                "part in the conversation. Nothing said on the day is recorded or reported back."
            ),
            not_a_reporting_space=(
                "The session is not a place to make formal reports of things that have happened to you or that you "
                "have seen. If you want to report something, please use our reporting route."
            ),
            support_before=(
                "The subject can bring up difficult feelings. If you would like to talk to someone before the day, "
                "contact your point of contact, named in this briefing."
            ),
            support_after=("After the session, your point of contact is there for anything the day raised for you."),
        )
    return template


@transaction.atomic
def update_template(*, template: BriefingTemplate, actor: User) -> BriefingTemplate:
    """Programme admins edit the template every organisation starts from."""
    template.save()
    audit.record(action="saferwork.briefing.template_updated", actor=actor, target=template)
    return template


def briefing_for(organisation: Organisation) -> Briefing:
    """The organisation's briefing, or a new unsaved copy of the programme's template."""
    existing = Briefing.objects.filter(organisation=organisation).first()
    if existing is not None:
        return existing
    template = default_template()
    # Start from the point of contact named for the latest booking, if there is one.
    booking = (
        Enquiry.objects.filter(organisation=organisation).exclude(contact_point_name="").order_by("-created_at").first()
    )
    return Briefing(
        organisation=organisation,
        contact_name=booking.contact_point_name if booking else "",
        contact_role=booking.contact_point_role if booking else "",
        contact_email=booking.contact_point_email if booking else "",
        contact_phone=booking.contact_point_phone if booking else "",
        introduction=template.introduction,
        about_the_day=template.about_the_day,
        not_a_reporting_space=template.not_a_reporting_space,
        support_before=template.support_before,
        support_after=template.support_after,
    )


@transaction.atomic
def save_briefing(*, briefing: Briefing, actor: User) -> Briefing:
    """Save an organisation's edited briefing."""
    briefing.save()
    audit.record(action="saferwork.briefing.updated", actor=actor, organisation=briefing.organisation, target=briefing)
    return briefing


@transaction.atomic
def send_briefing(*, session: Session, actor: User) -> int:
    """Email the organisation's briefing (as a Word document) to the session's confirmed participants."""
    if not Briefing.objects.filter(organisation=session.organisation).exists():
        raise ValidationError("Save your organisation's briefing before sending it.")
    count = _places_taken(session)
    audit.record(
        action="saferwork.briefing.sent",
        actor=actor,
        organisation=session.organisation,
        target=session,
        data={"to": count},
    )
    session_id = session.pk
    transaction.on_commit(lambda: tasks.send_briefing.enqueue(session_id=session_id))
    return count


@transaction.atomic
def queue_reminders(*, today: dt.date | None = None) -> int:
    """Queue reminders 7 days and 1 day before each confirmed session; each goes once.

    Run daily (``manage.py send_training_reminders``); a missed day still catches up,
    since any session within the window whose reminder has not gone is included.
    """
    today = today or timezone.localdate()
    queued = 0
    for days, field in [(7, "reminder_7_sent_at"), (1, "reminder_1_sent_at")]:
        due = Session.objects.filter(
            status=Session.Status.CONFIRMED,
            date__gt=today,
            date__lte=today + dt.timedelta(days=days),
            **{f"{field}__isnull": True},
        )
        if days == 7:
            due = due.filter(date__gt=today + dt.timedelta(days=1))
        for session in due.select_related("organisation"):
            Session.objects.filter(pk=session.pk).update(**{field: timezone.now()})
            audit.record(
                action="saferwork.session.reminder_queued",
                organisation=session.organisation,
                target=session,
                data={"days": days},
            )
            session_id = session.pk
            # The email says how far off the session really is (a late booking may be 3 days away).
            days_left = (session.date - today).days
            transaction.on_commit(partial(tasks.send_reminder.enqueue, session_id=session_id, days=days_left))
            queued += 1
    return queued
