"""Reads of checklists and audits that pages, the duty record and the actions hub share."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from saferwork.actions import sources
from saferwork.actions.models import Action
from saferwork.duty.models import AuditAnswer, Checklist, ChecklistItem, PolicyAudit
from saferwork.organisations.models import Organisation

GAP_SOURCE = "policy_audit_gap"


def latest_checklists() -> list[Checklist]:
    """The newest version of every checklist (one query)."""
    found: dict[str, Checklist] = {}
    for checklist in Checklist.objects.order_by("key", "-version"):
        found.setdefault(checklist.key, checklist)
    return sorted(found.values(), key=lambda c: c.title)


def audits_for(organisation: Organisation) -> QuerySet[PolicyAudit]:
    return (
        PolicyAudit.objects.for_organisation(organisation)
        .select_related("checklist", "created_by")
        .annotate(
            answered=Count("answers"),
            gaps=Count("answers", filter=Q(answers__status__in=AuditAnswer.GAPS)),
        )
        .order_by("-started_on", "-id")
    )


def applicable_items(audit: PolicyAudit) -> list[ChecklistItem]:
    kind = audit.organisation.kind
    return [item for item in audit.checklist.items.all() if item.applies_to(kind, audit.size)]


@dataclass
class Row:
    item: ChecklistItem
    answer: AuditAnswer | None
    actions: list[Action]


def rows_for(audit: PolicyAudit) -> list[Row]:
    """Every item that applies, with its answer and the actions made from it: three queries."""
    answers = {a.item_id: a for a in audit.answers.select_related("answered_by")}
    by_answer: dict[str, list[Action]] = {}
    refs = [str(a.pk) for a in answers.values()]
    for action in (
        Action.objects.for_organisation(audit.organisation)
        .filter(source_kind=GAP_SOURCE, source_ref__in=refs)
        .select_related("owner")
        .order_by("due_on", "id")
    ):
        by_answer.setdefault(action.source_ref, []).append(action)
    return [
        Row(item, answers.get(item.pk), by_answer.get(str(answers[item.pk].pk), []) if item.pk in answers else [])
        for item in applicable_items(audit)
    ]


def describe_gap(organisation: Organisation, ref: str) -> sources.Source | None:
    """For the actions hub: a gap (an answer "partly" or "not met") in this organisation."""
    if not ref.isdigit():
        return None
    answer = (
        AuditAnswer.objects.for_organisation(organisation)
        .filter(pk=int(ref))
        .select_related("item", "audit__checklist")
        .first()
    )
    if answer is None:
        return None
    audit = answer.audit
    label = f"{audit.checklist.title} ({audit.started_on:%-d %b %Y}), {answer.item.item_id}: {answer.item.text}"
    if len(label) > 200:  # the hub keeps 200 characters: end on a whole word
        label = label[:197].rsplit(" ", 1)[0] + "..."
    return sources.Source(label=label, url=reverse("duty:answer", args=[audit.pk, answer.item.item_id]))


@dataclass
class Comparison:
    first: PolicyAudit
    second: PolicyAudit
    rows: list[tuple[str, str, AuditAnswer | None, AuditAnswer | None]]  # item id, text, first, second


def compare(first: PolicyAudit, second: PolicyAudit) -> Comparison:
    """Two audits side by side, matched by item id (and the newer checklist's mapping)."""
    older, newer = sorted([first, second], key=lambda a: (a.checklist.version, a.started_on, a.pk))
    mapping = newer.checklist.mapping if older.checklist_id != newer.checklist_id else {}
    a_answers = {a.item.item_id: a for a in first.answers.select_related("item")}
    b_answers = {a.item.item_id: a for a in second.answers.select_related("item")}
    texts: dict[str, str] = {}
    for audit in (first, second):
        for item in applicable_items(audit):
            texts.setdefault(item.item_id, item.text)
    rows = []
    seen: set[str] = set()
    for item_id, text in texts.items():
        if item_id in seen:
            continue
        # An old id mapped to a new one is one row under the new id.
        old_ids = [old for old, new in mapping.items() if new == item_id]
        first_answer = a_answers.get(item_id) or next((a_answers[o] for o in old_ids if o in a_answers), None)
        second_answer = b_answers.get(item_id) or next((b_answers[o] for o in old_ids if o in b_answers), None)
        seen.update([item_id, *old_ids])
        rows.append((item_id, text, first_answer, second_answer))
    return Comparison(first, second, rows)
