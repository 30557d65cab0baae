"""Learning's part of the duty record: modules made available, and suppressed completion counts.

Opening a module to everyone and assigning one are the organisation's own acts (dated
steps, no counts of people in them). How many were assigned and how many completed are
about people and pass through suppression. Nothing a learner wrote reaches the record.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone

from saferwork.learning import selectors
from saferwork.learning.models import Enrolment, ModuleOffer
from saferwork.lib import suppression
from saferwork.lib.dutysteps import Figure, Section, Step
from saferwork.organisations.models import Organisation


def _day(moment: dt.datetime, organisation: Organisation) -> dt.date:
    import zoneinfo

    return timezone.localtime(moment, zoneinfo.ZoneInfo(organisation.time_zone)).date()


def section(organisation: Organisation, start: dt.date, end: dt.date) -> Section | None:
    """Four queries, whatever the number of learners."""
    enrolments = Enrolment.objects.for_organisation(organisation)
    first_assigned = list(
        enrolments.filter(assigned=True).values("module_id").annotate(first=Min("assigned_at")).order_by()
    )
    offers = list(ModuleOffer.objects.for_organisation(organisation).values("module_id", "opened_at"))
    if not first_assigned and not offers:
        return None
    names = selectors.titles({r["module_id"] for r in first_assigned} | {o["module_id"] for o in offers})
    url = reverse("learning:report")
    steps: list[Step] = []
    for row in first_assigned:
        day = _day(row["first"], organisation)
        if start <= day <= end:
            title = names[row["module_id"]].title if row["module_id"] in names else "Module"
            steps.append(
                Step(
                    on=day,
                    title=f"Learning module assigned: {title}",
                    detail="Self-paced module assigned to staff or members",
                    evidence=("Assignment list and completion report",),
                    url=url,
                )
            )
    for offer in offers:
        day = _day(offer["opened_at"], organisation)
        if start <= day <= end:
            title = names[offer["module_id"]].title if offer["module_id"] in names else "Module"
            steps.append(
                Step(
                    on=day,
                    title=f"Learning module opened to all members: {title}",
                    evidence=("Module page and completion report",),
                    url=url,
                )
            )
    steps.sort(key=lambda s: (s.on, s.title))
    counts = enrolments.aggregate(
        assigned=Count("pk", filter=Q(assigned_at__date__lte=end)),
        completed=Count("pk", filter=Q(completed_at__date__range=(start, end))),
    )
    people = suppression.suppress_counts(
        {"assigned": counts["assigned"], "completed": counts["completed"]},
        threshold=selectors.threshold(),
        with_total=False,
    )
    figures = (
        Figure(
            "Learning modules assigned or taken up (to the end of the period)",
            people["assigned"].value,
            people["assigned"].display,
        ),
        Figure("Learning modules completed in the period", people["completed"].value, people["completed"].display),
    )
    return Section(
        key="learning",
        title="Self-paced learning",
        steps=tuple(steps),
        figures=figures,
        notes=(people.footnote,),
    )
