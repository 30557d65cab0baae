"""Reads of the risk register that pages, the duty record and other apps share, scoped to one organisation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from saferwork.actions import sources
from saferwork.actions.models import Action
from saferwork.actions.selectors import today_for
from saferwork.organisations.models import Organisation
from saferwork.risk.library import SIZE, Band, current_matrix
from saferwork.risk.models import Assessment, Control, Hazard

CONTROL_SOURCE = "risk_control"

__all__ = ["today_for"]


def assessments_for(organisation: Organisation, *, user: Any = None) -> QuerySet[Assessment]:
    """The organisation's assessments; with ``user``, only those they own or that are shared with them."""
    found = Assessment.objects.for_organisation(organisation)
    if user is not None:
        shared = Assessment.shared_with.through.objects.filter(user_id=user.pk).values("assessment_id")
        found = found.filter(Q(owner=user) | Q(pk__in=shared))
    return found


def register_rows(found: QuerySet[Assessment]) -> QuerySet[Assessment]:
    """The register's rows: owner and counts in one query, however many assessments."""
    return (
        found.select_related("owner")
        .annotate(
            hazard_count=Count("hazards", distinct=True),
            high_count=Count(
                "hazards",
                filter=Q(hazards__current_likelihood__gte=1) & _high_q("hazards__"),
                distinct=True,
            ),
        )
        .order_by("kind", "title", "id")
    )


def _high_q(prefix: str) -> Q:
    # "High or worse" under today's matrix bands: a score of more than the medium band's top.
    medium_top = next(b["up_to"] for b in current_matrix().data["bands"] if b["key"] == "medium")
    q = Q()
    for likelihood in range(1, SIZE + 1):
        lowest = medium_top // likelihood + 1
        if lowest <= SIZE:
            q |= Q(**{f"{prefix}current_likelihood": likelihood, f"{prefix}current_severity__gte": lowest})
    return q


@dataclass(frozen=True)
class HeatCell:
    likelihood: int
    severity: int
    count: int
    band: Band


@dataclass(frozen=True)
class Heatmap:
    likelihood: list[str]
    severity: list[str]
    rows: list[tuple[int, str, list[HeatCell]]]  # likelihood (5 down to 1), its label, cells by severity
    total: int


def heatmap(found: QuerySet[Assessment]) -> Heatmap:
    """Risks (hazards) by current likelihood and severity across ``found``: one query.

    These count the organisation's own risks, not people, so they are exact (no suppression).
    Every assessment keeps its own matrix; positions 1 to 5 mean the same in every version,
    and the cells are labelled with today's matrix.
    """
    matrix = current_matrix()
    counts = {
        (row["current_likelihood"], row["current_severity"]): row["n"]
        for row in Hazard.objects.filter(assessment__in=found.values("pk"))
        .values("current_likelihood", "current_severity")
        .annotate(n=Count("id"))
        .order_by()
    }
    rows = []
    for likelihood in range(SIZE, 0, -1):
        cells = [
            HeatCell(likelihood, severity, counts.get((likelihood, severity), 0), matrix.band(likelihood, severity))
            for severity in range(1, SIZE + 1)
        ]
        rows.append((likelihood, matrix.likelihood[likelihood - 1], cells))
    return Heatmap(matrix.likelihood, matrix.severity, rows, sum(counts.values()))


def control_actions(organisation: Organisation, controls: list[Control]) -> dict[int, list[Action]]:
    """Every action made from each control, with its evidence count: one query."""
    refs = [str(c.pk) for c in controls]
    found: dict[int, list[Action]] = {c.pk: [] for c in controls}
    if not refs:
        return found
    for action in (
        Action.objects.for_organisation(organisation)
        .filter(source_kind=CONTROL_SOURCE, source_ref__in=refs)
        .select_related("owner")
        .annotate(evidence_count=Count("evidence"))
        .order_by("due_on", "id")
    ):
        found[int(action.source_ref)].append(action)
    return found


def is_done_with_evidence(action: Action) -> bool:
    return action.status == Action.Status.DONE and getattr(action, "evidence_count", 0) > 0


def rerate_blockers(hazard: Hazard) -> list[str]:
    """Why the residual risk cannot be re-rated yet; empty when it can.

    It can once the hazard has at least one control turned into an action and every such
    action is done with at least one piece of evidence (cancelled ones do not count).
    """
    controls = list(hazard.controls.all())
    by_control = control_actions(hazard.organisation, controls)
    actions = [a for found in by_control.values() for a in found if a.status != Action.Status.CANCELLED]
    if not actions:
        return ["Turn at least one control into an action first."]
    problems = []
    for action in actions:
        if action.status != Action.Status.DONE:
            problems.append(f"“{action.title}” is not done yet.")
        elif not getattr(action, "evidence_count", 0):
            problems.append(f"“{action.title}” is done but has no evidence.")
    return problems


def describe_for_actions(organisation: Organisation, ref: str) -> sources.Source | None:
    """The actions hub's view of a control (``sources.register``): inside the organisation only."""
    if not ref.isdigit():
        return None
    control = (
        Control.objects.for_organisation(organisation).filter(pk=int(ref)).select_related("hazard__assessment").first()
    )
    if control is None:
        return None
    from django.urls import reverse

    assessment = control.hazard.assessment
    return sources.Source(
        label=f"{assessment.title}: {control.hazard.title}: {control.description}"[:200],
        url=reverse("risk:assessment", args=[assessment.pk]) + f"#hazard-{control.hazard_id}",
    )


def reviews_due(today: dt.date) -> QuerySet[Assessment]:
    return Assessment.objects.filter(review_on__lte=today, owner__isnull=False)
