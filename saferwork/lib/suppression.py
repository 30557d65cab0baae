"""Small-cell suppression for every aggregate SaferWork shows: pages, charts, exports, documents.

One rule, used everywhere (a page and its CSV must hide exactly the same cells):

**Primary suppression.** Every count below the threshold is hidden. That includes
**zero**: a published 0 says "nobody in this group", which in a small team can reveal as
much as a 1. So every number that *is* shown is at least the threshold. The threshold
is a parameter (never below 5; see the settings for each output).

**One label for everything hidden.** A small count and a larger count hidden to protect
it are both shown as "hidden": a label such as "fewer than N" would itself tell a reader
the count is below N.

**Totals are shown exactly** whenever they are at or above the threshold; a total below
it is itself a small count and is hidden like a cell. A total that is published
elsewhere beside the table (``total_published``) is never hidden to protect a cell.

**The protection-range rule.** A reader knows every shown number, every shown total and
the constraints between them: every count is 0 or more; a row adds up to its total;
tables on the same page share their total; in a multi-response table (each person names
one or more items: ``respondents``) every cell is at most the number of people and the
cells add up to at least it. For every small count, the values consistent with all of
that must include **0** and must reach **the threshold**: nobody can tell "none" from
"a few", nor "a few" from "enough to publish", let alone work a count out.

We check that exactly. A two-way table with row, column and grand totals is a flow
network (source → row total → cell → column total → sink, grand total closing the
loop); a hidden value is an edge with bounds instead of a fixed flow, and the true table
is one circulation that fits. Because such a system is totally unimodular, the values a
hidden cell can take form an unbroken range of whole numbers, found by pushing flow
round cycles through that cell in the residual graph (augmenting paths). A
multi-response row is the same network with the row edge bounded below by the number of
people and every cell edge capped by it.

How cells are chosen: first the familiar line rule, applied to every row, column and
margin until nothing changes: a line whose total is published may not hide exactly one
item, so a lone hidden cell takes the smallest shown cell of its line with it (cells
before totals). Then the exact check above; for any small count still narrowed, one more
item is hidden, preferring (1) a shown cell on its own lines that gives it its whole
range, then (2) any nearby item that widens it, else the smallest cell next to it, and
the check runs again. Hiding more never helps a reader, so this ends, and a count once
protected stays protected. If nothing that may be hidden is left and a count is still
narrowed (a multi-response table of fewer people than the threshold), the result is
``withheld``: callers publish nothing of it.

The check here is the suppressor's own; ``saferwork.lib.disclosure`` is an independent
audit (bounded integer search over the published face of one or more outputs) that the
tests and the statistics page use to verify the choice against everything on a page.

What it does not cover, and callers must: two outputs of the same data that can be
subtracted from each other (a period and the same period plus a day, an organisation
breakdown and a region breakdown where a region holds one organisation, a filter that
excludes one trainer) are not one table unless the caller models them as one: keep such
breakdowns on fixed boundaries (whole months, whole regions) or audit them together.

Use ``suppress_counts`` for a breakdown (one dimension) and ``suppress_table`` for a
two-way table; both return objects whose cells know ``value`` (``None`` when hidden) and
``display``, and whose ``csv_rows()`` / ``xlsx_rows()`` feed the exports. A chart plots
``value`` and draws a hidden cell as a gap labelled with its ``display``, never a bar.
Suppress once per output and render everything (table, chart, file) from that result.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from saferwork.lib.memo import Remembered

MINIMUM_THRESHOLD = 5
HIDDEN_LABEL = "hidden"

# Item keys in the internal grid: ("cell", r, c), ("row", r), ("col", c), ("grand",).
Key = tuple[Any, ...]


class Status(StrEnum):
    SHOWN = "shown"
    SMALL = "small"  # below the threshold: shown as "fewer than N"
    COMPLEMENTARY = "complementary"  # at or above the threshold, hidden to protect a small cell


@dataclass(frozen=True)
class Cell:
    """One published number: ``value`` is None when it is hidden."""

    status: Status
    threshold: int
    _true_value: int = field(repr=False, compare=False)

    @property
    def hidden(self) -> bool:
        return self.status is not Status.SHOWN

    @property
    def value(self) -> int | None:
        return self._true_value if self.status is Status.SHOWN else None

    @property
    def display(self) -> str:
        # One word for every hidden number, small or not: a label that said "fewer than N"
        # would itself tell a reader the count is below the threshold.
        if self.status is Status.SHOWN:
            return f"{self._true_value:,}"
        return HIDDEN_LABEL

    @property
    def export_value(self) -> int | str:
        """What a CSV or spreadsheet cell holds: the number, or the same words as the page."""
        value = self.value
        return value if value is not None else self.display

    def __str__(self) -> str:
        return self.display


def footnote(threshold: int) -> str:
    """The sentence every output with suppressed cells carries."""
    return (
        f"Counts below {threshold}, including zero, are not shown. Some larger counts are not shown "
        f"either, so that a small count cannot be worked out from the other numbers. Every count "
        f"that is not shown is marked “{HIDDEN_LABEL}”: it could be anything from 0 to {threshold} or more."
    )


def check_threshold(threshold: int) -> int:
    if isinstance(threshold, bool) or not isinstance(threshold, int):
        raise TypeError("threshold must be a whole number")
    if threshold < MINIMUM_THRESHOLD:
        raise ValueError(f"The suppression threshold is never below {MINIMUM_THRESHOLD} (got {threshold}).")
    return threshold


def _check_count(label: object, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"Count for {label!r} must be a whole number of 0 or more, not {value!r}.")
    return value


# ------------------------------------------------------------------ results


@dataclass
class SuppressedTable:
    """A one-dimensional breakdown (label → count), optionally with its total."""

    threshold: int
    cells: dict[str, Cell]
    total: Cell | None
    # True when no choice of hidden cells could protect every small count: every cell is
    # hidden, and callers should say so rather than show a column of "hidden".
    withheld: bool = False

    @property
    def any_hidden(self) -> bool:
        return any(c.hidden for c in self.cells.values()) or bool(self.total and self.total.hidden)

    @property
    def footnote(self) -> str:
        return footnote(self.threshold)

    def items(self) -> list[tuple[str, Cell]]:
        return list(self.cells.items())

    def __getitem__(self, label: str) -> Cell:
        return self.cells[label]

    def xlsx_rows(self, *, label_header: str = "Group", value_header: str = "Count") -> list[list[int | str]]:
        rows: list[list[int | str]] = [[label_header, value_header]]
        rows += [[label, cell.export_value] for label, cell in self.cells.items()]
        if self.total is not None:
            rows.append(["Total", self.total.export_value])
        return rows

    def csv_rows(self, *, label_header: str = "Group", value_header: str = "Count") -> list[list[str]]:
        return [[str(v) for v in row] for row in self.xlsx_rows(label_header=label_header, value_header=value_header)]


@dataclass
class SuppressedTwoWay:
    """A two-way table (row label → column label → count) with row, column and grand totals."""

    threshold: int
    row_labels: list[str]
    column_labels: list[str]
    cells: dict[str, dict[str, Cell]]
    row_totals: dict[str, Cell] | None
    column_totals: dict[str, Cell] | None
    grand_total: Cell | None
    withheld: bool = False

    @property
    def any_hidden(self) -> bool:
        every = [c for row in self.cells.values() for c in row.values()]
        every += list((self.row_totals or {}).values()) + list((self.column_totals or {}).values())
        every += [self.grand_total] if self.grand_total else []
        return any(c.hidden for c in every)

    @property
    def footnote(self) -> str:
        return footnote(self.threshold)

    def cell(self, row: str, column: str) -> Cell:
        return self.cells[row][column]

    def xlsx_rows(self, *, corner: str = "") -> list[list[int | str]]:
        with_totals = self.row_totals is not None
        header: list[int | str] = [corner, *self.column_labels]
        if with_totals:
            header.append("Total")
        rows: list[list[int | str]] = [header]
        for r in self.row_labels:
            line: list[int | str] = [r, *[self.cells[r][c].export_value for c in self.column_labels]]
            if self.row_totals is not None:
                line.append(self.row_totals[r].export_value)
            rows.append(line)
        if self.column_totals is not None:
            line = ["Total", *[self.column_totals[c].export_value for c in self.column_labels]]
            if self.grand_total is not None:
                line.append(self.grand_total.export_value)
            rows.append(line)
        return rows

    def csv_rows(self, *, corner: str = "") -> list[list[str]]:
        return [[str(v) for v in row] for row in self.xlsx_rows(corner=corner)]


# ------------------------------------------------------------------ public API


def suppress_counts(
    counts: Mapping[str, int],
    *,
    threshold: int = 5,
    with_total: bool = True,
    total_published: bool = False,
    respondents: int | None = None,
    also_hide: Iterable[str] = (),
) -> SuppressedTable:
    """Suppress a one-dimensional breakdown; see the module docstring for the rule.

    ``total_published``: the total is shown elsewhere beside this table (a headline figure,
    another table of the same page), so it is never hidden here to protect a cell.
    ``respondents``: the cells count people who each name one or more of them (a
    multi-response question), and that number of people is published: a reader knows
    every cell is at most it and that the cells add up to at least it. Such a table has
    no total of its own. ``also_hide``: labels whose cell must be hidden whatever its size
    (because a companion output hides its partner); the rule then holds with them hidden.
    """
    check_threshold(threshold)
    labels = list(counts)
    values = [[_check_count(label, counts[label]) for label in labels]]
    if respondents is not None:
        _check_count("respondents", respondents)
        if with_total:
            raise ValueError("A multi-response breakdown has no total of its own: pass with_total=False.")
    grid = _Grid(
        values,
        threshold,
        # A total published elsewhere counts against the cells even where this table omits it.
        row_totals=with_total or total_published,
        column_totals=False,
        grand_total=False,
        locked=[("row", 0)] if total_published else (),
        respondents=respondents,
    )
    for label in also_hide:
        key = ("cell", 0, labels.index(label))
        if grid.status[key] is Status.SHOWN:
            grid._hide(key)
    grid.suppress()
    cells = {label: grid.cell(("cell", 0, j)) for j, label in enumerate(labels)}
    return SuppressedTable(threshold, cells, grid.cell(("row", 0)) if with_total else None, withheld=grid.withheld)


def suppress_table(
    table: Mapping[str, Mapping[str, int]],
    *,
    columns: Sequence[str] | None = None,
    threshold: int = 5,
    with_totals: bool = True,
    total_published: bool = False,
    also_hide: Iterable[Key] = (),
    rows_published: bool = False,
) -> SuppressedTwoWay:
    """Suppress a two-way table given as ``{row: {column: count}}``.

    Missing cells count as 0 (and so are suppressed). With ``with_totals`` the result
    carries row, column and grand totals, all shown exactly unless below the threshold
    or needed as a complement. ``total_published``: the grand total is shown elsewhere
    beside this table, so it is never hidden here. ``also_hide``: items that must be
    hidden whatever their size, because a companion output hides what they would bound
    (``("cell", row, column)``, ``("row", row)``, ``("col", column)``, ``("grand",)``);
    the rule then holds with them hidden. ``rows_published``: every row total the reader
    knows anyway (how many people each department asked: the organisation's own act) is
    shown and never hidden to protect a cell; a row total below the threshold is still
    hidden.
    """
    check_threshold(threshold)
    row_labels = list(table)
    column_labels = list(columns) if columns is not None else _column_order(table.values())
    values = [[_check_count((r, c), table[r].get(c, 0)) for c in column_labels] for r in row_labels]
    grid = _Grid(
        values,
        threshold,
        row_totals=with_totals,
        column_totals=with_totals,
        grand_total=with_totals,
        locked=[
            *([("grand",)] if total_published else []),
            *([("row", i) for i in range(len(row_labels))] if rows_published else []),
        ],
    )
    for key in also_hide:
        if key[0] == "cell":
            inner: Key = ("cell", row_labels.index(key[1]), column_labels.index(key[2]))
        elif key[0] == "row":
            inner = ("row", row_labels.index(key[1]))
        elif key[0] == "col":
            inner = ("col", column_labels.index(key[1]))
        else:
            inner = ("grand",)
        if inner in grid.status and grid.status[inner] is Status.SHOWN:
            grid._hide(inner)
    grid.suppress()
    cells = {r: {c: grid.cell(("cell", i, j)) for j, c in enumerate(column_labels)} for i, r in enumerate(row_labels)}
    return SuppressedTwoWay(
        threshold=threshold,
        row_labels=row_labels,
        column_labels=column_labels,
        cells=cells,
        row_totals={r: grid.cell(("row", i)) for i, r in enumerate(row_labels)} if with_totals else None,
        column_totals={c: grid.cell(("col", j)) for j, c in enumerate(column_labels)} if with_totals else None,
        grand_total=grid.cell(("grand",)) if with_totals else None,
        withheld=grid.withheld,
    )


def _column_order(rows: Iterable[Mapping[str, int]]) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        for column in row:
            seen.setdefault(column, None)
    return list(seen)


# ------------------------------------------------------------------ the engine


# Decisions already taken in this process: a pure function of the table, so a repeated
# table is not searched again.
DECISIONS: Remembered[tuple[dict[Key, Status], bool]] = Remembered(1024)


class _Grid:
    """Values of an R×C table and which of its published items are hidden."""

    def __init__(
        self,
        values: list[list[int]],
        threshold: int,
        *,
        row_totals: bool,
        column_totals: bool,
        grand_total: bool,
        locked: Iterable[Key] = (),
        respondents: int | None = None,
    ) -> None:
        self.values = values
        self.threshold = threshold
        self.n_rows = len(values)
        self.n_cols = len(values[0]) if values else 0
        self.true: dict[Key, int] = {}
        for i in range(self.n_rows):
            for j in range(self.n_cols):
                self.true[("cell", i, j)] = values[i][j]
        self.has_row_totals = row_totals
        self.has_column_totals = column_totals
        self.has_grand_total = grand_total
        if row_totals:
            for i in range(self.n_rows):
                self.true[("row", i)] = sum(values[i])
        if column_totals:
            for j in range(self.n_cols):
                self.true[("col", j)] = sum(values[i][j] for i in range(self.n_rows))
        if grand_total:
            self.true[("grand",)] = sum(map(sum, values))
        self.status: dict[Key, Status] = {
            key: (Status.SMALL if value < threshold else Status.SHOWN) for key, value in self.true.items()
        }
        self._big = 10 * (sum(map(sum, values)) + threshold + 1) * (len(values[0]) + 1 if values else 1)
        # Totals the reader knows from elsewhere: never hidden to protect a cell here.
        self.locked = {key for key in locked if key in self.status and self.status[key] is Status.SHOWN}
        # What a reader knows about numbers that are hidden or not published at all.
        self.reader_bounds: dict[Key, tuple[int, int]] = {}
        if respondents is not None:
            # Each of ``respondents`` people is counted in one or more of the cells of the
            # (single) row: every cell is at most that, and the row adds up to at least it.
            n_cols = len(values[0]) if values else 0
            self.reader_bounds[("row", 0)] = (respondents, respondents * n_cols)
            for j in range(n_cols):
                self.reader_bounds[("cell", 0, j)] = (0, respondents)
        self.withheld = False
        self._edge_cache: list[tuple[Key, int, int, int]] | None = None
        self._index_cache: dict[Key, tuple[int, int, int]] | None = None
        # The residual graph of the current status is reused until the status changes.
        self._version = 0
        self._slack_version = -1
        self._slack_base: dict[int, dict[int, int]] | None = None
        self._lines_cache: dict[Key, list[list[Key]]] | None = None
        self._near_cache: dict[Key, list[Key]] = {}

    def cell(self, key: Key) -> Cell:
        return Cell(self.status[key], self.threshold, self.true[key])

    # -- what a reader can work out
    #
    # The published table is a circulation: source -> row total -> cell -> column total
    # -> sink -> (grand total) -> source. A shown number fixes its edge; a hidden one only
    # bounds it (0..N-1 for "fewer than N", N and up for "hidden"). The true table is one
    # circulation that fits. A hidden small cell can be moved by d exactly when d units
    # can go round a cycle through its edge using only the slack of the other hidden
    # edges, so the values it can take are its true value plus or minus what two
    # small augmenting-path searches can push.

    def _edges(self) -> list[tuple[Key, int, int, int]]:
        """(item, from node, to node, true flow) for every edge, published or not."""
        if self._edge_cache is None:
            rows = [2 + i for i in range(self.n_rows)]
            cols = [2 + self.n_rows + j for j in range(self.n_cols)]
            row_sums = [sum(row) for row in self.values]
            col_sums = [sum(self.values[i][j] for i in range(self.n_rows)) for j in range(self.n_cols)]
            edges: list[tuple[Key, int, int, int]] = []
            for i in range(self.n_rows):
                edges.append((("row", i), 0, rows[i], row_sums[i]))
                edges += [(("cell", i, j), rows[i], cols[j], self.values[i][j]) for j in range(self.n_cols)]
            edges += [(("col", j), cols[j], 1, col_sums[j]) for j in range(self.n_cols)]
            edges.append((("grand",), 1, 0, sum(row_sums)))
            self._edge_cache = edges
        return self._edge_cache

    def _arcs(self, flow: int, state: Status | None, key: Key) -> tuple[int, int]:
        """(room to grow, room to shrink) of one edge as a reader sees it.

        Every hidden number carries the same label, so a reader knows only that it is at
        least 0 (and at most what caps it); a total not published at all is the same.
        """
        if state is Status.SHOWN:
            return 0, 0
        low, high = self.reader_bounds.get(key, (0, self._big))
        return max(high - flow, 0), max(flow - low, 0)

    def _slack(self, skip: Key, extra: Key | None = None) -> _Residual:
        """Residual capacities of every edge a reader cannot pin down, except ``skip``.

        ``extra`` is a shown item to treat as hidden (a candidate complement on trial).
        The graph of the current status is built once; each question only notes changes.
        """
        if self._slack_version != self._version or self._slack_base is None:
            base: dict[int, dict[int, int]] = {}
            for key, a, b, flow in self._edges():
                grow, shrink = self._arcs(flow, self.status.get(key), key)
                if grow:
                    base.setdefault(a, {})[b] = base.get(a, {}).get(b, 0) + grow
                if shrink:
                    base.setdefault(b, {})[a] = base.get(b, {}).get(a, 0) + shrink
            self._slack_base, self._slack_version = base, self._version
        residual = _Residual(self._slack_base)
        if extra is not None:
            a, b, flow = self._edge_index()[extra]
            grow, shrink = self._arcs(flow, Status.COMPLEMENTARY, extra)
            residual.change(a, b, grow)
            residual.change(b, a, shrink)
        a, b, flow = self._edge_index()[skip]
        grow, shrink = self._arcs(flow, self.status.get(skip), skip)
        residual.change(a, b, -grow)
        residual.change(b, a, -shrink)
        return residual

    def _edge_index(self) -> dict[Key, tuple[int, int, int]]:
        if self._index_cache is None:
            self._index_cache = {key: (a, b, flow) for key, a, b, flow in self._edges()}
        return self._index_cache

    def _room(self, key: Key, extra: Key | None = None) -> tuple[int, int]:
        """How far (down to 0, up to the threshold) the item could move and still fit everything published."""
        a, b, _flow = self._edge_index()[key]
        value = self.true[key]
        own_low, own_high = self.reader_bounds.get(key, (0, self._big))
        down = self._slack(key, extra).push(a, b, max(min(value, value - own_low), 0))
        up = self._slack(key, extra).push(b, a, max(min(self.threshold - value, own_high - value), 0))
        return down, up

    def protection(self, key: Key, extra: Key | None = None) -> int:
        """How much of its protection range (0 up to the threshold) the small item lacks: 0 when protected.

        ``extra``: judge as if that shown item were hidden too.
        """
        down, up = self._room(key, extra)
        return (self.true[key] - down) + (self.threshold - self.true[key] - up)

    def _line_mates(self, key: Key) -> list[Key]:
        """Every published item sharing a line with ``key``."""
        return [k for line in self._lines_of().get(key, []) for k in line if k != key]

    def _lines_of(self) -> dict[Key, list[list[Key]]]:
        if self._lines_cache is None:
            found: dict[Key, list[list[Key]]] = {}
            for line in self.lines():
                for key in line:
                    found.setdefault(key, []).append(line)
            self._lines_cache = found
        return self._lines_cache

    def neighbours(self, key: Key) -> list[Key]:
        """Shown items that share a row, column or margin line with ``key``."""
        status = self.status
        return [k for k in self._near_known(key) if status[k] is Status.SHOWN]

    def _near_known(self, key: Key) -> list[Key]:
        """Every item (shown or not) that shares a line with ``key``: fixed for a table."""
        near = self._near_cache.get(key)
        if near is None:
            near = self._near_cache[key] = [k for k in self._near(key) if k in self.status]
        return near

    def _near(self, key: Key) -> list[Key]:
        kind = key[0]
        near: list[Key] = []
        if kind == "cell":
            _, i, j = key
            near += [("cell", i, c) for c in range(self.n_cols) if c != j]
            near += [("cell", r, j) for r in range(self.n_rows) if r != i]
            if self.has_row_totals:
                near.append(("row", i))
            if self.has_column_totals:
                near.append(("col", j))
        elif kind == "row":
            near += [("cell", key[1], c) for c in range(self.n_cols)]
            near += [("row", r) for r in range(self.n_rows) if r != key[1]]
            if self.has_grand_total:
                near.append(("grand",))
        elif kind == "col":
            near += [("cell", r, key[1]) for r in range(self.n_rows)]
            near += [("col", c) for c in range(self.n_cols) if c != key[1]]
            if self.has_grand_total:
                near.append(("grand",))
        else:
            near += [("row", r) for r in range(self.n_rows)] if self.has_row_totals else []
            near += [("col", c) for c in range(self.n_cols)] if self.has_column_totals else []
        return near

    def lines(self) -> list[list[Key]]:
        """Every published equation: a row or column with its total, and the margins with the grand total."""
        found: list[list[Key]] = []
        if self.has_row_totals:
            found += [[("cell", i, j) for j in range(self.n_cols)] + [("row", i)] for i in range(self.n_rows)]
        if self.has_column_totals:
            found += [[("cell", i, j) for i in range(self.n_rows)] + [("col", j)] for j in range(self.n_cols)]
        if self.has_grand_total and self.has_row_totals:
            found.append([("row", i) for i in range(self.n_rows)] + [("grand",)])
        if self.has_grand_total and self.has_column_totals:
            found.append([("col", j) for j in range(self.n_cols)] + [("grand",)])
        return found

    def _preference(self, key: Key) -> tuple[bool, int, Key]:
        # Cells before totals (totals are what people read first), smallest first.
        return (key[0] != "cell", self.true[key], key)

    def suppress(self) -> None:
        """Decide what to hide; the same table asked again (a page reloaded, an export of
        what a page showed) gets the decision this process already took for it."""
        key = self._decision_key()
        known = DECISIONS.get(key)
        if known is not None:
            status, withheld = known
            self.status = dict(status)
            self.withheld = withheld
            self._version += 1
            return
        self._decide()
        DECISIONS.put(key, (dict(self.status), self.withheld))

    def _decision_key(self) -> tuple[Any, ...]:
        """Everything the decision depends on: the numbers, the threshold, which totals are
        published or known, and what was hidden before (``also_hide``)."""
        return (
            tuple(map(tuple, self.values)),
            self.threshold,
            self.has_row_totals,
            self.has_column_totals,
            self.has_grand_total,
            frozenset(self.locked),
            frozenset(self.reader_bounds.items()),
            frozenset(k for k, state in self.status.items() if state is Status.COMPLEMENTARY),
        )

    def _decide(self) -> None:
        # Hiding more only ever widens what a reader must consider possible, so a small
        # item that is protected stays protected: each is checked until it is, once.
        # Every round hides at least one more item, so this ends: protected, or, when
        # nothing that may be hidden is left, withheld.
        if not self.n_rows or not self.n_cols:
            return  # no cells: the totals are zero by definition and already hidden as small
        self._apply_line_rule()
        pending = deque(key for key, state in self.status.items() if state is Status.SMALL)
        while pending:
            key = pending[0]
            probe = _Probe(self, key)
            if not probe.lacking:
                pending.popleft()
                continue
            complement = self._choose_complement(key, probe)
            if complement is None:
                self._withhold()
                return
            self._hide(complement)
            self._apply_line_rule()

    def _withhold(self) -> None:
        """No choice of complements protects every small item: hide everything that may be hidden."""
        for key, state in list(self.status.items()):
            if state is Status.SHOWN and key not in self.locked:
                self._hide(key)
        self.withheld = True

    def _hide(self, key: Key) -> None:
        self.status[key] = Status.COMPLEMENTARY
        self._version += 1

    def _hideable(self, key: Key) -> bool:
        return self.status[key] is Status.SHOWN and key not in self.locked

    def _apply_line_rule(self) -> None:
        """No published line may hide exactly one item: take the smallest shown one with it."""
        lines = self.lines()
        changed = True
        while changed:
            changed = False
            for line in lines:
                hidden = [k for k in line if self.status[k] is not Status.SHOWN]
                shown = [k for k in line if self._hideable(k)]
                if len(hidden) == 1 and shown:
                    self._hide(min(shown, key=self._preference))
                    changed = True

    def _choose_complement(self, exposed: Key, probe: _Probe | None = None) -> Key | None:
        """The next item to hide for a small item a reader can still narrow; None if nothing is left."""
        probe = probe or _Probe(self, exposed)
        near = [k for k in self.neighbours(exposed) if k not in self.locked]
        # Items one step further: on the lines of the hidden items that share a line with it.
        status = self.status
        further: set[Key] = set()
        for key in self._line_mates(exposed):
            if status[key] is not Status.SHOWN:
                further.update(self._near_known(key))
        candidates = set(near)
        candidates.update(k for k in further if status[k] is Status.SHOWN and k not in self.locked)
        ordered = sorted(candidates, key=self._preference)
        # First a cell on the small item's own lines that gives it its whole range, then
        # any nearby item that at least widens it (bounded, to stay quick).
        lacking = probe.lacking
        for key in [k for k in sorted(near, key=self._preference) if k[0] == "cell"] + ordered[:40]:
            if not probe.with_hidden(key):
                return key
        for key in ordered[:40]:
            if probe.with_hidden(key) < lacking:
                return key
        # No single item is enough: hide the best next to the small item and go round again.
        fallback = sorted(near, key=self._preference) or ordered
        if not fallback:
            fallback = sorted((k for k in self.status if self._hideable(k)), key=self._preference)
        return fallback[0] if fallback else None


class _Probe:
    """One small item's protection now, and exactly how hiding one more shown item would change it.

    The two pushes (down towards 0, up towards the threshold) are made once. Where one
    falls short, its flow is a maximum flow, so hiding another item (a new edge u-v) can
    only widen the range when that edge joins what the start can still reach to what can
    still reach the goal in the final residual graph. Any other item leaves the shortfall
    exactly as it is, with no new search; the rest are checked in full. The answers are
    those of :meth:`_Grid.protection`, only found with far fewer searches.
    """

    def __init__(self, grid: _Grid, key: Key) -> None:
        self.grid, self.key = grid, key
        a, b, _flow = grid._edge_index()[key]
        value = grid.true[key]
        own_low, own_high = grid.reader_bounds.get(key, (0, grid._big))
        want_down = max(min(value, value - own_low), 0)
        want_up = max(min(grid.threshold - value, own_high - value), 0)
        self.cuts: list[tuple[set[int], set[int]]] = []
        down_residual = grid._slack(key)
        down = down_residual.push(a, b, want_down)
        if down < want_down:
            self.cuts.append(down_residual.sides(a, b))
        up_residual = grid._slack(key)
        up = up_residual.push(b, a, want_up)
        if up < want_up:
            self.cuts.append(up_residual.sides(b, a))
        self.lacking = (value - down) + (grid.threshold - value - up)
        self._seen: dict[Key, int] = {}

    def with_hidden(self, extra: Key) -> int:
        """What ``grid.protection(key, extra=extra)`` returns."""
        if extra in self._seen:
            return self._seen[extra]
        grid = self.grid
        a, b, flow = grid._edge_index()[extra]
        grow, shrink = grid._arcs(flow, Status.COMPLEMENTARY, extra)
        arcs = [(u, v) for u, v, room in ((a, b, grow), (b, a, shrink)) if room > 0]
        if any(u in start and v in goal for start, goal in self.cuts for u, v in arcs):
            found = grid.protection(self.key, extra=extra)
        else:
            found = self.lacking
        self._seen[extra] = found
        return found


class _Residual:
    """A residual graph: a shared base of capacities plus this question's own changes."""

    def __init__(self, base: dict[int, dict[int, int]]) -> None:
        self.base = base
        self.delta: dict[tuple[int, int], int] = {}
        self.extra: dict[int, set[int]] = {}

    def change(self, a: int, b: int, amount: int) -> None:
        if amount:
            self.delta[(a, b)] = self.delta.get((a, b), 0) + amount
            self.extra.setdefault(a, set()).add(b)

    def capacity(self, a: int, b: int) -> int:
        return self.base.get(a, {}).get(b, 0) + self.delta.get((a, b), 0)

    def sides(self, start: int, goal: int) -> tuple[set[int], set[int]]:
        """(nodes ``start`` can reach, nodes that can reach ``goal``) along arcs with room left."""
        forward: dict[int, list[int]] = {}
        backward: dict[int, list[int]] = {}
        for a in {*self.base, *self.extra}:
            for b in {*self.base.get(a, {}), *self.extra.get(a, ())}:
                if self.capacity(a, b) > 0:
                    forward.setdefault(a, []).append(b)
                    backward.setdefault(b, []).append(a)
        return _reach(forward, start), _reach(backward, goal)

    def push(self, start: int, goal: int, wanted: int) -> int:
        """Send up to ``wanted`` units from ``start`` to ``goal`` along augmenting paths."""
        sent = 0
        while sent < wanted:
            parent: dict[int, int] = {start: start}
            queue = deque([start])
            while queue and goal not in parent:
                node = queue.popleft()
                for nxt in (*self.base.get(node, {}), *self.extra.get(node, ())):
                    if nxt not in parent and self.capacity(node, nxt) > 0:
                        parent[nxt] = node
                        queue.append(nxt)
            if goal not in parent:
                return sent
            path = []
            node = goal
            while node != start:
                path.append((parent[node], node))
                node = parent[node]
            amount = min(wanted - sent, *(self.capacity(a, b) for a, b in path))
            for a, b in path:
                self.change(a, b, -amount)
                self.change(b, a, amount)
            sent += amount
        return sent


def _reach(arcs: dict[int, list[int]], start: int) -> set[int]:
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in arcs.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen
