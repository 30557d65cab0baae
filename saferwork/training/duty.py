"""Training's part of the duty record: sessions delivered, and who attended as suppressed counts.

The counts come from reach (its tallies and its suppression), over whole months: the same
cut the organisation's reach page offers, so the record publishes nothing new about people.
"""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from saferwork.lib import dutysteps
from saferwork.lib.dutysteps import Figure, Section, Step
from saferwork.organisations.models import Organisation
from saferwork.reach.selectors import ReachFilters, reach_report
from saferwork.training.models import Session


def section(organisation: Organisation, start: date, end: date) -> Section | None:
    sessions = list(
        Session.objects.filter(
            organisation=organisation, status=Session.Status.DELIVERED, date__gte=start, date__lte=end
        ).order_by("date", "id")[: dutysteps.MAX_STEPS + 1]
    )
    if not sessions and not Session.objects.filter(organisation=organisation).exists():
        return None
    first_month, last_month = start.replace(day=1), end.replace(day=1)
    report = reach_report(ReachFilters(start=first_month, end=last_month), organisation=organisation)
    figures = [
        Figure("Sessions delivered (whole months)", report.sessions.value, report.sessions.display),
        Figure("Attended (whole months)", report.attendees.value, report.attendees.display),
    ]
    for row in report.breakdown("position").rows:
        figures.append(Figure(f"Attended: {row.label}", row.attendees.value, row.attendees.display))
    steps = tuple(
        Step(
            on=session.date,
            title=f"Training session delivered ({session.get_mode_display().lower()})",
            detail="A full-day session on tackling and preventing sexual harassment.",
            evidence=("Attendance recorded in SaferWork",),
            url=reverse("delivery:sessions"),
        )
        for session in sessions
    )
    return Section(
        key="training",
        title="Training",
        steps=steps,
        figures=tuple(figures),
        notes=(
            f"Counts cover whole months, {first_month:%B %Y} to {last_month:%B %Y}, and follow the suppression "
            "rules of the reach report.",
        ),
    )
