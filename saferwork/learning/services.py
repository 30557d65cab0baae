"""Writes for learning: authoring and publishing modules, enrolment, progress, completion.

Every function takes keyword arguments and runs in one transaction; changes that matter
to an organisation (publishing, assigning, opening a module, completing one) are written
to the audit log in the same transaction. A learner's reflection text never reaches the
audit log, only that one was saved.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from saferwork.accounts import services as accounts
from saferwork.accounts.models import Invitation, User
from saferwork.actions.selectors import today_for
from saferwork.audit import services as audit
from saferwork.badges import services as badges
from saferwork.badges.models import Achievement, Credential
from saferwork.learning import tasks
from saferwork.learning.models import (
    REFLECTION_TEXT_MAX,
    Enrolment,
    Module,
    ModuleOffer,
    ModuleVersion,
    Reflection,
    Step,
    StepKind,
    StepProgress,
)
from saferwork.organisations.models import Organisation
from saferwork.surveys.models import Department

MEDIA_TYPES = {
    "mp4": "video/mp4",
    "webm": "video/webm",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "ogg": "audio/ogg",
}
# The first bytes each kind of file starts with (mp4 and m4a: an ftyp box at offset 4).
_MAGIC = {
    "mp4": lambda b: b[4:8] == b"ftyp",
    "m4a": lambda b: b[4:8] == b"ftyp",
    "webm": lambda b: b[:4] == b"\x1a\x45\xdf\xa3",
    "mp3": lambda b: b[:3] == b"ID3" or (len(b) > 1 and b[0] == 0xFF and b[1] & 0xE0 == 0xE0),
    "ogg": lambda b: b[:4] == b"OggS",
}


# Reminders of a due date: the first this many days before it, then at most once every
# REMIND_EVERY_DAYS days (before or after the date), never more than MAX_REMINDERS times.
REMIND_BEFORE_DAYS = 3
REMIND_EVERY_DAYS = 3
MAX_REMINDERS = 4


class LearningError(Exception):
    """Something that cannot be done, with a message a person can read."""


def _audit(action: str, *, actor: Any, organisation: Organisation | None, target: Any, **data: Any) -> None:
    audit.record(
        action=f"saferwork.learning.{action}", actor=actor, organisation=organisation, target=target, data=data
    )


# ---------------------------------------------------------------- authoring


@transaction.atomic
def create_module(
    *, organisation: Organisation | None, title: str, summary: str, minutes: int, actor: Any, slug: str = ""
) -> Module:
    """A new module with an empty first draft. ``organisation`` None: shared by the programme."""
    module = Module.objects.create(organisation=organisation, created_by=actor, **({"slug": slug} if slug else {}))
    ModuleVersion.objects.create(module=module, number=1, title=title, summary=summary, minutes=minutes)
    _audit("module_created", actor=actor, organisation=organisation, target=module, shared=organisation is None)
    return module


def latest_published(module: Module) -> ModuleVersion | None:
    return module.versions.filter(published_at__isnull=False).order_by("-number").first()


@transaction.atomic
def draft_of(*, module: Module) -> ModuleVersion:
    """The module's draft: the one being edited, or a new one copied from the latest version."""
    Module.objects.select_for_update().filter(pk=module.pk).first()
    latest = module.versions.order_by("-number").first()
    if latest is not None and not latest.is_published:
        return latest
    if latest is None:
        raise LearningError("This module has no version.")
    draft = ModuleVersion.objects.create(
        module=module, number=latest.number + 1, title=latest.title, summary=latest.summary, minutes=latest.minutes
    )
    Step.objects.bulk_create(
        Step(
            version=draft,
            position=s.position,
            kind=s.kind,
            title=s.title,
            body=s.body,
            data=s.data,
            media_name=s.media_name,
            media_type=s.media_type,
            captions_name=s.captions_name,
            transcript=s.transcript,
        )
        for s in latest.steps.all()
    )
    return draft


@transaction.atomic
def update_details(*, version: ModuleVersion, title: str, summary: str, minutes: int) -> ModuleVersion:
    version.title, version.summary, version.minutes = title, summary, minutes
    version.save(update_fields=["title", "summary", "minutes"])
    return version


@dataclass
class StepContent:
    kind: str
    title: str
    body: str = ""
    data: dict[str, Any] | None = None
    transcript: str = ""


def _store(prefix: str, extension: str, content: bytes) -> str:
    # A random name: nothing in the stored name tells the module, the author or the order.
    return default_storage.save(f"learning/{prefix}-{secrets.token_hex(16)}.{extension}", ContentFile(content))


def check_media(name: str, content: bytes) -> tuple[str, str]:
    """(extension, content type) of an accepted video or audio file, or LearningError."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in MEDIA_TYPES:
        raise LearningError("The selected file must be an MP4 or WebM video, or an MP3, M4A or Ogg audio file")
    if len(content) > settings.MAX_UPLOAD_FILE_BYTES:
        raise LearningError(f"The selected file must be smaller than {settings.MAX_UPLOAD_FILE_BYTES // 2**20} MB")
    if not _MAGIC[extension](content[:16]):
        raise LearningError(f"The selected file is not a real .{extension} file")
    return extension, MEDIA_TYPES[extension]


def check_captions(content: bytes) -> bytes:
    """WebVTT text, checked as far as the format's signature line."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LearningError("The captions file must be UTF-8 WebVTT text") from None
    if not text.startswith("WEBVTT"):
        raise LearningError("The captions file must be a WebVTT file: its first line starts with WEBVTT")
    if len(content) > 1024 * 1024:
        raise LearningError("The captions file must be smaller than 1 MB")
    return text.encode()


def _validate(kind: str, data: dict[str, Any]) -> None:
    if kind == StepKind.SCENARIO and not data.get("choices"):
        raise LearningError("A scenario needs at least one choice")
    if kind == StepKind.CHECK:
        if not data.get("questions"):
            raise LearningError("A knowledge check needs at least one question")
        mark = data.get("pass_mark", 0)
        if not isinstance(mark, int) or not 1 <= mark <= 100:
            raise LearningError("The pass mark must be a percentage from 1 to 100")
    if kind == StepKind.REFLECTION and not str(data.get("prompt", "")).strip():
        raise LearningError("A reflection needs a question to reflect on")


@transaction.atomic
def save_step(
    *,
    version: ModuleVersion,
    content: StepContent,
    step: Step | None = None,
    media: tuple[str, bytes] | None = None,
    captions: bytes | None = None,
) -> Step:
    """Add a step at the end of the draft, or change ``step``; the draft only."""
    if version.is_published:
        raise LearningError("This version is published: edit a new draft.")
    data = content.data or {}
    _validate(content.kind, data)
    if step is None:
        last = version.steps.aggregate(last=Max("position"))["last"] or 0
        step = Step(version=version, position=last + 1)
    step.kind, step.title, step.body, step.data = content.kind, content.title, content.body, data
    if content.kind == StepKind.MEDIA:
        step.transcript = content.transcript
        if media is not None:
            extension, step.media_type = check_media(*media)
            step.media_name = _store("media", extension, media[1])
        if captions is not None:
            step.captions_name = _store("captions", "vtt", check_captions(captions))
        if not step.media_name:
            raise LearningError("Select a video or audio file")
        if not step.captions_name:
            raise LearningError("Select a captions file (WebVTT): every video or audio step needs captions")
        if not step.transcript.strip():
            raise LearningError("Enter a transcript: every video or audio step needs one")
    step.save()
    return step


@transaction.atomic
def move_step(*, step: Step, up: bool) -> None:
    """Swap a draft step with its neighbour (through a free position: positions are unique)."""
    version = step.version
    if version.is_published:
        raise LearningError("This version is published: edit a new draft.")
    neighbour = (
        version.steps.filter(position__lt=step.position).order_by("-position").first()
        if up
        else version.steps.filter(position__gt=step.position).order_by("position").first()
    )
    if neighbour is None:
        return
    here, there = step.position, neighbour.position
    spare = (version.steps.aggregate(last=Max("position"))["last"] or 0) + 1
    step.position = spare
    step.save(update_fields=["position"])
    neighbour.position = here
    neighbour.save(update_fields=["position"])
    step.position = there
    step.save(update_fields=["position"])


@transaction.atomic
def delete_step(*, step: Step) -> None:
    version = step.version
    if version.is_published:
        raise LearningError("This version is published: edit a new draft.")
    position = step.position
    step.delete()
    for later in version.steps.filter(position__gt=position).order_by("position"):
        later.position -= 1
        later.save(update_fields=["position"])


@transaction.atomic
def publish(*, version: ModuleVersion, actor: Any) -> ModuleVersion:
    """Freeze the draft: new learners get it; those who started keep theirs."""
    if version.is_published:
        raise LearningError("This version is already published.")
    steps = list(version.steps.all())
    if not steps:
        raise LearningError("Add at least one step before publishing.")
    positions = {s.position for s in steps}
    for s in steps:
        for choice in s.choices:
            target = choice.get("next")
            if target is not None and target not in positions:
                raise LearningError(f"A choice in “{s.title}” leads to step {target}, which does not exist.")
    version.published_at = timezone.now()
    version.published_by = actor
    version.save(update_fields=["published_at", "published_by"])
    _audit(
        "module_published",
        actor=actor,
        organisation=version.module.organisation,
        target=version.module,
        version=version.number,
    )
    return version


# ---------------------------------------------------------------- enrolment


@dataclass(frozen=True)
class Assignee:
    email: str
    department_id: int | None = None


def department_named(*, organisation: Organisation, name: str) -> Department | None:
    cleaned = " ".join(name.split())
    if not cleaned:
        return None
    found = Department.objects.filter(organisation=organisation, name__iexact=cleaned).first()
    return found or Department.objects.create(organisation=organisation, name=cleaned[:120])


@transaction.atomic
def assign(
    *,
    module: Module,
    organisation: Organisation,
    people: Iterable[Assignee],
    actor: Any,
    invite: bool = True,
    due_on: dt.date | None = None,
) -> tuple[int, int]:
    """Assign ``module`` to people by email; returns (newly assigned, invited).

    Members are linked at once and emailed a link to the module (a task that carries the
    module's id and the moment of assigning, nothing else); anyone else is invited to the
    organisation as a participant (no role, so no second factor) and finds the module when
    they first sign in. Someone already assigned keeps their progress; their department
    and, while they have not finished, their due date follow this assignment. Someone whose
    assignment was removed is assigned again (and emailed again).
    """
    if latest_published(module) is None:
        raise LearningError("Publish the module before assigning it.")
    if module.organisation_id not in (None, organisation.pk):
        raise LearningError("This module belongs to another organisation.")
    if due_on is not None and due_on < today_for(organisation):
        raise LearningError("The due date must be today or in the future")
    wanted = {p.email.strip().lower(): p for p in people if p.email.strip()}
    members = {
        u.email: u
        for u in User.objects.filter(
            email__in=list(wanted), memberships__organisation=organisation, is_active=True
        ).distinct()
    }
    existing = {e.email: e for e in Enrolment.objects.filter(organisation=organisation, module=module)}
    pending = set(
        Invitation.objects.filter(
            organisation=organisation, email__in=list(wanted), accepted_at__isnull=True, expires_at__gt=timezone.now()
        ).values_list("email", flat=True)
    )
    moment = timezone.now()
    created = invited = told = 0
    for email, person in wanted.items():
        found = existing.get(email)
        if found is not None:
            changed = []
            if person.department_id and found.department_id != person.department_id:
                found.department_id = person.department_id
                changed.append("department")
            if found.unassigned_at is not None:
                found.unassigned_at = None
                found.assigned_at = moment
                found.assigned_by = actor
                changed += ["unassigned_at", "assigned_at", "assigned_by"]
                created += 1
                told += 1 if found.user_id and found.completed_at is None else 0
            if not found.assigned:
                found.assigned = True
                found.assigned_by = actor
                changed += ["assigned", "assigned_by"]
            if due_on is not None and found.completed_at is None and found.due_on != due_on:
                found.due_on, found.last_reminded_on, found.reminders = due_on, None, 0
                changed += ["due_on", "last_reminded_on", "reminders"]
            if changed:
                found.save(update_fields=sorted(set(changed)))
            continue
        Enrolment.objects.create(
            organisation=organisation,
            module=module,
            email=email,
            user=members.get(email),
            department_id=person.department_id,
            assigned_by=actor,
            assigned_at=moment,
            due_on=due_on,
        )
        created += 1
        if email in members:
            told += 1
        elif invite and email not in pending:
            accounts.invite(organisation=organisation, email=email, full_name="", flags=[], invited_by=actor)
            invited += 1
    _audit(
        "module_assigned",
        actor=actor,
        organisation=organisation,
        target=module,
        people=created,
        invited=invited,
        due_on=due_on.isoformat() if due_on else None,
    )
    if told:
        transaction.on_commit(
            partial(
                tasks.send_assigned.enqueue,
                organisation_id=organisation.pk,
                module_id=module.pk,
                moment=moment.isoformat(),
            )
        )
    return created, invited


@transaction.atomic
def unassign(*, enrolment: Enrolment, actor: Any) -> None:
    """Remove an assignment. Nothing the learner did is deleted: if they had started, the
    module stays theirs to finish (progress, reflections, certificate and badge), but it
    leaves the completion report and gets no reminders; if they had not, the assignment is
    simply gone. The audit entry does not say which, nor does the coordinator's page."""
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    module, organisation = enrolment.module, enrolment.organisation
    started = enrolment.version_id is not None or StepProgress.objects.filter(enrolment=enrolment).exists()
    if started:
        enrolment.unassigned_at = timezone.now()
        enrolment.save(update_fields=["unassigned_at"])
    else:
        enrolment.delete()
    _audit("assignment_removed", actor=actor, organisation=organisation, target=module)


def _due_for_reminder(day: dt.date) -> Any:
    """Unfinished, current assignments of members whose due date is near or past and who
    were not reminded in the last few days."""
    return Enrolment.objects.filter(
        assigned=True,
        unassigned_at__isnull=True,
        completed_at__isnull=True,
        user__isnull=False,
        due_on__isnull=False,
        due_on__lte=day + dt.timedelta(days=REMIND_BEFORE_DAYS),
        reminders__lt=MAX_REMINDERS,
    ).filter(Q(last_reminded_on__isnull=True) | Q(last_reminded_on__lte=day - dt.timedelta(days=REMIND_EVERY_DAYS)))


@transaction.atomic
def send_due_reminders(*, today: dt.date | None = None) -> int:
    """The scheduled reminder (``manage.py send_learning_reminders``, daily): each member
    who has not finished an assigned module is reminded from ``REMIND_BEFORE_DAYS`` days
    before its due date, at most once every ``REMIND_EVERY_DAYS`` days and
    ``MAX_REMINDERS`` times. One audit entry and one queued task (ids and the day) per
    organisation and module; returns how many such groups had reminders queued."""
    # The widest "today" on Earth bounds the query; each organisation's own day decides.
    horizon = today or (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).date()
    groups = _due_for_reminder(horizon).values_list("organisation_id", "module_id").distinct().order_by()
    organisations = {o.pk: o for o in Organisation.objects.filter(pk__in={g[0] for g in groups})}
    queued = 0
    for organisation_id, module_id in sorted(set(groups)):
        organisation = organisations[organisation_id]
        day = today or today_for(organisation)
        due = _due_for_reminder(day).filter(
            organisation_id=organisation_id,
            module_id=module_id,
            user__memberships__organisation_id=organisation_id,
        )
        marked = Enrolment.objects.filter(pk__in=list(due.values_list("pk", flat=True))).update(
            last_reminded_on=day, reminders=F("reminders") + 1
        )
        if not marked:
            continue
        audit.record(
            action="saferwork.learning.reminders_queued",
            organisation=organisation,
            target=Module.objects.get(pk=module_id),
            data={"day": day.isoformat(), "scheduled": True},
        )
        transaction.on_commit(
            partial(
                tasks.send_reminders.enqueue, organisation_id=organisation_id, module_id=module_id, day=day.isoformat()
            )
        )
        queued += 1
    return queued


@transaction.atomic
def open_to_all(*, module: Module, organisation: Organisation, actor: Any, is_open: bool) -> None:
    if is_open:
        if latest_published(module) is None:
            raise LearningError("Publish the module before opening it.")
        ModuleOffer.objects.get_or_create(organisation=organisation, module=module, defaults={"opened_by": actor})
    else:
        ModuleOffer.objects.filter(organisation=organisation, module=module).delete()
    _audit("module_opened" if is_open else "module_closed", actor=actor, organisation=organisation, target=module)


def claim_enrolments(*, user: Any, organisation: Organisation) -> int:
    """Link assignments made to this person's address before they had an account here."""
    return Enrolment.objects.filter(organisation=organisation, email=user.email.lower(), user__isnull=True).update(
        user=user
    )


@transaction.atomic
def take_up(*, module: Module, organisation: Organisation, user: Any) -> Enrolment:
    """A member starts a module their organisation opened to all (or resumes their own)."""
    found = Enrolment.objects.filter(organisation=organisation, module=module, email=user.email.lower()).first()
    if found is not None:
        if found.user_id is None:
            found.user = user
            found.save(update_fields=["user"])
        return found
    if not ModuleOffer.objects.filter(organisation=organisation, module=module).exists():
        raise LearningError("This module is not open to you.")
    return Enrolment.objects.create(
        organisation=organisation, module=module, email=user.email.lower(), user=user, assigned=False
    )


@transaction.atomic
def start(*, enrolment: Enrolment) -> Enrolment:
    """Fix the learner's version on their first visit: later versions never move them."""
    if enrolment.version_id is None:
        version = latest_published(enrolment.module)
        if version is None:
            raise LearningError("This module has no published version yet.")
        enrolment.version = version
        enrolment.started_at = timezone.now()
        enrolment.save(update_fields=["version", "started_at"])
    return enrolment


# ---------------------------------------------------------------- progress


def resume_at(*, enrolment: Enrolment, position: int) -> None:
    """Remember the step the learner is on, so the module opens there next time."""
    if enrolment.current_position != position:
        enrolment.current_position = position
        enrolment.save(update_fields=["current_position"])


def _progress(enrolment: Enrolment, step: Step) -> StepProgress:
    progress, _ = StepProgress.objects.get_or_create(
        enrolment=enrolment, step=step, defaults={"organisation_id": enrolment.organisation_id}
    )
    return progress


def _move_on(enrolment: Enrolment, step: Step, target: int | None, steps: list[Step]) -> int | None:
    """Where the learner goes next (None: the end); the resume point and furthest step follow."""
    positions = [s.position for s in steps]
    if target is None:
        later = [p for p in positions if p > step.position]
        target = later[0] if later else None
    enrolment.current_position = target if target is not None else step.position
    enrolment.furthest_position = max(enrolment.furthest_position, enrolment.current_position)
    enrolment.save(update_fields=["current_position", "furthest_position"])
    return target


def _maybe_complete(enrolment: Enrolment, steps: list[Step]) -> None:
    """Complete once the last step is done and every knowledge check passed."""
    if enrolment.completed_at is not None:
        return
    rows = {p.step_id: p for p in StepProgress.objects.filter(enrolment=enrolment)}
    last = steps[-1]
    if last.pk not in rows or rows[last.pk].completed_at is None:
        return
    if any(s.kind == StepKind.CHECK and not (s.pk in rows and rows[s.pk].passed) for s in steps):
        return
    enrolment.completed_at = timezone.now()
    enrolment.save(update_fields=["completed_at"])
    _audit("module_completed", actor=enrolment.user, organisation=enrolment.organisation, target=enrolment)


@transaction.atomic
def complete_step(*, enrolment: Enrolment, step: Step, choice: int | None = None) -> int | None:
    """Mark a reading, media or scenario step done; returns the next position (None: the end)."""
    steps = list(enrolment.version.steps.all()) if enrolment.version else []
    target = None
    progress = _progress(enrolment, step)
    if step.kind == StepKind.SCENARIO:
        if choice is None or not 0 <= choice < len(step.choices):
            raise LearningError("Select what you would do")
        progress.choice = choice
        target = step.choices[choice].get("next")
    elif step.kind in (StepKind.CHECK, StepKind.REFLECTION):
        raise LearningError("Answer the step before moving on.")
    progress.completed_at = progress.completed_at or timezone.now()
    progress.save()
    following = _move_on(enrolment, step, target, steps)
    _maybe_complete(enrolment, steps)
    return following


@dataclass(frozen=True)
class CheckResult:
    score: int  # percent
    passed: bool
    right: list[bool]


def mark_check(*, step: Step, answers: list[int | None]) -> CheckResult:
    """Mark answers without recording anything (the learner's check and an author's preview)."""
    questions = step.questions
    if len(answers) != len(questions) or any(a is None for a in answers):
        raise LearningError("Answer every question")
    right = [a == q.get("correct") for a, q in zip(answers, questions, strict=True)]
    score = round(100 * sum(right) / len(questions))
    return CheckResult(score=score, passed=score >= step.pass_mark, right=right)


@transaction.atomic
def answer_check(*, enrolment: Enrolment, step: Step, answers: list[int | None]) -> CheckResult:
    """Mark a knowledge check: passed at or above its pass mark; a fail can be tried again."""
    marked = mark_check(step=step, answers=answers)
    score, passed = marked.score, marked.passed
    progress = _progress(enrolment, step)
    progress.attempts += 1
    progress.score = score
    progress.passed = progress.passed or passed
    if passed:
        progress.completed_at = progress.completed_at or timezone.now()
    progress.save()
    steps = list(enrolment.version.steps.all()) if enrolment.version else []
    if passed:
        _move_on(enrolment, step, None, steps)
        _maybe_complete(enrolment, steps)
    return marked


@transaction.atomic
def save_reflection(*, enrolment: Enrolment, step: Step, owner: Any, text: str) -> Reflection:
    """Seal the learner's words; only they read them (see ``selectors.own_reflection``)."""
    if enrolment.user_id != owner.pk:
        raise LearningError("Only the learner can write their reflection.")
    if len(text) > REFLECTION_TEXT_MAX:
        raise LearningError(f"Your reflection must be {REFLECTION_TEXT_MAX} characters or fewer")
    reflection = Reflection.objects.filter(enrolment=enrolment, step=step).first() or Reflection(
        organisation_id=enrolment.organisation_id, enrolment=enrolment, owner=owner, step=step
    )
    reflection.seal({"text": text})
    reflection.save()
    reflection.forget()
    progress = _progress(enrolment, step)
    progress.completed_at = progress.completed_at or timezone.now()
    progress.save()
    steps = list(enrolment.version.steps.all()) if enrolment.version else []
    _move_on(enrolment, step, None, steps)
    _maybe_complete(enrolment, steps)
    return reflection


# ---------------------------------------------------------------- badge


@transaction.atomic
def achievement_for(*, module: Module, title: str) -> Achievement:
    """The module's achievement, issued by the programme host, in a topic and a neutral wording."""
    host = badges.programme_host()
    achievement, _ = Achievement.objects.get_or_create(
        slug=f"learning-{module.slug}",
        defaults={
            "organisation": host,
            "name": title[:200],
            "description": f"Completed the self-paced module “{title}”.",
            "criteria": "Completed every step of the module and passed its knowledge checks.",
            "neutral_slug": f"learning-{module.slug}-module",
            "neutral_name": "Self-paced workplace learning",
            "neutral_description": "Completed a self-paced module on building a respectful workplace.",
            "neutral_criteria": "Completed every step of the module and passed its knowledge checks.",
        },
    )
    return achievement


@transaction.atomic
def claim_badge(*, enrolment: Enrolment, show_topic: bool, user: Any) -> Credential:
    """Issue the learner's Open Badges 3.0 credential, by their choice, once they completed."""
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",)).select_related("version", "module").get(pk=enrolment.pk)
    )
    if enrolment.user_id != user.pk:
        raise LearningError("Only the learner can claim their badge.")
    if enrolment.completed_at is None:
        raise LearningError("Complete the module to claim its badge.")
    if enrolment.credential_id:
        raise LearningError("You have already claimed this badge.")
    assert enrolment.version is not None
    credential = badges.issue_badge(
        recipient_email=user.email,
        achievement=achievement_for(module=enrolment.module, title=enrolment.version.title),
        show_topic=show_topic,
        session_date=timezone.localdate(enrolment.completed_at),
        issued_by=None,
    )
    enrolment.credential_id = credential.pk
    enrolment.save(update_fields=["credential_id"])
    _audit("badge_claimed", actor=user, organisation=enrolment.organisation, target=enrolment)
    return credential
