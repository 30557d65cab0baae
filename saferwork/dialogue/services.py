"""Writes for leadership dialogue. Each change and its audit entry commit together.

What is not audited, and why: a participant writing, changing or deleting their own
action plan items. The plan is their notebook; an audit row "Alex changed their plan at
14:02" would tell the readers of the log what the plan is kept from (and, next to the
actions hub's log, when an anonymous action came from whom). Sharing an item with a coach
is audited (it changes who can read it), without its words.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from saferwork.actions import sources
from saferwork.actions.models import Action
from saferwork.actions.selectors import today_for
from saferwork.audit import services as audit
from saferwork.dialogue import selectors
from saferwork.dialogue.models import (
    NOTE_TEXT_MAX,
    PLAN_TEXT_MAX,
    Attendance,
    Coach,
    CoachingNote,
    CoachingSlot,
    CoachMatch,
    Cohort,
    CohortMember,
    CohortSession,
    PendingPromotion,
    PlanItem,
    Post,
    PostReport,
    Thread,
)
from saferwork.organisations.models import Organisation

SOURCE_KIND = "dialogue_plan"
# The one reference every promoted action carries: it names the kind of source, never a
# person, a plan item or a cohort (the actions app insists on a reference it can check).
ANONYMOUS_REF = "anonymous"
# A promotion waits until the organisation has at least this many, or this many days pass.
PROMOTION_BATCH = 3
PROMOTION_LONGEST_WAIT_DAYS = 14


class DialogueError(Exception):
    """A change that cannot be made, in words for the person who asked."""


def _record(
    what: str, *, actor: Any, organisation: Organisation, target: Any = None, data: dict[str, Any] | None = None
) -> None:
    audit.record(action=f"saferwork.dialogue.{what}", actor=actor, organisation=organisation, target=target, data=data)


# ---------------------------------------------------------------- cohorts


@transaction.atomic
def create_cohort(*, organisation: Organisation, name: str, description: str, facilitator: Any, actor: Any) -> Cohort:
    """A new cohort; its facilitator (optional) must be a member of the organisation."""
    if facilitator is not None and not selectors.possible_members(organisation).filter(pk=facilitator.pk).exists():
        raise DialogueError("The facilitator must be a member of this organisation")
    cohort = Cohort.objects.create(
        organisation=organisation, name=name, description=description, facilitator=facilitator
    )
    _record("cohort_created", actor=actor, organisation=organisation, target=cohort)
    return cohort


@transaction.atomic
def add_member(
    *, cohort: Cohort, user: Any, position: str, managed_by: CohortMember | None, actor: Any
) -> tuple[CohortMember, list[str]]:
    """Add a person to the cohort; returns them and any power-dynamics concern their arrival raises."""
    if not selectors.possible_members(cohort.organisation).filter(pk=user.pk).exists():
        raise DialogueError("Only members of this organisation can join a cohort")
    if managed_by is not None and managed_by.cohort_id != cohort.pk:
        raise DialogueError("Select a line manager from this cohort")
    before = set(selectors.cohort_warnings(cohort))
    member, created = CohortMember.objects.get_or_create(
        cohort=cohort,
        user=user,
        defaults={"organisation": cohort.organisation, "position": position, "managed_by": managed_by},
    )
    if not created:
        if member.status == CohortMember.Status.CONFIRMED:
            raise DialogueError("That person is already in this cohort")
        member.status, member.position, member.managed_by = CohortMember.Status.CONFIRMED, position, managed_by
        member.save(update_fields=["status", "position", "managed_by"])
    _record("member_added", actor=actor, organisation=cohort.organisation, target=cohort, data={"member": member.pk})
    return member, [w for w in selectors.cohort_warnings(cohort) if w not in before]


@transaction.atomic
def withdraw_member(*, member: CohortMember, actor: Any) -> CohortMember:
    member.status = CohortMember.Status.WITHDRAWN
    member.save(update_fields=["status"])
    _record(
        "member_withdrawn",
        actor=actor,
        organisation=member.organisation,
        target=member.cohort,
        data={"member": member.pk},
    )
    return member


@dataclass
class SessionDetails:
    title: str
    date: dt.date
    start_time: dt.time
    end_time: dt.time
    mode: str
    meeting_link: str = ""
    venue: str = ""
    pre_reading: str = ""
    pre_reading_link: str = ""
    prompts: str = ""


# A change to any of these moves the calendar entry: the invite goes again with a higher SEQUENCE.
CALENDAR_FIELDS = ("title", "date", "start_time", "end_time", "mode", "meeting_link", "venue")


def _check_session(details: SessionDetails) -> None:
    if details.end_time <= details.start_time:
        raise DialogueError("The session must end after it starts")
    if details.mode == "online" and not details.meeting_link:
        raise DialogueError("Enter the meeting link for an online session")
    if details.mode == "in_person" and not details.venue:
        raise DialogueError("Enter the venue for an in-person session")


@transaction.atomic
def schedule_session(*, cohort: Cohort, details: SessionDetails, actor: Any) -> CohortSession:
    """A new live session; the cohort's people get its invite (SEQUENCE 0)."""
    _check_session(details)
    session = CohortSession.objects.create(organisation=cohort.organisation, cohort=cohort, **details.__dict__)
    _record("session_scheduled", actor=actor, organisation=cohort.organisation, target=session)
    _send_invite(session)
    return session


@transaction.atomic
def update_session(*, session: CohortSession, details: SessionDetails, actor: Any) -> CohortSession:
    """Change a session. When it moves (time, place, title), its SEQUENCE rises and the
    invite goes again with the same UID, so calendars update the entry they hold."""
    _check_session(details)
    changed = [name for name, value in details.__dict__.items() if getattr(session, name) != value]
    if not changed:
        return session
    for name in changed:
        setattr(session, name, getattr(details, name))
    moved = any(name in CALENDAR_FIELDS for name in changed)
    if moved:
        session.ics_sequence += 1
    session.save()
    _record(
        "session_changed",
        actor=actor,
        organisation=session.organisation,
        target=session,
        data={"changed": changed, "sequence": session.ics_sequence},
    )
    if moved:
        _send_invite(session)
    return session


@transaction.atomic
def cancel_session(*, session: CohortSession, actor: Any) -> CohortSession:
    """Cancel: METHOD:CANCEL with the same UID and a higher SEQUENCE removes it from calendars."""
    if session.is_cancelled:
        return session
    session.status = CohortSession.Status.CANCELLED
    session.ics_sequence += 1
    session.save(update_fields=["status", "ics_sequence"])
    _record(
        "session_cancelled",
        actor=actor,
        organisation=session.organisation,
        target=session,
        data={"sequence": session.ics_sequence},
    )
    _send_invite(session)
    return session


def _send_invite(session: CohortSession) -> None:
    from saferwork.lib.email import queue_email

    queue_email("dialogue.session_invite", ids=[session.pk])


@transaction.atomic
def record_attendance(*, session: CohortSession, attended: set[int], actor: Any) -> int:
    """Mark who came (member ids); everyone else in the cohort is marked absent. Returns how many came."""
    members = selectors.cohort_members(session.cohort)
    Attendance.objects.filter(session=session).delete()
    Attendance.objects.bulk_create(
        Attendance(organisation=session.organisation, session=session, member=m, attended=m.pk in attended)
        for m in members
    )
    came = sum(1 for m in members if m.pk in attended)
    # The count is of people: the audit entry says attendance was recorded, not who came.
    _record("attendance_recorded", actor=actor, organisation=session.organisation, target=session)
    return came


# ---------------------------------------------------------------- action plans


def _plan_values(what: str, due_on: dt.date, how: str, done: bool) -> dict[str, Any]:
    if not what.strip():
        raise DialogueError("Enter what you will do")
    if len(what) > PLAN_TEXT_MAX or len(how) > PLAN_TEXT_MAX:
        raise DialogueError(f"Each answer must be {PLAN_TEXT_MAX} characters or fewer")
    return {"what": what.strip(), "due_on": due_on.isoformat(), "how": how.strip(), "done": done}


@transaction.atomic
def add_plan_item(*, organisation: Organisation, owner: Any, what: str, due_on: dt.date, how: str) -> PlanItem:
    """A new private item in the owner's action plan, sealed at rest. Not audited (see the module docstring)."""
    item = PlanItem(organisation=organisation, owner=owner)
    item.seal(_plan_values(what, due_on, how, False))
    item.save()
    return item


@transaction.atomic
def update_plan_item(*, item: PlanItem, what: str, due_on: dt.date, how: str, done: bool) -> PlanItem:
    item.seal(_plan_values(what, due_on, how, done))
    item.forget()
    item.save(update_fields=["sealed"])
    return item


@transaction.atomic
def delete_plan_item(*, item: PlanItem) -> None:
    item.delete()


@transaction.atomic
def share_plan_item(*, item: PlanItem, coach: Coach | None, actor: Any) -> PlanItem:
    """Share the item with the owner's own coach, or stop sharing (``coach=None``)."""
    if coach is not None:
        match = CoachMatch.objects.filter(organisation=item.organisation, participant=item.owner, coach=coach).first()
        if match is None:
            raise DialogueError("You can share an action only with your own coach")
    if item.shared_with_id == (coach.pk if coach else None):
        return item
    item.shared_with = coach
    item.save(update_fields=["shared_with"])
    _record(
        "plan_item_shared" if coach else "plan_item_unshared",
        actor=actor,
        organisation=item.organisation,
        target=item,
        data={"coach": coach.pk} if coach else {},
    )
    return item


@transaction.atomic
def promote_plan_item(*, item: PlanItem) -> PendingPromotion:
    """Send an anonymous copy of the item towards the organisation's actions hub.

    Nothing written here names the person: the waiting row holds the organisation, the
    day and the sealed words; no audit entry is written now (one written now would carry
    the participant as actor and the exact time). The action itself is made later, in a
    batch, by :func:`fold_promotions`.
    """
    if item.promoted:
        raise DialogueError("You have already shared this action with the organisation")
    values = item.values
    pending = PendingPromotion(organisation=item.organisation, day=today_for(item.organisation))
    pending.seal({"title": values["what"], "how": values.get("how", ""), "due_on": values["due_on"]})
    pending.save()
    item.promoted = True
    item.save(update_fields=["promoted"])
    return pending


def _ready_to_fold(days: list[dt.date], today: dt.date) -> bool:
    return len(days) >= PROMOTION_BATCH or min(days) <= today - dt.timedelta(days=PROMOTION_LONGEST_WAIT_DAYS)


@transaction.atomic
def fold_promotions(*, today: dt.date | None = None) -> int:
    """Turn waiting promotions into actions in the hub, a batch at a time. Returns how many.

    Why a batch, later, shuffled (DESIGN.md, "Metadata is data"): an action that appeared
    the moment a participant pressed the button would be dated to that second and sit next
    to their other activity in the log and the table order; in a cohort of eight the time
    alone could tell who. So a promotion waits at least until the next day, and until the
    organisation has :data:`PROMOTION_BATCH` of them (or
    :data:`PROMOTION_LONGEST_WAIT_DAYS` pass, so that a lone one is not held for ever);
    then the whole batch is written at once, in random order, each action dated to midnight
    of the fold's day, with no owner, no creator, the one reference ``"anonymous"``, and an
    audit entry with no actor.

    Residual risk, by design: a lone promotion released after the longest wait is still
    dated to that day; until the fold, PostgreSQL's system columns of the waiting row and
    of the participant's plan item share a transaction; the words themselves may say who.
    """
    rng = random.SystemRandom()
    made = 0
    pending = list(PendingPromotion.objects.select_for_update().select_related("organisation"))
    by_organisation: dict[int, list[PendingPromotion]] = {}
    for row in pending:
        by_organisation.setdefault(row.organisation_id, []).append(row)
    for rows in by_organisation.values():
        organisation = rows[0].organisation
        day = today or today_for(organisation)
        due = [row for row in rows if row.day < day]
        if not due or not _ready_to_fold([row.day for row in due], day):
            continue
        rng.shuffle(due)
        midnight = dt.datetime.combine(day, dt.time.min, tzinfo=zoneinfo.ZoneInfo(organisation.time_zone))
        source = sources.resolve(organisation, SOURCE_KIND, ANONYMOUS_REF)
        for row in due:
            values = row.values
            action = Action.objects.create(
                organisation=organisation,
                title=values["title"][:200],
                description=(f"How we will know it worked: {values['how']}" if values.get("how") else ""),
                owner=None,
                created_by=None,
                due_on=dt.date.fromisoformat(values["due_on"]),
                source_kind=SOURCE_KIND,
                source_ref=ANONYMOUS_REF,
                source_label=source.label,
            )
            Action.objects.filter(pk=action.pk).update(created_at=midnight, updated_at=midnight)
            entry = audit.record(
                action="saferwork.action.created",
                actor=None,
                organisation=organisation,
                target=action,
                data={"source_kind": SOURCE_KIND, "anonymous": True, "dated": "day only"},
            )
            type(entry).objects.filter(pk=entry.pk).update(created_at=midnight)
            made += 1
        PendingPromotion.objects.filter(pk__in=[row.pk for row in due]).delete()
    return made


def describe_for_actions(organisation: Organisation, ref: str) -> sources.Source | None:
    """The actions hub's description of a promoted action's source: the same for every one."""
    if ref != ANONYMOUS_REF:
        return None
    return sources.Source(label="A leadership dialogue participant's action plan (shared anonymously)")


# ---------------------------------------------------------------- coaching


@transaction.atomic
def make_coach(*, organisation: Organisation, user: Any, actor: Any) -> Coach:
    """Set the coach flag on a member (or turn it back on)."""
    if not selectors.possible_members(organisation).filter(pk=user.pk).exists():
        raise DialogueError("Only members of this organisation can coach")
    coach, created = Coach.objects.get_or_create(organisation=organisation, user=user)
    if not created and not coach.active:
        coach.active = True
        coach.save(update_fields=["active"])
    _record("coach_added", actor=actor, organisation=organisation, target=coach)
    return coach


@transaction.atomic
def stop_coaching(*, coach: Coach, actor: Any) -> Coach:
    coach.active = False
    coach.save(update_fields=["active"])
    CoachMatch.objects.filter(coach=coach).delete()
    _record("coach_removed", actor=actor, organisation=coach.organisation, target=coach)
    return coach


@transaction.atomic
def match_coach(*, coach: Coach, participant: Any, actor: Any) -> CoachMatch:
    """Match a participant to a coach (replacing an earlier match)."""
    if not coach.active:
        raise DialogueError("That coach is not coaching at the moment")
    if coach.user_id == participant.pk:
        raise DialogueError("A coach cannot coach themselves")
    if not selectors.possible_members(coach.organisation).filter(pk=participant.pk).exists():
        raise DialogueError("Only members of this organisation can be coached")
    match, _ = CoachMatch.objects.update_or_create(
        organisation=coach.organisation, participant=participant, defaults={"coach": coach}
    )
    # Items shared with an earlier coach stop being readable by them.
    PlanItem.objects.filter(organisation=coach.organisation, owner=participant).exclude(shared_with=coach).update(
        shared_with=None
    )
    _record(
        "coach_matched",
        actor=actor,
        organisation=coach.organisation,
        target=coach,
        data={"participant": participant.pk},
    )
    return match


@transaction.atomic
def offer_slot(*, coach: Coach, starts_at: dt.datetime, ends_at: dt.datetime, where: str, actor: Any) -> CoachingSlot:
    if ends_at <= starts_at:
        raise DialogueError("The session must end after it starts")
    if starts_at <= timezone.now():
        raise DialogueError("The session must start in the future")
    slot = CoachingSlot.objects.create(
        organisation=coach.organisation, coach=coach, starts_at=starts_at, ends_at=ends_at, where=where
    )
    _record("slot_offered", actor=actor, organisation=coach.organisation, target=slot)
    return slot


@transaction.atomic
def book_slot(*, slot: CoachingSlot, participant: Any) -> CoachingSlot:
    """Book a free slot of one's own coach; both get the invite."""
    locked = CoachingSlot.objects.select_for_update().get(pk=slot.pk)
    if locked.booked_by_id or locked.cancelled:
        raise DialogueError("Someone else has just booked that time. Choose another")
    slot.booked_by = participant
    slot.ics_sequence = locked.ics_sequence + 1
    slot.save(update_fields=["booked_by", "ics_sequence"])
    _record("slot_booked", actor=participant, organisation=slot.organisation, target=slot)
    _slot_email(slot)
    return slot


@transaction.atomic
def cancel_booking(*, slot: CoachingSlot, actor: Any) -> CoachingSlot:
    """The participant gives the time back, or the coach cancels it: a CANCEL with a higher SEQUENCE."""
    if slot.booked_by_id is None and slot.cancelled:
        return slot
    booked_by = slot.booked_by_id
    slot.ics_sequence += 1
    if actor.pk == slot.coach.user_id:
        slot.cancelled = True
    slot.save(update_fields=["ics_sequence", "cancelled"])
    _record("slot_cancelled", actor=actor, organisation=slot.organisation, target=slot)
    if booked_by:
        from saferwork.lib.email import queue_email

        queue_email("dialogue.slot_cancelled", ids=[slot.pk, booked_by])
    if actor.pk != slot.coach.user_id:
        slot.booked_by = None
        slot.save(update_fields=["booked_by"])
    return slot


def _slot_email(slot: CoachingSlot) -> None:
    from saferwork.lib.email import queue_email

    queue_email("dialogue.slot_booked", ids=[slot.pk])


@transaction.atomic
def save_note(*, slot: CoachingSlot, coach: Coach, text: str) -> CoachingNote:
    """Keep the coach's note on a session, sealed. The audit entry says a note was saved, never what."""
    if slot.coach_id != coach.pk:
        raise DialogueError("Only the coach of this session can keep notes on it")
    if len(text) > NOTE_TEXT_MAX:
        raise DialogueError(f"Notes must be {NOTE_TEXT_MAX} characters or fewer")
    note = CoachingNote.objects.filter(slot=slot).first() or CoachingNote(
        organisation=slot.organisation, slot=slot, coach=coach
    )
    note.seal({"text": text})
    note.forget()
    note.save()
    _record("coaching_note_saved", actor=coach.user, organisation=slot.organisation, target=slot)
    return note


# ---------------------------------------------------------------- community of practice


@transaction.atomic
def start_thread(*, space: selectors.SpaceAccess, author: Any, title: str, body: str) -> Thread:
    thread = Thread.objects.create(organisation=space.organisation, cohort=space.cohort, title=title, author=author)
    Post.objects.create(organisation=space.organisation, thread=thread, author=author, body=body)
    _record("thread_started", actor=author, organisation=space.organisation, target=thread)
    return thread


@transaction.atomic
def reply(*, thread: Thread, author: Any, body: str) -> Post:
    post = Post.objects.create(organisation=thread.organisation, thread=thread, author=author, body=body)
    _record("post_added", actor=author, organisation=thread.organisation, target=post)
    return post


@transaction.atomic
def report_post(*, post: Post, reporter: Any, reason: str) -> PostReport:
    """Ask the space's moderators to look at a post."""
    report = PostReport.objects.create(organisation=post.organisation, post=post, reported_by=reporter, reason=reason)
    _record("post_reported", actor=reporter, organisation=post.organisation, target=post, data={"reason": reason[:300]})
    return report


@transaction.atomic
def hide_post(*, post: Post, moderator: Any, reason: str) -> Post:
    """Hide a post from everyone but the moderators, with the reason; open reports on it are settled."""
    if not reason.strip():
        raise DialogueError("Enter why you are hiding this post")
    post.hidden, post.hidden_reason = True, reason.strip()[:300]
    post.save(update_fields=["hidden", "hidden_reason"])
    post.reports.filter(resolved=False).update(resolved=True)
    _record(
        "post_hidden", actor=moderator, organisation=post.organisation, target=post, data={"reason": post.hidden_reason}
    )
    return post


@transaction.atomic
def restore_post(*, post: Post, moderator: Any, reason: str) -> Post:
    if not reason.strip():
        raise DialogueError("Enter why you are restoring this post")
    post.hidden, post.hidden_reason = False, ""
    post.save(update_fields=["hidden", "hidden_reason"])
    post.reports.filter(resolved=False).update(resolved=True)
    _record(
        "post_restored",
        actor=moderator,
        organisation=post.organisation,
        target=post,
        data={"reason": reason.strip()[:300]},
    )
    return post


@transaction.atomic
def dismiss_report(*, report: PostReport, moderator: Any, reason: str) -> PostReport:
    report.resolved = True
    report.save(update_fields=["resolved"])
    _record(
        "post_report_dismissed",
        actor=moderator,
        organisation=report.organisation,
        target=report.post,
        data={"reason": reason.strip()[:300]},
    )
    return report
