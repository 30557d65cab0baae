"""Writes for trainer recruitment. Each use case is one atomic function with an audit entry."""

from __future__ import annotations

import calendar
import hashlib
import secrets
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from saferwork.accounts import services as account_services
from saferwork.accounts.models import User
from saferwork.audit import services as audit
from saferwork.lib.email import queue_email
from saferwork.organisations.models import Organisation
from saferwork.recruitment.models import (
    SCORE_MAX,
    SCORE_MIN,
    Application,
    Appointment,
    Conflict,
    Criterion,
    Interview,
    InterviewSlot,
    Moderation,
    Panellist,
    Round,
    RoundCount,
    Score,
    ScoreSheet,
    Stage,
)

S = Application.Status


class RecruitmentError(Exception):
    """A request the rules do not allow; the message is shown to the person."""


def word_count(text: str) -> int:
    """Words as GOV.UK Frontend's character count counts them: runs of non-space."""
    return len(text.split())


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


# ---------------------------------------------------------------- rounds and panel


@transaction.atomic
def create_round(*, organisation: Organisation, by: User, **fields: Any) -> Round:
    """Open a recruitment round for the programme host."""
    if not organisation.is_programme_host:
        raise RecruitmentError("Only the programme host runs trainer recruitment.")
    round_ = Round.objects.create(organisation=organisation, created_by=by, **fields)
    audit.record(action="saferwork.recruitment.round_created", actor=by, organisation=organisation, target=round_)
    return round_


@transaction.atomic
def update_round(*, round_: Round, by: User, **fields: Any) -> Round:
    for name, value in fields.items():
        setattr(round_, name, value)
    round_.save()
    audit.record(
        action="saferwork.recruitment.round_updated",
        actor=by,
        organisation=round_.organisation,
        target=round_,
        data={"fields": sorted(fields)},
    )
    return round_


@transaction.atomic
def add_criterion(*, round_: Round, by: User, **fields: Any) -> Criterion:
    """Add a rubric line. Refused once anyone has scored at that stage: totals would shift."""
    stage = fields.get("stage", Stage.SHORTLISTING)
    if _rubric_frozen(round_, stage):
        raise RecruitmentError("Scoring has started at this stage: the rubric can no longer change.")
    fields.setdefault("position", round_.criteria.filter(stage=stage).count() + 1)
    criterion = Criterion.objects.create(round=round_, **fields)
    audit.record(
        action="saferwork.recruitment.criterion_added",
        actor=by,
        organisation=round_.organisation,
        target=criterion,
        data={"stage": stage, "weight": criterion.weight},
    )
    return criterion


def _rubric_frozen(round_: Round, stage: str) -> bool:
    return ScoreSheet.objects.filter(application__round=round_, stage=stage).exists()


@transaction.atomic
def update_criterion(*, criterion: Criterion, by: User, **fields: Any) -> Criterion:
    """Change a rubric line, until anyone scores at its stage (old or new)."""
    round_ = criterion.round
    if _rubric_frozen(round_, criterion.stage) or _rubric_frozen(round_, fields.get("stage", criterion.stage)):
        raise RecruitmentError("Scoring has started at this stage: the rubric can no longer change.")
    for name, value in fields.items():
        setattr(criterion, name, value)
    criterion.save()
    audit.record(
        action="saferwork.recruitment.criterion_updated",
        actor=by,
        organisation=round_.organisation,
        target=criterion,
        data={"fields": sorted(fields)},
    )
    return criterion


@transaction.atomic
def remove_criterion(*, criterion: Criterion, by: User) -> None:
    round_ = criterion.round
    if _rubric_frozen(round_, criterion.stage):
        raise RecruitmentError("Scoring has started at this stage: the rubric can no longer change.")
    audit.record(
        action="saferwork.recruitment.criterion_removed", actor=by, organisation=round_.organisation, target=criterion
    )
    criterion.delete()


@transaction.atomic
def add_staff_panellist(*, round_: Round, user: User, by: User) -> Panellist:
    """Seat a member of the programme host's staff on the panel."""
    if not user.memberships.filter(organisation=round_.organisation).exists():
        raise RecruitmentError("Programme staff must be members of the programme host.")
    panellist, _ = Panellist.objects.get_or_create(round=round_, user=user, defaults={"kind": Panellist.Kind.STAFF})
    audit.record(
        action="saferwork.recruitment.panellist_added",
        actor=by,
        organisation=round_.organisation,
        target=panellist,
        data={"kind": panellist.kind},
    )
    return panellist


@transaction.atomic
def add_expert(*, round_: Round, email: str, full_name: str, by: User) -> Panellist:
    """Seat an independent expert: an account with no membership, reaching this round only.

    A new expert gets a single-use link to set a password (Django's reset token, void once
    used); the second-factor middleware then makes them enrol an authenticator, because
    every panellist must use one.
    """
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    created = user is None
    if user is None:
        user = User.objects.create_user(email, None, full_name=full_name)
    panellist, _ = Panellist.objects.get_or_create(round=round_, user=user, defaults={"kind": Panellist.Kind.EXPERT})
    audit.record(
        action="saferwork.recruitment.panellist_added",
        actor=by,
        organisation=round_.organisation,
        target=panellist,
        data={"kind": panellist.kind, "new_account": created},
    )
    # The worker makes the password link (Django's reset token derives from the account).
    queue_email("recruitment.expert_invitation", ids=[panellist.pk, int(created)])
    return panellist


@transaction.atomic
def remove_panellist(*, panellist: Panellist, by: User) -> None:
    if panellist.score_sheets.exists():
        raise RecruitmentError("This panellist has already scored: their scores stay on the record.")
    round_ = panellist.round
    audit.record(
        action="saferwork.recruitment.panellist_removed", actor=by, organisation=round_.organisation, target=panellist
    )
    panellist.delete()


# ---------------------------------------------------------------- applications (public)

APPLICATION_FIELDS = [
    "full_name",
    "email",
    "phone",
    "region",
    "background",
    "union_details",
    "experience_training",
    "experience_subject",
    "availability",
    "interview_adjustments",
    "task_answer",
]


def _new_resume_token(application: Application) -> str:
    token = secrets.token_urlsafe(32)
    application.resume_token_hash = hash_token(token)
    return token


def _send_resume_link(application: Application, token: str) -> None:
    queue_email("recruitment.resume_link", ids=[application.pk], secrets={"token": token})


@transaction.atomic
def save_draft(
    *, round_: Round, application: Application | None, data: dict[str, Any]
) -> tuple[Application | None, str]:
    """Save what the candidate has typed and email a link to come back to it.

    Returns the draft and the token of the link just emailed (the browser keeps it in its
    session). When the address already has an application in this round, returns
    ``(None, "")``: a fresh link goes to that address if it is a draft, and the page says
    the same thing either way, so nobody learns who has applied.
    """
    if not round_.is_open:
        raise RecruitmentError("This recruitment round is closed.")
    email = data["email"].strip().lower()
    if application is None:
        existing = Application.objects.filter(round=round_, email=email).first()
        if existing is not None:
            if existing.is_draft:
                token = _new_resume_token(existing)
                existing.save(update_fields=["resume_token_hash", "updated_at"])
                _send_resume_link(existing, token)
            return None, ""
        application = Application(round=round_, organisation=round_.organisation)
    elif email != application.email and Application.objects.filter(round=round_, email=email).exists():
        raise RecruitmentError("Use the email address you started this application with.")
    for name in APPLICATION_FIELDS:
        if name in data:
            setattr(application, name, data[name] or "")
    application.email = email
    token = _new_resume_token(application)
    application.save()
    _send_resume_link(application, token)
    return application, token


@transaction.atomic
def submit_application(*, round_: Round, application: Application | None, data: dict[str, Any]) -> Application:
    """Submit an application (new or from a draft), record consent, send the confirmation."""
    if not round_.is_open:
        raise RecruitmentError("This recruitment round is closed.")
    if word_count(data.get("task_answer", "")) > round_.task_word_limit:
        raise RecruitmentError(f"Your written task must be {round_.task_word_limit} words or fewer.")
    if not data.get("consent"):
        raise RecruitmentError("You must agree to how we use your information.")
    email = data["email"].strip().lower()
    clash = Application.objects.filter(round=round_, email=email)
    if application is not None:
        clash = clash.exclude(pk=application.pk)
    if clash.exists():
        raise RecruitmentError("An application from this email address already exists in this round.")
    if application is None:
        application = Application(round=round_, organisation=round_.organisation)
    elif not application.is_draft:
        raise RecruitmentError("This application has already been submitted.")
    for name in APPLICATION_FIELDS:
        setattr(application, name, data.get(name) or "")
    now = timezone.now()
    application.email = email
    application.consent = True
    application.consent_at = now
    application.status = S.SUBMITTED
    application.submitted_at = now
    application.resume_token_hash = ""  # the draft link dies with the draft
    withdraw_token = secrets.token_urlsafe(32)
    application.withdraw_token_hash = hash_token(withdraw_token)
    application.save()
    audit.record(
        action="saferwork.recruitment.application_submitted",
        organisation=round_.organisation,
        target=application,
        data={"round": round_.pk},
    )
    queue_email("recruitment.confirmation", ids=[application.pk], secrets={"token": withdraw_token})
    return application


WITHDRAWABLE = {S.SUBMITTED, S.SHORTLISTED, S.NOT_SHORTLISTED, S.INVITED}


def find_withdrawable(token: str) -> Application | None:
    if not token:
        return None
    return (
        Application.objects.select_related("round")
        .filter(withdraw_token_hash=hash_token(token), status__in=WITHDRAWABLE)
        .first()
    )


@transaction.atomic
def withdraw(*, application: Application) -> Application:
    """The candidate withdraws; a booked interview is cancelled in their calendar."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status not in WITHDRAWABLE:
        raise RecruitmentError("This application can no longer be withdrawn.")
    application.status = S.WITHDRAWN
    application.withdraw_token_hash = ""
    application.booking_token_hash = ""
    application.save(update_fields=["status", "withdraw_token_hash", "booking_token_hash", "updated_at"])
    interview = Interview.objects.filter(application=application, cancelled_at__isnull=True).first()
    if interview is not None:
        interview.ics_sequence += 1
        interview.cancelled_at = timezone.now()
        interview.save(update_fields=["ics_sequence", "cancelled_at"])
        _queue_invite(interview.pk, "CANCEL")
    audit.record(
        action="saferwork.recruitment.withdrawn",
        organisation=application.organisation,
        target=application,
        data={"had_interview": interview is not None},
    )
    return application


def find_draft(*, round_: Round, token: str) -> Application | None:
    """The draft a resume link points at, if the link is still good."""
    if not token:
        return None
    cutoff = timezone.now() - timedelta(days=settings.RECRUITMENT_RESUME_LINK_DAYS)
    return Application.objects.filter(
        round=round_, resume_token_hash=hash_token(token), status=S.DRAFT, updated_at__gte=cutoff
    ).first()


@transaction.atomic
def resend_resume_link(*, round_: Round, email: str) -> None:
    """Send a fresh link to a draft for ``email``, if there is one. Silent either way."""
    application = Application.objects.filter(round=round_, email=email.strip().lower(), status=S.DRAFT).first()
    if application is None:
        return
    token = _new_resume_token(application)
    application.save(update_fields=["resume_token_hash", "updated_at"])
    _send_resume_link(application, token)


# ---------------------------------------------------------------- scoring


def _weighted_total(criteria: list[Criterion], values: dict[int, int]) -> Decimal:
    total_weight = sum(c.weight for c in criteria) or 1
    raw = Decimal(sum(c.weight * values[c.pk] for c in criteria)) / Decimal(total_weight)
    return raw.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def submit_scores(
    *, application: Application, panellist: Panellist, stage: str, values: dict[int, int], comment: str = ""
) -> ScoreSheet:
    """Record one panellist's scores, once; blind until submitted, locked afterwards."""
    if panellist.round_id != application.round_id:
        raise RecruitmentError("This panellist does not sit on this round's panel.")
    if Conflict.objects.filter(application=application, panellist=panellist).exists():
        raise RecruitmentError("You have declared a conflict of interest: you cannot score this application.")
    if ScoreSheet.objects.filter(application=application, panellist=panellist, stage=stage).exists():
        raise RecruitmentError("You have already submitted your scores for this application.")
    if stage == Stage.SHORTLISTING and application.status not in {S.SUBMITTED, S.SHORTLISTED, S.NOT_SHORTLISTED}:
        raise RecruitmentError("This application is not open for shortlisting scores.")
    if stage == Stage.SHORTLISTING and application.round.shortlist_agreed:
        raise RecruitmentError("The shortlist has been agreed: shortlisting scores can no longer be added.")
    if stage == Stage.INTERVIEW and not Interview.objects.filter(application=application).exists():
        raise RecruitmentError("This candidate has not been invited to interview.")
    criteria = list(application.round.criteria.filter(stage=stage))
    if not criteria:
        raise RecruitmentError("The rubric for this stage has no criteria yet.")
    if set(values) != {c.pk for c in criteria} or any(not SCORE_MIN <= v <= SCORE_MAX for v in values.values()):
        raise RecruitmentError(f"Give every criterion a score from {SCORE_MIN} to {SCORE_MAX}.")
    sheet = ScoreSheet.objects.create(
        application=application,
        panellist=panellist,
        stage=stage,
        weighted_total=_weighted_total(criteria, values),
        comment=comment,
    )
    Score.objects.bulk_create([Score(sheet=sheet, criterion_id=pk, value=v) for pk, v in values.items()])
    audit.record(
        action="saferwork.recruitment.scored",
        actor=panellist.user,
        organisation=application.organisation,
        target=application,
        data={"stage": stage, "panellist": panellist.pk},
    )
    return sheet


@transaction.atomic
def declare_conflict(*, application: Application, panellist: Panellist, reason: str) -> Conflict:
    """Declare a conflict of interest. Refused after scoring: the score would then be void."""
    if panellist.round_id != application.round_id:
        raise RecruitmentError("This panellist does not sit on this round's panel.")
    if ScoreSheet.objects.filter(application=application, panellist=panellist).exists():
        raise RecruitmentError("You have already scored this application: tell the programme admin instead.")
    conflict, _ = Conflict.objects.get_or_create(
        application=application, panellist=panellist, defaults={"reason": reason}
    )
    audit.record(
        action="saferwork.recruitment.conflict_declared",
        actor=panellist.user,
        organisation=application.organisation,
        target=application,
        data={"panellist": panellist.pk},
    )
    return conflict


@transaction.atomic
def record_conflict(*, application: Application, panellist: Panellist, reason: str, by: User) -> Conflict:
    """A programme admin records a panellist's conflict after checking names against the panel.

    During the name-blind sift a panellist cannot recognise a candidate by name, so the
    admin, who sees the names, checks them against the people each panellist knows.
    """
    if panellist.round_id != application.round_id:
        raise RecruitmentError("This panellist does not sit on this round's panel.")
    if ScoreSheet.objects.filter(application=application, panellist=panellist).exists():
        raise RecruitmentError(
            f"{panellist.user} has already scored this application: their scores stay on the record. "
            "Raise it at moderation."
        )
    conflict, created = Conflict.objects.get_or_create(
        application=application, panellist=panellist, defaults={"reason": reason, "recorded_by": by}
    )
    if not created:
        raise RecruitmentError(f"A conflict is already recorded for {panellist.user} on this application.")
    audit.record(
        action="saferwork.recruitment.conflict_recorded",
        actor=by,
        organisation=application.organisation,
        target=application,
        data={"panellist": panellist.pk},
    )
    return conflict


# ---------------------------------------------------------------- shortlisting decisions

BULK_ACTIONS = {
    "shortlist": ("Shortlist", S.SHORTLISTED, {S.SUBMITTED, S.NOT_SHORTLISTED}),
    "not_shortlisted": ("Mark as not shortlisted", S.NOT_SHORTLISTED, {S.SUBMITTED, S.SHORTLISTED}),
    "invite": ("Invite to interview", S.INVITED, {S.SHORTLISTED}),
}


@transaction.atomic
def bulk_decide(*, round_: Round, application_ids: Iterable[int], action: str, by: User) -> int:
    """Apply one decision to many applications; those it does not fit are left alone.

    ``invite`` gives each candidate the next free interview slot, in slot order.
    """
    label, new_status, allowed = BULK_ACTIONS[action]
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if action == "invite" and not round_.shortlist_agreed:
        raise RecruitmentError("Agree the shortlist before inviting anyone to interview.")
    if action != "invite" and round_.shortlist_agreed:
        raise RecruitmentError(
            f"The shortlist was agreed on {timezone.localtime(round_.shortlist_agreed_at):%-d %B %Y}: "  # type: ignore[arg-type]
            "it can no longer change."
        )
    chosen = list(
        round_.applications.select_for_update()
        .filter(pk__in=list(application_ids), status__in=allowed)
        .order_by("submitted_at", "id")
    )
    if action == "invite":
        free = list(
            InterviewSlot.objects.filter(round=round_, starts_at__gt=timezone.now()).free().order_by("starts_at")
        )
        if len(free) < len(chosen):
            raise RecruitmentError(
                f"There are {len(free)} free interview slots for {len(chosen)} candidates: add slots first."
            )
        for application, slot in zip(chosen, free, strict=False):
            _invite(application=application, slot=slot)
    ids = [a.pk for a in chosen]
    round_.applications.filter(pk__in=ids).update(status=new_status, decided_by=by, decided_at=timezone.now())
    audit.record(
        action="saferwork.recruitment.bulk_decision",
        actor=by,
        organisation=round_.organisation,
        target=round_,
        data={"action": action, "count": len(ids), "applications": ids[:500]},
    )
    return len(ids)


def shortlist_blockers(round_: Round) -> list[str]:
    """What stops the shortlist being agreed, in words for the admin (empty: it can be)."""
    if round_.shortlist_agreed:
        return ["The shortlist has already been agreed."]
    problems = []
    undecided = round_.applications.filter(status=S.SUBMITTED).count()
    if undecided:
        problems.append(
            f"{undecided} application{'s' if undecided != 1 else ''} still need{'s' if undecided == 1 else ''} "
            "a shortlisting decision: shortlist them or mark them as not shortlisted."
        )
    if not round_.applications.filter(status=S.SHORTLISTED).exists():
        problems.append("Nobody is shortlisted yet.")
    return problems


@transaction.atomic
def agree_shortlist(*, round_: Round, by: User) -> Round:
    """End the name-blind sift: the shortlist stands, and the panel sees who is on it.

    After this no shortlisting score or decision changes, and interviews can be offered.
    """
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    problems = shortlist_blockers(round_)
    if problems:
        raise RecruitmentError(" ".join(problems))
    round_.shortlist_agreed_at = timezone.now()
    round_.shortlist_agreed_by = by
    round_.save(update_fields=["shortlist_agreed_at", "shortlist_agreed_by"])
    counts = Counter(round_.applications.exclude(status=S.DRAFT).values_list("status", flat=True))
    audit.record(
        action="saferwork.recruitment.shortlist_agreed",
        actor=by,
        organisation=round_.organisation,
        target=round_,
        data={"shortlisted": counts[S.SHORTLISTED], "not_shortlisted": counts[S.NOT_SHORTLISTED]},
    )
    return round_


def _queue_invite(interview_id: int, method: str) -> None:
    from saferwork.recruitment.tasks import send_interview_invite

    transaction.on_commit(lambda: send_interview_invite.enqueue(interview_id=interview_id, method=method))


def _release(slot: InterviewSlot) -> None:
    """Detach a cancelled interview from ``slot`` so that another can take it."""
    Interview.objects.filter(slot=slot, cancelled_at__isnull=False).update(slot=None)


def _invite(*, application: Application, slot: InterviewSlot) -> Interview:
    _release(slot)
    interview = Interview.objects.create(application=application, slot=slot)
    _queue_invite(interview.pk, "REQUEST")
    return interview


@transaction.atomic
def add_slots(
    *, round_: Round, first_start: datetime, minutes: int, gap_minutes: int, count: int, location: str, by: User
) -> list[InterviewSlot]:
    """Add ``count`` back-to-back interview slots starting at ``first_start``."""
    slots = []
    start = first_start.replace(second=0, microsecond=0)
    for _ in range(count):
        end = start + timedelta(minutes=minutes)
        slots.append(InterviewSlot(round=round_, starts_at=start, ends_at=end, location=location))
        start = end + timedelta(minutes=gap_minutes)
    InterviewSlot.objects.bulk_create(slots)
    audit.record(
        action="saferwork.recruitment.slots_added",
        actor=by,
        organisation=round_.organisation,
        target=round_,
        data={"count": count},
    )
    return slots


@transaction.atomic
def reschedule_interview(*, interview: Interview, slot: InterviewSlot, by: User) -> Interview:
    """Move an interview to a free slot; the same calendar event updates in place."""
    if slot.round_id != interview.application.round_id:
        raise RecruitmentError("That slot belongs to another round.")
    if not InterviewSlot.objects.filter(pk=slot.pk).free().exists() and slot.pk != interview.slot_id:
        raise RecruitmentError("That slot is taken.")
    _release(slot)
    interview.slot = slot
    interview.ics_sequence += 1
    interview.cancelled_at = None
    interview.save(update_fields=["slot", "ics_sequence", "cancelled_at"])
    audit.record(
        action="saferwork.recruitment.interview_rescheduled",
        actor=by,
        organisation=interview.application.organisation,
        target=interview.application,
        data={"sequence": interview.ics_sequence},
    )
    _queue_invite(interview.pk, "REQUEST")
    return interview


@transaction.atomic
def cancel_interview(*, interview: Interview, by: User) -> Interview:
    """Cancel an interview: the calendar event is withdrawn and the slot can be given again."""
    interview.ics_sequence += 1
    interview.cancelled_at = timezone.now()
    interview.save(update_fields=["ics_sequence", "cancelled_at"])
    audit.record(
        action="saferwork.recruitment.interview_cancelled",
        actor=by,
        organisation=interview.application.organisation,
        target=interview.application,
    )
    _queue_invite(interview.pk, "CANCEL")
    return interview


@transaction.atomic
def record_adjustments(*, interview: Interview, text: str, by: User) -> Interview:
    """Record the adjustments arranged for the candidate; they go into the invite."""
    interview.adjustments_confirmed = text
    interview.ics_sequence += 1
    interview.save(update_fields=["adjustments_confirmed", "ics_sequence"])
    audit.record(
        action="saferwork.recruitment.adjustments_recorded",
        actor=by,
        organisation=interview.application.organisation,
        target=interview.application,
    )
    if interview.cancelled_at is None:
        _queue_invite(interview.pk, "REQUEST")
    return interview


# ---------------------------------------------------------------- candidates book their own slot


def bookable_slots(round_: Round) -> list[InterviewSlot]:
    """Slots a candidate may choose: in the future and held by nobody."""
    return list(InterviewSlot.objects.filter(round=round_, starts_at__gt=timezone.now()).free().order_by("starts_at"))


@transaction.atomic
def send_booking_links(*, round_: Round, by: User) -> int:
    """Email every shortlisted candidate without an interview a link to choose a slot.

    A new link replaces any sent before. Needs the shortlist agreed and a free slot.
    """
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if not round_.shortlist_agreed:
        raise RecruitmentError("Agree the shortlist before offering interview slots.")
    if not bookable_slots(round_):
        raise RecruitmentError("There are no free interview slots to offer: add slots first.")
    waiting = list(round_.applications.select_for_update().filter(status=S.SHORTLISTED))
    now = timezone.now()
    for application in waiting:
        token = secrets.token_urlsafe(32)
        application.booking_token_hash = hash_token(token)
        application.booking_link_sent_at = now
        application.save(update_fields=["booking_token_hash", "booking_link_sent_at", "updated_at"])
        queue_email("recruitment.booking_link", ids=[application.pk], secrets={"token": token})
    audit.record(
        action="saferwork.recruitment.booking_links_sent",
        actor=by,
        organisation=round_.organisation,
        target=round_,
        data={"count": len(waiting)},
    )
    return len(waiting)


BOOKABLE = {S.SHORTLISTED, S.INVITED}


def find_booking(token: str) -> Application | None:
    """The application a booking link is for, while it is shortlisted or invited."""
    if not token:
        return None
    return (
        Application.objects.select_related("round")
        .filter(booking_token_hash=hash_token(token), status__in=BOOKABLE)
        .first()
    )


@transaction.atomic
def book_slot(*, application: Application, slot_id: int, preferences: str = "", access_needs: str = "") -> Interview:
    """The candidate takes a free slot. Two people choosing the same slot: one gets it.

    The slot row is locked first, and an interview holds at most one slot (a unique
    column), so the second booking finds the slot taken and is asked to choose again.
    """
    application = Application.objects.select_for_update().select_related("round").get(pk=application.pk)
    if application.status != S.SHORTLISTED:
        raise RecruitmentError("Your interview is already booked.")
    round_ = application.round
    slot = (
        InterviewSlot.objects.select_for_update().filter(round=round_, pk=slot_id, starts_at__gt=timezone.now()).first()
    )
    if slot is None or not InterviewSlot.objects.filter(pk=slot.pk).free().exists():
        raise RecruitmentError("That time has just been taken. Choose another time.")
    if Interview.objects.filter(application=application).exists():
        raise RecruitmentError("Your interview is already arranged.")
    _release(slot)
    try:
        with transaction.atomic():
            interview = Interview.objects.create(application=application, slot=slot, self_booked=True)
    except IntegrityError as taken:
        raise RecruitmentError("That time has just been taken. Choose another time.") from taken
    application.status = S.INVITED
    application.interview_preferences = preferences.strip()
    if access_needs.strip():
        application.interview_adjustments = access_needs.strip()
    application.save(update_fields=["status", "interview_preferences", "interview_adjustments", "updated_at"])
    audit.record(
        action="saferwork.recruitment.slot_booked",
        organisation=application.organisation,
        target=application,
        data={"slot": slot.pk},
    )
    _queue_invite(interview.pk, "REQUEST")
    return interview


@transaction.atomic
def state_preferences(*, application: Application, preferences: str, access_needs: str = "") -> Application:
    """The candidate says which times suit them when none offered does; the scheduler sees it."""
    if not preferences.strip():
        raise RecruitmentError("Say which days and times would suit you.")
    application.interview_preferences = preferences.strip()
    if access_needs.strip():
        application.interview_adjustments = access_needs.strip()
    application.save(update_fields=["interview_preferences", "interview_adjustments", "updated_at"])
    audit.record(
        action="saferwork.recruitment.interview_preferences_stated",
        organisation=application.organisation,
        target=application,
    )
    return application


# ---------------------------------------------------------------- decisions and outcome

DECISIONS = {S.SUCCESSFUL, S.RESERVE, S.UNSUCCESSFUL}


def _when(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local:%H:%M} on {local:%A} {local.day} {local:%B %Y}"


def decision_opens_at(interview: Interview | None) -> datetime | None:
    """When the panel may record a decision: once the interview has started. None: no interview."""
    if interview is None or interview.cancelled_at is not None or interview.slot is None:
        return None
    return interview.slot.starts_at


@transaction.atomic
def decide(*, application: Application, decision: str, feedback: str, by: User) -> Application:
    """Record the panel's decision after interview, with feedback for the candidate."""
    if decision not in DECISIONS:
        raise RecruitmentError("Choose successful, reserve or unsuccessful.")
    if application.status not in {S.INVITED, *DECISIONS}:
        raise RecruitmentError("Only interviewed candidates receive a decision.")
    interview = Interview.objects.filter(application=application).select_related("slot").first()
    opens = decision_opens_at(interview)
    if opens is None:
        raise RecruitmentError("This candidate has no interview booked: a decision follows the interview.")
    if opens > timezone.now():
        raise RecruitmentError(
            f"The interview has not taken place yet. You can record the decision once it has started, "
            f"from {_when(opens)}."
        )
    promoting = application.status == S.RESERVE and decision == S.SUCCESSFUL
    if application.outcome_sent_at is not None and not promoting:
        raise RecruitmentError("The outcome has already been sent to the candidate.")
    if promoting:
        # A place has come free: the reserve candidate gets the successful email and an
        # appointment the next time outcomes are sent.
        application.outcome_sent_at = None
    application.status = decision
    application.decision_feedback = feedback
    application.decided_by = by
    application.decided_at = timezone.now()
    application.save(
        update_fields=["status", "decision_feedback", "decided_by", "decided_at", "outcome_sent_at", "updated_at"]
    )
    audit.record(
        action="saferwork.recruitment.decided",
        actor=by,
        organisation=application.organisation,
        target=application,
        data={"decision": decision, "from_reserve": promoting},
    )
    return application


MODERATION_OUTCOMES: dict[str, set[str]] = {
    Stage.SHORTLISTING: {S.SHORTLISTED, S.NOT_SHORTLISTED},
    Stage.INTERVIEW: set(DECISIONS),
}


@transaction.atomic
def moderate(
    *, application: Application, stage: str, agreed_score: Decimal, reason: str, outcome: str = "", by: User
) -> Moderation:
    """Record the panel's moderation: who moderated, why, the agreed score and any outcome.

    The panellists' sheets stay as submitted. An outcome goes through the same rules as
    any other decision: a shortlisting outcome only before the shortlist is agreed, an
    interview decision only once the interview has taken place.
    """
    if not ScoreSheet.objects.filter(application=application, stage=stage).exists():
        raise RecruitmentError("Nobody has scored this application at this stage yet: there is nothing to moderate.")
    if not SCORE_MIN <= agreed_score <= SCORE_MAX:
        raise RecruitmentError(f"The agreed score must be from {SCORE_MIN} to {SCORE_MAX}.")
    if not reason.strip():
        raise RecruitmentError("Give the reason for the agreed score.")
    if outcome and outcome not in MODERATION_OUTCOMES.get(stage, set()):
        raise RecruitmentError("That outcome does not fit this stage.")
    if stage == Stage.SHORTLISTING and outcome:
        round_ = Round.objects.select_for_update().get(pk=application.round_id)
        if round_.shortlist_agreed:
            raise RecruitmentError("The shortlist has been agreed: it can no longer change.")
        if application.status not in {S.SUBMITTED, S.SHORTLISTED, S.NOT_SHORTLISTED}:
            raise RecruitmentError("This application is past shortlisting.")
        application.status = outcome
        application.decided_by = by
        application.decided_at = timezone.now()
        application.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    elif outcome:
        decide(application=application, decision=outcome, feedback=application.decision_feedback, by=by)
    moderation = Moderation.objects.create(
        application=application,
        stage=stage,
        agreed_score=agreed_score.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
        outcome=outcome,
        reason=reason.strip(),
        moderated_by=by,
    )
    audit.record(
        action="saferwork.recruitment.moderated",
        actor=by,
        organisation=application.organisation,
        target=application,
        data={"stage": stage, "agreed_score": str(moderation.agreed_score), "outcome": outcome},
    )
    return moderation


def next_cohort_number(organisation: Organisation) -> int:
    latest = Round.objects.filter(organisation=organisation, cohort_number__isnull=False).order_by("-cohort_number")
    first = latest.first()
    return (first.cohort_number or 0) + 1 if first else 1


@transaction.atomic
def send_outcomes(*, round_: Round, by: User) -> dict[str, int]:
    """Email every decided candidate whose outcome has not gone yet; appoint the successful.

    The successful join the round's numbered cohort: an invitation to an account as a
    trainer of the programme host (password, then an authenticator, enforced), and an
    agreement to accept, after which their trainer profile is made from the application.
    Not shortlisted candidates are told too.
    """
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.cohort_number is None:
        round_.cohort_number = next_cohort_number(round_.organisation)
        round_.save(update_fields=["cohort_number"])
    pending = list(
        round_.applications.filter(
            status__in=[*DECISIONS, S.NOT_SHORTLISTED], outcome_sent_at__isnull=True
        ).select_for_update()
    )
    sent: Counter[str] = Counter()
    now = timezone.now()
    for application in pending:
        secrets = None
        if application.status == S.SUCCESSFUL:
            Appointment.objects.create(
                application=application, cohort_number=round_.cohort_number, email=application.email
            )
            _invitation, token = account_services.invite(
                organisation=round_.organisation,
                email=application.email,
                full_name=application.full_name,
                flags=["is_trainer"],
                invited_by=by,
            )
            secrets = {"token": token}
        queue_email("recruitment.outcome", ids=[application.pk], secrets=secrets)
        application.outcome_sent_at = now
        sent[application.status] += 1
    Application.objects.bulk_update(pending, ["outcome_sent_at"])
    audit.record(
        action="saferwork.recruitment.outcomes_sent",
        actor=by,
        organisation=round_.organisation,
        target=round_,
        data=dict(sent),
    )
    return dict(sent)


def pending_appointment(user: User) -> Appointment | None:
    return (
        Appointment.objects.select_related("application__round")
        .filter(email=user.email.lower(), agreement_accepted_at__isnull=True)
        .first()
    )


def training_installed() -> bool:
    return apps.is_installed("saferwork.training")


@transaction.atomic
def accept_agreement(*, appointment: Appointment, user: User) -> Any:
    """The appointed trainer accepts the agreement; their trainer profile is created.

    The profile is pre-filled from the application: region, how they can deliver, the
    adjustments they know about, and a short biography from their union roles.
    """
    if appointment.email != user.email.lower():
        raise RecruitmentError("This appointment is for another person.")
    if appointment.agreement_accepted_at is not None:
        raise RecruitmentError("You have already accepted the agreement.")
    appointment.user = user
    appointment.agreement_accepted_at = timezone.now()
    appointment.save(update_fields=["user", "agreement_accepted_at"])
    application = appointment.application
    profile = None
    if training_installed():
        profile = create_trainer_profile(application=application, user=user)
    audit.record(
        action="saferwork.recruitment.agreement_accepted",
        actor=user,
        organisation=application.organisation,
        target=application,
        data={"cohort": appointment.cohort_number, "profile": bool(profile)},
    )
    return profile


def create_trainer_profile(*, application: Application, user: User) -> Any:
    """Make (or complete) the trainer's profile from their application. Call inside a transaction."""
    from saferwork.training.models import TrainerProfile

    bio = "\n\n".join(part for part in [application.union_details, application.experience_training] if part)
    profile, _ = TrainerProfile.objects.get_or_create(
        user=user,
        defaults={
            "organisation": application.organisation,
            "regions": [application.region] if application.region else [],
            "bio": bio[:5000],
            "experience": (
                TrainerProfile.Experience.EXPERIENCED
                if application.background == "union_tutor"
                else TrainerProfile.Experience.NEW
            ),
            "is_active": True,
        },
    )
    return profile


# ---------------------------------------------------------------- retention

STAGES = ["applied", "shortlisted", "interviewed", "appointed"]
_REACHED = {
    # A withdrawn application counts as applied; how far it got before withdrawing is not kept.
    "applied": {
        S.SUBMITTED,
        S.SHORTLISTED,
        S.NOT_SHORTLISTED,
        S.INVITED,
        S.SUCCESSFUL,
        S.RESERVE,
        S.UNSUCCESSFUL,
        S.WITHDRAWN,
    },
    "shortlisted": {S.SHORTLISTED, S.INVITED, S.SUCCESSFUL, S.RESERVE, S.UNSUCCESSFUL},
    "interviewed": {S.INVITED, S.SUCCESSFUL, S.RESERVE, S.UNSUCCESSFUL},
    "appointed": {S.SUCCESSFUL},
}
ERASABLE = {S.DRAFT, S.SUBMITTED, S.NOT_SHORTLISTED, S.SHORTLISTED, S.INVITED, S.RESERVE, S.UNSUCCESSFUL, S.WITHDRAWN}


def live_counts(round_: Round) -> list[tuple[str, str, str, int]]:
    """(stage, dimension, value, count) computed from the applications, in the database."""
    from django.db.models import Count

    rows: list[tuple[str, str, str, int]] = []
    for stage, statuses in _REACHED.items():
        for dimension in ("background", "region"):
            grouped = (
                round_.applications.filter(status__in=statuses)
                .values(dimension)
                .annotate(n=Count("id"))
                .order_by(dimension)
            )
            rows.extend((stage, dimension, g[dimension] or "Not given", g["n"]) for g in grouped)
    return rows


@transaction.atomic
def erase_round(*, round_: Round, now: datetime | None = None) -> int:
    """Keep the round's counts, then delete every application except the appointed.

    Scores, conflicts and interviews go with them (cascade); the audit log keeps only ids.
    """
    now = now or timezone.now()
    if round_.erased_at is None:
        RoundCount.objects.bulk_create(
            [
                RoundCount(round=round_, stage=stage, dimension=dimension, value=value, count=count)
                for stage, dimension, value, count in live_counts(round_)
            ]
        )
    doomed = round_.applications.filter(status__in=ERASABLE)
    erased = doomed.count()
    doomed.delete()
    round_.erased_at = now
    round_.save(update_fields=["erased_at"])
    audit.record(
        action="saferwork.recruitment.applications_erased",
        organisation=round_.organisation,
        target=round_,
        data={"erased": erased},
    )
    return erased


def retention_cutoff(now: datetime) -> datetime:
    """Rounds that closed before this moment are past retention."""
    months = settings.RECRUITMENT_RETENTION_MONTHS
    year, month = divmod(now.month - 1 - months, 12)
    year, month = now.year + year, month + 1
    return now.replace(year=year, month=month, day=min(now.day, calendar.monthrange(year, month)[1]))


def erase_expired(*, now: datetime | None = None) -> dict[int, int]:
    """Erase unsuccessful applications of every round past retention. One transaction per round."""
    now = now or timezone.now()
    cutoff = retention_cutoff(now)
    done = {}
    for round_ in Round.objects.filter(closes_at__lt=cutoff, erased_at__isnull=True):
        done[round_.pk] = erase_round(round_=round_, now=now)
    return done
