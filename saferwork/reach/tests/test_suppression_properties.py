"""Property tests: no reach output reveals a count below 5, directly or by subtraction.

The check here is written independently of the suppression library: for each breakdown
it works out, from what the output publishes (shown numbers and totals; "hidden" says
nothing), whether each hidden count could be 0 and could be 5 or more, and requires both.
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

from saferwork.lib.disclosure import BIG, ReaderModel
from saferwork.reach import exports
from saferwork.reach.models import SessionTally
from saferwork.reach.selectors import ReachFilters, reach_report
from saferwork.reach.tests.factories import tally
from saferwork.tests import factories

pytestmark = pytest.mark.django_db

THRESHOLD = 5
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
    """``cells`` and ``total`` are what was published: an int, HIDDEN or WITHHELD.

    ``known_total`` is the same total published elsewhere (the headline figure): a
    reader who sees it there can use it here even if this table hides its total. Every
    hidden count must stay possible as 0 and as the threshold (the protection range).
    """
    for value in [*cells, total]:
        if isinstance(value, int):
            assert value >= THRESHOLD, f"{where}: published {value}"
        else:
            assert value in (HIDDEN, WITHHELD), f"{where}: unexpected {value!r}"
    if isinstance(total, int) and isinstance(known_total, int):
        assert total == known_total, f"{where}: total {total} differs from the headline {known_total}"
    model = ReaderModel()
    keys = [("cell", i) for i in range(len(cells))]
    for key, value in zip([*keys, "total"], [*cells, total], strict=True):
        if isinstance(value, int):
            model.known(key, value)
        else:
            model.unknown(key)
    if isinstance(known_total, int):
        model.known("total", known_total)
    model.equal([*((k, 1) for k in keys), ("total", -1)], 0)
    for key, value in zip([*keys, "total"], [*cells, total], strict=True):
        if not isinstance(value, int):
            assert model.possible(key, 0, 0), f"{where}: a hidden count cannot be 0, from {cells} and {total}"
            assert model.possible(key, THRESHOLD, BIG), f"{where}: a hidden count is known to be small"


def published(cell: Any) -> Any:
    return cell.export_value


def check_report(report: Any) -> None:
    for cell in (report.sessions, report.attendees, report.evaluation_answers):
        assert published(cell) == HIDDEN or published(cell) >= THRESHOLD
    for b in report.breakdowns:
        if not b.rows:
            # Not covered: a breakdown with no groups at all (no organisation has ever had a
            # session) says its total is 0; the headline then hides it too.
            assert report.attendees.hidden
            continue
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
            for column in range(width if body else 0):  # no groups: see check_report
                headline = known.get(str(row[1 + column]))
                assert_column_safe([line[column] for line in body], total[column], f"{where} {row[0]}", headline)
            found += 1
        index += 1
    assert found == len(titles)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
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
    with pytest.raises(AssertionError, match="cannot be 0"):
        assert_column_safe([12, HIDDEN], 15, "example")
    with pytest.raises(AssertionError, match="published 3"):
        assert_column_safe([3, 12], 15, "example")
    assert_column_safe([HIDDEN, HIDDEN, 20], 31, "example")
    # Two hidden counts adding up to 3: neither can reach the threshold.
    with pytest.raises(AssertionError, match="known to be small"):
        assert_column_safe([HIDDEN, HIDDEN, 30], 33, "example")
    # The headline total counts against a breakdown that hides its own.
    with pytest.raises(AssertionError, match="cannot be 0"):
        assert_column_safe([HIDDEN, 20], HIDDEN, "example", known_total=23)
    assert_column_safe([WITHHELD, WITHHELD], 5, "example", known_total=5)
