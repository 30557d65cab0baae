"""Hazards the data suggests reviewing, read only from already-suppressed outputs.

Two sources, and neither is ever read raw:

* **Reporting statistics** (``saferwork.reporting.statistics.statistics_for``): the
  place x who table, suppressed and audited as the statistics page shows it. A place
  whose "Third party" (or "Both") cell is *shown* suggests a third-party hazard there; a
  hidden cell suggests nothing, so a suggestion never tells more than the page does.
* **Survey results** (``saferwork.surveys.results``): the all-departments cut of each
  closed wave, released through the same differencing check a leader's view goes
  through. A department whose shown cell names an experience (anything but "Never",
  "No" or "Prefer not to say") for a behaviour, who or where item suggests a hazard.

Nothing here creates a hazard: :func:`saferwork.risk.services.accept_suggestion` does,
when a person accepts (see ``services.refresh_suggestions``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from saferwork.organisations.models import Organisation
from saferwork.reporting import statistics
from saferwork.surveys import results as survey_results
from saferwork.surveys.models import QuestionItem, Survey

SURVEY_TOPICS = {QuestionItem.Topic.BEHAVIOUR, QuestionItem.Topic.WHO, QuestionItem.Topic.WHERE}
NOT_AN_EXPERIENCE = {"Never", "No", "Prefer not to say"}
THIRD_PARTY_WORDS = ("customer", "client", "patient", "public", "contractor", "third party")
THIRD_PARTY_COLUMNS = (statistics.WHO_LABELS["third_party"], statistics.WHO_LABELS["both"])
SURVEYS_LOOKED_AT = 3


@dataclass(frozen=True)
class Found:
    origin: str
    key: str
    title: str
    detail: str
    source: str  # Hazard.Source


def from_data(organisation: Organisation, today: dt.date, *, actor: Any) -> list[Found]:
    return [*from_reporting(organisation, today), *from_surveys(organisation, actor=actor)]


def from_reporting(organisation: Organisation, today: dt.date) -> Iterator[Found]:
    stats = statistics.statistics_for(organisation, today)
    table = stats.place_who
    if table is None:
        return
    period = f"{stats.first_month:%B %Y} to {stats.last_month:%B %Y}"
    for place in table.row_labels:
        for column in THIRD_PARTY_COLUMNS:
            if column not in table.column_labels:
                continue
            cell = table.cell(place, column)
            if cell.value is None:
                continue  # hidden: a suggestion must not tell more than the statistics page
            yield Found(
                origin="reporting",
                key=f"reporting:{stats.last_month:%Y-%m}:{place}"[:120],
                title=f"Harassment by third parties: {place.lower()}"[:200],
                detail=(
                    f"Reporting statistics for {period}: {cell.display} reports of harassment at "
                    f"“{place}” name a third party ({column.lower()}). Review the risk of harassment by "
                    "customers, clients, contractors or the public there."
                )[:500],
                source="third_party",
            )
            break  # one suggestion per place


def from_surveys(organisation: Organisation, *, actor: Any) -> Iterator[Found]:
    waves = (
        Survey.objects.for_organisation(organisation)
        .filter(status=Survey.Status.CLOSED)
        .order_by("-closes_on", "-id")[:SURVEYS_LOOKED_AT]
    )
    for survey in waves:
        result = survey_results.release(results=survey_results.survey_results(survey), actor=actor)
        if not result.shown:
            continue
        for item in result.items:
            if item.withheld or item.question.item.topic not in SURVEY_TOPICS:
                continue
            for department, cells, _total in item.rows():
                if department == "All departments":
                    continue
                for label, cell in zip(item.choices, cells, strict=True):
                    if label in NOT_AN_EXPERIENCE or cell.value is None:
                        continue
                    third = any(word in label.lower() for word in THIRD_PARTY_WORDS)
                    yield Found(
                        origin="survey",
                        key=f"survey:{survey.pk}:{item.question.item.code}:{department}"[:120],
                        title=f"{department}: {item.question.item.text}"[:200],
                        detail=(
                            f"{survey.title} ({survey.wave}): {cell.display} people in {department} answered "
                            f"“{label}” to {item.question.item.code}. Review whether this is a hazard in "
                            f"{department}'s activity assessment."
                        )[:500],
                        source="third_party" if third else "internal",
                    )
                    break  # one suggestion per department and item
