"""Leadership dialogue's part of the duty record: sessions held, and suppressed counts of people.

Sessions held are the organisation's own acts (exact, each a dated step). How many
attended and how many coaching sessions took place are about people and pass through
suppression. Nothing said in a session, a plan or a coaching note reaches the record.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from saferwork.dialogue import selectors
from saferwork.dialogue.models import Cohort, CohortSession
from saferwork.lib import dutysteps
from saferwork.lib.dutysteps import Figure, Section, Step
from saferwork.organisations.models import Organisation


def section(organisation: Organisation, start: dt.date, end: dt.date) -> Section | None:
    """A fixed number of queries (steps, figures), whatever the data size."""
    today = selectors.today_for(organisation)
    held = list(
        CohortSession.objects.for_organisation(organisation)
        .filter(date__range=(start, min(end, today - dt.timedelta(days=1))))
        .exclude(status=CohortSession.Status.CANCELLED)
        .select_related("cohort")
        .order_by("date", "id")[: dutysteps.MAX_STEPS + 1]
    )
    if not held and not Cohort.objects.for_organisation(organisation).exists():
        return None
    found = selectors.figures(organisation, start, end)
    steps = tuple(
        Step(
            on=s.date,
            title=f"Leadership dialogue session held: {s.title}",
            detail=f"{s.cohort.name}, {s.get_mode_display().lower()}",
            evidence=("Session date and attendance register",),
            url=reverse("dialogue:session", args=[s.pk]),
        )
        for s in held
    )
    figures = (
        Figure("Leadership dialogue sessions held", len(held), str(len(held))),
        Figure("Attendances at dialogue sessions", found.attendances.value, found.attendances.display),
        Figure("Coaching sessions held", found.coaching_held.value, found.coaching_held.display),
    )
    return Section(
        key="dialogue", title="Leadership dialogue and coaching", steps=steps, figures=figures, notes=(found.footnote,)
    )
