"""Property tests: no reach output reveals a count below 5, directly or by subtraction.

The check here is written independently of the suppression library: for each breakdown
it works out, from what the output publishes (shown numbers, the total, "fewer than 5"
meaning 0–4 and "hidden" meaning 5 or more), every value a hidden small cell could take,
and requires more than one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from saferwork.reach import exports
from saferwork.reach.models import SessionTally
from saferwork.reach.selectors import ReachFilters, reach_report
from saferwork.reach.tests.factories import tally
from saferwork.tests import factories

pytestmark = pytest.mark.django_db

THRESHOLD = 5
SMALL = "fewer than 5"
HIDDEN = "hidden"
WITHHELD = "withheld"

session_strategy = st.fixed_dictionaries(
    {
        "org": st.integers(0, 3),
        "region": st.sampled_from(["London", "Wales", "Scotland"]),
        "mode": st.sampled_from(["online", "in_person"]),
        "month": st.integers(1, 4),
        "positions": st.dictionaries(
            # Mostly small numbers: the hard cases are totals just above the threshold.
            st.sampled_from(["staff", "rep", "line_manager", "senior_leader"]),
            st.one_of(st.integers(0, 3), st.integers(0, 9)),
            max_size=4,
        ),
    }
)


def assert_column_safe(cells: list[Any], total: Any, where: str, known_total: Any = None) -> None:
    """``cells`` and ``total`` are what was published: an int, SMALL, HIDDEN or WITHHELD.

    ``known_total`` is the same total published elsewhere (the headline figure): a
    reader who sees it there can use it here even if this table hides its total.
    """
    for value in [*cells, total]:
        if isinstance(value, int):
            assert value >= THRESHOLD, f"{where}: published {value}"
        else:
            assert value in (SMALL, HIDDEN, WITHHELD), f"{where}: unexpected {value!r}"
    if not isinstance(total, int):
        total = known_total
    elif isinstance(known_total, int):
        assert total == known_total, f"{where}: total {total} differs from the headline {known_total}"
    if not isinstance(total, int):
        # Without an exact total nothing can be subtracted; each small cell is 0–4 as far as anyone knows.
        return
    bounds = {SMALL: (0, THRESHOLD - 1), HIDDEN: (THRESHOLD, 10**9), WITHHELD: (0, 10**9)}
    shown_sum = sum(v for v in cells if isinstance(v, int))
    rest = total - shown_sum
    hidden = [v for v in cells if not isinstance(v, int)]
    for i, value in enumerate(hidden):
        others = hidden[:i] + hidden[i + 1 :]
        low_others = sum(bounds[v][0] for v in others)
        high_others = sum(bounds[v][1] for v in others)
        own_low, own_high = bounds[value]
        low = max(own_low, rest - high_others)
        high = min(own_high, rest - low_others)
        assert low <= high, f"{where}: published figures are inconsistent"
        if low == high and low < THRESHOLD:
            raise AssertionError(f"{where}: a hidden count is exactly {low}, from {cells} and total {total}")
        if value == SMALL:
            assert high > low, f"{where}: a small cell can be worked out ({low}..{high}) from {cells} and total {total}"


def published(cell: Any) -> Any:
    return cell.export_value


def check_report(report: Any) -> None:
    for cell in (report.sessions, report.attendees, report.evaluation_answers):
        assert published(cell) in (SMALL, HIDDEN) or published(cell) >= THRESHOLD
    for b in report.breakdowns:
        assert_column_safe(
            [published(r.attendees) for r in b.rows], published(b.attendees_total), b.title, published(report.attendees)
        )
        if b.with_sessions:
            assert_column_safe(
                [published(r.sessions) for r in b.rows],
                published(b.sessions_total),
                b.title,
                published(report.sessions),
            )
        if b.svg is not None:
            for bar in b.svg.bars:
                assert bar.hidden or int(bar.display.replace(",", "")) >= THRESHOLD


def check_table_rows(rows: list[list[Any]], titles: list[str], where: str, known: dict[str, Any]) -> None:
    """Find each breakdown in exported rows and check its columns like the page's."""

    def parse(value: Any) -> Any:
        if isinstance(value, int):
            return value
        text = str(value).replace(",", "")
        return int(text) if text.isdigit() else text

    index = 0
    found = 0
    while index < len(rows):
        row = rows[index]
        if row and row[0] in titles and len(row) > 1 and row[-1] == "Attendees":
            width = len(row) - 1
            body = []
            index += 1
            while rows[index][0] != "Total":
                body.append([parse(v) for v in rows[index][1:]])
                index += 1
            total = [parse(v) for v in rows[index][1:]]
            for column in range(width):
                headline = known.get(str(row[1 + column]))
                assert_column_safe([line[column] for line in body], total[column], f"{where} {row[0]}", headline)
            found += 1
        index += 1
    assert found == len(titles)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sessions=st.lists(session_strategy, max_size=10))
def test_no_reach_output_reveals_a_small_cell(sessions: list[dict[str, Any]], organisations: list[Any]) -> None:
    SessionTally.objects.all().delete()
    for s in sessions:
        tally(
            organisations[s["org"]],
            region=s["region"],
            mode=s["mode"],
            month=dt.date(2026, s["month"], 1),
            positions=s["positions"],
        )
    report = reach_report(ReachFilters(), threshold=THRESHOLD)
    from saferwork.reach.selectors import chart_for

    for b in report.breakdowns:
        b.svg = chart_for(b, threshold=THRESHOLD) if b.chart else None
    check_report(report)
    titles = [b.title for b in report.breakdowns]

    text = "".join(exports.csv_stream(report, scope="test"))
    csv_rows = [row for row in csv.reader(io.StringIO(text))]
    csv_rows = [row if row else [""] for row in csv_rows]
    headlines = {"Sessions delivered": published(report.sessions), "Attendees": published(report.attendees)}
    csv_values = {row[0]: row[1] for row in csv_rows if len(row) > 1}
    assert str(headlines["Attendees"]) == csv_values["Attendees"]
    assert str(headlines["Sessions delivered"]) == csv_values["Sessions delivered"]
    check_table_rows(csv_rows, titles, "CSV", headlines)
    for row in csv_rows:
        for value in row[1:]:
            assert not (value.isdigit() and int(value) < THRESHOLD) or row[0] in ("SaferWork reach",), row

    with exports.xlsx_file(report, scope="test") as handle:
        workbook = load_workbook(handle.name, read_only=True)
        for title in titles:
            sheet_rows = [list(r) for r in workbook[title[:31]].iter_rows(values_only=True)]
            check_table_rows(sheet_rows, [title], "XLSX", headlines)


@pytest.fixture
def organisations(db: Any) -> list[Any]:
    return [factories.OrganisationFactory() for _ in range(4)]


def test_the_checker_catches_a_lone_hidden_cell() -> None:
    with pytest.raises(AssertionError):
        assert_column_safe([12, SMALL], 15, "example")
    with pytest.raises(AssertionError):
        assert_column_safe([3, 12], 15, "example")
    assert_column_safe([SMALL, HIDDEN, 20], 31, "example")
    # The mode table that once hid its own total while the headline showed it:
    with pytest.raises(AssertionError):
        assert_column_safe([SMALL, HIDDEN], HIDDEN, "example", known_total=5)
    assert_column_safe([WITHHELD, WITHHELD], 5, "example", known_total=5)
