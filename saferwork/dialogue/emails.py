"""Dialogue's emails, rendered in the worker from ids (see ``saferwork.lib.email``)."""

from __future__ import annotations

from collections.abc import Iterable

from saferwork.accounts.models import User
from saferwork.dialogue import documents
from saferwork.dialogue.models import CoachingSlot, CohortMember, CohortSession
from saferwork.lib.email import Email, renderer


def _each(to: Iterable[str], *, template: str, context: dict[str, object], ics: bytes, cancel: bool) -> list[Email]:
    """One message per person: nobody sees the others' addresses."""
    method = "CANCEL" if cancel else "REQUEST"
    return [
        Email(
            to=[address],
            template=f"dialogue/email/{template}",
            context=context,
            attachments=[("dialogue.ics", ics, f"{documents.ICS_MIME}; method={method}")],
        )
        for address in sorted({a.lower() for a in to if a})
    ]


def session_recipients(session: CohortSession) -> list[str]:
    people = CohortMember.objects.filter(cohort=session.cohort, status=CohortMember.Status.CONFIRMED)
    emails = set(people.values_list("user__email", flat=True))
    if session.cohort.facilitator_id:
        emails.add(session.cohort.facilitator.email)  # type: ignore[union-attr]
    return sorted(emails)


@renderer("dialogue.session_invite")
def session_invite(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    session = CohortSession.objects.select_related("cohort__facilitator", "organisation").get(pk=ids[0])
    recipients = session_recipients(session)
    ics = documents.session_invite(session, recipients)
    return _each(
        recipients,
        template="session_cancelled" if session.is_cancelled else "session_invite",
        context={"session": session},
        ics=ics,
        cancel=session.is_cancelled,
    )


@renderer("dialogue.slot_booked")
def slot_booked(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    slot = CoachingSlot.objects.select_related("coach__user", "booked_by", "organisation").get(pk=ids[0])
    if slot.booked_by is None:
        return []
    recipients = [slot.coach.user.email, slot.booked_by.email]
    ics = documents.coaching_invite(slot, recipients)
    return _each(recipients, template="slot_booked", context={"slot": slot}, ics=ics, cancel=False)


@renderer("dialogue.slot_cancelled")
def slot_cancelled(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    slot = CoachingSlot.objects.select_related("coach__user", "organisation").get(pk=ids[0])
    participant = User.objects.filter(pk=ids[1]).first()
    recipients = [slot.coach.user.email, participant.email if participant else ""]
    ics = documents.coaching_invite(slot, [r for r in recipients if r], cancel=True)
    return _each(recipients, template="slot_cancelled", context={"slot": slot}, ics=ics, cancel=True)
