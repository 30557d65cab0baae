"""Reads that training pages share: scoped fetches, the board, matching, the power-dynamics check."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpRequest
from django.utils import timezone

from saferwork.organisations.permissions import membership_has
from saferwork.organisations.selectors import membership_of
from saferwork.organisations.switching import offers_other_organisation
from saferwork.training.models import (
    Enquiry,
    EnquiryMode,
    Participant,
    Position,
    Session,
    TrainerAvailability,
    TrainerProfile,
)

SENIOR = {Position.SENIOR_LEADER, Position.EXECUTIVE}
GRASSROOTS = {Position.REP}


def is_programme_admin(request: HttpRequest) -> bool:
    return membership_has(getattr(request, "membership", None), "is_programme_admin")


def is_coordinator_of(request: HttpRequest, organisation_id: int | None) -> bool:
    membership = getattr(request, "membership", None)
    return bool(
        organisation_id is not None
        and membership_has(membership, "is_coordinator")
        and membership.organisation_id == organisation_id  # type: ignore[union-attr]
    )


def trainer_profile_for(request: HttpRequest) -> TrainerProfile | None:
    """The signed-in person's trainer profile, if they hold the trainer role somewhere."""
    if not any(m.is_trainer for m in getattr(request, "memberships", [])):
        return None
    if not hasattr(request, "_trainer_profile"):
        request._trainer_profile = (  # type: ignore[attr-defined]
            TrainerProfile.objects.filter(user_id=cast(int, request.user.pk), is_active=True)
            .select_related("user")
            .first()
        )
    return request._trainer_profile  # type: ignore[attr-defined]


@dataclass
class BookingAccess:
    enquiry: Enquiry
    is_admin: bool
    is_coordinator: bool
    trainer: TrainerProfile | None  # set when the viewer is one of this booking's trainers

    @property
    def is_trainer(self) -> bool:
        return self.trainer is not None

    @property
    def sees_people(self) -> bool:
        """Participant names are for the organisation and its trainers, not the programme."""
        return self.is_coordinator or self.is_trainer


def enquirer_standing(enquiry: Enquiry) -> str:
    """Where the enquirer stands in the organisation their enquiry names.

    "new_organisation": their enquiry brought it onto SaferWork and nobody belongs to it
    yet, so they may be invited as its coordinator. Otherwise the organisation already
    existed and they are its "coordinator", a "member" without that role, or "not_member".
    """
    organisation = enquiry.organisation
    if organisation is None:
        return ""
    membership = membership_of(organisation, enquiry.contact_email)
    if membership is not None:
        return "coordinator" if membership.is_coordinator else "member"
    if enquiry.organisation_created and not organisation.memberships.exists():
        return "new_organisation"
    return "not_member"


def enquiry_for_verification(token: str) -> Enquiry | None:
    """The enquiry an emailed confirmation link belongs to, confirmed already or not."""
    from saferwork.training.services import hash_token

    return Enquiry.objects.filter(verification_hash=hash_token(token)).first() if token else None


@offers_other_organisation
def get_enquiry_for_admin(request: HttpRequest, pk: int) -> Enquiry:
    if not is_programme_admin(request):
        raise Http404
    try:
        return Enquiry.objects.select_related("organisation").get(pk=pk, verified_at__isnull=False)
    except Enquiry.DoesNotExist as missing:
        raise Http404 from missing


@offers_other_organisation
def get_booking_for_user(request: HttpRequest, pk: int) -> BookingAccess:
    """A booking the viewer may open: their organisation's, one they train, or any for an admin.

    Anything else is a 404, so nobody learns that another organisation's booking exists.
    """
    enquiry = (
        Enquiry.objects.select_related("organisation")
        .filter(pk=pk, verified_at__isnull=False, introduced_at__isnull=False)
        .first()
    )
    if enquiry is None:
        raise Http404
    trainer = trainer_profile_for(request)
    if trainer is not None and not enquiry.assignments.filter(trainer=trainer).exists():
        trainer = None
    access = BookingAccess(
        enquiry=enquiry,
        is_admin=is_programme_admin(request),
        is_coordinator=is_coordinator_of(request, enquiry.organisation_id),
        trainer=trainer,
    )
    if not (access.is_admin or access.is_coordinator or access.is_trainer):
        raise Http404
    return access


def get_session_for_user(request: HttpRequest, pk: int) -> tuple[Session, BookingAccess]:
    session = Session.objects.select_related("organisation", "enquiry").filter(pk=pk).first()
    if session is None:
        raise Http404
    access = get_booking_for_user(request, session.enquiry_id)
    return session, access


def bookings_for(request: HttpRequest) -> QuerySet[Enquiry]:
    """Bookings the viewer works on: their organisation's (coordinator) and those they train."""
    query = Q(pk__in=[])
    membership = getattr(request, "membership", None)
    if membership_has(membership, "is_coordinator"):
        query |= Q(organisation=membership.organisation)  # type: ignore[union-attr]
    trainer = trainer_profile_for(request)
    if trainer is not None:
        query |= Q(assignments__trainer=trainer)
    return (
        Enquiry.objects.filter(query, introduced_at__isnull=False)
        .select_related("organisation")
        .annotate(session_count=Count("sessions", distinct=True))
        .distinct()
        .order_by("-created_at")
    )


def triage_board(*, state: str = "", region: str = "", q: str = "") -> QuerySet[Enquiry]:
    enquiries = (
        Enquiry.objects.filter(verified_at__isnull=False)
        .select_related("organisation")
        .prefetch_related(Prefetch("assignments__trainer__user"))
    )
    if state:
        enquiries = enquiries.filter(state=state)
    if region:
        enquiries = enquiries.filter(region=region)
    if q:
        enquiries = enquiries.filter(
            Q(organisation_name__icontains=q) | Q(contact_name__icontains=q) | Q(contact_email__icontains=q)
        )
    return enquiries.order_by("-created_at", "-id")


def add_session_counts(enquiries: list[Enquiry]) -> list[Enquiry]:
    """``session_count`` on each of one page's enquiries, in one query.

    Counted for the page's rows only: as a subquery in the board's own query, PostgreSQL
    worked it out for every row the page's OFFSET skipped (a thousand on page 40).
    """
    counts = dict(
        Session.objects.filter(enquiry_id__in=[e.pk for e in enquiries])
        .order_by()
        .values("enquiry_id")
        .annotate(n=Count("pk"))
        .values_list("enquiry_id", "n")
    )
    for enquiry in enquiries:
        enquiry.session_count = counts.get(enquiry.pk, 0)  # type: ignore[attr-defined]
    return enquiries


def state_counts() -> dict[str, int]:
    rows = Enquiry.objects.filter(verified_at__isnull=False).values("state").annotate(n=Count("id"))
    return {row["state"]: row["n"] for row in rows}


def trainer_pool() -> QuerySet[TrainerProfile]:
    """Every trainer profile, with the columns the pool shows; the view adds ``upcoming_bookings``."""
    return (
        TrainerProfile.objects.select_related("user", "home_union")
        .only(*POOL_FIELDS, "user__full_name", "user__email", "home_union__name")
        .order_by("user__full_name", "id")
    )


# In the order of the pool's columns.
POOL_FIELDS = [
    "user",
    "is_active",
    "home_union",
    "regions",
    "delivers_online",
    "delivers_in_person",
    "co_tutors",
    "languages",
    "access_needs_met",
    "experience",
    "sessions_delivered",
    "day_rate_pence",
]


def booked_dates(
    trainer_ids: list[int], since: dt.date | None = None, dates: list[dt.date] | None = None
) -> dict[int, set[dt.date]]:
    """Dates each trainer is already booked for a session: these are blocked automatically."""
    links = Session.trainers.through.objects.filter(
        trainerprofile_id__in=trainer_ids, session__status=Session.Status.CONFIRMED
    )
    if since is not None:
        links = links.filter(session__date__gte=since)
    if dates is not None:
        links = links.filter(session__date__in=dates)
    rows = links.values_list("trainerprofile_id", "session__date")
    result: dict[int, set[dt.date]] = {pk: set() for pk in trainer_ids}
    for trainer_id, day in rows:
        result[trainer_id].add(day)
    return result


def upcoming_bookings(trainer_ids: list[int], since: dt.date) -> tuple[dict[int, int], dict[int, list[dt.date]]]:
    """How many sessions each trainer has from ``since``, and the next three dates: one query.

    Each trainer's first three upcoming sessions come back with the trainer's count of
    them all beside them (two window functions over one pass of the bookings). No
    ``IN (trainer ids)`` filter: the pool shows every trainer, and SQLite would probe the
    link table once per listed id for every session.
    """
    links = Session.trainers.through.objects.filter(session__status=Session.Status.CONFIRMED, session__date__gte=since)
    by_trainer = F("trainerprofile_id")
    ranked = links.annotate(
        rank=Window(RowNumber(), partition_by=by_trainer, order_by=F("session__date").asc()),
        n=Window(Count("id"), partition_by=by_trainer),
    ).filter(rank__lte=3)  # type: ignore[misc]  # the plugin cannot see window annotations
    counts = {pk: 0 for pk in trainer_ids}
    next_dates: dict[int, list[dt.date]] = {pk: [] for pk in trainer_ids}
    rows = ranked.values_list("trainerprofile_id", "session__date", "n")  # type: ignore[misc]  # as above
    for trainer_id, day, n in rows:
        if trainer_id in next_dates:
            next_dates[trainer_id].append(day)
            counts[trainer_id] = n
    for days in next_dates.values():
        days.sort()
    return counts, next_dates


# ---------------------------------------------------------------- matching


@dataclass
class Match:
    trainer: TrainerProfile
    score: int
    reasons: list[str] = field(default_factory=list)
    concerns: list[str] = field(default_factory=list)
    conflict: bool = False
    free_dates: list[dt.date] = field(default_factory=list)


@dataclass
class Pair:
    experienced: Match
    newer: Match

    @property
    def score(self) -> int:
        return self.experienced.score + self.newer.score


def rank_trainers(enquiry: Enquiry) -> list[Match]:
    """Every active trainer, best first, with the reasons for the ranking shown to the admin.

    A trainer who belongs to the enquiring organisation is a conflict: listed last, flagged.
    """
    trainers = list(TrainerProfile.objects.filter(is_active=True).select_related("user", "home_union"))
    ids = [t.pk for t in trainers]
    preferred = enquiry.preferred_date_objects
    unavailable: dict[int, set[dt.date]] = {pk: set() for pk in ids}
    for trainer_id, day in TrainerAvailability.objects.filter(
        trainer_id__in=ids, date__in=preferred, available=False
    ).values_list("trainer_id", "date"):
        unavailable[trainer_id].add(day)
    booked = booked_dates(ids, dates=preferred)
    matches = []
    for trainer in trainers:
        match = Match(trainer=trainer, score=0)
        if preferred:
            free = [d for d in preferred if d not in unavailable[trainer.pk] and d not in booked[trainer.pk]]
            match.free_dates = free
            if free:
                match.score += 3
                match.reasons.append(f"Free on {len(free)} of {len(preferred)} preferred dates")
            else:
                match.concerns.append("Not free on any preferred date")
        if enquiry.region and (enquiry.region in trainer.regions or "UK-wide" in trainer.regions):
            match.score += 2
            match.reasons.append(f"Works in {enquiry.region}")
        elif enquiry.region:
            match.concerns.append(f"Does not list {enquiry.region}")
        mode_ok = {
            EnquiryMode.ONLINE: trainer.delivers_online,
            EnquiryMode.IN_PERSON: trainer.delivers_in_person,
            EnquiryMode.EITHER: trainer.delivers_online or trainer.delivers_in_person,
        }.get(EnquiryMode(enquiry.delivery_mode), True)
        if mode_ok:
            match.score += 2
            match.reasons.append(f"Delivers {EnquiryMode(enquiry.delivery_mode).label.lower()}")
        else:
            match.concerns.append(f"Does not deliver {EnquiryMode(enquiry.delivery_mode).label.lower()}")
        if trainer.experience == TrainerProfile.Experience.EXPERIENCED:
            match.score += 1
            match.reasons.append(f"Experienced ({trainer.sessions_delivered} sessions delivered)")
        if enquiry.organisation_id and trainer.home_union_id == enquiry.organisation_id:
            match.conflict = True
            match.concerns.append(f"Conflict: belongs to {enquiry.organisation_name}")
        matches.append(match)
    matches.sort(key=lambda m: (m.conflict, -m.score, m.trainer.name))
    return matches


def co_tutor_pairs(matches: list[Match], limit: int = 3) -> list[Pair]:
    """Pairs for co-tutoring: an experienced trainer with a newer one, both willing, no conflict."""
    usable = [m for m in matches if not m.conflict and m.trainer.co_tutors]
    experienced = [m for m in usable if m.trainer.experience == TrainerProfile.Experience.EXPERIENCED]
    newer = [m for m in usable if m.trainer.experience == TrainerProfile.Experience.NEW]
    pairs = [Pair(e, n) for e in experienced for n in newer]
    pairs.sort(key=lambda p: -p.score)
    return pairs[:limit]


# ---------------------------------------------------------------- sessions and participants


def power_dynamics_warnings(participants: list[Participant]) -> list[str]:
    """Reasons this group may not feel safe to speak: for the coordinator and trainer only."""
    confirmed = [p for p in participants if p.status != Participant.Status.WITHDRAWN]
    warnings = []
    senior = [p for p in confirmed if p.position in SENIOR]
    grassroots = [p for p in confirmed if p.position in GRASSROOTS]
    if senior and grassroots:
        warnings.append(
            f"This session mixes senior leaders or executive members ({len(senior)}) with reps or activists "
            f"({len(grassroots)}). Peer-to-peer groups are recommended: people may not feel able to speak freely."
        )
    by_id = {p.pk: p for p in confirmed}
    for person in confirmed:
        manager = by_id.get(person.managed_by_id) if person.managed_by_id else None
        if manager is not None:
            warnings.append(
                f"{manager.name} line manages {person.name}, and both are attending. "
                "Consider separate sessions for line managers and the staff they manage."
            )
    return warnings


def session_participants(session: Session) -> list[Participant]:
    return list(session.participants.exclude(status=Participant.Status.WITHDRAWN).select_related("managed_by"))


def trainer_day_counts(session: Session) -> Any:
    return session.trainers.select_related("user")


# What each audit action on an enquiry means, in the words the triage page shows.
ENQUIRY_EVENTS: dict[str, str] = {
    "saferwork.enquiry.submitted": "Enquiry sent",
    "saferwork.enquiry.verified": "Email address confirmed",
    "saferwork.enquiry.note_added": "Note added",
    "saferwork.enquiry.trainers_assigned": "Trainers chosen",
    "saferwork.enquiry.introduced": "Trainers introduced",
    "saferwork.enquiry.contact_point_set": "Point of contact named",
    "saferwork.booking.message_posted": "Message posted",
    "saferwork.premeeting.slot_offered": "Pre-meeting time offered",
    "saferwork.premeeting.booked": "Pre-meeting booked",
    "saferwork.premeeting.cancelled": "Pre-meeting cancelled",
    "saferwork.premeeting.checklist_updated": "Pre-meeting checklist updated",
    "saferwork.premeeting.trainer_note_added": "Trainer note added",
    "saferwork.organisation.approved": "Organisation approved",
    "saferwork.enquiry.organisation_matched": "Matched to an organisation already on SaferWork",
}


def describe_enquiry_event(action: str, data: dict[str, Any]) -> str:
    """One line of an enquiry's history in words, never a raw state code."""
    if action == "saferwork.enquiry.moved":
        labels = dict(Enquiry.State.choices)
        text = f"Moved to “{labels.get(data.get('to', ''), data.get('to', ''))}”"
        return f"{text} automatically" if data.get("automatic") else text
    if action in ENQUIRY_EVENTS:
        return ENQUIRY_EVENTS[action]
    return action.removeprefix("saferwork.").replace("_", " ").replace(".", ": ").capitalize()


# ---------------------------------------------------------------- a participant's own training


@dataclass
class OwnPlace:
    """One of the signed-in person's places on a session, with what they can do about it.

    Nothing here says whether they answered the evaluation: nothing can (see delivery.models).
    """

    participant: Participant
    has_briefing: bool
    credential: Any = None  # their claimed badge, if they claimed one

    @property
    def session(self) -> Session:
        return self.participant.session

    @property
    def confirmed(self) -> bool:
        return self.participant.status == Participant.Status.CONFIRMED and not self.session.is_cancelled

    @property
    def upcoming(self) -> bool:
        return self.session.date >= timezone.localdate()

    @property
    def waiting_place(self) -> int | None:
        return getattr(self.participant, "waiting_place", None)

    @property
    def attendance(self) -> Any:
        return getattr(self.participant, "attendance", None)

    @property
    def claim(self) -> Any:
        return getattr(self.participant, "badge_claim_token", None)


def _own_participants(request: HttpRequest) -> QuerySet[Participant]:
    """The signed-in person's places: their address, on sessions of organisations they belong to."""
    email = getattr(request.user, "email", "")
    organisations = [m.organisation_id for m in getattr(request, "memberships", [])]
    if not email or not organisations:
        return Participant.objects.none()
    return (
        Participant.objects.filter(email__iexact=email, organisation_id__in=organisations)
        .exclude(status=Participant.Status.WITHDRAWN)
        .select_related("session", "session__organisation", "session__enquiry", "attendance", "badge_claim_token")
    )


def own_places(request: HttpRequest) -> list[OwnPlace]:
    """Every place the signed-in person holds: three queries however many."""
    from saferwork.badges.models import Credential
    from saferwork.training.models import Briefing

    ahead = Participant.objects.filter(
        session=OuterRef("session"), status=Participant.Status.WAITING, added_at__lte=OuterRef("added_at")
    ).exclude(pk__gt=OuterRef("pk"), added_at=OuterRef("added_at"))
    participants = list(
        _own_participants(request)
        .annotate(
            waiting_place=Subquery(
                ahead.order_by().values("session").annotate(n=Count("pk")).values("n")[:1],
            )
        )
        .order_by("-session__date", "session__start_time", "id")
    )
    if not participants:
        return []
    briefed = set(
        Briefing.objects.filter(organisation_id__in={p.organisation_id for p in participants}).values_list(
            "organisation_id", flat=True
        )
    )
    claimed = [
        c.credential_id for p in participants if (c := getattr(p, "badge_claim_token", None)) and c.credential_id
    ]
    credentials = {c.pk: c for c in Credential.objects.filter(pk__in=claimed)} if claimed else {}
    places = []
    for p in participants:
        claim = getattr(p, "badge_claim_token", None)
        credential = credentials.get(claim.credential_id) if claim and claim.credential_id else None
        places.append(OwnPlace(participant=p, has_briefing=p.organisation_id in briefed, credential=credential))
    # What is to come first, soonest first; then what is past, latest first.
    coming = sorted((p for p in places if p.upcoming), key=lambda p: (p.session.date, p.session.start_time))
    return coming + [p for p in places if not p.upcoming]


def get_own_place(request: HttpRequest, pk: int) -> Participant:
    """One of the signed-in person's own places; anyone else's is a 404."""
    found = _own_participants(request).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
