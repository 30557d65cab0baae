"""The reach report: counts aggregated in the database from tallies, then suppressed once.

Every output (page, SVG chart, CSV, XLSX) is built from the one ``ReachReport`` this
module returns, so they cannot disagree about which cells are hidden.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, QuerySet, Sum

from saferwork.delivery.models import EvaluationTally
from saferwork.delivery.selectors import EvaluationSummary, tallied_summary
from saferwork.lib.suppression import Cell, footnote, suppress_counts
from saferwork.reach.models import PositionTally, SessionTally
from saferwork.training.models import REGIONS, DeliveryMode, Position, TrainerProfile

MODE_LABELS = dict(DeliveryMode.choices)
POSITION_LABELS = dict(Position.choices)
UNKNOWN_REGION = "Not recorded"
WITHHELD = "withheld"


@dataclass
class ReachFilters:
    start: dt.date | None = None  # first day of the first month included
    end: dt.date | None = None  # first day of the last month included
    organisation_id: int | None = None
    region: str = ""
    trainer_id: int | None = None

    def describe(self) -> list[tuple[str, str]]:
        parts = []
        if self.start:
            parts.append(("From", self.start.strftime("%B %Y")))
        if self.end:
            parts.append(("To", self.end.strftime("%B %Y")))
        if self.region:
            parts.append(("Region", self.region))
        return parts


def tallies(filters: ReachFilters, *, organisation: Any = None) -> QuerySet[SessionTally]:
    qs = SessionTally.objects.all()
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    elif filters.organisation_id:
        qs = qs.filter(organisation_id=filters.organisation_id)
    if filters.start:
        qs = qs.filter(month__gte=filters.start)
    if filters.end:
        qs = qs.filter(month__lte=filters.end)
    if filters.region:
        qs = qs.filter(region=filters.region)
    if filters.trainer_id:
        qs = qs.filter(trainers__id=filters.trainer_id)
    return qs


@dataclass
class Row:
    label: str
    attendees: Cell | Withheld
    sessions: Cell | Withheld | None = None


@dataclass
class Breakdown:
    """One dimension of reach: attendees (and sessions, where that means something) by group."""

    key: str
    title: str
    rows: list[Row]
    attendees_total: Cell | None
    sessions_total: Cell | None = None
    chart: bool = True
    svg: Chart | None = None

    @property
    def with_sessions(self) -> bool:
        return self.sessions_total is not None

    def export_rows(self) -> Iterator[list[int | str]]:
        header: list[int | str] = [self.title]
        if self.with_sessions:
            header.append("Sessions delivered")
        header.append("Attendees")
        yield header
        for row in self.rows:
            line: list[int | str] = [row.label]
            if row.sessions is not None:
                line.append(row.sessions.export_value)
            line.append(row.attendees.export_value)
            yield line
        total: list[int | str] = ["Total"]
        if self.sessions_total is not None:
            total.append(self.sessions_total.export_value)
        if self.attendees_total is not None:
            total.append(self.attendees_total.export_value)
        yield total


@dataclass
class TrainerEvaluation:
    name: str
    answers: Cell
    overall: float | None
    trainers: float | None


@dataclass
class ReachReport:
    threshold: int
    filters: ReachFilters
    sessions: Cell
    attendees: Cell
    breakdowns: list[Breakdown]
    evaluation: EvaluationSummary
    evaluation_answers: Cell
    by_trainer: list[TrainerEvaluation] = field(default_factory=list)

    @property
    def footnote(self) -> str:
        return footnote(self.threshold) + (
            f" Where a breakdown would let a small count be worked out from the overall total, all of its "
            f"counts are shown as “{WITHHELD}”."
        )

    def breakdown(self, key: str) -> Breakdown:
        return next(b for b in self.breakdowns if b.key == key)


@dataclass(frozen=True)
class Withheld:
    """A count withheld with its whole column: it says nothing about its size.

    The overall total is published at the top of the page. When a breakdown could only
    protect a small count by hiding its own total, that total would still be known from
    the top, so instead every count in that column is withheld under the same word.
    """

    hidden: bool = True
    value: None = None
    display: str = WITHHELD
    export_value: str = WITHHELD

    def __str__(self) -> str:
        return WITHHELD


def _column(
    values: dict[str, int], labels: list[str], threshold: int, grand: Cell, also_hide: list[str] | None = None
) -> tuple[dict[str, Any], Any]:
    """One column of a breakdown, suppressed against the overall total shown at the top of the page."""
    table = suppress_counts(
        {label: values.get(label, 0) for label in labels},
        threshold=threshold,
        total_published=not grand.hidden,
        also_hide=also_hide or [],
    )
    if table.withheld or (table.total is not None and table.total.hidden and not grand.hidden):
        return {label: Withheld() for label in labels}, grand
    return dict(table.cells), table.total


def _breakdown(
    key: str,
    title: str,
    labels: list[str],
    attendees: dict[str, int],
    sessions: dict[str, int] | None,
    threshold: int,
    grand: dict[str, Cell],
) -> Breakdown:
    if not labels:
        # Nothing to break down under these filters: an empty table whose total is the
        # overall one (the suppression library has no table without cells).
        return Breakdown(
            key=key,
            title=title,
            rows=[],
            attendees_total=grand["attendees"],
            sessions_total=grand["sessions"] if sessions is not None else None,
        )
    session_cells, session_total = (
        _column(sessions, labels, threshold, grand["sessions"]) if sessions is not None else ({}, None)
    )
    # Not covered: a shown attendee count beside a hidden session count says there was
    # at least one session. Session counts are not counts of people; ``also_hide`` is
    # there should that be wanted (pass the labels whose sessions are hidden).
    attendee_cells, attendee_total = _column(attendees, labels, threshold, grand["attendees"])
    rows = [
        Row(
            label=label,
            attendees=attendee_cells[label],
            sessions=session_cells.get(label) if sessions is not None else None,
        )
        for label in labels
    ]
    return Breakdown(key=key, title=title, rows=rows, attendees_total=attendee_total, sessions_total=session_total)


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months = []
    current = first
    while current <= last:
        months.append(current)
        current = (current + dt.timedelta(days=32)).replace(day=1)
    return months


def reach_report(
    filters: ReachFilters,
    *,
    organisation: Any = None,
    threshold: int | None = None,
    with_trainers: bool = False,
) -> ReachReport:
    """Everything the dashboard shows, aggregated in the database and suppressed.

    A fixed number of queries whatever the number of sessions: one per dimension.
    """
    threshold = threshold or settings.REACH_SUPPRESSION_THRESHOLD
    qs = tallies(filters, organisation=organisation)
    ids = qs.values("pk")
    # A tally matches a trainer filter at most once, so grouping ``qs`` never double counts.
    totals = qs.aggregate(sessions=Count("id"), attendees=Sum("attendees"))
    grand = suppress_counts(
        {"sessions": totals["sessions"] or 0, "attendees": totals["attendees"] or 0},
        threshold=threshold,
        with_total=False,
    )

    def grouped(field_name: str) -> tuple[dict[Any, int], dict[Any, int]]:
        rows = qs.values(field_name).annotate(sessions=Count("id"), attendees=Sum("attendees")).order_by(field_name)
        return (
            {row[field_name]: row["attendees"] or 0 for row in rows},
            {row[field_name]: row["sessions"] for row in rows},
        )

    breakdowns = []
    # Every position tally belongs to a session tally: when ``qs`` filters nothing, all of
    # them count, and summing them needs no join to the 10,000 session tallies.
    position_tallies = (
        PositionTally.objects.filter(tally__in=ids) if qs.query.has_filters() else PositionTally.objects.all()
    )
    positions = {
        POSITION_LABELS.get(row["position"], row["position"]): row["n"] or 0
        for row in position_tallies.values("position").annotate(n=Sum("count")).order_by()
    }
    breakdowns.append(
        _breakdown(
            "position",
            "Position in the union structure",
            list(POSITION_LABELS.values()),
            positions,
            None,
            threshold,
            grand.cells,
        )
    )
    attendees, sessions = grouped("mode")
    breakdowns.append(
        _breakdown(
            "mode",
            "Online or in person",
            list(MODE_LABELS.values()),
            {MODE_LABELS.get(k, k): v for k, v in attendees.items()},
            {MODE_LABELS.get(k, k): v for k, v in sessions.items()},
            threshold,
            grand.cells,
        )
    )
    attendees, sessions = grouped("region")
    # Every region is listed whether it had sessions or not: a row that appeared only for
    # regions with sessions would tell a reader its hidden session count is not 0.
    region_labels = sorted({*REGIONS, *((k or UNKNOWN_REGION) for k in attendees)})
    breakdowns.append(
        _breakdown(
            "region",
            "Region",
            region_labels,
            {(k or UNKNOWN_REGION): v for k, v in attendees.items()},
            {(k or UNKNOWN_REGION): v for k, v in sessions.items()},
            threshold,
            grand.cells,
        )
    )
    attendees, sessions = grouped("month")
    if attendees or filters.start:
        first = filters.start or min(attendees)
        last = filters.end or (max(attendees) if attendees else first)
        months = _months(first, last)
        labels = [m.strftime("%B %Y") for m in months]
        breakdowns.append(
            _breakdown(
                "month",
                "Month",
                labels,
                {k.strftime("%B %Y"): v for k, v in attendees.items()},
                {k.strftime("%B %Y"): v for k, v in sessions.items()},
                threshold,
                grand.cells,
            )
        )
    # Filtered to one organisation, a breakdown by organisation is that organisation's
    # totals beside rows every reader knows are 0 (the filter made them so): left out.
    if organisation is None and not filters.organisation_id:
        attendees, sessions = grouped("organisation__name")
        # Every organisation that has ever taken part, whatever the filters (as for regions).
        names = set(SessionTally.objects.order_by().values_list("organisation__name", flat=True).distinct())
        org = _breakdown(
            "organisation", "Organisation", sorted(names | set(attendees)), attendees, sessions, threshold, grand.cells
        )
        org.chart = False  # a long list: the table says it better
        breakdowns.append(org)

    evaluation_threshold = max(threshold, settings.EVALUATION_RESULTS_THRESHOLD)
    # Counters of released answers, one row per session (and form version), not the answers.
    answers = EvaluationTally.objects.filter(session_id__in=qs.values("session_id"))
    summary = tallied_summary(answers, threshold=evaluation_threshold)
    answer_count = suppress_counts({"answers": summary.answers}, threshold=threshold, with_total=False)["answers"]
    report = ReachReport(
        threshold=threshold,
        filters=filters,
        sessions=grand["sessions"],
        attendees=grand["attendees"],
        breakdowns=breakdowns,
        evaluation=summary,
        evaluation_answers=answer_count,
    )
    if with_trainers:
        report.by_trainer = _by_trainer(answers, evaluation_threshold)
    return report


def _by_trainer(answers: QuerySet[EvaluationTally], threshold: int) -> list[TrainerEvaluation]:
    """Per-trainer averages over the open sessions (each with at least the threshold).

    Every figure is then a union of whole open sessions, so no difference between two
    of them (or with the programme's) isolates fewer answers than the threshold, even
    where sessions are co-tutored. Co-tutored sessions count for each of their trainers.
    """
    # Grouped by the trainer's id, and named afterwards: grouping and sorting every
    # session's row by the trainer's name took PostgreSQL a text sort of them all.
    rows = [
        row
        for row in answers.values("session__trainers__id")
        .annotate(n=Sum("answers"), overall_sum=Sum("overall"), trainers_sum=Sum("trainers"))
        .order_by()
        if row["session__trainers__id"] is not None
    ]
    names = dict(
        TrainerProfile.objects.filter(pk__in=[row["session__trainers__id"] for row in rows]).values_list(
            "pk", "user__full_name"
        )
    )

    def name(row: dict[str, Any]) -> str:
        return names.get(row["session__trainers__id"]) or ""

    result = []
    for row in sorted(rows, key=lambda row: (name(row).casefold(), row["session__trainers__id"])):
        shown = row["n"] >= threshold
        cell = suppress_counts({"n": row["n"]}, threshold=threshold, with_total=False)["n"]
        result.append(
            TrainerEvaluation(
                name=name(row) or "Trainer",
                answers=cell,
                overall=round(row["overall_sum"] / row["n"], 1) if shown else None,
                trainers=round(row["trainers_sum"] / row["n"], 1) if shown else None,
            )
        )
    return result


# ---------------------------------------------------------------- charts


@dataclass
class Bar:
    label: str
    display: str
    percent: int  # of the widest bar (a bar of 80% leaves room for its value beside it)
    hidden: bool


@dataclass
class Chart:
    id: str
    title: str
    description: str
    bars: list[Bar]
    plot_width: int = 200


def chart_for(breakdown: Breakdown, *, threshold: int) -> Chart:
    """A horizontal bar chart of attendees; hidden counts get no bar, only their words."""
    return bar_chart(
        id=f"chart-{breakdown.key}",
        title=f"Attendees by {breakdown.title.lower()}",
        rows=[(row.label, row.attendees) for row in breakdown.rows],
        threshold=threshold,
    )


def bar_chart(*, id: str, title: str, rows: list[tuple[str, Any]], threshold: int) -> Chart:  # noqa: A002
    """A horizontal bar chart of suppressed cells (anything with ``value`` and ``display``):
    a hidden count gets no bar, only its words. Other apps draw their charts with this
    and ``reach/_chart.html``, so every chart treats hidden cells alike."""
    shown = [cell.value for _label, cell in rows if cell.value is not None]
    top = max(shown) if shown else 1
    chart = Chart(
        id=id,
        title=title,
        description=(
            "Horizontal bar chart. "
            + "; ".join(f"{label}: {cell.display}" for label, cell in rows)
            + f". Counts below {threshold} are not drawn."
        ),
        bars=[],
    )
    for label, cell in rows:
        value = cell.value
        chart.bars.append(
            Bar(
                label=label if len(label) <= 20 else label[:19] + "…",
                display=cell.display,
                percent=0 if value is None else max(1, round(80 * value / top)),
                hidden=value is None,
            )
        )
    return chart
