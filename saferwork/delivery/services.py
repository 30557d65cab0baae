"""Writes after a session: attendance, evaluation links and answers, the form's versions, badges."""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Max, Sum
from django.utils import timezone

from saferwork.audit import services as audit
from saferwork.delivery.models import (
    TALLIED_FIELDS,
    Attendance,
    EvaluationAnswer,
    EvaluationFormVersion,
    EvaluationTally,
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


_ANSWER_COLUMNS = [
    "id",
    "session_id",
    "form_version_id",
    "month",
    *TALLIED_FIELDS,
    "free_text",
]


def _spend_and_store_in_one_statement(
    token: str, version: EvaluationFormVersion, answers: Mapping[str, Any]
) -> tuple[EvaluationAnswer, int] | None:
    """PostgreSQL: spend the link and insert the answer in one statement (its own transaction),
    then count the session's waiting answers, in one round trip.

    ``DELETE … RETURNING`` inside the ``INSERT``'s ``WITH`` both checks and spends the
    link: the answer is inserted only if a row came back, and two requests with the same
    link cannot both get one (the second waits for the first's row lock, then finds the
    row gone). One round trip, one commit. Returns the answer and how many of its
    session's answers wait (0 if a concurrent release took it already), or None.
    """
    answer = EvaluationAnswer(form_version=version, **answers)  # the defaults: a random key, the month
    tokens = connection.ops.quote_name(EvaluationToken._meta.db_table)
    table = connection.ops.quote_name(EvaluationAnswer._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _ANSWER_COLUMNS)
    values = [getattr(answer, c) for c in _ANSWER_COLUMNS if c != "session_id"]
    placeholders = ", ".join("spent.session_id" if c == "session_id" else "%s" for c in _ANSWER_COLUMNS)
    # Outside a transaction the answer is committed before the count starts (``COMMIT``
    # inside one simple query ends its implicit transaction), so the count sees every
    # answer committed before this one's, as a separate statement would; inside a
    # caller's transaction both run in it.
    own_transaction = connection.get_autocommit() and not connection.in_atomic_block
    store = (
        f"WITH spent AS (DELETE FROM {tokens} WHERE token_hash = %s AND NOT used RETURNING session_id) "  # noqa: S608
        f"INSERT INTO {table} ({columns}) SELECT {placeholders} FROM spent RETURNING session_id; "
    )
    count = f"SELECT COUNT(*) FROM {table} WHERE release IS NULL AND session_id = (SELECT session_id FROM {table} WHERE id = %s)"  # noqa: S608, E501
    with connection.cursor() as cursor:
        cursor.execute(store + ("COMMIT; " if own_transaction else "") + count, [hash_token(token), *values, answer.id])
        row = cursor.fetchone()
        if own_transaction:
            cursor.nextset()  # the COMMIT's (empty) result
        cursor.nextset()
        (waiting,) = cursor.fetchone()
    if row is None:
        return None
    answer.session_id = int(row[0])
    answer._state.adding = False
    return answer, int(waiting)


@transaction.atomic
def _spend_and_store(token: str, version: EvaluationFormVersion, answers: Mapping[str, Any]) -> Any:
    """Other databases: ``DELETE … RETURNING`` then the ``INSERT``, in one transaction."""
    table = connection.ops.quote_name(EvaluationToken._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE token_hash = %s AND NOT used RETURNING session_id",  # noqa: S608
            [hash_token(token)],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return EvaluationAnswer.objects.create(session_id=int(row[0]), form_version=version, **answers)


def submit_evaluation(*, token: str, version: EvaluationFormVersion, answers: Mapping[str, Any]) -> EvaluationAnswer:
    """Spend a one-time link and store the answer with no way back to the person.

    The answer shares no key and no time with the token (it keeps only its month), and
    no audit entry is written: one with a time and a session would be the very link this
    design avoids. Row metadata must not link them either (PostgreSQL keeps the writing
    transaction's id in ``xmin``, and rows sit in the order they were written):

    * the spent token is deleted, not updated, so no live token row carries the id of
      the transaction that stored the answer;
    * the answer waits unreleased; when a full group of the threshold is in, the group is
      written again in one go (its own transaction), in shuffled order with fresh random
      keys, and the waiting rows are deleted, so published answers share one ``xmin`` and
      their physical order and ids follow nobody's arrival.

    One round trip in the usual case on PostgreSQL: the link spent and the answer stored
    in one statement, ``COMMIT``, then a count of the session's waiting answers, sent as
    one query; a second, when the count says a group is full, releases it
    (``_release_in_one_statement``). The count is taken after the answer is committed,
    so whichever answer of a group commits last sees the whole group; the release locks
    the waiting rows and counts the ones it locked, so two answers that both see a full
    group release it once. Residual risk: deleted rows stay
    on disk until PostgreSQL vacuums them, and a waiting answer's ``xmin`` is its own
    transaction's until its group is complete. The returned answer is the one written
    here; if it completed a group it has been rewritten under a new key.
    """
    if connection.vendor == "postgresql":
        stored = _spend_and_store_in_one_statement(token, version, answers)
        if stored is None:
            raise DeliveryError("This evaluation link has already been used or is not valid.")
        answer, waiting = stored
        if waiting >= settings.EVALUATION_RESULTS_THRESHOLD:
            _release_in_one_statement(answer.session_id)
        return answer
    answer = _spend_and_store(token, version, answers)
    if answer is None:
        raise DeliveryError("This evaluation link has already been used or is not valid.")
    unreleased = EvaluationAnswer.objects.filter(session_id=answer.session_id, release__isnull=True)
    if unreleased.count() >= settings.EVALUATION_RESULTS_THRESHOLD:
        _release_if_enough(answer.session_id)
    return answer


def _release_in_one_statement(session_id: int) -> None:
    """PostgreSQL: ``_release_if_enough`` as one statement (its own transaction, one round trip).

    ``waiting`` counts the session's waiting answers again; only when there are enough are
    they locked (``locked``; with fewer the scan does not run). In READ COMMITTED a row
    deleted by a concurrent release while this statement waited for its lock drops out
    of ``locked``, so the group is deleted and rewritten only if
    the rows this statement holds are a full group themselves. ``stored`` writes them
    again in an order drawn from ``gen_random_uuid()`` (the server's strong random source)
    under fresh random keys, all in this one transaction (one ``xmin``); the last part
    adds them to the session's counters. The release number is one more than the
    session's highest as this statement's snapshot saw it: two groups released at the
    same instant may share a number, each still a full group.
    """
    table = connection.ops.quote_name(EvaluationAnswer._meta.db_table)
    tallies = connection.ops.quote_name(EvaluationTally._meta.db_table)
    kept = ["session_id", "form_version_id", "month", *TALLIED_FIELDS, "free_text"]
    columns = ", ".join(kept)
    sums = ", ".join(f"SUM({name})" for name in TALLIED_FIELDS)
    added = ", ".join(f"{name} = {tallies}.{name} + EXCLUDED.{name}" for name in ["answers", *TALLIED_FIELDS])
    sql = f"""
        WITH waiting AS (
            SELECT COUNT(*) AS n FROM {table} WHERE session_id = %(session)s AND release IS NULL
        ), locked AS (
            SELECT id FROM {table}
            WHERE session_id = %(session)s AND release IS NULL AND (SELECT n FROM waiting) >= %(threshold)s
            FOR UPDATE
        ), gone AS (
            DELETE FROM {table}
            WHERE id IN (SELECT id FROM locked) AND (SELECT COUNT(*) FROM locked) >= %(threshold)s
            RETURNING {columns}
        ), stored AS (
            INSERT INTO {table} (id, {columns}, release)
            SELECT gen_random_uuid(), {columns},
                (SELECT COALESCE(MAX(release), 0) + 1 FROM {table} WHERE session_id = %(session)s)
            FROM gone ORDER BY gen_random_uuid()
            RETURNING {columns}
        )
        INSERT INTO {tallies} (session_id, form_version_id, answers, {", ".join(TALLIED_FIELDS)})
        SELECT session_id, form_version_id, COUNT(*), {sums} FROM stored GROUP BY session_id, form_version_id
        ON CONFLICT (session_id, form_version_id) DO UPDATE SET {added}
    """  # noqa: S608
    params = {"session": session_id, "threshold": settings.EVALUATION_RESULTS_THRESHOLD}
    if connection.get_autocommit() and not connection.in_atomic_block:
        # One statement in autocommit is its own transaction: no BEGIN and COMMIT round trips.
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        return
    # atomic: its own transaction even inside a caller's (a savepoint there), so the
    # published rows and the counters never carry the transaction of a waiting answer.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@transaction.atomic
def _release_if_enough(session_id: int) -> None:
    """Publish the waiting answers of a session once there are enough of them to hide in.

    The waiting rows are locked first: a concurrent release of the same group waits,
    then finds them gone and too few left.
    """
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
    _add_to_tallies(pending)


def _add_to_tallies(released: list[EvaluationAnswer]) -> None:
    """Add a released group to its session's counters (one row per form version)."""
    groups: dict[tuple[int, int], list[EvaluationAnswer]] = {}
    for answer in released:
        groups.setdefault((answer.session_id, answer.form_version_id), []).append(answer)
    for (session_id, version_id), answers in groups.items():
        tally, _ = EvaluationTally.objects.select_for_update().get_or_create(
            session_id=session_id, form_version_id=version_id
        )
        EvaluationTally.objects.filter(pk=tally.pk).update(
            answers=F("answers") + len(answers),
            **{name: F(name) + sum(getattr(a, name) for a in answers) for name in TALLIED_FIELDS},
        )


@transaction.atomic
def rebuild_evaluation_tallies() -> int:
    """Recount every session's tallies from its released answers (after a bulk import); returns rows."""
    EvaluationTally.objects.all().delete()
    rows = (
        EvaluationAnswer.objects.filter(release__isnull=False)
        .order_by()
        .values("session_id", "form_version_id")
        .annotate(n=Count("id"), **{f"sum_{name}": Sum(name) for name in TALLIED_FIELDS})
    )
    tallies = [
        EvaluationTally(
            session_id=row["session_id"],
            form_version_id=row["form_version_id"],
            answers=row["n"],
            **{name: row[f"sum_{name}"] for name in TALLIED_FIELDS},
        )
        for row in rows
    ]
    EvaluationTally.objects.bulk_create(tallies, batch_size=2000)
    return len(tallies)


@transaction.atomic
def publish_form_version(*, actor: Any, fields: Mapping[str, str]) -> EvaluationFormVersion:
    """Save the form's wording as a new version; answers already given keep the old one."""
    current = EvaluationFormVersion.current()
    version = EvaluationFormVersion.objects.create(number=current.number + 1, created_by=actor, **fields)
    transaction.on_commit(EvaluationFormVersion.forget_cached)
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
