"""Background tasks: thin, they take ids and call the email builders."""

from __future__ import annotations

from django_tasks import task

from saferwork.training import emails
from saferwork.training.models import Enquiry, Participant, PreMeetingSlot, Session


@task()
def send_introduction(*, enquiry_id: int) -> None:
    emails.send_introduction(Enquiry.objects.get(pk=enquiry_id))


@task()
def send_pre_meeting_invite(*, slot_id: int, cancel: bool = False) -> None:
    slot = PreMeetingSlot.objects.select_related("enquiry").get(pk=slot_id)
    emails.send_pre_meeting_invite(slot, cancel=cancel)
    if cancel:
        slot.delete()  # a cancelled time is not offered again


@task()
def send_session_invite(*, session_id: int, participant_ids: list[int] | None = None, cancel: bool = False) -> None:
    """The whole session's entry, or only these participants' (ids, never addresses, in the task)."""
    session = Session.objects.select_related("organisation", "enquiry").get(pk=session_id)
    to = None
    if participant_ids is not None:
        to = list(Participant.objects.filter(session=session, pk__in=participant_ids).values_list("email", flat=True))
    emails.send_session_invite(session, to, cancel=cancel)


@task()
def send_place_offered(*, participant_id: int) -> None:
    emails.send_place_offered(Participant.objects.select_related("session__organisation").get(pk=participant_id))


@task()
def send_briefing(*, session_id: int) -> None:
    emails.send_briefing(Session.objects.select_related("organisation", "enquiry").get(pk=session_id))


@task()
def send_reminder(*, session_id: int, days: int) -> None:
    emails.send_reminder(Session.objects.select_related("organisation").get(pk=session_id), days)
