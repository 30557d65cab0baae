"""Writes for the risk register. Each change and its audit entry commit together."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction

from saferwork.actions import services as actions
from saferwork.actions.models import Action
from saferwork.actions.selectors import is_member
from saferwork.audit import services as audit
from saferwork.organisations.models import Organisation
from saferwork.risk import library, selectors, suggestions, tasks
from saferwork.risk.models import Assessment, Control, Hazard, Review, Suggestion


class RiskError(Exception):
    """A change that cannot be made, in words for the person who asked."""


def _record(what: str, actor: Any, organisation: Organisation, target: Any, data: dict[str, Any] | None = None) -> None:
    audit.record(action=f"saferwork.risk.{what}", actor=actor, organisation=organisation, target=target, data=data)


def _check_member(organisation: Organisation, user: Any, what: str = "The owner") -> None:
    if user is None or not is_member(organisation, user):
        raise RiskError(f"{what} must be a member of this organisation")


def _check_rating(*values: int) -> None:
    if any(not isinstance(v, int) or not 1 <= v <= library.SIZE for v in values):
        raise RiskError("Each rating must be from 1 to 5")


@transaction.atomic
def create_assessment(
    *,
    organisation: Organisation,
    kind: str,
    title: str,
    owner: Any,
    review_on: dt.date,
    actor: Any,
    department: str = "",
    scope: str = "",
) -> Assessment:
    """A new assessment with a copy of today's matrix, so later versions never change its ratings."""
    _check_member(organisation, owner)
    if kind not in Assessment.Kind.values:
        raise RiskError("Select the kind of assessment")
    matrix = library.current_matrix_data()
    assessment = Assessment.objects.create(
        organisation=organisation,
        kind=kind,
        title=title,
        department=department,
        scope=scope,
        owner=owner,
        matrix=matrix,
        matrix_version=matrix["version"],
        review_on=review_on,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_on=selectors.today_for(organisation),
    )
    _record(
        "assessment_created",
        actor,
        organisation,
        assessment,
        {"kind": kind, "owner": owner.pk, "matrix": assessment.matrix_version, "review_on": review_on.isoformat()},
    )
    return assessment


@transaction.atomic
def share_assessment(*, assessment: Assessment, user: Any, actor: Any) -> None:
    """Let another member read the assessment."""
    _check_member(assessment.organisation, user, "The person")
    if user.pk == assessment.owner_id or assessment.shared_with.filter(pk=user.pk).exists():
        return
    assessment.shared_with.add(user)
    _record("assessment_shared", actor, assessment.organisation, assessment, {"with": user.pk})


@transaction.atomic
def unshare_assessment(*, assessment: Assessment, user: Any, actor: Any) -> None:
    """Stop sharing: the person no longer sees the assessment (unless they own it or manage the register)."""
    if not assessment.shared_with.filter(pk=user.pk).exists():
        return
    assessment.shared_with.remove(user)
    _record("assessment_unshared", actor, assessment.organisation, assessment, {"with": user.pk})


@transaction.atomic
def record_review(*, assessment: Assessment, next_review_on: dt.date, actor: Any, note: str = "") -> Review:
    """HSE step 5: the assessment was reviewed today; the next review is due on ``next_review_on``."""
    today = selectors.today_for(assessment.organisation)
    if next_review_on <= today:
        raise RiskError("The next review date must be in the future")
    review = Review.objects.create(
        organisation=assessment.organisation,
        assessment=assessment,
        reviewed_on=today,
        reviewed_by=actor,
        note=note,
        next_review_on=next_review_on,
    )
    assessment.last_reviewed_on = today
    assessment.review_on = next_review_on
    assessment.last_reminded_on = None
    assessment.save(update_fields=["last_reviewed_on", "review_on", "last_reminded_on"])
    _record(
        "assessment_reviewed",
        actor,
        assessment.organisation,
        assessment,
        {"next_review_on": next_review_on.isoformat()},
    )
    return review


@transaction.atomic
def add_hazard(
    *,
    assessment: Assessment,
    title: str,
    actor: Any,
    inherent: tuple[int, int],
    current: tuple[int, int],
    target: tuple[int, int],
    description: str = "",
    who: list[str] | None = None,
    factors: list[str] | None = None,
    source: str = Hazard.Source.INTERNAL,
    existing_precautions: str = "",
) -> Hazard:
    """A hazard (HSE step 1) with who might be harmed (step 2) and its three ratings (step 3)."""
    _check_rating(*inherent, *current, *target)
    who = who or []
    factors = factors or []
    if any(w not in library.WHO_LABELS for w in who):
        raise RiskError("Select who might be harmed from the list")
    if any(f not in library.factor_labels() for f in factors):
        raise RiskError("Select risk factors from the list")
    hazard = Hazard.objects.create(
        organisation=assessment.organisation,
        assessment=assessment,
        title=title,
        description=description,
        who=who,
        factors=factors,
        source=source,
        existing_precautions=existing_precautions,
        inherent_likelihood=inherent[0],
        inherent_severity=inherent[1],
        current_likelihood=current[0],
        current_severity=current[1],
        target_likelihood=target[0],
        target_severity=target[1],
        created_on=selectors.today_for(assessment.organisation),
    )
    _record(
        "hazard_added",
        actor,
        assessment.organisation,
        hazard,
        {"assessment": assessment.pk, "inherent": list(inherent), "current": list(current), "target": list(target)},
    )
    return hazard


HAZARD_TEXT_FIELDS = ("title", "description", "who", "factors", "source", "existing_precautions")


def _ratings(hazard: Hazard) -> dict[str, list[int]]:
    return {
        "inherent": [hazard.inherent_likelihood, hazard.inherent_severity],
        "current": [hazard.current_likelihood, hazard.current_severity],
        "target": [hazard.target_likelihood, hazard.target_severity],
    }


def current_rating_editable(hazard: Hazard) -> bool:
    """The current (residual) rating may be corrected by editing only until the hazard has a
    control; from then on it changes only by re-rating, once the controls' actions are done
    with evidence (:func:`rerate_residual`)."""
    return not hazard.controls.exists()


@transaction.atomic
def update_assessment(
    *, assessment: Assessment, actor: Any, kind: str, title: str, owner: Any, department: str = "", scope: str = ""
) -> Assessment:
    """Change what an assessment is about and who owns it; its matrix, ratings and reviews stay.
    The audit entry keeps every changed field's old and new value."""
    _check_member(assessment.organisation, owner)
    if kind not in Assessment.Kind.values:
        raise RiskError("Select the kind of assessment")
    new = {"kind": kind, "title": title, "department": department, "scope": scope, "owner_id": owner.pk}
    changed = {k: [getattr(assessment, k), v] for k, v in new.items() if getattr(assessment, k) != v}
    if not changed:
        return assessment
    for name, (_, value) in changed.items():
        setattr(assessment, name, value)
    assessment.save(update_fields=[n for n in changed])
    _record("assessment_changed", actor, assessment.organisation, assessment, {"changed": changed})
    return assessment


@transaction.atomic
def update_hazard(
    *,
    hazard: Hazard,
    actor: Any,
    title: str,
    inherent: tuple[int, int],
    target: tuple[int, int],
    current: tuple[int, int] | None = None,
    description: str = "",
    who: list[str] | None = None,
    factors: list[str] | None = None,
    source: str = Hazard.Source.INTERNAL,
    existing_precautions: str = "",
) -> Hazard:
    """Change a hazard's words and its inherent and target ratings. The current rating changes
    here only while the hazard has no control (see :func:`current_rating_editable`). The audit
    entry keeps every changed value, before and after."""
    ratings = [*inherent, *target, *(current or ())]
    _check_rating(*ratings)
    who, factors = who or [], factors or []
    if any(w not in library.WHO_LABELS for w in who):
        raise RiskError("Select who might be harmed from the list")
    if any(f not in library.factor_labels() for f in factors):
        raise RiskError("Select risk factors from the list")
    if source not in Hazard.Source.values:
        raise RiskError("Select where the risk comes from")
    if current is not None and list(current) != _ratings(hazard)["current"] and not current_rating_editable(hazard):
        raise RiskError("The current risk changes by re-rating once its controls' actions are done with evidence")
    before = {name: getattr(hazard, name) for name in HAZARD_TEXT_FIELDS} | _ratings(hazard)
    hazard.title, hazard.description, hazard.who, hazard.factors = title, description, who, factors
    hazard.source, hazard.existing_precautions = source, existing_precautions
    hazard.inherent_likelihood, hazard.inherent_severity = inherent
    hazard.target_likelihood, hazard.target_severity = target
    if current is not None:
        hazard.current_likelihood, hazard.current_severity = current
    after = {name: getattr(hazard, name) for name in HAZARD_TEXT_FIELDS} | _ratings(hazard)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if not changed:
        return hazard
    hazard.save()
    _record(
        "hazard_changed", actor, hazard.organisation, hazard, {"assessment": hazard.assessment_id, "changed": changed}
    )
    return hazard


@transaction.atomic
def delete_hazard(*, hazard: Hazard, actor: Any) -> dict[str, Any]:
    """Delete a hazard and its controls. Actions made from the controls stay in the hub (with
    the label they were made with), and the audit entry, written on the assessment, keeps a
    copy of everything deleted: the hazard's words and ratings, each control, and its actions.
    Returns that copy."""
    controls = list(hazard.controls.select_related("owner").order_by("id"))
    by_control = selectors.control_actions(hazard.organisation, controls)
    copy: dict[str, Any] = {
        "hazard": hazard.pk,
        **{name: getattr(hazard, name) for name in HAZARD_TEXT_FIELDS},
        **_ratings(hazard),
        "rerated_on": hazard.rerated_on.isoformat() if hazard.rerated_on else None,
        "created_on": hazard.created_on.isoformat(),
        "controls": [
            {
                "description": c.description,
                "owner": c.owner_id,
                "due_on": c.due_on.isoformat(),
                "evidence_note": c.evidence_note,
                "actions": [a.pk for a in by_control[c.pk]],
            }
            for c in controls
        ],
    }
    assessment = hazard.assessment
    hazard.delete()
    _record("hazard_deleted", actor, assessment.organisation, assessment, copy)
    return copy


def _control_copy(control: Control, actions_made: list[Action]) -> dict[str, Any]:
    return {
        "control": control.pk,
        "description": control.description,
        "owner": control.owner_id,
        "due_on": control.due_on.isoformat(),
        "evidence_note": control.evidence_note,
        "actions": [a.pk for a in actions_made],
    }


OPEN_ACTIONS_CHOICES = ("keep", "cancel")


@transaction.atomic
def delete_assessment(*, assessment: Assessment, actor: Any, open_actions: str = "keep") -> dict[str, Any]:
    """Delete an assessment with its hazards, controls and reviews.

    Actions made from its controls are the organisation's record of steps taken, so they
    stay in the hub with their evidence and the label they were made with (no longer
    linking back). Open ones stay open (``open_actions="keep"``) or are cancelled, each
    with its own audited status change saying why (``"cancel"``): for an assessment made
    by mistake. Done actions are never changed. The audit entry, on the assessment, keeps
    a copy of what was deleted and which actions were cancelled. Returns that copy."""
    if open_actions not in OPEN_ACTIONS_CHOICES:
        raise RiskError("Say what happens to the open actions")
    organisation = assessment.organisation
    hazards = list(assessment.hazards.order_by("id"))
    controls = list(Control.objects.filter(hazard__in=hazards).order_by("id"))
    by_control = selectors.control_actions(organisation, controls)
    by_hazard: dict[int, list[dict[str, Any]]] = {h.pk: [] for h in hazards}
    for control in controls:
        by_hazard[control.hazard_id].append(_control_copy(control, by_control[control.pk]))
    cancelled: list[int] = []
    if open_actions == "cancel":
        for action in [a for found in by_control.values() for a in found if a.is_open]:
            actions.change_status(
                action=action,
                status=Action.Status.CANCELLED,
                actor=actor,
                note=f"Its risk assessment “{assessment.title}” was deleted.",
            )
            cancelled.append(action.pk)
    copy: dict[str, Any] = {
        "title": assessment.title,
        "kind": assessment.kind,
        "department": assessment.department,
        "owner": assessment.owner_id,
        "created_on": assessment.created_on.isoformat(),
        "review_on": assessment.review_on.isoformat(),
        "matrix": assessment.matrix_version,
        "reviews": [r.isoformat() for r in assessment.reviews.values_list("reviewed_on", flat=True)],
        "hazards": [{"hazard": h.pk, "title": h.title, **_ratings(h), "controls": by_hazard[h.pk]} for h in hazards],
        "open_actions": open_actions,
        "cancelled_actions": cancelled,
    }
    _record("assessment_deleted", actor, organisation, assessment, copy)
    assessment.delete()
    return copy


@transaction.atomic
def update_control(
    *, control: Control, actor: Any, description: str, owner: Any, due_on: dt.date, evidence_note: str = ""
) -> Control:
    """Change a control's words, owner, due date or evidence note. An action already made
    from it keeps its own owner and due date (they change on the action's page). The audit
    entry keeps every changed value, before and after."""
    _check_member(control.organisation, owner)
    new = {"description": description, "owner_id": owner.pk, "due_on": due_on, "evidence_note": evidence_note}
    changed = {k: [getattr(control, k), v] for k, v in new.items() if getattr(control, k) != v}
    if not changed:
        return control
    for name, (_, value) in changed.items():
        setattr(control, name, value)
    control.save(update_fields=list(changed))
    data = {k: [v.isoformat() if isinstance(v, dt.date) else v for v in pair] for k, pair in changed.items()}
    _record("control_changed", actor, control.organisation, control, {"hazard": control.hazard_id, "changed": data})
    return control


@transaction.atomic
def delete_control(*, control: Control, actor: Any) -> dict[str, Any]:
    """Delete a control. Actions made from it stay in the hub with their evidence (and no
    longer count towards re-rating its hazard); the audit entry, on the hazard, keeps a copy."""
    copy = _control_copy(control, selectors.control_actions(control.organisation, [control])[control.pk])
    hazard = control.hazard
    control.delete()
    _record("control_deleted", actor, hazard.organisation, hazard, {"assessment": hazard.assessment_id, **copy})
    return copy


@transaction.atomic
def rerate_residual(*, hazard: Hazard, likelihood: int, severity: int, actor: Any, note: str = "") -> Hazard:
    """Re-rate the residual (current) risk after controls: refused until every action made
    from the hazard's controls is done with evidence (see ``selectors.rerate_blockers``)."""
    _check_rating(likelihood, severity)
    blockers = selectors.rerate_blockers(hazard)
    if blockers:
        raise RiskError(
            "The residual risk can be re-rated only once its actions are done with evidence. " + " ".join(blockers)
        )
    before = [hazard.current_likelihood, hazard.current_severity]
    hazard.current_likelihood = likelihood
    hazard.current_severity = severity
    hazard.rerated_on = selectors.today_for(hazard.organisation)
    hazard.save(update_fields=["current_likelihood", "current_severity", "rerated_on"])
    data: dict[str, Any] = {"from": before, "to": [likelihood, severity]}
    if note:
        data["note"] = note[:500]
    _record("residual_rerated", actor, hazard.organisation, hazard, data)
    return hazard


@transaction.atomic
def add_control(
    *, hazard: Hazard, description: str, owner: Any, due_on: dt.date, actor: Any, evidence_note: str = ""
) -> Control:
    """A precaution for the hazard, owned by a member, due on a date."""
    _check_member(hazard.organisation, owner)
    control = Control.objects.create(
        organisation=hazard.organisation,
        hazard=hazard,
        description=description,
        owner=owner,
        due_on=due_on,
        evidence_note=evidence_note,
        created_on=selectors.today_for(hazard.organisation),
    )
    _record("control_added", actor, hazard.organisation, control, {"hazard": hazard.pk, "due_on": due_on.isoformat()})
    return control


@transaction.atomic
def control_to_action(*, control: Control, actor: Any) -> Action:
    """Turn a control into an action in the hub, in one click: same owner, due date and words.
    A control with an open or done action already gets that one back."""
    existing = (
        Action.objects.for_organisation(control.organisation)
        .filter(source_kind=selectors.CONTROL_SOURCE, source_ref=str(control.pk))
        .exclude(status=Action.Status.CANCELLED)
        .first()
    )
    if existing is not None:
        return existing
    hazard = control.hazard
    try:
        action = actions.create_action(
            organisation=control.organisation,
            title=control.description[:200],
            description=f"A control for the risk “{hazard.title}” in {hazard.assessment.title}.",
            department=hazard.assessment.department,
            owner=control.owner,
            due_on=control.due_on,
            source_kind=selectors.CONTROL_SOURCE,
            source_ref=str(control.pk),
            actor=actor,
        )
    except actions.ActionError as exc:
        raise RiskError(str(exc)) from exc
    _record("control_to_action", actor, control.organisation, control, {"action": action.pk})
    return action


# ---------------------------------------------------------------- suggestions


@transaction.atomic
def refresh_suggestions(*, organisation: Organisation, actor: Any) -> int:
    """Look at the suppressed reporting statistics and survey results for hazards to review.

    Only makes suggestions: a hazard is created only when a person accepts one. A key that
    was suggested before (whatever was decided) is not suggested again. Returns how many
    are new.
    """
    today = selectors.today_for(organisation)
    known = set(Suggestion.objects.for_organisation(organisation).values_list("key", flat=True))
    added = 0
    for found in suggestions.from_data(organisation, today, actor=actor):
        if found.key in known:
            continue
        try:
            with transaction.atomic():
                Suggestion.objects.create(
                    organisation=organisation,
                    origin=found.origin,
                    key=found.key,
                    title=found.title,
                    detail=found.detail,
                    source=found.source,
                    created_on=today,
                )
        except IntegrityError:
            continue  # made at the same moment by another request
        added += 1
    audit.record(
        action="saferwork.risk.suggestions_refreshed", actor=actor, organisation=organisation, data={"added": added}
    )
    return added


def _decide(suggestion: Suggestion, status: str, actor: Any, reason: str) -> None:
    if suggestion.status != Suggestion.Status.PENDING:
        raise RiskError("This suggestion has already been decided")
    if not reason.strip():
        raise RiskError("Enter the reason for your decision")
    suggestion.status = status
    suggestion.reason = reason.strip()[:500]
    suggestion.decided_by = actor
    suggestion.decided_on = selectors.today_for(suggestion.organisation)


@transaction.atomic
def accept_suggestion(
    *, suggestion: Suggestion, assessment: Assessment, actor: Any, reason: str, rating: tuple[int, int]
) -> Hazard:
    """A person accepts: the suggested hazard is added to the chosen assessment (same
    organisation), rated by them (inherent, current and target start the same)."""
    if assessment.organisation_id != suggestion.organisation_id:
        raise RiskError("Choose an assessment of this organisation")
    _decide(suggestion, Suggestion.Status.ACCEPTED, actor, reason)
    hazard = add_hazard(
        assessment=assessment,
        title=suggestion.title,
        description=suggestion.detail,
        source=suggestion.source,
        who=["third_parties"] if suggestion.source == Hazard.Source.THIRD_PARTY else ["staff"],
        inherent=rating,
        current=rating,
        target=rating,
        actor=actor,
    )
    suggestion.hazard = hazard
    suggestion.save(update_fields=["status", "reason", "decided_by", "decided_on", "hazard"])
    _record(
        "suggestion_accepted",
        actor,
        suggestion.organisation,
        suggestion,
        {"assessment": assessment.pk, "hazard": hazard.pk, "reason": suggestion.reason},
    )
    return hazard


@transaction.atomic
def dismiss_suggestion(*, suggestion: Suggestion, actor: Any, reason: str) -> Suggestion:
    _decide(suggestion, Suggestion.Status.DISMISSED, actor, reason)
    suggestion.save(update_fields=["status", "reason", "decided_by", "decided_on"])
    _record("suggestion_dismissed", actor, suggestion.organisation, suggestion, {"reason": suggestion.reason})
    return suggestion


# ---------------------------------------------------------------- reminders


@transaction.atomic
def queue_review_reminders(*, today: dt.date | None = None) -> int:
    """Remind each owner of an assessment whose review date has come (or passed): one email
    per assessment, at most once a day (its organisation's day), never to someone who has
    left the organisation. Run daily (``manage.py send_risk_review_reminders``); returns the
    number of assessments reminded about."""
    horizon = today or (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).date()
    candidates = (
        selectors.reviews_due(horizon)
        .select_for_update(of=("self",))
        .select_related("organisation")
        .order_by("organisation_id", "id")
    )
    days: dict[int, dt.date] = {}
    members: dict[int, set[int]] = {}
    count = 0
    for assessment in candidates:
        org = assessment.organisation
        day = today or days.setdefault(org.pk, selectors.today_for(org))
        if assessment.review_on > day or assessment.last_reminded_on == day:
            continue
        if org.pk not in members:
            members[org.pk] = set(org.memberships.values_list("user_id", flat=True))
        if assessment.owner_id not in members[org.pk]:
            continue
        assessment.last_reminded_on = day
        assessment.save(update_fields=["last_reminded_on"])
        audit.record(
            action="saferwork.risk.review_reminder_queued",
            organisation=org,
            target=assessment,
            data={"owner": assessment.owner_id, "day": day.isoformat()},
        )
        transaction.on_commit(
            partial(tasks.send_review_reminder.enqueue, assessment_id=assessment.pk, day=day.isoformat())
        )
        count += 1
    return count
