"""Surveys' part of the duty record: the waves run and the actions planned from them.

No response counts: results are shown, suppressed and guarded against differencing on
the results page only (``surveys.results``); the record names the waves and their dates.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q

from saferwork.actions.models import Action
from saferwork.lib import dutysteps
from saferwork.lib.dutysteps import Figure, Section, Step
from saferwork.organisations.models import Organisation
from saferwork.surveys.models import Survey


def section(organisation: Organisation, start: date, end: date) -> Section | None:
    waves = list(
        Survey.objects.filter(organisation=organisation)
        .exclude(status=Survey.Status.DRAFT)
        .filter(Q(opens_on__lte=end) | Q(opens_on__isnull=True))
        .filter(Q(closes_on__gte=start) | Q(closes_on__isnull=True))
        .order_by("opens_on", "id")[: dutysteps.MAX_STEPS + 1]
    )
    if not waves:
        return None
    planned = (
        Action.objects.for_organisation(organisation)
        .filter(source_kind__startswith="survey")
        .aggregate(
            made=Count("id", filter=Q(created_at__date__gte=start, created_at__date__lte=end)),
            done=Count("id", filter=Q(status=Action.Status.DONE, closed_on__gte=start, closed_on__lte=end)),
        )
    )
    steps = tuple(
        Step(
            on=wave.opens_on or start,
            title=f"Climate survey run: {wave.title} ({wave.wave})",
            detail=(f"Open {wave.opens_on:%-d %B %Y}" if wave.opens_on else "Open")
            + (f" to {wave.closes_on:%-d %B %Y}" if wave.closes_on else "")
            + f"; {wave.get_status_display().lower()}.",
            evidence=("Results, suppressed by department, on the survey results page",),
        )
        for wave in waves
    )
    return Section(
        key="surveys",
        title="Climate surveys",
        steps=steps,
        figures=(
            Figure("Waves run", len(waves), str(len(waves))),
            Figure("Actions planned from survey results", planned["made"], str(planned["made"])),
            Figure("Survey actions done", planned["done"], str(planned["done"])),
        ),
    )
