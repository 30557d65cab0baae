"""Calendar invites for dialogue sessions and coaching, through training's one ICS builder."""

from __future__ import annotations

from collections.abc import Iterable

from saferwork.dialogue.models import CoachingSlot, CohortSession
from saferwork.training.documents import ICS_MIME, calendar_invite

__all__ = ["ICS_MIME", "coaching_invite", "session_invite"]


def session_invite(session: CohortSession, attendees: Iterable[str], *, cancel: bool = False) -> bytes:
    """The cohort session's entry: the same UID always, its SEQUENCE rising with each change."""
    return calendar_invite(
        uid=session.ics_uid,
        sequence=session.ics_sequence,
        summary=f"Leadership dialogue: {session.title} ({session.cohort.name})",
        starts_at=session.starts_at(),
        ends_at=session.ends_at(),
        location=session.location,
        description=(
            "A leadership dialogue session. What is said in the group stays in the group: nothing is "
            "recorded or reported back. The session is not the place for formal reports: use your "
            "organisation's reporting route, linked from the dialogue pages."
        ),
        attendees=attendees,
        cancel=cancel or session.is_cancelled,
    )


def coaching_invite(slot: CoachingSlot, attendees: Iterable[str], *, cancel: bool = False) -> bytes:
    return calendar_invite(
        uid=slot.ics_uid,
        sequence=slot.ics_sequence,
        summary="Coaching session",
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        location=slot.where,
        description="A coaching session. Only your coach keeps notes, and only they can read them.",
        attendees=attendees,
        cancel=cancel or slot.cancelled,
    )
