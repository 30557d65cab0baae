"""Small-cell suppression for every aggregate SaferWork shows: pages, charts, exports, documents.

One rule, used everywhere (a page and its CSV must hide exactly the same cells):

**Primary suppression.** Every count below the threshold is hidden and shown as
"fewer than N". That includes **zero**: a published 0 says "nobody in this group", which
in a small team can reveal as much as a 1 (for example that everyone in a department
answered a question one way). Treating 0 like any other small count is the simplest
choice that is safe, so every number that *is* shown is at least the threshold.
The threshold is a parameter (5 for reach and reporting statistics, 10 for surveys) and
is never allowed below 5.

**Totals are shown exactly** whenever they are at or above the threshold; a total below
it is itself a small count and is suppressed like a cell.

**Complementary suppression.** A hidden cell must not be recoverable from what is
shown. We assume the reader knows every shown number, every shown total, and what the
labels mean: a "fewer than N" cell holds 0..N-1, a cell labelled "hidden" (hidden only to
protect another) holds at least N. A table is released only when, for every cell hidden
as "fewer than N", the values consistent with all of that still include more than one
number: nobody can work a small count out exactly, neither by subtracting the shown
cells of a row or a column from its total, nor by combining several rows and columns.

We check that exactly. A two-way table with row, column and grand totals is a flow
network (source → row total → cell → column total → sink, grand total closing the
loop); a hidden value is an edge with bounds instead of a fixed flow, and the true table
is one circulation that fits. Because such a system is totally unimodular, the values a
hidden cell can take form an unbroken range of whole numbers, found by pushing flow
round cycles through that cell in the residual graph (augmenting paths).

How cells are chosen: first the familiar line rule, applied to every row, column and
margin until nothing changes: a line whose total is published may not hide exactly one
item, so a lone hidden cell takes the smallest shown cell of its line with it (cells
before totals). Then the exact check above; for any small cell still pinned, one more
item is hidden, preferring (1) a shown cell on its own lines that gives it its whole
range 0..N-1, then (2) the smallest nearby item that at least unpins it, else the
smallest cell next to it, and the check runs again. Hiding more never helps a reader,
so this ends, and a small cell once protected stays protected.

What it does not cover, and callers must: a small cell is protected from exact
disclosure, but its possible range may be narrower than 0..N-1 (for example "0 or 1");
and each table is protected on its own. Two outputs of the same data that can be
subtracted from each other (a period and the same period plus a day, an organisation
breakdown and a region breakdown where a region holds one organisation, a filter that
excludes one trainer) can still reveal a small count: keep such breakdowns on fixed
boundaries (whole months, whole regions) or suppress their combination as one table.

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
        if self.status is Status.SHOWN:
            return f"{self._true_value:,}"
        if self.status is Status.SMALL:
            return f"fewer than {self.threshold}"
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
        f"Counts below {threshold} (including zero) are shown as “fewer than {threshold}”. "
        f"Cells marked “{HIDDEN_LABEL}” are at least {threshold} but are withheld so that "
        "a smaller count cannot be worked out from the totals."
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


def suppress_counts(counts: Mapping[str, int], *, threshold: int = 5, with_total: bool = True) -> SuppressedTable:
    """Suppress a one-dimensional breakdown; see the module docstring for the rule."""
    check_threshold(threshold)
    labels = list(counts)
    values = [[_check_count(label, counts[label]) for label in labels]]
    grid = _Grid(values, threshold, row_totals=with_total, column_totals=False, grand_total=False)
    grid.suppress()
    cells = {label: grid.cell(("cell", 0, j)) for j, label in enumerate(labels)}
    return SuppressedTable(threshold, cells, grid.cell(("row", 0)) if with_total else None)


def suppress_table(
    table: Mapping[str, Mapping[str, int]],
    *,
    columns: Sequence[str] | None = None,
    threshold: int = 5,
    with_totals: bool = True,
) -> SuppressedTwoWay:
    """Suppress a two-way table given as ``{row: {column: count}}``.

    Missing cells count as 0 (and so are suppressed). With ``with_totals`` the result
    carries row, column and grand totals, all shown exactly unless below the threshold
    or needed as a complement.
    """
    check_threshold(threshold)
    row_labels = list(table)
    column_labels = list(columns) if columns is not None else _column_order(table.values())
    values = [[_check_count((r, c), table[r].get(c, 0)) for c in column_labels] for r in row_labels]
    grid = _Grid(values, threshold, row_totals=with_totals, column_totals=with_totals, grand_total=with_totals)
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
    )


def _column_order(rows: Iterable[Mapping[str, int]]) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        for column in row:
            seen.setdefault(column, None)
    return list(seen)


# ------------------------------------------------------------------ the engine


class _Grid:
    """Values of an R×C table and which of its published items are hidden."""

    def __init__(
        self, values: list[list[int]], threshold: int, *, row_totals: bool, column_totals: bool, grand_total: bool
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
        self._big = 10 * (sum(map(sum, values)) + threshold + 1)
        self._edge_cache: list[tuple[Key, int, int, int]] | None = None
        self._index_cache: dict[Key, tuple[int, int, int]] | None = None
        # The residual graph of the current status is reused until the status changes.
        self._version = 0
        self._slack_version = -1
        self._slack_base: dict[int, dict[int, int]] | None = None
        self._lines_cache: dict[Key, list[list[Key]]] | None = None

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

    def _arcs(self, flow: int, state: Status | None) -> tuple[int, int]:
        """(room to grow, room to shrink) of one edge as a reader sees it."""
        if state is Status.SHOWN:
            return 0, 0
        if state is Status.SMALL:
            low, high = 0, self.threshold - 1
        elif state is Status.COMPLEMENTARY:
            low, high = self.threshold, self._big
        else:  # a total that is not published at all
            low, high = 0, self._big
        return max(high - flow, 0), max(flow - low, 0)

    def _slack(self, skip: Key, extra: Key | None = None) -> _Residual:
        """Residual capacities of every edge a reader cannot pin down, except ``skip``.

        ``extra`` is a shown item to treat as hidden (a candidate complement on trial).
        The graph of the current status is built once; each question only notes changes.
        """
        if self._slack_version != self._version or self._slack_base is None:
            base: dict[int, dict[int, int]] = {}
            for key, a, b, flow in self._edges():
                grow, shrink = self._arcs(flow, self.status.get(key))
                if grow:
                    base.setdefault(a, {})[b] = base.get(a, {}).get(b, 0) + grow
                if shrink:
                    base.setdefault(b, {})[a] = base.get(b, {}).get(a, 0) + shrink
            self._slack_base, self._slack_version = base, self._version
        residual = _Residual(self._slack_base)
        if extra is not None:
            a, b, flow = self._edge_index()[extra]
            grow, shrink = self._arcs(flow, Status.COMPLEMENTARY)
            residual.change(a, b, grow)
            residual.change(b, a, shrink)
        a, b, flow = self._edge_index()[skip]
        grow, shrink = self._arcs(flow, self.status.get(skip))
        residual.change(a, b, -grow)
        residual.change(b, a, -shrink)
        return residual

    def _edge_index(self) -> dict[Key, tuple[int, int, int]]:
        if self._index_cache is None:
            self._index_cache = {key: (a, b, flow) for key, a, b, flow in self._edges()}
        return self._index_cache

    def _room(self, key: Key, extra: Key | None = None) -> tuple[int, int]:
        """How far (down, up) the item could move and still fit everything published."""
        a, b, _flow = self._edge_index()[key]
        value = self.true[key]
        down = self._slack(key, extra).push(a, b, value)
        up = self._slack(key, extra).push(b, a, self.threshold - 1 - value)
        return down, up

    def protection(self, key: Key, extra: Key | None = None) -> str:
        """'full' if every value 0..N-1 is still possible, 'some' if more than one is, else 'pinned'.

        ``extra``: judge as if that shown item were hidden too.
        """
        down, up = self._room(key, extra)
        if down == self.true[key] and up == self.threshold - 1 - self.true[key]:
            return "full"
        return "some" if down or up else "pinned"

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
        return [k for k in near if k in self.status and self.status[k] is Status.SHOWN]

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
        # Hiding more only ever widens what a reader must consider possible, so a small
        # cell that is protected stays protected: each is checked until it is, once.
        # Every round hides at least one more item, so this ends (at worst with all hidden).
        if not self.n_rows or not self.n_cols:
            return  # no cells: the totals are zero by definition and already shown as small
        self._apply_line_rule()
        pending = deque(key for key, state in self.status.items() if state is Status.SMALL)
        while pending:
            key = pending[0]
            if self.protection(key) != "pinned":
                pending.popleft()
                continue
            self._hide(self._choose_complement(key))
            self._apply_line_rule()

    def _hide(self, key: Key) -> None:
        self.status[key] = Status.COMPLEMENTARY
        self._version += 1

    def _apply_line_rule(self) -> None:
        """No published line may hide exactly one item: take the smallest shown one with it."""
        lines = self.lines()
        changed = True
        while changed:
            changed = False
            for line in lines:
                hidden = [k for k in line if self.status[k] is not Status.SHOWN]
                shown = [k for k in line if self.status[k] is Status.SHOWN]
                if len(hidden) == 1 and shown:
                    self._hide(min(shown, key=self._preference))
                    changed = True

    def _choose_complement(self, exposed: Key) -> Key:
        """The next item to hide for a small cell that can still be worked out exactly."""
        near = self.neighbours(exposed)
        candidates = set(near)
        # Items one step further: on the lines of the hidden items that share a line with it.
        for key in self._line_mates(exposed):
            if self.status[key] is not Status.SHOWN:
                candidates.update(self.neighbours(key))
        ordered = sorted(candidates, key=self._preference)
        # First a cell on the small cell's own lines that gives it its whole range, then
        # any nearby item that at least stops it being pinned (bounded, to stay quick).
        passes = (("full", [k for k in sorted(near, key=self._preference) if k[0] == "cell"]), ("some", ordered[:40]))
        for wanted, keys in passes:
            for key in keys:
                if self.protection(exposed, extra=key) in ("full", wanted):
                    return key
        # No single item is enough: hide the best next to the small cell and go round again.
        fallback = sorted(near, key=self._preference) or ordered
        if not fallback:  # pragma: no cover - with everything hidden nothing can be pinned
            raise RuntimeError("Suppression could not protect a small cell.")
        return fallback[0]


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
