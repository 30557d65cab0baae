"""Writes for reach: tallies, retention and a participant's own rights over their data."""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from saferwork.audit import services as audit
from saferwork.lib.email import queue_email
from saferwork.reach.models import DataAccessToken, PositionTally, SessionTally
from saferwork.training.models import Participant, Session


def session_region(session: Session) -> str:
    """Where the session counts for reach: the booking's region, else the organisation's."""
    return session.enquiry.region or session.organisation.region or ""


@transaction.atomic
def record_session_tally(*, session: Session, attendee_positions: Iterable[str]) -> SessionTally:
    """Write (or rewrite) the counts for one delivered session.

    Called whenever attendance is recorded, so the tally always exists before any
    participant can be erased; it holds counts by position and nothing about anyone.
    """
    positions = Counter(attendee_positions)
    tally, _ = SessionTally.objects.update_or_create(
        session_id=session.pk,
        defaults={
            "organisation": session.organisation,
            "region": session_region(session),
            "mode": session.mode,
            "month": session.date.replace(day=1),
            "attendees": sum(positions.values()),
            "updated_at": timezone.now(),
        },
    )
    tally.positions.all().delete()
    PositionTally.objects.bulk_create(
        [PositionTally(tally=tally, position=position, count=n) for position, n in sorted(positions.items())]
    )
    tally.trainers.set(list(session.trainers.all()))
    return tally


# ---------------------------------------------------------------- retention


def retention_cutoff(today: dt.date | None = None, months: int | None = None) -> dt.date:
    """Sessions held before this date have had their participants' personal data erased."""
    today = today or timezone.localdate()
    months = settings.PARTICIPANT_RETENTION_MONTHS if months is None else months
    return _months_before(today, months)


def _months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier, or the month's last day when it has no such day."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass
class ErasureResult:
    sessions: int
    participants: int
    badges_revoked: int = 0


def _ensure_tallies(sessions: list[Session]) -> None:
    """Write a tally for any delivered session that somehow lacks one, before erasing."""
    from saferwork.delivery.models import Attendance

    have = set(
        SessionTally.objects.filter(session_id__in=[s.pk for s in sessions]).values_list("session_id", flat=True)
    )
    for session in sessions:
        if session.pk in have or not hasattr(session, "attendance_record"):
            continue
        positions = Attendance.objects.filter(session=session, attended=True).values_list(
            "participant__position", flat=True
        )
        record_session_tally(session=session, attendee_positions=list(positions))


@transaction.atomic
def erase_expired_participants(*, today: dt.date | None = None, months: int | None = None) -> ErasureResult:
    """Erase the personal data of everyone on a session held before the retention cutoff.

    Participant rows go (with their attendance marks and claim links, which cascade);
    reach tallies and anonymous evaluation answers stay, so no count changes. Badges
    already issued stay valid: the credential holds only a salted hash of the email.
    """
    cutoff = retention_cutoff(today, months)
    sessions = list(
        Session.objects.filter(date__lt=cutoff, participants__isnull=False)
        .select_related("attendance_record")
        .distinct()
    )
    _ensure_tallies(sessions)
    participants = Participant.objects.filter(session__date__lt=cutoff)
    # managed_by points between participants: clear it first so deletion order never matters.
    participants.update(managed_by=None)
    count = participants.count()
    participants.delete()
    DataAccessToken.objects.filter(expires_at__lte=timezone.now()).delete()
    if count:
        audit.record(
            action="saferwork.reach.participants_erased",
            data={"sessions": len(sessions), "participants": count, "before": cutoff.isoformat()},
        )
    return ErasureResult(sessions=len(sessions), participants=count)


# ---------------------------------------------------------------- a participant's own data


def _hash(token: str) -> str:
    from saferwork.delivery.models import hash_token

    return hash_token(token)


@transaction.atomic
def send_data_access_link(*, email: str) -> None:
    """Email a link to the address if we hold anything for it; say nothing either way."""
    email = email.strip()
    if not Participant.objects.filter(email__iexact=email).exists():
        return
    token = secrets.token_urlsafe(24)
    access = DataAccessToken.objects.create(
        email=email,
        token_hash=_hash(token),
        expires_at=timezone.now() + dt.timedelta(hours=settings.DATA_ACCESS_LINK_HOURS),
    )
    queue_email("reach.data_access", ids=[access.pk], secrets={"token": token})


def get_data_access(token: str) -> DataAccessToken | None:
    access = DataAccessToken.objects.filter(token_hash=_hash(token)).first()
    if access is None or access.expired:
        return None
    return access


def participant_records(email: str) -> list[Participant]:
    return list(
        Participant.objects.filter(email__iexact=email)
        .select_related("session", "organisation", "attendance", "badge_claim_token")
        .order_by("session__date", "id")
    )


def data_export(email: str) -> dict[str, Any]:
    """Everything SaferWork holds about the person with this address, as plain data."""
    records = []
    for p in participant_records(email):
        attendance = getattr(p, "attendance", None)
        claim = getattr(p, "badge_claim_token", None)
        records.append(
            {
                "organisation": p.organisation.name,
                "session_date": p.session.date.isoformat(),
                "session_mode": p.session.get_mode_display(),
                "name": p.name,
                "email": p.email,
                "position": p.get_position_display(),
                "place": p.get_status_display(),
                "added_at": p.added_at.isoformat(),
                "attended": None if attendance is None else attendance.attended,
                "badge_credential": (
                    f"{settings.SITE_URL}/badges/{claim.credential_id}/" if claim and claim.credential_id else None
                ),
            }
        )
    return {
        "about": (
            "The personal data SaferWork holds about you as a training participant. Evaluation answers "
            "are anonymous and are not linked to you, so they cannot be included."
        ),
        "generated_at": timezone.now().isoformat(),
        "records": records,
    }


@transaction.atomic
def erase_on_request(*, access: DataAccessToken, keep_badges: bool) -> ErasureResult:
    """Erase a participant's personal data when they ask; revoke their badges unless they keep them."""
    records = participant_records(access.email)
    sessions = [p.session for p in records]
    _ensure_tallies(sessions)
    revoked = 0
    if not keep_badges:
        from saferwork.delivery.claims import revoke_claimed_badge

        for p in records:
            claim = getattr(p, "badge_claim_token", None)
            if claim is not None and claim.credential_id:
                revoke_claimed_badge(claim=claim, reason="The holder asked for their data to be erased.")
                revoked += 1
    # A place on a session still to come is given up first, so the waiting list moves on.
    from saferwork.training.services import withdraw_participant

    today = timezone.localdate()
    for p in records:
        upcoming = p.session.date >= today and p.session.status == Session.Status.CONFIRMED
        if upcoming and p.status == Participant.Status.CONFIRMED:
            withdraw_participant(participant=p, actor=None)
    ids = [p.pk for p in records]
    Participant.objects.filter(managed_by_id__in=ids).update(managed_by=None)
    Participant.objects.filter(pk__in=ids).delete()
    DataAccessToken.objects.filter(email__iexact=access.email).delete()
    audit.record(
        action="saferwork.reach.participant_erased_on_request",
        data={"records": len(ids), "badges_revoked": revoked, "badges_kept": keep_badges},
    )
    return ErasureResult(sessions=len(set(s.pk for s in sessions)), participants=len(ids), badges_revoked=revoked)
