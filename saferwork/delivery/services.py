"""Writes after a session: attendance, evaluation links and answers, the form's versions, badges."""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from saferwork.audit import services as audit
from saferwork.delivery.models import (
    Attendance,
    EvaluationAnswer,
    EvaluationFormVersion,
    EvaluationToken,
    FollowUpRequest,
    SessionAttendance,
    hash_token,
)
from saferwork.lib.email import queue_email
from saferwork.reach.services import record_session_tally
from saferwork.training.models import Participant, Session


class DeliveryError(Exception):
    """Something a person asked for that cannot be done, in words they can read."""


@dataclass
class AttendanceResult:
    attended: int
    absent: int
    links_sent: int


def can_record_attendance(session: Session, today: Any = None) -> str | None:
    """Why attendance cannot be recorded yet, or None when it can."""
    today = today or timezone.localdate()
    if session.status == Session.Status.CANCELLED:
        return "This session was cancelled."
    if session.date > today:
        return f"Attendance can be marked from the day of the session ({session.date:%-d %B %Y})."
    return None


@transaction.atomic
def record_attendance(*, session: Session, marks: Mapping[int, bool], actor: Any) -> AttendanceResult:
    """Record who attended, write the reach tally, and send new attendees their links.

    ``marks`` maps participant id → attended. Only confirmed participants of this
    session can be marked. An attendee gets their one-time evaluation link and their
    badge claim link once; marking someone absent later does not unsend a link.
    """
    reason = can_record_attendance(session)
    if reason:
        raise DeliveryError(reason)
    participants = {
        p.pk: p for p in session.participants.filter(status=Participant.Status.CONFIRMED).select_related("attendance")
    }
    unknown = set(marks) - set(participants)
    if unknown:
        raise DeliveryError("Some of the people marked are not on this session.")
    missing = set(participants) - set(marks)
    if missing:
        raise DeliveryError("Mark everyone as attended or absent.")
    now = timezone.now()
    record, _ = SessionAttendance.objects.update_or_create(
        session=session, defaults={"organisation": session.organisation, "recorded_by": actor}
    )
    existing = {p.pk: getattr(p, "attendance", None) for p in participants.values()}
    to_create, to_update = [], []
    for pk, attended in marks.items():
        row = existing[pk]
        if row is None:
            to_create.append(
                Attendance(
                    participant_id=pk,
                    session=session,
                    organisation=session.organisation,
                    attended=attended,
                    marked_at=now,
                )
            )
        elif row.attended != attended:
            row.attended = attended
            row.marked_at = now
            to_update.append(row)
    Attendance.objects.bulk_create(to_create)
    Attendance.objects.bulk_update(to_update, ["attended", "marked_at"])
    if session.status != Session.Status.DELIVERED:
        Session.objects.filter(pk=session.pk).update(status=Session.Status.DELIVERED)
        session.status = Session.Status.DELIVERED
    from saferwork.training.services import advance_if_delivered  # training imports delivery's models

    advance_if_delivered(session.enquiry, actor)

    attendees = [participants[pk] for pk, attended in marks.items() if attended]
    record_session_tally(session=session, attendee_positions=[p.position for p in attendees])
    need_links = list(
        Attendance.objects.filter(session=session, attended=True, links_sent=False).values_list(
            "participant_id", flat=True
        )
    )
    _send_links(session=session, participants=[participants[pk] for pk in need_links])
    Attendance.objects.filter(participant_id__in=need_links).update(links_sent=True)
    audit.record(
        action="saferwork.delivery.attendance_recorded",
        actor=actor,
        organisation=session.organisation,
        target=record,
        data={"attended": len(attendees), "absent": len(marks) - len(attendees), "links_sent": len(need_links)},
    )
    return AttendanceResult(attended=len(attendees), absent=len(marks) - len(attendees), links_sent=len(need_links))


def _send_links(*, session: Session, participants: list[Participant]) -> None:
    """Queue one email per attendee with their evaluation and badge claim links.

    The worker mints the tokens (``delivery/emails.py``): the task holds ids only.
    """
    if participants:
        queue_email("delivery.after_session", ids=[session.pk, *sorted(p.pk for p in participants)])


# ---------------------------------------------------------------- evaluation


def find_evaluation_token(token: str) -> EvaluationToken | None:
    return (
        EvaluationToken.objects.select_related("session", "session__organisation")
        .filter(token_hash=hash_token(token))
        .first()
    )


@transaction.atomic
def submit_evaluation(*, token: str, version: EvaluationFormVersion, answers: Mapping[str, Any]) -> EvaluationAnswer:
    """Spend a one-time link and store the answer with no way back to the person.

    The answer shares no key and no time with the token (it keeps only its month), and
    no audit entry is written: one with a time and a session would be the very link this
    design avoids. Row metadata must not link them either (PostgreSQL keeps the writing
    transaction's id in ``xmin``, and rows sit in the order they were written):

    * the spent token is deleted, not updated, so no live token row carries the id of
      the transaction that stored the answer;
    * the answer waits unreleased; when a full group of the threshold is in, the group is
      written again in one go, in shuffled order with fresh random keys, and the waiting
      rows are deleted, so published answers share one ``xmin`` and their physical order
      and ids follow nobody's arrival.

    A handful of statements, one transaction. Residual risk: deleted rows stay on disk
    until PostgreSQL vacuums them, and a waiting answer's ``xmin`` is its own
    transaction's until its group is complete. The returned answer is the one written
    here; if it completed a group it has been rewritten under a new key.
    """
    spent = EvaluationToken.objects.select_for_update().filter(token_hash=hash_token(token), used=False).first()
    if spent is None:
        raise DeliveryError("This evaluation link has already been used or is not valid.")
    session_id = spent.session_id
    spent.delete()
    answer = EvaluationAnswer.objects.create(session_id=session_id, form_version=version, **answers)
    _release_if_enough(session_id)
    return answer


def _release_if_enough(session_id: int) -> None:
    """Publish the waiting answers of a session once there are enough of them to hide in."""
    pending = list(EvaluationAnswer.objects.select_for_update().filter(session_id=session_id, release__isnull=True))
    if len(pending) < settings.EVALUATION_RESULTS_THRESHOLD:
        return
    last = EvaluationAnswer.objects.filter(session_id=session_id).aggregate(last=Max("release"))["last"] or 0
    EvaluationAnswer.objects.filter(pk__in=[a.pk for a in pending]).delete()
    random.SystemRandom().shuffle(pending)
    for answer in pending:
        answer.pk = uuid.uuid4()
        answer.release = last + 1
    EvaluationAnswer.objects.bulk_create(pending)


@transaction.atomic
def publish_form_version(*, actor: Any, fields: Mapping[str, str]) -> EvaluationFormVersion:
    """Save the form's wording as a new version; answers already given keep the old one."""
    current = EvaluationFormVersion.current()
    version = EvaluationFormVersion.objects.create(number=current.number + 1, created_by=actor, **fields)
    audit.record(
        action="saferwork.delivery.evaluation_form_changed",
        actor=actor,
        target=version,
        data={"from_version": current.number, "to_version": version.number},
    )
    return version


# ---------------------------------------------------------------- follow-up


@transaction.atomic
def request_follow_up(*, organisation: Any, actor: Any, topics: str, session: Session | None = None) -> FollowUpRequest:
    from saferwork.training.services import add_enquiry_note

    delivered = (
        Session.objects.filter(organisation=organisation, attendance_record__isnull=False)
        .select_related("enquiry")
        .order_by("-date", "-id")
        .first()
    )
    session = session or delivered
    follow_up = FollowUpRequest.objects.create(
        organisation=organisation, requested_by=actor, topics=topics, session=session
    )
    if session is not None:
        # So it shows on the booking in the programme's triage board, where admins work.
        add_enquiry_note(enquiry=session.enquiry, text=f"Follow-up conversation requested: {topics}", actor=actor)
    audit.record(
        action="saferwork.delivery.follow_up_requested",
        actor=actor,
        organisation=organisation,
        target=follow_up,
        data={},
    )
    return follow_up


@transaction.atomic
def set_follow_up_state(*, follow_up: FollowUpRequest, state: str, actor: Any) -> FollowUpRequest:
    previous = follow_up.state
    follow_up.state = state
    follow_up.save(update_fields=["state"])
    audit.record(
        action="saferwork.delivery.follow_up_state_changed",
        actor=actor,
        organisation=follow_up.organisation,
        target=follow_up,
        data={"from": previous, "to": state},
    )
    return follow_up
