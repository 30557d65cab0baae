"""The risk register's part of the duty record (see ``saferwork.lib.dutysteps``).

Steps: assessments made and reviewed in the period, residual risks re-rated, and
controls implemented with evidence (their actions closed as done, with evidence, in the
period). Every figure counts the organisation's own acts, not people, so none needs
suppression.

Six queries whatever the size of the register: the four figures are counted together in
the database (one query of four counts), each kind of step fetches at most
``dutysteps.MAX_STEPS`` rows as plain values (no model instances, no matrix but the
re-rated hazards' own), and the matrices of the re-rated hazards' assessments come in one
more. The record keeps the first ``MAX_STEPS`` steps by date, and each kind's first
``MAX_STEPS`` by date hold all of those.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

from saferwork.actions.models import Action, Evidence
from saferwork.lib import dutysteps
from saferwork.lib.dutysteps import Figure, Section, Step
from saferwork.organisations.models import Organisation
from saferwork.risk.library import Matrix
from saferwork.risk.models import Assessment, Hazard, Review
from saferwork.risk.selectors import CONTROL_SOURCE

LIMIT = dutysteps.MAX_STEPS


def _count(query: QuerySet[Any]) -> Coalesce:
    """``query``'s row count as a subquery (0 when it has none)."""
    counted = query.order_by().values("organisation").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _url(name: str) -> Any:
    # One reverse() for the whole list rather than one a step: the pattern takes a number.
    pattern = reverse(name, args=[987654321])
    return lambda pk: pattern.replace("987654321", str(pk))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def section(organisation: Organisation, start: dt.date, end: dt.date) -> Section | None:
    made_q = Assessment.objects.for_organisation(organisation).filter(created_on__gte=start, created_on__lte=end)
    reviews_q = Review.objects.for_organisation(organisation).filter(reviewed_on__gte=start, reviewed_on__lte=end)
    rerated_q = Hazard.objects.for_organisation(organisation).filter(rerated_on__gte=start, rerated_on__lte=end)
    implemented_q = (
        Action.objects.for_organisation(organisation)
        .filter(source_kind=CONTROL_SOURCE, status=Action.Status.DONE, closed_on__gte=start, closed_on__lte=end)
        .filter(Exists(Evidence.objects.filter(action=OuterRef("pk"))))
    )
    counts = (
        Organisation.objects.filter(pk=organisation.pk)
        .annotate(
            made=_count(made_q),
            reviews=_count(reviews_q),
            rerated=_count(rerated_q),
            implemented=_count(implemented_q),
        )
        .values("made", "reviews", "rerated", "implemented")
        .get()
    )
    if not any(counts.values()):
        return None
    made = (
        made_q.annotate(hazard_count=Count("hazards"))
        .order_by("created_on", "id")
        .values_list("pk", "kind", "title", "created_on", "matrix_version", "hazard_count")[:LIMIT]
    )
    reviews = reviews_q.order_by("reviewed_on", "id").values_list(
        "assessment_id", "assessment__title", "reviewed_on", "next_review_on"
    )[:LIMIT]
    rerated = list(
        rerated_q.order_by("rerated_on", "id").values_list(
            "assessment_id", "assessment__title", "title", "rerated_on", "current_likelihood", "current_severity"
        )[:LIMIT]
    )
    matrices = {
        pk: Matrix(data)
        for pk, data in Assessment.objects.filter(pk__in={row[0] for row in rerated}).values_list("pk", "matrix")
    }
    implemented = (
        implemented_q.annotate(evidence_count=Count("evidence"))
        .order_by("closed_on", "id")
        .values_list("pk", "title", "source_label", "closed_on", "evidence_count")[:LIMIT]
    )
    assessment_url, action_url = _url("risk:assessment"), _url("actions:detail")
    kinds = dict(Assessment.Kind.choices)
    steps: list[Step] = [
        Step(
            on=created_on,
            title=f"{kinds.get(kind, kind)} risk assessment made: {title}",
            detail=f"{_plural(hazard_count, 'hazard')} assessed; matrix {version}",
            url=assessment_url(pk),
        )
        for pk, kind, title, created_on, version, hazard_count in made
    ]
    steps += [
        Step(
            on=reviewed_on,
            title=f"Risk assessment reviewed: {title}",
            detail=f"Next review due {next_review_on:%d %B %Y}",
            url=assessment_url(assessment_id),
        )
        for assessment_id, title, reviewed_on, next_review_on in reviews
    ]
    steps += [
        Step(
            on=rerated_on,
            title=f"Residual risk re-rated after controls: {hazard_title}",
            detail=f"In {title}: now " + matrices[assessment_id].describe(likelihood, severity),
            url=assessment_url(assessment_id),
        )
        for assessment_id, title, hazard_title, rerated_on, likelihood, severity in rerated
    ]
    steps += [
        Step(
            on=closed_on,
            title=f"Control implemented: {title}",
            detail=label,
            evidence=(f"{_plural(evidence_count, 'piece')} of evidence",),
            url=action_url(pk),
        )
        for pk, title, label, closed_on, evidence_count in implemented
    ]
    steps.sort(key=lambda s: s.on)
    figure = [
        ("Risk assessments made", counts["made"]),
        ("Risk assessments reviewed", counts["reviews"]),
        ("Residual risks re-rated", counts["rerated"]),
        ("Controls implemented with evidence", counts["implemented"]),
    ]
    return Section(
        key="risk",
        title="Risk assessments",
        steps=tuple(steps),
        figures=tuple(Figure(label=label, value=n, shown=f"{n:,}") for label, n in figure),
    )
