"""Reporting statistics for leaders: counts from ``ReportTally`` only, never from a
report's content and never linked to a report.

Every table is suppressed with ``saferwork.lib.suppression`` (threshold 5, the
protection-range rule) before anything renders it; the page and the CSV render the same
result. The tables cover whole months only (the twelve complete months before this one),
so the page does not change day by day as single reports arrive.

The tables are suppressed against each other, not one by one. A reader knows:
* one total T of reports, shared by the place/who, month and acknowledgement tables
  (each report is in exactly one cell of each); it is shown in all of them or in none;
* every report names one or more behaviours (the form requires it; reports sent before
  the tallies began count once as "Not recorded"), so each behaviour count is at most T
  and they add up to at least T;
* the "Not recorded" behaviour count is the "Not recorded" column of the place/who
  table (both count the reports sent before the tallies began).
Once chosen, the whole page is audited with ``saferwork.lib.disclosure`` (independent of
the suppressor) against all of that; a table with a small count that could still be told
from 0 or from the threshold is withheld whole.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F, Sum

from saferwork.lib.disclosure import BIG, ReaderModel, Undecided, breakdown_model, two_way_model
from saferwork.lib.memo import Remembered
from saferwork.lib.sealed import seal_json, unseal_json
from saferwork.lib.suppression import (
    Cell,
    Status,
    SuppressedTable,
    SuppressedTwoWay,
    footnote,
    suppress_counts,
    suppress_table,
)
from saferwork.organisations.models import Organisation
from saferwork.reporting.models import PendingTally, ReportTally

THRESHOLD = 5
MONTHS = 12
WITHHELD = (
    "Not shown: with these numbers, any figure in this table would let someone work out, or narrow down, a small count."
)
NOT_RECORDED = "not_recorded"  # reports sent before tallies began (their categories are sealed)

BEHAVIOUR_LABELS = {
    "comments": "Comments or jokes",
    "looks": "Staring, leering or gestures",
    "messages": "Messages, images or posts",
    "touching": "Unwanted touching",
    "advances": "Unwanted advances",
    "pressure": "Promises or threats tied to the job",
    "assault": "Sexual assault",
    "other": "Something else",
    NOT_RECORDED: "Not recorded",
}
PLACE_LABELS = {
    "own_premises": "Usual workplace",
    "elsewhere_org": "Elsewhere in the organisation",
    "third_party": "Third-party premises",
    "online": "Online",
    "travel": "Travelling for work",
    "social": "Work social event",
    "other": "Somewhere else",
    NOT_RECORDED: "Not recorded",
}
WHO_LABELS = {
    "colleague": "Colleague or manager",
    "third_party": "Third party",
    "both": "Both",
    "unknown": "Not known",
    NOT_RECORDED: "Not recorded",
}
ACK_LABELS = {
    "0": "Same day",
    "1": "Next day",
    "2": "2 days",
    "3-5": "3 to 5 days",
    "6+": "More than 5 days",
    "waiting": "Not yet acknowledged",
}
INSIDE = {"colleague", "manager", "senior"}
THIRD_PARTY = {"customer", "contractor", "public"}


def month_of(day: date) -> date:
    return day.replace(day=1)


def who_group(people: list[str]) -> str:
    """Colleague vs third party: the one distinction the statistics keep."""
    inside = bool(INSIDE & set(people))
    outside = bool(THIRD_PARTY & set(people))
    if inside and outside:
        return "both"
    if outside:
        return "third_party"
    return "colleague" if inside else "unknown"


def ack_bucket(days: int) -> str:
    if days <= 2:
        return str(max(days, 0))
    return "3-5" if days <= 5 else "6+"


def categories(answers: dict[str, Any]) -> list[tuple[str, str]]:
    """The (dimension, value) counters one report adds to: fixed choices only, no free text."""
    place = answers.get("where", {}).get("place", "")
    place = place if place in PLACE_LABELS else NOT_RECORDED
    who = who_group(list(answers.get("who", {}).get("people", []) or []))
    behaviours = [b for b in answers.get("what-happened", {}).get("behaviours", []) or [] if b in BEHAVIOUR_LABELS]
    found = [(ReportTally.Dimension.PLACE_WHO.value, f"{place}|{who}")]
    found += [(ReportTally.Dimension.BEHAVIOUR.value, b) for b in sorted(set(behaviours))]
    return found


def add_to_tally(*, organisation_id: int, month: date, dimension: str, value: str) -> None:
    """Add one to a counter, later: called inside the service's transaction.

    The increment is held sealed in ``PendingTally`` until :func:`fold_pending_tallies`
    (see there). The read interface, ``ReportTally``, is unchanged.
    """
    add_to_tallies(organisation_id=organisation_id, increments=[(month, dimension, value)])


def add_to_tallies(*, organisation_id: int, increments: list[tuple[date, str, str]]) -> None:
    """All the increments of one event in one sealed, padded row (its length says nothing)."""
    rows = [[organisation_id, m.isoformat(), d, v] for m, d, v in increments]
    PendingTally.objects.create(sealed=seal_json(TALLY_PURPOSE, rows, size=2048))


TALLY_PURPOSE = "report-tally"


@transaction.atomic
def fold_pending_tallies() -> int:
    """Apply every pending increment to the counters in one transaction, then delete them.

    A counter changed in a report's own transaction carries that transaction's id
    (PostgreSQL ``xmin``) and would say which report last changed it. The fold writes the
    increments of many reports at once, counters in shuffled order, so a counter's system
    columns are the fold's, shared with every counter it touched. Run it daily
    (``manage.py fold_report_tallies``); the page shows complete months only, so a day's
    delay changes nothing a reader sees.

    Residual risk, by design: until the fold the pending row shares the report's ``xmin``,
    but it is sealed under a key derived from ``SECRET_KEY`` (someone with a dump and that
    key could read a report's categories until the fold), and deleted rows stay on disk
    until PostgreSQL vacuums them.
    """
    pending = list(PendingTally.objects.select_for_update())
    counts: Counter[tuple[int, str, str, str]] = Counter()
    for row in pending:
        for organisation_id, month, dimension, value in unseal_json(TALLY_PURPOSE, row.sealed):
            counts[(organisation_id, month, dimension, value)] += 1
    keys = list(counts)
    random.SystemRandom().shuffle(keys)
    for organisation_id, month, dimension, value in keys:
        tally, _ = ReportTally.objects.get_or_create(
            organisation_id=organisation_id, month=date.fromisoformat(month), dimension=dimension, value=value
        )
        ReportTally.objects.filter(pk=tally.pk).update(
            count=F("count") + counts[(organisation_id, month, dimension, value)]
        )
    PendingTally.objects.filter(pk__in=[row.pk for row in pending]).delete()
    return len(pending)


# ------------------------------------------------------------------ reading


def period(today: date) -> tuple[date, date]:
    """First days of the first and last month shown: the twelve complete months before ``today``'s."""
    end = month_of(today)
    last = date(end.year - (end.month == 1), (end.month - 2) % 12 + 1, 1)
    first_index = last.year * 12 + last.month - 1 - (MONTHS - 1)
    return date(first_index // 12, first_index % 12 + 1, 1), last


@dataclass
class Statistics:
    first_month: date
    last_month: date
    # None: withheld whole (see _withhold_what_the_page_gives_away).
    place_who: SuppressedTwoWay | None
    by_month: SuppressedTable | None
    acknowledged: SuppressedTable | None
    behaviours: SuppressedTable | None
    threshold: int = THRESHOLD

    @property
    def tables(self) -> list[tuple[str, SuppressedTable | SuppressedTwoWay | None]]:
        return [
            ("Reports by place and by who did it", self.place_who),
            ("Reports by month", self.by_month),
            ("Time to acknowledge a report", self.acknowledged),
            ("Behaviours reported (a report can name several)", self.behaviours),
        ]

    def csv_rows(self) -> list[list[str]]:
        rows: list[list[str]] = [
            [f"Reports sent {self.first_month:%B %Y} to {self.last_month:%B %Y}"],
            [footnote(self.threshold)],
        ]
        for title, table in self.tables:
            rows += [[], [title]]
            if table is None:
                rows.append([WITHHELD])
            elif isinstance(table, SuppressedTwoWay):
                rows += table.csv_rows(corner="Place / who")
            else:
                rows += table.csv_rows(label_header="Group", value_header="Reports")
        return rows


def _month_label(month: date) -> str:
    return f"{month:%B %Y}"


def page_model(stats: Statistics) -> tuple[ReaderModel, dict[str, list[Any]]]:
    """What a reader of the whole page knows, and (by table) the small counts to protect."""
    model = ReaderModel()
    model.unknown("T")
    small: dict[str, list[Any]] = {}

    def protect(name: str, key: Any, cell: Cell) -> None:
        if cell.status is Status.SMALL:
            small.setdefault(name, []).append(key)

    if stats.place_who is not None:
        pw = stats.place_who
        model.merge(two_way_model(pw, "pw", total="T"))
        for r in pw.row_labels:
            for c in pw.column_labels:
                protect("place_who", ("pw", "cell", r, c), pw.cells[r][c])
        for r, cell in (pw.row_totals or {}).items():
            protect("place_who", ("pw", "row", r), cell)
        for c, cell in (pw.column_totals or {}).items():
            protect("place_who", ("pw", "col", c), cell)
        if pw.grand_total is not None:
            protect("place_who", ("pw", "grand"), pw.grand_total)
    for name, prefix, table in (("by_month", "month", stats.by_month), ("acknowledged", "ack", stats.acknowledged)):
        if table is not None:
            model.merge(breakdown_model(table, prefix, total="T"))
            for label, cell in table.cells.items():
                protect(name, (prefix, "cell", label), cell)
            if table.total is not None:
                protect(name, (prefix, "total"), table.total)
    if stats.behaviours is not None:
        model.merge(breakdown_model(stats.behaviours, "behaviour", respondents="T"))
        for label, cell in stats.behaviours.cells.items():
            protect("behaviours", ("behaviour", "cell", label), cell)
        not_recorded = BEHAVIOUR_LABELS[NOT_RECORDED]
        if not_recorded in stats.behaviours.cells and stats.place_who is not None:
            model.same(("behaviour", "cell", not_recorded), ("pw", "col", WHO_LABELS[NOT_RECORDED]))
    return model, small


def _withhold_what_the_page_gives_away(stats: Statistics) -> tuple[str, ...]:
    """Audit the page as one; withhold every table in which a small count is still narrowed.

    Withholding publishes less, so it never undoes another table's protection; the audit
    runs again until it passes. A search too long to finish counts as a failure. Returns
    the names of the tables withheld.
    """
    withheld: list[str] = []
    while True:
        model, small = page_model(stats)
        failing = []
        for name, keys in small.items():
            try:
                if any(not model.possible(k, 0, 0) or not model.possible(k, stats.threshold, BIG) for k in keys):
                    failing.append(name)
            except Undecided:
                failing.append(name)
        if not failing:
            return tuple(withheld)
        for name in failing:
            setattr(stats, name, None)
        withheld += failing


def statistics_for(organisation: Organisation, today: date) -> Statistics:
    """Every table of the statistics page, suppressed. Two queries, whatever the number of reports."""
    first, last = period(today)
    rows = (
        ReportTally.objects.filter(organisation=organisation, month__gte=first, month__lte=last)
        .values("dimension", "value")
        .annotate(n=Sum("count"))
        .values_list("dimension", "value", "n")
    )
    per_month = dict(
        ReportTally.objects.filter(
            organisation=organisation,
            month__gte=first,
            month__lte=last,
            dimension=ReportTally.Dimension.PLACE_WHO,
        )
        .values("month")
        .annotate(n=Sum("count"))
        .values_list("month", "n")
    )
    place_who: dict[str, dict[str, int]] = {label: {} for label in PLACE_LABELS.values()}
    behaviours = {label: 0 for label in BEHAVIOUR_LABELS.values()}
    acknowledged = {label: 0 for label in ACK_LABELS.values()}
    for dimension, value, n in rows:
        if dimension == ReportTally.Dimension.PLACE_WHO:
            place, _, who = value.partition("|")
            if place in PLACE_LABELS and who in WHO_LABELS:
                cells = place_who[PLACE_LABELS[place]]
                cells[WHO_LABELS[who]] = cells.get(WHO_LABELS[who], 0) + n
        elif dimension == ReportTally.Dimension.BEHAVIOUR and value in BEHAVIOUR_LABELS:
            behaviours[BEHAVIOUR_LABELS[value]] += n
        elif dimension == ReportTally.Dimension.ACKNOWLEDGED and value in ACK_LABELS:
            acknowledged[ACK_LABELS[value]] += n
    total = sum(per_month.values())
    acknowledged[ACK_LABELS["waiting"]] = max(total - sum(acknowledged.values()), 0)
    # "Not recorded" appears only if some report in the period predates the tallies.
    if not any(place_who[PLACE_LABELS[NOT_RECORDED]].values()):
        del place_who[PLACE_LABELS[NOT_RECORDED]]
    columns = [label for key, label in WHO_LABELS.items() if key != NOT_RECORDED]
    if any(cells.get(WHO_LABELS[NOT_RECORDED]) for cells in place_who.values()):
        columns.append(WHO_LABELS[NOT_RECORDED])
    if not behaviours[BEHAVIOUR_LABELS[NOT_RECORDED]]:
        del behaviours[BEHAVIOUR_LABELS[NOT_RECORDED]]
    months = []
    cursor = first
    while cursor <= last:
        months.append(cursor)
        cursor = date(cursor.year + (cursor.month == 12), cursor.month % 12 + 1, 1)
    # One total for the page: shown in every table when it is at least the threshold
    # (and then never hidden to protect a cell), hidden in all of them otherwise.
    shown = total >= THRESHOLD
    place_who_table = suppress_table(place_who, columns=columns, threshold=THRESHOLD, total_published=shown)
    stats = Statistics(
        first_month=first,
        last_month=last,
        place_who=place_who_table,
        by_month=suppress_counts(
            {_month_label(m): per_month.get(m, 0) for m in months}, threshold=THRESHOLD, total_published=shown
        ),
        acknowledged=suppress_counts(acknowledged, threshold=THRESHOLD, total_published=shown),
        behaviours=_behaviours(behaviours, place_who_table, total),
    )
    # The page audit is a pure function of the tallies read above: the same tallies
    # (a page reloaded, its CSV) get the tables this process already withheld.
    inputs = (first, last, THRESHOLD, tuple(sorted(rows)), tuple(sorted(per_month.items())))
    withheld = _AUDITS.get(inputs)
    if withheld is None:
        withheld = _withhold_what_the_page_gives_away(stats)
        _AUDITS.put(inputs, withheld)
    for name in withheld:
        setattr(stats, name, None)
    return stats


_AUDITS: Remembered[tuple[str, ...]] = Remembered(256)


def _behaviours(counts: dict[str, int], place_who: SuppressedTwoWay, total: int) -> SuppressedTable | None:
    """Behaviours overlap (a report can name several): no total of their own, but each is
    at most the number of reports that name behaviours, and together at least that."""
    not_recorded_label = BEHAVIOUR_LABELS[NOT_RECORDED]
    not_recorded = counts.pop(not_recorded_label, 0)
    if total < THRESHOLD:
        return None  # every count is below the threshold, and none could reach it
    if not not_recorded:
        table = suppress_counts(counts, threshold=THRESHOLD, with_total=False, respondents=total)
        return None if table.withheld else table
    # Reports sent before the tallies began name no behaviour; their number is the
    # "Not recorded" column of the place/who table. The other behaviours count only the
    # remaining reports, which a reader can work out only if that column is shown.
    column = (place_who.column_totals or {}).get(WHO_LABELS[NOT_RECORDED])
    if column is None or column.value is None or column.value != not_recorded:
        return None
    table = suppress_counts(counts, threshold=THRESHOLD, with_total=False, respondents=total - not_recorded)
    if table.withheld:
        return None
    table.cells[not_recorded_label] = column
    return table
