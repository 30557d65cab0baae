"""Writes for policy audits. Each change and its audit entry commit together."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from saferwork.actions import selectors as action_selectors
from saferwork.actions import services as action_services
from saferwork.actions.models import Action
from saferwork.audit import services as audit_log
from saferwork.duty import loader
from saferwork.duty.models import AuditAnswer, Checklist, ChecklistItem, PolicyAudit
from saferwork.duty.selectors import GAP_SOURCE
from saferwork.lib import filecleaning
from saferwork.organisations.models import Organisation

GAP_ACTION_DAYS = 30


class AuditError(Exception):
    """A change that cannot be made, in words for the person who asked."""


def _record(audit: PolicyAudit, what: str, actor: Any, data: dict[str, Any] | None = None) -> None:
    audit_log.record(
        action=f"saferwork.policy_audit.{what}", actor=actor, organisation=audit.organisation, target=audit, data=data
    )


@transaction.atomic
def start_audit(
    *, organisation: Organisation, checklist: Checklist, size: str, actor: Any, carry_from: PolicyAudit | None = None
) -> PolicyAudit:
    """A new audit on ``checklist``; with ``carry_from`` (an earlier audit of the same
    organisation, any version of the same checklist) its answers are carried over by item
    id or the new version's mapping, marked as carried over until someone looks again."""
    if carry_from is not None and (
        carry_from.organisation_id != organisation.pk or carry_from.checklist.key != checklist.key
    ):
        raise AuditError("Answers can only be carried over from an earlier audit of the same checklist")
    audit = PolicyAudit.objects.create(
        organisation=organisation,
        checklist=checklist,
        size=size,
        started_on=action_selectors.today_for(organisation),
        carried_from=carry_from,
        created_by=actor,
    )
    carried = 0
    if carry_from is not None:
        targets = loader.carry_over_map(carry_from.checklist, checklist)
        AuditAnswer.objects.bulk_create(
            AuditAnswer(
                organisation=organisation,
                audit=audit,
                item_id=targets[old.item_id],
                status=old.status,
                note=old.note,
                evidence_url=old.evidence_url,
                # The file stays with the earlier audit: its answer there is the evidence.
                answered_by=old.answered_by,
                answered_on=old.answered_on,
                carried_over=True,
            )
            for old in carry_from.answers.all()
            if old.item_id in targets
        )
        carried = audit.answers.count()
    _record(
        audit,
        "started",
        actor,
        {
            "checklist": checklist.key,
            "version": checklist.version,
            "carried_from": carry_from.pk if carry_from else None,
            "carried": carried,
        },
    )
    return audit


EVIDENCE_TYPES = action_services.EVIDENCE_TYPES
MAX_EVIDENCE_BYTES = action_services.MAX_EVIDENCE_BYTES


@transaction.atomic
def answer_item(
    *,
    audit: PolicyAudit,
    item: ChecklistItem,
    status: str,
    actor: Any,
    note: str = "",
    evidence_url: str = "",
    upload: UploadedFile | None = None,
    remove_file: bool = False,
) -> AuditAnswer:
    """Record (or change) the answer to one item. An uploaded file is cleaned of its
    metadata, as actions' evidence is; a link is a SaferWork page ("/...") or https://."""
    if audit.is_complete:
        raise AuditError("This audit is complete: start a new one to change its answers")
    if item.checklist_id != audit.checklist_id:
        raise AuditError("That item is not in this audit's checklist")
    if status not in AuditAnswer.Status.values:
        raise AuditError("Select whether the item is met")
    if evidence_url:
        try:
            evidence_url = action_services.check_evidence_url(evidence_url)
        except action_services.ActionError as exc:
            raise AuditError(str(exc)) from exc
    answer = audit.answers.filter(item=item).first() or AuditAnswer(
        organisation=audit.organisation, audit=audit, item=item
    )
    before = answer.status if answer.pk else ""
    old_file = answer.evidence_file.name if answer.evidence_file else ""
    answer.status, answer.note, answer.evidence_url = status, note, evidence_url
    answer.answered_by, answer.answered_on = actor, action_selectors.today_for(audit.organisation)
    answer.carried_over = False
    if upload is not None:
        if upload.size is None or upload.size > MAX_EVIDENCE_BYTES:
            raise AuditError(f"The selected file must be smaller than {MAX_EVIDENCE_BYTES // (1024 * 1024)} MB")
        try:
            clean = filecleaning.clean_file(upload.name or "evidence", upload.read(), allowed=EVIDENCE_TYPES)
        except filecleaning.UploadRefused as exc:
            raise AuditError(str(exc)) from exc
        answer.evidence_file.save(clean.name, ContentFile(clean.data), save=False)
        answer.evidence_file_name, answer.evidence_content_type = clean.name[:200], clean.content_type
    elif remove_file:
        answer.evidence_file, answer.evidence_file_name, answer.evidence_content_type = None, "", ""  # type: ignore[assignment]
    answer.save()
    if old_file and (upload is not None or remove_file):
        storage = answer.evidence_file.storage
        transaction.on_commit(lambda: storage.delete(old_file))
    _record(
        audit,
        "answered",
        actor,
        {"item": item.item_id, "from": before, "to": status, "file": bool(answer.evidence_file), "link": evidence_url},
    )
    return answer


@transaction.atomic
def complete_audit(*, audit: PolicyAudit, actor: Any) -> PolicyAudit:
    if audit.is_complete:
        return audit
    audit.completed_on = action_selectors.today_for(audit.organisation)
    audit.save(update_fields=["completed_on"])
    _record(audit, "completed", actor, {"answers": audit.answers.count()})
    return audit


@transaction.atomic
def gap_to_action(*, answer: AuditAnswer, actor: Any, owner: Any = None, due_on: dt.date | None = None) -> Action:
    """Turn a gap into an action in one click: owned by ``owner`` (the person who clicked by
    default), due in a month, titled from the item; the actions hub takes it from there."""
    if not answer.is_gap:
        raise AuditError("Only an item that is partly met or not met is a gap")
    existing = action_selectors.actions_for_source(answer.organisation, GAP_SOURCE, str(answer.pk)).first()
    if existing is not None:
        return existing
    today = action_selectors.today_for(answer.organisation)
    text = answer.item.text
    title = f"Close the gap: {text}" if len(text) <= 185 else f"Close the gap: {text[:182]}..."
    try:
        action = action_services.create_action(
            organisation=answer.organisation,
            title=title,
            description=(
                f"Found by the policy audit of {answer.audit.started_on:%-d %B %Y} ({answer.item.item_id}, "
                f"{answer.get_status_display().lower()}). Typical evidence: {answer.item.evidence}"
            )[:4000],
            owner=owner or actor,
            due_on=due_on or today + dt.timedelta(days=GAP_ACTION_DAYS),
            source_kind=GAP_SOURCE,
            source_ref=str(answer.pk),
            actor=actor,
        )
    except action_services.ActionError as exc:
        raise AuditError(str(exc)) from exc
    _record(answer.audit, "gap_to_action", actor, {"item": answer.item.item_id, "action": action.pk})
    return action
