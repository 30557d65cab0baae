"""Writes for climate surveys: building a wave, launching and closing it, invitations, answering.

Builder writes are audited. Answering writes are not (see ``models``): an audit row with a
time beside a wave's answers would be the link the tables are shaped to avoid.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max

from saferwork.audit import services as audit
from saferwork.lib.email import queue_email
from saferwork.surveys.models import (
    MIN_THRESHOLD,
    AnonymityLocked,
    Answer,
    Department,
    Draft,
    Invitation,
    Kind,
    Question,
    QuestionItem,
    Response,
    Section,
    SpentInvitation,
    Survey,
    SurveyDepartment,
    hash_token,
    new_resume_code,
    normalise_resume_code,
)

_shuffle = random.SystemRandom().shuffle


class SurveyError(Exception):
    """Something a person asked for that cannot be done, in words they can read."""


# Fields a coordinator may change on a wave, and which of them are locked at launch.
SETTINGS_FIELDS = (
    "title",
    "wave",
    "introduction",
    "opens_on",
    "closes_on",
    "score_threshold",
    "comment_threshold",
    "previous",
)


def _refuse_if_answered(survey: Survey) -> None:
    if Survey.objects.filter(pk=survey.pk, has_answers=True).exists():
        raise AnonymityLocked("People have started answering: questions, sections and departments are fixed.")


def _refuse_if_not_draft(survey: Survey, what: str) -> None:
    if Survey.objects.filter(pk=survey.pk).exclude(status=Survey.Status.DRAFT).exists():
        raise AnonymityLocked(f"{what} cannot change once the survey has launched.")


# ---------------------------------------------------------------- the bank


@transaction.atomic
def create_item(
    *,
    organisation: Any,
    actor: Any,
    code: str,
    kind: str,
    text: str,
    options: Sequence[str] = (),
    hint: str = "",
    topic: str = QuestionItem.Topic.OTHER,
) -> QuestionItem:
    """An organisation's own item: its code must not be one the shared bank already uses."""
    if QuestionItem.objects.filter(organisation=None, code=code).exists():
        raise SurveyError(f"{code} is a code of the shared bank: choose another.")
    if QuestionItem.objects.filter(organisation=organisation, code=code).exists():
        raise SurveyError(f"Your organisation already has an item {code}.")
    if kind in (Kind.SINGLE, Kind.MULTIPLE) and len(options) < 2:
        raise SurveyError("A choice question needs at least two answers to choose from.")
    if kind == Kind.SCALE and options and len(options) != 5:
        raise SurveyError("A 5-point scale needs exactly five labels, or none for agree–disagree.")
    item = QuestionItem.objects.create(
        organisation=organisation,
        code=code,
        kind=kind,
        text=text,
        hint=hint,
        topic=topic,
        options=list(options) if kind in (Kind.SINGLE, Kind.MULTIPLE, Kind.SCALE) else [],
        source=f"Written by {organisation}",
        licence="The organisation's own",
        adapted_from="",
    )
    audit.record(action="saferwork.surveys.item_created", actor=actor, organisation=organisation, target=item, data={})
    return item


# ---------------------------------------------------------------- building a wave


@transaction.atomic
def create_survey(
    *,
    organisation: Any,
    actor: Any,
    title: str,
    wave: str,
    introduction: str = "",
    opens_on: Any = None,
    closes_on: Any = None,
    score_threshold: int = 10,
    comment_threshold: int = 10,
) -> Survey:
    if min(score_threshold, comment_threshold) < MIN_THRESHOLD:
        raise AnonymityLocked(f"A threshold can never be below {MIN_THRESHOLD}.")
    survey = Survey.objects.create(
        organisation=organisation,
        created_by=actor,
        title=title,
        wave=wave,
        introduction=introduction,
        opens_on=opens_on,
        closes_on=closes_on,
        score_threshold=score_threshold,
        comment_threshold=comment_threshold,
    )
    Section.objects.create(survey=survey, title="Your experiences", position=1)
    audit.record(action="saferwork.surveys.created", actor=actor, organisation=organisation, target=survey, data={})
    return survey


@transaction.atomic
def update_settings(*, survey: Survey, actor: Any, changes: Mapping[str, Any]) -> Survey:
    """Change a wave's settings. Thresholds are fixed at launch, whatever asks."""
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise SurveyError(f"Unknown settings: {', '.join(sorted(unknown))}.")
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    changed = {k: v for k, v in changes.items() if getattr(survey, k) != v}
    locked = [k for k in changed if k in Survey.LOCKED_AT_LAUNCH]
    if locked and survey.thresholds_locked:
        raise AnonymityLocked("The thresholds were fixed at launch and cannot change.")
    for name in Survey.LOCKED_AT_LAUNCH:
        if name in changed and changed[name] < MIN_THRESHOLD:
            raise AnonymityLocked(f"A threshold can never be below {MIN_THRESHOLD}.")
    previous = changed.get("previous")
    if previous is not None:
        if previous.organisation_id != survey.organisation_id or previous.pk == survey.pk:
            raise SurveyError("The previous wave must be another survey of this organisation.")
        if _series_ids(previous) & {survey.pk}:
            raise SurveyError("That wave already comes after this one.")
    for key, value in changed.items():
        setattr(survey, key, value)
    survey.full_clean(exclude=["organisation", "created_by"])
    survey.save()
    audit.record(
        action="saferwork.surveys.settings_changed",
        actor=actor,
        organisation=survey.organisation,
        target=survey,
        data={"changed": sorted(changed)},
    )
    return survey


def _series_ids(survey: Survey) -> set[int]:
    """The ids of ``survey`` and every wave before it (a loop in the series is refused)."""
    seen: set[int] = set()
    current: Survey | None = survey
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        current = current.previous
    return seen


@transaction.atomic
def add_department(*, survey: Survey, actor: Any, name: str) -> SurveyDepartment:
    _refuse_if_answered(survey)
    name = " ".join(name.split())
    if not name:
        raise SurveyError("Enter the department's name.")
    department, _ = Department.objects.get_or_create(organisation=survey.organisation, name=name)
    if survey.departments.filter(department=department).exists():
        raise SurveyError(f"{name} is already taking part.")
    taking_part = SurveyDepartment.objects.create(survey=survey, department=department)
    audit.record(
        action="saferwork.surveys.department_added",
        actor=actor,
        organisation=survey.organisation,
        target=survey,
        data={"department": name},
    )
    return taking_part


@transaction.atomic
def remove_department(*, taking_part: SurveyDepartment, actor: Any) -> None:
    survey = taking_part.survey
    _refuse_if_answered(survey)
    if taking_part.invitations.exists():
        raise SurveyError("Invitations have been made for this department: discard the staff list first.")
    name = taking_part.department.name
    taking_part.delete()
    audit.record(
        action="saferwork.surveys.department_removed",
        actor=actor,
        organisation=survey.organisation,
        target=survey,
        data={"department": name},
    )


@transaction.atomic
def add_section(*, survey: Survey, actor: Any, title: str) -> Section:
    _refuse_if_answered(survey)
    last = survey.sections.aggregate(last=Max("position"))["last"] or 0
    section = Section.objects.create(survey=survey, title=title, position=last + 1)
    audit.record(
        action="saferwork.surveys.section_added",
        actor=actor,
        organisation=survey.organisation,
        target=survey,
        data={"section": title},
    )
    return section


@transaction.atomic
def remove_section(*, section: Section, actor: Any) -> None:
    survey = section.survey
    _refuse_if_answered(survey)
    if survey.questions.filter(show_if__section=section).exclude(section=section).exists():
        raise SurveyError("A question on a later page depends on this page: change that first.")
    for question in section.questions.order_by("-position"):
        question.delete()
    section.delete()
    audit.record(
        action="saferwork.surveys.section_removed",
        actor=actor,
        organisation=survey.organisation,
        target=survey,
        data={"section": section.title},
    )


def _check_condition(section: Section, show_if: Question | None, values: Sequence[int]) -> list[int]:
    if show_if is None:
        return []
    if show_if.survey_id != section.survey_id:
        raise SurveyError("A condition must name a question of the same survey.")
    if show_if.section.position >= section.position:
        # Without JavaScript a page cannot react to itself: only earlier pages steer it.
        raise SurveyError("A question can depend only on a question on an earlier page.")
    if show_if.item.kind == Kind.TEXT:
        raise SurveyError("A question cannot depend on a free-text answer.")
    allowed = {value for value, _ in show_if.item.choices()}
    values = sorted({int(v) for v in values})
    if not values or not set(values) <= allowed:
        raise SurveyError("Choose which answers show this question.")
    return values


@transaction.atomic
def add_question(
    *,
    section: Section,
    item: QuestionItem,
    actor: Any,
    show_if: Question | None = None,
    show_if_values: Sequence[int] = (),
) -> Question:
    survey = section.survey
    _refuse_if_answered(survey)
    if item.organisation_id not in (None, survey.organisation_id):
        raise SurveyError("That item belongs to another organisation.")
    if survey.questions.filter(item=item).exists():
        raise SurveyError(f"{item.code} is already in this survey.")
    values = _check_condition(section, show_if, show_if_values)
    last = section.questions.aggregate(last=Max("position"))["last"] or 0
    question = Question.objects.create(
        survey=survey, section=section, item=item, position=last + 1, show_if=show_if, show_if_values=values
    )
    audit.record(
        action="saferwork.surveys.question_added",
        actor=actor,
        organisation=survey.organisation,
        target=survey,
        data={"item": item.code},
    )
    return question


@transaction.atomic
def set_condition(*, question: Question, actor: Any, show_if: Question | None, show_if_values: Sequence[int]) -> None:
    survey = question.survey
    _refuse_if_answered(survey)
    if show_if is not None and show_if.pk == question.pk:
        raise SurveyError("A question cannot depend on itself.")
    question.show_if_values = _check_condition(question.section, show_if, show_if_values)
    question.show_if = show_if
    question.save()
    audit.record(
        action="saferwork.surveys.condition_changed",
        actor=actor,
        organisation=survey.organisation,
        target=survey,
        data={"item": question.item.code, "depends_on": show_if.item.code if show_if else ""},
    )


@transaction.atomic
def remove_question(*, question: Question, actor: Any) -> None:
    survey = question.survey
    _refuse_if_answered(survey)
    if question.dependants.exists():
        raise SurveyError("Another question depends on this one: remove that condition first.")
    code = question.item.code
    question.delete()
    audit.record(
        action="saferwork.surveys.question_removed",
        actor=actor,
        organisation=survey.organisation,
        target=survey,
        data={"item": code},
    )


def launch_problems(survey: Survey) -> list[str]:
    problems = []
    if not survey.departments.exists():
        problems.append("Add at least one department.")
    if not survey.questions.exists():
        problems.append("Add at least one question.")
    if survey.sections.filter(questions__isnull=True).exists():
        problems.append("Every page needs a question: remove empty pages.")
    if not survey.closes_on:
        problems.append("Set a closing date.")
    return problems


@transaction.atomic
def launch(*, survey: Survey, actor: Any) -> Survey:
    """Open the wave. From here the thresholds cannot change (they are printed to respondents)."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if not survey.is_draft:
        raise SurveyError("This survey has already launched.")
    problems = launch_problems(survey)
    if problems:
        raise SurveyError(" ".join(problems))
    survey.status = Survey.Status.LIVE
    survey.save(update_fields=["status"])
    audit.record(
        action="saferwork.surveys.launched",
        actor=actor,
        organisation=survey.organisation,
        target=survey,
        data={"score_threshold": survey.score_threshold, "comment_threshold": survey.comment_threshold},
    )
    return survey


@transaction.atomic
def close(*, survey: Survey, actor: Any = None) -> Survey:
    """Close the wave: keep every unfinished answer, publish what waits, forget every address."""
    from saferwork.surveys import tasks

    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status == Survey.Status.CLOSED:
        return survey
    kept = _fold_drafts(survey)
    _release(survey, force=True)
    unused = survey.invitations.count()
    survey.invitations.all().delete()
    SpentInvitation.objects.filter(survey=survey).delete()
    survey.status = Survey.Status.CLOSED
    survey.save(update_fields=["status"])
    audit.record(
        action="saferwork.surveys.closed",
        actor=actor,
        organisation=survey.organisation,
        target=survey,
        data={"unfinished_kept": kept, "unused_invitations_deleted": unused},
    )
    survey_id = survey.pk
    # The suppressed tables are worked out once, in the background, not by the first reader.
    transaction.on_commit(lambda: tasks.work_out_results.enqueue(survey_id=survey_id))
    return survey


def close_if_due(survey: Survey, today: Any = None) -> Survey:
    """A live wave past its closing date is closed the first time anyone looks at it."""
    from django.utils import timezone

    today = today or timezone.localdate()
    if survey.status == Survey.Status.LIVE and survey.closes_on and today > survey.closes_on:
        return close(survey=survey)
    return survey


# ---------------------------------------------------------------- the staff list and invitations


@dataclass
class StaffRow:
    email: str
    department_id: int


@transaction.atomic
def import_staff_list(*, survey: Survey, actor: Any, rows: Iterable[StaffRow]) -> dict[str, int]:
    """Store a checked staff list as invitations not yet sent. Nothing of a list with errors arrives here."""
    if survey.status == Survey.Status.CLOSED:
        raise SurveyError("This survey has closed.")
    departments = {d.pk: d for d in survey.departments.select_related("department")}
    rows = list(rows)
    if any(row.department_id not in departments for row in rows):
        raise SurveyError("A row names a department that is not taking part.")
    Invitation.objects.filter(survey=survey, sent=False).delete()
    Invitation.objects.bulk_create(
        [Invitation(survey=survey, department_id=row.department_id, email=row.email) for row in rows]
    )
    counts = Counter(departments[row.department_id].department.name for row in rows)
    audit.record(
        action="saferwork.surveys.staff_list_checked",
        actor=actor,
        organisation=survey.organisation,
        target=survey,
        data={"people": len(rows), "departments": len(counts)},
    )
    return dict(counts)


@transaction.atomic
def discard_staff_list(*, survey: Survey, actor: Any) -> int:
    deleted, _ = Invitation.objects.filter(survey=survey, sent=False).delete()
    audit.record(
        action="saferwork.surveys.staff_list_discarded",
        actor=actor,
        organisation=survey.organisation,
        target=survey,
        data={"people": deleted},
    )
    return deleted


@transaction.atomic
def send_invitations(*, survey: Survey, actor: Any) -> int:
    """Queue the invitations of the checked list; keep only the counts per department.

    The worker mints each token (``surveys/emails.py``) so no task argument holds one.
    """
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if not survey.is_open_on():
        raise SurveyError("Invitations can be sent only while the survey is open.")
    waiting = Counter(Invitation.objects.filter(survey=survey, sent=False).values_list("department_id", flat=True))
    if not waiting:
        raise SurveyError("There is no checked staff list waiting to be sent.")
    for taking_part in SurveyDepartment.objects.filter(pk__in=waiting):
        taking_part.invited += waiting[taking_part.pk]
        SurveyDepartment.objects.filter(pk=taking_part.pk).update(invited=taking_part.invited)
    queue_email("surveys.invitation", ids=[survey.pk])
    total = sum(waiting.values())
    audit.record(
        action="saferwork.surveys.invitations_sent",
        actor=actor,
        organisation=survey.organisation,
        target=survey,
        data={"people": total},
    )
    return total


@transaction.atomic
def send_reminders(*, survey: Survey, actor: Any) -> int:
    """Remind everyone whose invitation is unused: used ones no longer exist to be reminded."""
    from saferwork.surveys import tasks

    if not survey.is_open_on():
        raise SurveyError("Reminders can be sent only while the survey is open.")
    unused = Invitation.objects.filter(survey=survey, sent=True).count()
    if unused:
        survey_id = survey.pk
        transaction.on_commit(lambda: tasks.send_reminders.enqueue(survey_id=survey_id))
    audit.record(
        action="saferwork.surveys.reminders_sent",
        actor=actor,
        organisation=survey.organisation,
        target=survey,
        data={"people": unused},
    )
    return unused


# ---------------------------------------------------------------- answering (no audit, no time)


class InvitationUsed(SurveyError):
    pass


class SurveyClosed(SurveyError):
    pass


def find_invitation(token: str) -> tuple[Invitation | None, bool]:
    """The unused invitation for ``token``, and whether the token was already spent."""
    digest = hash_token(token)
    found = Invitation.objects.select_related("survey", "department").filter(token_hash=digest).first()
    if found is not None:
        return found, False
    return None, SpentInvitation.objects.filter(token_hash=digest).exists()


@transaction.atomic
def spend_invitation(*, token: str) -> SurveyDepartment:
    """Use a one-time invitation: its row and address go; only an unlinked hash says it was used.

    Kept apart from :func:`start` (its own transaction), so the spent mark and the draft
    share no transaction id.
    """
    digest = hash_token(token)
    found = Invitation.objects.select_for_update().select_related("survey").filter(token_hash=digest).first()
    if found is None:
        if SpentInvitation.objects.filter(token_hash=digest).exists():
            raise InvitationUsed("This invitation has already been used.")
        raise SurveyError("This invitation link is not valid.")
    if not found.survey.is_open_on():
        raise SurveyClosed("This survey is not open.")
    taking_part = SurveyDepartment.objects.get(pk=found.department_id)
    SpentInvitation.objects.create(survey_id=found.survey_id, token_hash=digest)
    found.delete()
    return taking_part


@transaction.atomic
def start(*, taking_part: SurveyDepartment) -> str:
    """Begin answering: returns the resume code, which is the only key to the draft."""
    survey = taking_part.survey
    if not survey.is_open_on():
        raise SurveyClosed("This survey is not open.")
    code = new_resume_code()
    Draft.objects.create(key=hash_token(code), survey=survey, department=taking_part)
    Survey.objects.filter(pk=survey.pk, has_answers=False).update(has_answers=True)
    return code


def find_draft(code: str | None) -> Draft | None:
    if not code:
        return None
    return (
        Draft.objects.select_related("survey", "survey__organisation", "department__department")
        .filter(key=hash_token(normalise_resume_code(code)))
        .first()
    )


def _clean_value(question: Question, value: Any) -> Any:
    item = question.item
    if item.kind == Kind.TEXT:
        return str(value or "").strip()[:5000]
    allowed = {v for v, _ in item.choices()}
    if item.kind == Kind.MULTIPLE:
        chosen = sorted({int(v) for v in value or []})
        if not set(chosen) <= allowed:
            raise SurveyError("An answer is not one of the choices.")
        return chosen
    if value in (None, ""):
        return None
    if int(value) not in allowed:
        raise SurveyError("An answer is not one of the choices.")
    return int(value)


@transaction.atomic
def save_page(*, code: str, section: Section, answers: Mapping[str, Any]) -> Draft:
    """Keep one page's answers (keyed by question id) in the draft, so nothing is lost."""
    draft = Draft.objects.select_for_update().filter(key=hash_token(normalise_resume_code(code))).first()
    if draft is None:
        raise SurveyError("These answers can no longer be found.")
    survey = Survey.objects.get(pk=draft.survey_id)
    if not survey.is_open_on():
        raise SurveyClosed("This survey has closed.")
    questions = {q.pk: q for q in section.questions.select_related("item")}
    if section.survey_id != survey.pk:
        raise SurveyError("That page is not part of this survey.")
    stored = dict(draft.answers)
    for pk, question in questions.items():
        value = _clean_value(question, answers.get(str(pk)))
        if value in (None, "", []):
            stored.pop(str(pk), None)
        else:
            stored[str(pk)] = value
    draft.answers = stored
    order = list(survey.sections.values_list("pk", flat=True))
    draft.pages_done = max(draft.pages_done, order.index(section.pk) + 1)
    draft.save(update_fields=["answers", "pages_done"])
    return draft


def _response_rows(survey: Survey, draft: Draft, *, finished: bool) -> tuple[Response, list[Answer]]:
    questions = {str(q.pk): q for q in survey.questions.select_related("item")}
    response = Response(survey_id=survey.pk, department_id=draft.department_id, finished=finished)
    rows: list[Answer] = []
    for key, value in draft.answers.items():
        question = questions.get(key)
        if question is None or not question.shown_for(draft.answers):
            continue
        if question.item.kind == Kind.TEXT:
            rows.append(Answer(response=response, question=question, text=value))
        elif isinstance(value, list):
            rows.extend(Answer(response=response, question=question, choice=v) for v in value)
        else:
            rows.append(Answer(response=response, question=question, choice=value))
    return response, rows


@transaction.atomic
def finish(*, code: str) -> None:
    """Turn a draft into a response waiting for its group; publish the group when it is full."""
    draft = Draft.objects.select_for_update().filter(key=hash_token(normalise_resume_code(code))).first()
    if draft is None:
        raise SurveyError("These answers can no longer be found.")
    survey = Survey.objects.select_for_update().get(pk=draft.survey_id)
    if not survey.is_open_on():
        raise SurveyClosed("This survey has closed.")
    response, rows = _response_rows(survey, draft, finished=True)
    draft.delete()
    response.save()
    Answer.objects.bulk_create(rows)
    _release(survey, department_id=draft.department_id)


def _fold_drafts(survey: Survey) -> int:
    """Every unfinished draft becomes an unfinished response: answers given are kept."""
    drafts = list(Draft.objects.select_for_update().filter(survey=survey))
    responses, rows = [], []
    for draft in drafts:
        if not draft.answers:
            continue
        response, answers = _response_rows(survey, draft, finished=False)
        responses.append(response)
        rows.extend(answers)
    Draft.objects.filter(survey=survey).delete()
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(rows)
    return len(responses)


def _release(survey: Survey, *, force: bool = False, department_id: int | None = None) -> None:
    """Rewrite waiting responses in groups, shuffled, under fresh keys.

    A department's waiting responses are published once there are at least the score
    threshold of them, so ids, physical order and the writing transaction say no more
    than "one of these N in this department": never less than the threshold. At close
    (``force``) every response of the wave, published or waiting, is written again in
    one shuffled go, so the kept data carries one transaction id and no order at all.
    """
    if force:
        rows = Response.objects.select_for_update().filter(survey=survey)
        _rewrite(list(rows), release=1)
        return
    pending = list(
        Response.objects.select_for_update().filter(survey=survey, department_id=department_id, release__isnull=True)
    )
    if len(pending) < survey.score_threshold:
        return
    last = Response.objects.filter(survey=survey, department_id=department_id).aggregate(last=Max("release"))["last"]
    _rewrite(pending, release=(last or 0) + 1)


def _rewrite(responses: list[Response], *, release: int) -> None:
    if not responses:
        return
    answers = list(Answer.objects.filter(response__in=responses))
    Response.objects.filter(pk__in=[r.pk for r in responses]).delete()  # cascades to the answers
    fresh: dict[Any, Response] = {}
    _shuffle(responses)
    for response in responses:
        old = response.pk
        response.pk = uuid.uuid4()
        response.release = release
        fresh[old] = response
    Response.objects.bulk_create(responses)
    _shuffle(answers)
    for answer in answers:
        answer.pk = uuid.uuid4()
        answer.response = fresh[answer.response_id]
    Answer.objects.bulk_create(answers)


# ---------------------------------------------------------------- the redaction pass on comments


@transaction.atomic
def review_comment(*, answer: Answer, actor: Any, text: str, left_out: bool) -> Answer:
    """Clear a free-text answer for leaders (as ``text``, the redacted version) or leave it out.

    Only once the wave has closed (answers are then fixed). Audited without the text, the
    answer's id or its department: the entry says a comment of that question was reviewed.
    """
    survey = Survey.objects.select_for_update().get(pk=answer.question.survey_id)
    if survey.status != Survey.Status.CLOSED:
        raise SurveyError("Comments can be reviewed once the survey has closed.")
    text = text.strip()[:5000]
    if not left_out and not text:
        raise SurveyError("Enter the text leaders will read, or leave this comment out.")
    answer.redacted = "" if left_out else text
    answer.left_out = left_out
    answer.reviewed = True
    answer.save(update_fields=["redacted", "left_out", "reviewed"])
    audit.record(
        action="saferwork.surveys.comment_reviewed",
        actor=actor,
        organisation=survey.organisation,
        target=survey,
        data={"item": answer.question.item.code, "left_out": left_out, "changed": text != answer.text.strip()},
    )
    return answer
