"""Background tasks: thin, they take ids and hand a kind of email to the one email task."""

from __future__ import annotations

from django_tasks import task

from saferwork.core.tasks import send_email
from saferwork.training.models import PreMeetingSlot


@task()
def send_introduction(*, enquiry_id: int) -> None:
    send_email.call(kind="training.introduction", ids=[str(enquiry_id)])


@task()
def send_pre_meeting_invite(*, slot_id: int, cancel: bool = False) -> None:
    kind = "training.pre_meeting_cancelled" if cancel else "training.pre_meeting"
    send_email.call(kind=kind, ids=[str(slot_id)])
    if cancel:
        PreMeetingSlot.objects.filter(pk=slot_id).delete()  # a cancelled time is not offered again


@task()
def send_session_invite(*, session_id: int, participant_ids: list[int] | None = None, cancel: bool = False) -> None:
    """The whole session's entry, or only these participants' (ids, never addresses, in the task)."""
    if participant_ids is not None and not participant_ids:
        return
    kind = "training.session_cancelled" if cancel else "training.session_invite"
    send_email.call(kind=kind, ids=[str(session_id), *(str(pk) for pk in participant_ids or [])])


@task()
def send_place_offered(*, participant_id: int, promoted: bool = False) -> None:
    send_email.call(kind="training.place_offered", ids=[str(participant_id), *(["promoted"] if promoted else [])])


@task()
def send_waiting_list(*, participant_id: int) -> None:
    send_email.call(kind="training.waiting_list", ids=[str(participant_id)])


@task()
def send_briefing(*, session_id: int) -> None:
    send_email.call(kind="training.briefing", ids=[str(session_id)])


@task()
def send_reminder(*, session_id: int, days: int) -> None:
    send_email.call(kind="training.reminder", ids=[str(session_id), str(days)])
