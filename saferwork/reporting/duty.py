"""Reporting's part of the duty record: the reporting route, and its published statistics.

The figures are the statistics page's own tables (``statistics.statistics_for`` for today,
suppressed and audited there): the record shows exactly what leaders already see, never a
new cut of the counts for the chosen period, which could be subtracted from the page's.
"""

from __future__ import annotations

from datetime import date

from saferwork.actions.selectors import today_for
from saferwork.lib.dutysteps import Figure, Section, Step
from saferwork.organisations.models import Organisation
from saferwork.reporting import statistics
from saferwork.reporting.models import ReportingSettings


def section(organisation: Organisation, start: date, end: date) -> Section | None:
    route = ReportingSettings.objects.filter(organisation=organisation).first()
    if route is None:
        return None
    steps = []
    if route.enabled_on <= end:
        steps.append(
            Step(
                on=route.enabled_on,
                title="Reporting route opened: workers can report, anonymously if they wish",
                detail="Reports are encrypted; a receipt lets the reporter follow up."
                + ("" if route.enabled else " The route has since been switched off."),
                evidence=("Reporting settings in SaferWork",),
            )
        )
    if route.recovery_key_rotated_on and start <= route.recovery_key_rotated_on <= end:
        steps.append(Step(on=route.recovery_key_rotated_on, title="Reporting recovery key renewed"))
    stats = statistics.statistics_for(organisation, today_for(organisation))
    window = f"{stats.first_month:%B %Y} to {stats.last_month:%B %Y}"
    figures: list[Figure] = []
    notes = [
        f"Statistics as on the reporting statistics page: reports sent {window} (the twelve complete months before "
        "this one), whatever period is chosen, so that no new cut of the counts is published."
    ]
    if stats.by_month is not None and stats.by_month.total is not None:
        total = stats.by_month.total
        figures.append(Figure(f"Reports sent, {window}", total.value, total.display))
    if stats.place_who is not None and stats.place_who.column_totals:
        third = stats.place_who.column_totals.get(statistics.WHO_LABELS["third_party"])
        if third is not None:
            figures.append(Figure("Reports naming a third party", third.value, third.display))
    if stats.acknowledged is not None:
        for label, cell in stats.acknowledged.items():
            figures.append(Figure(f"Acknowledged: {label}", cell.value, cell.display))
    if not figures:
        notes.append("The statistics are withheld: with these numbers a small count could be worked out.")
    return Section(
        key="reporting",
        title="Reporting route",
        steps=tuple(steps),
        figures=tuple(figures),
        notes=tuple(notes),
    )
