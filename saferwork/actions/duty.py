"""The actions hub's part of the duty record: actions made and closed, with their evidence."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q
from django.urls import reverse

from saferwork.actions import sources
from saferwork.actions.models import Action, Evidence
from saferwork.lib import dutysteps
from saferwork.lib.dutysteps import Figure, Section, Step
from saferwork.organisations.models import Organisation

# A record for a board or a tribunal lists every closed action; past this many the rest are
# counted and left to the hub's CSV export, so one document stays a readable size.
MAX_STEPS = dutysteps.MAX_STEPS


def section(organisation: Organisation, start: date, end: date) -> Section | None:
    """Three queries: the counts, the actions done in the period, and their evidence.
    Counts of the organisation's own acts, so exact."""
    actions = Action.objects.for_organisation(organisation)
    counts = actions.aggregate(
        made=Count("id", filter=Q(created_at__date__gte=start, created_at__date__lte=end)),
        done=Count("id", filter=Q(status=Action.Status.DONE, closed_on__gte=start, closed_on__lte=end)),
        open_at_end=Count("id", filter=Q(status__in=Action.OPEN, created_at__date__lte=end)),
    )
    if not actions.exists():
        return None
    done = list(
        actions.filter(status=Action.Status.DONE, closed_on__gte=start, closed_on__lte=end)
        .select_related("owner")
        .order_by("closed_on", "id")[:MAX_STEPS]
    )
    evidence: dict[int, list[str]] = {}
    for action_id, label, file_name, url in Evidence.objects.filter(
        organisation=organisation, action_id__in=[a.pk for a in done]
    ).values_list("action_id", "label", "file_name", "url"):
        evidence.setdefault(action_id, []).append(label or file_name or url)
    steps = tuple(
        Step(
            on=action.closed_on,  # type: ignore[arg-type]
            title=f"Action done: {action.title}",
            detail=f"From: {sources.label_of(action.source_kind)}"
            + (f" ({action.source_label})" if action.source_label else "")
            + (f". Owner: {action.owner.get_full_name()}" if action.owner else ""),
            evidence=tuple(evidence.get(action.pk, [])) or ("No evidence attached",),
            url=reverse("actions:detail", args=[action.pk]),
        )
        for action in done
    )
    notes: tuple[str, ...] = ()
    if counts["done"] > MAX_STEPS:
        notes = (f"The first {MAX_STEPS} actions done are listed; the rest are in the actions hub's CSV export.",)
    return Section(
        key="actions",
        title="Actions",
        steps=steps,
        figures=(
            Figure("Actions made in the period", counts["made"], str(counts["made"])),
            Figure("Actions done in the period", counts["done"], str(counts["done"])),
            Figure("Actions still open", counts["open_at_end"], str(counts["open_at_end"])),
        ),
        notes=notes,
    )
