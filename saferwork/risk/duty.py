"""The risk register's part of the duty record (see ``saferwork.lib.dutysteps``).

Steps: assessments made and reviewed in the period, residual risks re-rated, and
controls implemented with evidence (their actions closed as done, with evidence, in the
period). Every figure counts the organisation's own acts, not people, so none needs
suppression. Four queries whatever the size of the register, and one more for each kind of
step that has more than ``dutysteps.MAX_STEPS`` in the period (to count them).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, QuerySet
from django.urls import reverse

from saferwork.actions.models import Action
from saferwork.lib import dutysteps
from saferwork.lib.dutysteps import Figure, Section, Step
from saferwork.organisations.models import Organisation
from saferwork.risk.models import Assessment, Hazard, Review
from saferwork.risk.selectors import CONTROL_SOURCE

LIMIT = dutysteps.MAX_STEPS + 1


def _figure(label: str, found: list[Any], query: QuerySet[Any]) -> Figure:
    # A capped list counts itself only when it was not capped.
    value = len(found) if len(found) < LIMIT else query.count()
    return Figure(label=label, value=value, shown=f"{value:,}")


def section(organisation: Organisation, start: dt.date, end: dt.date) -> Section | None:
    made_q = Assessment.objects.for_organisation(organisation).filter(created_on__gte=start, created_on__lte=end)
    made = list(made_q.annotate(hazard_count=Count("hazards")).order_by("created_on", "id")[:LIMIT])
    reviews_q = Review.objects.for_organisation(organisation).filter(reviewed_on__gte=start, reviewed_on__lte=end)
    reviews = list(reviews_q.select_related("assessment").order_by("reviewed_on", "id")[:LIMIT])
    rerated_q = Hazard.objects.for_organisation(organisation).filter(rerated_on__gte=start, rerated_on__lte=end)
    rerated = list(rerated_q.select_related("assessment").order_by("rerated_on", "id")[:LIMIT])
    implemented_q = (
        Action.objects.for_organisation(organisation)
        .filter(source_kind=CONTROL_SOURCE, status=Action.Status.DONE, closed_on__gte=start, closed_on__lte=end)
        .annotate(evidence_count=Count("evidence"))
        .filter(evidence_count__gt=0)
    )
    implemented = list(implemented_q.order_by("closed_on", "id")[:LIMIT])
    if not (made or reviews or rerated or implemented):
        return None
    steps: list[Step] = []
    for a in made:
        steps.append(
            Step(
                on=a.created_on,
                title=f"{a.get_kind_display()} risk assessment made: {a.title}",
                detail=f"{a.hazard_count} hazard{'s' if a.hazard_count != 1 else ''} assessed; "
                f"matrix {a.matrix_version}",
                url=reverse("risk:assessment", args=[a.pk]),
            )
        )
    for r in reviews:
        steps.append(
            Step(
                on=r.reviewed_on,
                title=f"Risk assessment reviewed: {r.assessment.title}",
                detail=f"Next review due {r.next_review_on:%d %B %Y}",
                url=reverse("risk:assessment", args=[r.assessment_id]),
            )
        )
    for h in rerated:
        steps.append(
            Step(
                on=h.rerated_on or end,
                title=f"Residual risk re-rated after controls: {h.title}",
                detail=f"In {h.assessment.title}: now "
                + h.assessment.the_matrix.describe(h.current_likelihood, h.current_severity),
                url=reverse("risk:assessment", args=[h.assessment_id]),
            )
        )
    for action in implemented:
        steps.append(
            Step(
                on=action.closed_on or end,
                title=f"Control implemented: {action.title}",
                detail=action.source_label,
                evidence=(f"{action.evidence_count} piece{'s' if action.evidence_count != 1 else ''} of evidence",),  # type: ignore[attr-defined]
                url=reverse("actions:detail", args=[action.pk]),
            )
        )
    steps.sort(key=lambda s: s.on)
    return Section(
        key="risk",
        title="Risk assessments",
        steps=tuple(steps),
        figures=(
            _figure("Risk assessments made", made, made_q),
            _figure("Risk assessments reviewed", reviews, reviews_q),
            _figure("Residual risks re-rated", rerated, rerated_q),
            _figure("Controls implemented with evidence", implemented, implemented_q),
        ),
    )
