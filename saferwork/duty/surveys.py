"""The duty record's survey responses and action plans (see ``saferwork.lib.dutysteps``).

The surveys app's own section names each wave run and its dates. This one adds, for each
wave of the period, the response figures a leader is already shown on the wave's results
page, and its action plan: the actions made from its results, counted by status.

Responses are counted exactly as the results page counts them (released responses by
department) and pass through ``lib.suppression`` in the same call with the wave's locked
threshold, so the "All departments" total is hidden exactly when the results page hides
it. Only closed waves get figures: while a wave is open the results page shows a coarse
band of each department's rate and no count, and so does this section. The response rate
is that published total over the number invited (invitation counts, not people's answers).

Four queries whatever the number of waves, responses or actions.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Count, IntegerField, Q, Value
from django.db.models.functions import Cast, StrIndex, Substr
from django.urls import reverse

from saferwork.actions.models import Action
from saferwork.lib import dutysteps
from saferwork.lib.dutysteps import Figure, Section, Step
from saferwork.lib.suppression import suppress_counts
from saferwork.organisations.models import Organisation
from saferwork.surveys.models import Response, Survey, SurveyDepartment

LIMIT = dutysteps.MAX_STEPS + 1
# Where an action answers a wave's result: "<wave id>:<cut>:<item>" (``surveys.selectors``).
SURVEY_SOURCE = "survey_result"
STATUSES = [(Action.Status.NOT_STARTED, "not started"), (Action.Status.IN_PROGRESS, "in progress")]
STATUSES += [(Action.Status.DONE, "done"), (Action.Status.CANCELLED, "cancelled")]


def waves_in(organisation: Organisation, start: date, end: date) -> list[Survey]:
    """Waves launched (not drafts) that were open on some day of the period, by opening date."""
    return list(
        Survey.objects.for_organisation(organisation)
        .exclude(status=Survey.Status.DRAFT)
        .filter(Q(opens_on__lte=end) | Q(opens_on__isnull=True))
        .filter(Q(closes_on__gte=start) | Q(closes_on__isnull=True))
        .order_by("opens_on", "id")[:LIMIT]
    )


def response_totals(waves: list[Survey]) -> dict[int, tuple[str, int | None, int]]:
    """For each closed wave: (the total shown on its results page, its value or None when
    hidden, the number invited). Two queries for every wave together."""
    closed = [w for w in waves if w.status == Survey.Status.CLOSED]
    if not closed:
        return {}
    by_wave = {w.pk: w for w in closed}
    departments: dict[int, list[SurveyDepartment]] = defaultdict(list)
    for dept in SurveyDepartment.objects.filter(survey__in=closed).select_related("department"):
        departments[dept.survey_id].append(dept)
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    for row in (
        Response.objects.filter(survey__in=closed, release__isnull=False)
        .values("survey_id", "department_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[row["survey_id"]][row["department_id"]] = row["n"]
    found = {}
    for wave_id, wave in by_wave.items():
        taking_part = departments[wave_id]
        table = suppress_counts(
            {d.department.name: counts[wave_id].get(d.pk, 0) for d in taking_part}, threshold=wave.score_threshold
        )
        total = table.total
        if total is None:  # only when asked for no total, which this never does
            continue
        found[wave_id] = (total.display, total.value, sum(d.invited for d in taking_part))
    return found


def action_plans(organisation: Organisation, waves: list[Survey]) -> dict[int, dict[str, int]]:
    """Actions made from each wave's results, counted by status in the database: one query."""
    if not waves:
        return {}
    wave_of = Cast(Substr("source_ref", 1, StrIndex("source_ref", Value(":")) - 1), IntegerField())
    plans: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        Action.objects.for_organisation(organisation)
        .filter(source_kind=SURVEY_SOURCE, source_ref__contains=":")
        .annotate(wave=wave_of)
        .filter(wave__in=[w.pk for w in waves])
        .values("wave", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        plans[row["wave"]][row["status"]] = row["n"]
    return plans


def _dates(wave: Survey) -> str:
    opened = f"Open {wave.opens_on:%-d %B %Y}" if wave.opens_on else "Open"
    return opened + (f" to {wave.closes_on:%-d %B %Y}" if wave.closes_on else "")


def _responses(wave: Survey, totals: dict[int, tuple[str, int | None, int]]) -> str:
    if wave.status != Survey.Status.CLOSED:
        return "Still open: response figures are released when it closes."
    shown, value, invited = totals[wave.pk]
    if value is None:
        return f"Responses: {shown}; {invited:,} invited."
    rate = f", a response rate of {100 * value / invited:.0f}%" if invited else " (an open link: no rate)"
    return f"Responses: {shown} of {invited:,} invited{rate}."


def _plan(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    if not total:
        return "Action plan: no actions made from its results yet"
    parts = ", ".join(f"{counts.get(status, 0)} {label}" for status, label in STATUSES)
    return f"Action plan: {total} action{'s' if total != 1 else ''} made from its results ({parts}; status today)"


def section(organisation: Organisation, start: date, end: date) -> Section | None:
    waves = waves_in(organisation, start, end)
    if not waves:
        return None
    totals = response_totals(waves)
    plans = action_plans(organisation, waves)
    steps = tuple(
        Step(
            on=wave.opens_on or start,
            title=f"Survey responses and action plan: {wave.title} ({wave.wave})",
            detail=f"{_dates(wave)}. {_responses(wave, totals)}",
            evidence=(_plan(plans.get(wave.pk, {})),),
            url=reverse("surveys:results", args=[wave.pk]),
        )
        for wave in waves
    )
    made = sum(sum(p.values()) for p in plans.values())
    done = sum(p.get(Action.Status.DONE, 0) for p in plans.values())
    return Section(
        key="survey_responses",
        title="Survey responses and action plans",
        steps=steps,
        figures=(
            Figure("Waves with response figures (closed)", len(totals), f"{len(totals):,}"),
            Figure("Actions in their action plans", made, f"{made:,}"),
            Figure("Of which done", done, f"{done:,}"),
        ),
        notes=(
            "Responses are the “All departments” total of each wave's results page, hidden where that page "
            "hides it; the action plan counts actions made from that wave's results.",
        ),
    )
