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
    # Plain values rather than model instances, and one reverse() for the whole list: up to
    # MAX_STEPS rows each time the record is shown.
    done = list(
        actions.filter(status=Action.Status.DONE, closed_on__gte=start, closed_on__lte=end)
        .order_by("closed_on", "id")
        .values_list("pk", "title", "closed_on", "source_kind", "source_label", "owner__full_name", "owner__email")[
            :MAX_STEPS
        ]
    )
    evidence: dict[int, list[str]] = {}
    for action_id, label, file_name, url in Evidence.objects.filter(
        organisation=organisation, action_id__in=[row[0] for row in done]
    ).values_list("action_id", "label", "file_name", "url"):
        evidence.setdefault(action_id, []).append(label or file_name or url)
    pattern = reverse("actions:detail", args=[987654321])
    steps = tuple(
        Step(
            on=closed_on,
            title=f"Action done: {title}",
            detail=f"From: {sources.label_of(kind)}"
            + (f" ({label})" if label else "")
            + (f". Owner: {name or email}" if email else ""),
            evidence=tuple(evidence.get(pk, [])) or ("No evidence attached",),
            url=pattern.replace("987654321", str(pk)),
        )
        for pk, title, closed_on, kind, label, name, email in done
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
