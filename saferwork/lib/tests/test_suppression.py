"""Small-cell suppression: nothing below the threshold is shown or can be worked out.

The checkers here are written independently of the suppressor's own flow-based audit:
``lines_with_one_hidden`` is the subtraction attack on each row or column against its
total, and ``possible_values`` searches exhaustively for every table consistent with
everything published (each shown number, each shown total, and what the labels say).
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saferwork.lib.suppression import Status, SuppressedTable, SuppressedTwoWay, suppress_counts, suppress_table

# ------------------------------------------------------------ an attacker's view


def published(result: SuppressedTable | SuppressedTwoWay) -> tuple[dict[Any, Any], list[list[tuple[Any, int]]], int]:
    """(items: key -> Cell, lines: [(key, +1 for a part / -1 for its total)], true grand total)."""
    items: dict[Any, Any] = {}
    lines: list[list[tuple[Any, int]]] = []
    if isinstance(result, SuppressedTable):
        for label, cell in result.cells.items():
            items[("cell", label)] = cell
        if result.total is not None:
            items[("total",)] = result.total
            lines.append([(("cell", label), 1) for label in result.cells] + [(("total",), -1)])
        grand = sum(c._true_value for c in result.cells.values())
        return items, lines, grand
    for r in result.row_labels:
        for c in result.column_labels:
            items[("cell", r, c)] = result.cells[r][c]
    if result.row_totals is not None and result.column_totals is not None and result.grand_total is not None:
        for r in result.row_labels:
            items[("row", r)] = result.row_totals[r]
            lines.append([(("cell", r, c), 1) for c in result.column_labels] + [(("row", r), -1)])
        for c in result.column_labels:
            items[("col", c)] = result.column_totals[c]
            lines.append([(("cell", r, c), 1) for r in result.row_labels] + [(("col", c), -1)])
        items[("grand",)] = result.grand_total
        lines.append([(("row", r), 1) for r in result.row_labels] + [(("grand",), -1)])
        lines.append([(("col", c), 1) for c in result.column_labels] + [(("grand",), -1)])
    grand = sum(c._true_value for row in result.cells.values() for c in row.values())
    return items, lines, grand


def lines_with_one_hidden(result: SuppressedTable | SuppressedTwoWay) -> list[list[Any]]:
    """Lines where subtracting the shown parts from the shown total gives a hidden number away."""
    items, lines, _ = published(result)
    return [[key for key, _ in line] for line in lines if sum(1 for key, _ in line if items[key].hidden) == 1]


def possible_values(result: SuppressedTable | SuppressedTwoWay, target: Any) -> set[int]:
    """Every value 0..N the hidden item ``target`` could hold, given all that is shown.

    Every hidden item carries the same label, so it ranges over 0 and up, capped well
    above the true grand total (a narrower range than a reader must allow, so a value
    found here is truly possible).
    """
    items, lines, grand = published(result)
    threshold = items[target].threshold
    hidden = [k for k, cell in items.items() if cell.hidden]
    cap = grand + threshold * (len(hidden) + 1)
    domain = {k: (0, cap) for k in hidden}
    found: set[int] = set()
    for wanted in range(threshold + 1):
        start = dict(domain)
        start[target] = (wanted, wanted)
        if _solvable(start, lines, items):
            found.add(wanted)
    return found


def _solvable(domain: dict[Any, tuple[int, int]], lines: list[list[tuple[Any, int]]], items: dict[Any, Any]) -> bool:
    # Interval propagation on every line, then branch on the narrowest open variable.
    domain = dict(domain)
    changed = True
    while changed:
        changed = False
        for line in lines:
            constant = sum(coef * items[k].value for k, coef in line if not items[k].hidden)
            open_terms = [(k, coef) for k, coef in line if items[k].hidden]
            for k, coef in open_terms:
                rest_low = constant + sum(min(c * domain[o][0], c * domain[o][1]) for o, c in open_terms if o != k)
                rest_high = constant + sum(max(c * domain[o][0], c * domain[o][1]) for o, c in open_terms if o != k)
                # coef * x + rest = 0  ->  x = -rest / coef
                lo, hi = sorted((-rest_high * coef, -rest_low * coef))
                new = (max(domain[k][0], lo), min(domain[k][1], hi))
                if new[0] > new[1]:
                    return False
                if new != domain[k]:
                    domain[k] = new
                    changed = True
            if not open_terms and constant != 0:
                return False
    open_vars = [k for k, (lo, hi) in domain.items() if lo < hi]
    if not open_vars:
        return all(
            sum(coef * (items[k].value if not items[k].hidden else domain[k][0]) for k, coef in line) == 0
            for line in lines
        )
    k = min(open_vars, key=lambda v: domain[v][1] - domain[v][0])
    lo, hi = domain[k]
    for value in range(lo, hi + 1):
        trial = dict(domain)
        trial[k] = (value, value)
        if _solvable(trial, lines, items):
            return True
    return False


def assert_safe(result: SuppressedTable | SuppressedTwoWay) -> None:
    items, _, _ = published(result)
    threshold = result.threshold
    for key, cell in items.items():
        true = cell._true_value
        if cell.hidden:
            assert cell.value is None
        else:
            assert true >= threshold, f"{key} shows {true}, below {threshold}"
            assert cell.display == f"{true:,}"
        if true < threshold:
            assert cell.status is Status.SMALL and cell.display == "hidden"
    assert not lines_with_one_hidden(result), "a lone hidden number can be found by subtraction"
    for key, cell in items.items():
        if cell.status is Status.SMALL:
            values = possible_values(result, key)
            assert cell._true_value in values
            # The protection range: nobody can tell it from 0, nor from the threshold.
            assert 0 in values and threshold in values, f"{key} can only be {sorted(values)}: it is narrowed"


# ------------------------------------------------------------ examples a person can check


def test_small_counts_including_zero_are_hidden():
    result = suppress_counts({"Reps": 12, "Officials": 3, "Leaders": 0, "Staff": 40})
    assert result["Officials"].display == "hidden"
    assert result["Leaders"].display == "hidden"
    assert result["Officials"].value is None and result["Leaders"].value is None
    assert result["Staff"].value == 40
    assert result.total is not None and result.total.value == 55


def test_a_lone_hidden_cell_takes_the_next_smallest_with_it():
    result = suppress_counts({"Reps": 3, "Officials": 20, "Leaders": 30})
    assert result["Reps"].display == "hidden"
    assert result["Officials"].display == "hidden"
    assert result["Leaders"].display == "30"
    assert result.total is not None and result.total.display == "53"
    assert_safe(result)


def test_a_complement_must_give_the_small_cell_its_whole_protection_range():
    # Hiding the 1 with the 2 would leave "A + B = 3": A could not reach 5 (nor B).
    result = suppress_counts({"A": 1, "B": 2, "C": 30})
    assert result["A"].hidden and result["B"].hidden
    assert result["C"].hidden
    assert_safe(result)
    # Hiding the 5 with the 0 is enough: "A + B = 5" lets A be anything from 0 to 5.
    result = suppress_counts({"A": 0, "B": 5, "C": 30})
    assert result["A"].hidden and result["B"].hidden and result["C"].value == 30
    assert_safe(result)


def test_without_a_total_only_small_cells_are_hidden():
    result = suppress_counts({"A": 3, "B": 20, "C": 30}, with_total=False)
    assert [c.display for _, c in result.items()] == ["hidden", "20", "30"]
    assert result.total is None


def test_a_total_below_the_threshold_is_itself_hidden():
    result = suppress_counts({"A": 1, "B": 2})
    assert result.total is not None and result.total.display == "hidden"


def test_an_empty_breakdown_is_allowed():
    empty = suppress_counts({})
    assert empty.items() == []
    assert empty.total is not None and empty.total.display == "hidden"
    table = suppress_table({})
    assert table.csv_rows() == [["", "Total"], ["Total", "hidden"]]
    north = suppress_table({"North": {}}).row_totals
    assert north is not None and north["North"].display == "hidden"


def test_nothing_small_means_nothing_hidden():
    result = suppress_counts({"A": 7, "B": 8})
    assert not result.any_hidden
    assert result.total is not None and result.total.value == 15


@pytest.mark.parametrize("threshold", [0, 1, 4])
def test_threshold_below_five_is_refused(threshold):
    with pytest.raises(ValueError, match="never below 5"):
        suppress_counts({"A": 1}, threshold=threshold)
    with pytest.raises(ValueError, match="never below 5"):
        suppress_table({"r": {"c": 1}}, threshold=threshold)


def test_surveys_can_use_ten():
    result = suppress_counts({"Yes": 9, "No": 40, "Unsure": 12}, threshold=10)
    assert result["Yes"].display == "hidden"
    assert result["Unsure"].hidden
    assert_safe(result)


def test_negative_or_non_integer_counts_are_refused():
    with pytest.raises(ValueError):
        suppress_counts({"A": -1})
    with pytest.raises(ValueError):
        suppress_counts({"A": 2.5})  # type: ignore[dict-item]


def test_two_way_table_defeats_combining_a_row_with_a_column():
    # Row 1 minus column 2 would give "small cell minus other small cell = 4": both pinned
    # unless the suppressor hides a total too.
    result = suppress_table({"North": {"Reps": 4, "Staff": 12}, "South": {"Reps": 12, "Staff": 0}})
    assert result.cell("North", "Reps").display == "hidden"
    assert result.cell("South", "Staff").display == "hidden"
    assert_safe(result)


def test_two_way_table_with_one_small_cell():
    table = {
        "North": {"Reps": 4, "Staff": 12, "Leaders": 30},
        "South": {"Reps": 12, "Staff": 20, "Leaders": 6},
        "East": {"Reps": 40, "Staff": 9, "Leaders": 7},
    }
    result = suppress_table(table)
    assert result.cell("North", "Reps").display == "hidden"
    assert result.grand_total is not None and result.grand_total.value == 140
    assert_safe(result)


def test_csv_and_xlsx_rows_carry_exactly_what_the_page_shows():
    result = suppress_counts({"Reps": 3, "Officials": 20, "Leaders": 30})
    rows = result.xlsx_rows(label_header="Position", value_header="Attendees")
    assert rows == [
        ["Position", "Attendees"],
        ["Reps", "hidden"],
        ["Officials", "hidden"],
        ["Leaders", 30],
        ["Total", 53],
    ]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(result.csv_rows())
    lines = buffer.getvalue().splitlines()
    assert lines[1:3] == ["Reps,hidden", "Officials,hidden"]

    table = suppress_table({"North": {"Reps": 4, "Staff": 12}, "South": {"Reps": 12, "Staff": 20}})
    grid = table.csv_rows(corner="Region")
    assert grid[0] == ["Region", "Reps", "Staff", "Total"]
    assert grid[1][1] == "hidden"
    flat = [value for row in table.xlsx_rows() for value in row]
    assert 4 not in flat and 12 not in flat


def test_the_checker_catches_a_naive_suppression():
    # Guard the guard: hide only the small cell and the checkers must object.
    result = suppress_counts({"A": 1, "B": 2, "C": 30})
    naive = SuppressedTable(
        result.threshold,
        {
            "A": result["A"],
            "B": result["B"],
            "C": type(result["C"])(Status.SHOWN, 5, 30),
        },
        result.total,
    )
    assert possible_values(naive, ("cell", "A")) == {0, 1, 2, 3}  # never 5: it is known to be small
    with pytest.raises(AssertionError, match="narrowed"):
        assert_safe(naive)
    lone = SuppressedTable(
        5, {"A": result["A"], "B": type(result["B"])(Status.SHOWN, 5, 5), "C": naive["C"]}, result.total
    )
    assert lines_with_one_hidden(lone)


# ------------------------------------------------------------ properties

small_or_not = st.one_of(st.integers(0, 6), st.integers(0, 25))
labels = st.sampled_from(["a", "b", "c", "d", "e", "f"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts=st.dictionaries(labels, small_or_not, min_size=1, max_size=6), with_total=st.booleans())
def test_no_breakdown_reveals_a_small_count(counts, with_total):
    assert_safe(suppress_counts(counts, with_total=with_total))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts=st.dictionaries(labels, st.integers(0, 30), min_size=1, max_size=5))
def test_no_breakdown_reveals_a_small_count_at_threshold_ten(counts):
    assert_safe(suppress_counts(counts, threshold=10))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    shape=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    data=st.data(),
)
def test_no_two_way_table_reveals_a_small_count(shape, data):
    n_rows, n_cols = shape
    values = data.draw(
        st.lists(st.lists(small_or_not, min_size=n_cols, max_size=n_cols), min_size=n_rows, max_size=n_rows)
    )
    table = {f"r{i}": {f"c{j}": values[i][j] for j in range(n_cols)} for i in range(n_rows)}
    assert_safe(suppress_table(table))


def test_the_checker_catches_a_row_minus_column_disclosure():
    # Hiding the classic rectangle with a 4 and a 0 in opposite corners leaves
    # row 1 minus column 2 = 4 - 0: both small cells are pinned. The checker must see it.
    result = suppress_table({"r1": {"x": 4, "y": 12}, "r2": {"x": 12, "y": 0}})
    naive = SuppressedTwoWay(
        threshold=5,
        row_labels=result.row_labels,
        column_labels=result.column_labels,
        cells={
            r: {
                c: type(cell)(Status.SMALL if cell._true_value < 5 else Status.COMPLEMENTARY, 5, cell._true_value)
                for c, cell in row.items()
            }
            for r, row in result.cells.items()
        },
        row_totals={r: type(c)(Status.SHOWN, 5, c._true_value) for r, c in (result.row_totals or {}).items()},
        column_totals={k: type(c)(Status.SHOWN, 5, c._true_value) for k, c in (result.column_totals or {}).items()},
        grand_total=result.grand_total,
    )
    assert not lines_with_one_hidden(naive)  # subtraction within one line is not enough here
    assert possible_values(naive, ("cell", "r1", "x")) == {4, 5}  # not 0: it is known to be at least 4


# ------------------------------------------------------------ the quick probe is the full check


@settings(max_examples=60, deadline=None)
@given(
    cells=st.lists(st.lists(st.integers(0, 25), min_size=2, max_size=5), min_size=2, max_size=6),
    threshold=st.integers(5, 9),
    hidden=st.sets(st.tuples(st.integers(0, 5), st.integers(0, 4)), max_size=6),
)
def test_the_probe_answers_exactly_as_the_full_flow_check(
    cells: list[list[int]], threshold: int, hidden: set[tuple[int, int]]
) -> None:
    """For any table and any hidden complements, the probe's shortfall with one more item hidden
    is the full flow check's, for every small item and every shown candidate (the probe skips
    the search only where it cannot change the answer)."""
    from saferwork.lib.suppression import _Grid, _Probe

    width = min(len(row) for row in cells)
    values = [row[:width] for row in cells]
    grid = _Grid(values, threshold, row_totals=True, column_totals=True, grand_total=True)
    for i, j in hidden:
        key = ("cell", i, j)
        if key in grid.status and grid.status[key] is Status.SHOWN:
            grid._hide(key)
    grid._apply_line_rule()
    for key, state in grid.status.items():
        if state is not Status.SMALL:
            continue
        probe = _Probe(grid, key)
        assert probe.lacking == grid.protection(key)
        for candidate, other in grid.status.items():
            if other is Status.SHOWN:
                assert probe.with_hidden(candidate) == grid.protection(key, extra=candidate), (key, candidate)


def test_a_table_asked_again_gets_the_same_decision_without_a_new_search(monkeypatch):
    """The process keeps what it decided for a table: a reload does not search again, and
    anything the decision depends on (a number, the threshold, a cell hidden beforehand,
    a total known elsewhere) makes it a different table."""
    from saferwork.lib import suppression

    monkeypatch.setattr(suppression, "DECISIONS", suppression.Remembered(1024))
    searches = []
    real = suppression._Grid._decide

    def counted(grid):
        searches.append(grid.values)
        real(grid)

    monkeypatch.setattr(suppression._Grid, "_decide", counted)
    table = {"Housing": {"Yes": 3, "No": 20}, "Parks": {"Yes": 9, "No": 14}}
    first = suppress_table(table)
    again = suppress_table(table)
    assert len(searches) == 1
    assert [[c.status for c in row.values()] for row in again.cells.values()] == [
        [c.status for c in row.values()] for row in first.cells.values()
    ]
    assert again.grand_total.status == first.grand_total.status
    suppress_table({**table, "Parks": {"Yes": 9, "No": 15}})
    suppress_table(table, threshold=10)
    suppress_table(table, total_published=True)
    hidden_first = suppress_table(table, also_hide=[("cell", "Parks", "Yes")])
    assert len(searches) == 5
    assert hidden_first.cells["Parks"]["Yes"].hidden
    assert suppress_counts({"a": 2, "b": 8}).cells == suppress_counts({"a": 2, "b": 8}).cells
    assert len(searches) == 6


def test_the_kept_decisions_are_bounded_and_the_least_recent_goes_first():
    from saferwork.lib.memo import Remembered

    kept: Remembered[int] = Remembered(3)
    for n in range(5):
        kept.put(n, n * 10)
    assert len(kept) == 3 and kept.get(0) is None and kept.get(2) == 20
    kept.put(5, 50)  # 2 was just read, so 3 goes
    assert kept.get(3) is None and kept.get(2) == 20 and kept.get(5) == 50
