"""This app's part of the duty record: policy audits held and the gaps they found closed."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, IntegerField, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

from saferwork.actions.models import Action
from saferwork.duty.models import AuditAnswer, PolicyAudit
from saferwork.duty.selectors import GAP_SOURCE
from saferwork.lib import dutysteps
from saferwork.lib.dutysteps import Figure, Section, Step
from saferwork.organisations.models import Organisation

LIMIT = dutysteps.MAX_STEPS


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _counted(query: QuerySet[Any]) -> Coalesce:
    counted = query.order_by().values("organisation").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def section(organisation: Organisation, start: date, end: date) -> Section | None:
    """Audits completed in the period and gap actions done in it: three queries whatever
    the size (the counts together, then each list of at most ``dutysteps.MAX_STEPS``).
    Counts of the organisation's own acts, so exact (not about people)."""
    audits_q = PolicyAudit.objects.for_organisation(organisation).filter(completed_on__gte=start, completed_on__lte=end)
    closed_q = Action.objects.for_organisation(organisation).filter(
        source_kind=GAP_SOURCE, status=Action.Status.DONE, closed_on__gte=start, closed_on__lte=end
    )
    counts = (
        Organisation.objects.filter(pk=organisation.pk)
        .annotate(
            audits=_counted(audits_q),
            closed=_counted(closed_q),
            ever=_counted(PolicyAudit.objects.for_organisation(organisation)),
        )
        .values("audits", "closed", "ever")
        .get()
    )
    if not counts["ever"] and not counts["closed"]:
        return None
    audit_count, closed_count = counts["audits"], counts["closed"]
    audits = list(
        audits_q.select_related("checklist")
        .annotate(
            gaps=Count("answers", filter=Q(answers__status__in=AuditAnswer.GAPS)),
            met=Count("answers", filter=Q(answers__status=AuditAnswer.Status.MET)),
        )
        .order_by("completed_on", "id")[:LIMIT]
    )
    closed = list(closed_q.annotate(evidence_count=Count("evidence")).order_by("closed_on", "id")[:LIMIT])
    steps = [
        Step(
            on=audit.completed_on,  # type: ignore[arg-type]
            title=f"Policy audit completed: {audit.checklist.title} (version {audit.checklist.version})",
            detail=f"{_count(audit.met, 'item')} met, {_count(audit.gaps, 'gap')} found.",
            evidence=(f"Audit record started {audit.started_on:%-d %B %Y}",),
            url=reverse("duty:audit", args=[audit.pk]),
        )
        for audit in audits
    ]
    steps += [
        Step(
            on=action.closed_on,  # type: ignore[arg-type]
            title=f"Audit gap closed: {action.title}",
            detail=action.source_label,
            evidence=(f"{_count(action.evidence_count, 'piece')} of evidence on the action",),  # type: ignore[attr-defined]
            url=reverse("actions:detail", args=[action.pk]),
        )
        for action in closed
    ]
    return Section(
        key="duty",
        title="Policy audits",
        steps=tuple(sorted(steps, key=lambda s: s.on)),
        figures=(
            Figure("Audits completed", audit_count, f"{audit_count:,}"),
            Figure("Audit gaps closed", closed_count, f"{closed_count:,}"),
        ),
    )
