"""What a reader can work out about a hidden number: the audit for every suppressed output.

This module is deliberately independent of ``saferwork.lib.suppression`` (which chooses
what to hide): it knows nothing about tables, flows or preferences. A ``ReaderModel``
holds what a reader knows, as whole-number unknowns with bounds and linear constraints:

* every published number is a known value;
* every hidden number is an unknown of at least 0 (and at most whatever caps it: a cell
  is never more than the total of its table, a behaviour count never more than the
  number of reports);
* every relation the reader can rely on is a constraint ``low <= sum(coef * x) <= high``:
  a row adds up to its total, tables on the same page share one total, in a table where
  each report names one to k items the items add up to between the total and k times it.

``possible(key, low, high)`` answers exactly whether some whole-number solution puts
``key`` between ``low`` and ``high``: bound propagation on every constraint, then a
complete search by splitting the narrowest open range in two. Capping an unknown (we
never let one exceed a large number) only makes the reader look stronger, so a value
found possible is truly possible. A search that would take too long raises
``Undecided``; callers treat that as "not shown to be safe" and hide more.

The protection-range rule (``failures``): for every number that must be protected, 0 must
be possible and so must some value of at least the threshold. Then a reader can tell
neither "none" from "a few" nor "a few" from "enough to publish".
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

Key = Hashable
NODE_BUDGET = 5_000
BIG = 10**9


class Undecided(Exception):
    """The search was stopped before it could answer: treat the output as unsafe."""


class Infeasible(ValueError):
    """What is published contradicts the constraints (a model of the reader is wrong)."""


@dataclass(frozen=True)
class Constraint:
    terms: tuple[tuple[Key, int], ...]
    low: int | None
    high: int | None


@dataclass(frozen=True)
class Failure:
    key: Key
    low: int
    high: int  # BIG (or more) means "no upper limit a reader can find"

    def __str__(self) -> str:
        return f"{self.key!r} can only be {self.low}..{self.high}"


class ReaderModel:
    def __init__(self) -> None:
        self.bounds: dict[Key, tuple[int, int]] = {}
        self.constraints: list[Constraint] = []
        # Whole solutions found so far: a question one of them already answers needs no search.
        self._solutions: list[dict[Key, int]] = []

    # -- building

    def known(self, key: Key, value: int) -> None:
        self._set(key, value, value)

    def unknown(self, key: Key, *, low: int = 0, high: int | None = None) -> None:
        self._set(key, low, BIG if high is None else high)

    def _set(self, key: Key, low: int, high: int) -> None:
        self._solutions = []
        if key in self.bounds:
            old = self.bounds[key]
            low, high = max(low, old[0]), min(high, old[1])
        self.bounds[key] = (low, high)

    def add(self, terms: Mapping[Key, int] | Iterable[tuple[Key, int]], *, low: int | None, high: int | None) -> None:
        pairs = tuple(terms.items()) if isinstance(terms, Mapping) else tuple(terms)
        self._solutions = []
        for key, _coef in pairs:
            self.bounds.setdefault(key, (0, BIG))
        self.constraints.append(Constraint(pairs, low, high))

    def equal(self, terms: Mapping[Key, int] | Iterable[tuple[Key, int]], value: int) -> None:
        self.add(terms, low=value, high=value)

    def same(self, a: Key, b: Key) -> None:
        """Two published items are the same number (one total shown in two tables)."""
        self.equal([(a, 1), (b, -1)], 0)

    def merge(self, other: ReaderModel) -> None:
        for key, (low, high) in other.bounds.items():
            self._set(key, low, high)
        self.constraints += other.constraints
        self._solutions = []

    # -- questions

    def possible(self, key: Key, low: int, high: int) -> bool:
        """Is there a whole-number solution with ``low <= key <= high``?"""
        for known in self._solutions:
            if key in known and low <= known[key] <= high:
                return True
        start = dict(self.bounds)
        own = start.get(key, (0, BIG))
        start[key] = (max(own[0], low), min(own[1], high))
        # Search near a solution already known: most unknowns can keep their values.
        reference = self._solutions[0] if self._solutions else None
        solution = _search(start, _component(key, start, self.constraints), reference)
        if solution is None:
            return False
        self._solutions.append(solution)
        return True

    def interval(self, key: Key) -> tuple[int, int]:
        """The smallest and largest value ``key`` can take (exact; binary search on ``possible``)."""
        low, high = self.bounds.get(key, (0, BIG))
        if not self.possible(key, low, high):
            raise Infeasible("The published figures contradict the reader's constraints.")
        smallest = _first_possible(lambda v: self.possible(key, low, v), low, high)
        largest = _last_possible(lambda v: self.possible(key, v, high), low, high)
        return smallest, largest

    def failures(self, keys: Iterable[Key], threshold: int) -> list[Failure]:
        """The protected items a reader can pin away from 0 or below the threshold."""
        found = []
        for key in keys:
            if not self.possible(key, 0, 0) or not self.possible(key, threshold, BIG):
                low, high = self.interval(key)
                found.append(Failure(key, low, high))
        return found


def _first_possible(test: object, low: int, high: int) -> int:
    # smallest v in [low, high] with test(v) true; test is monotone (true from some v on)
    assert callable(test)
    while low < high:
        mid = (low + high) // 2
        if test(mid):
            high = mid
        else:
            low = mid + 1
    return low


def _last_possible(test: object, low: int, high: int) -> int:
    assert callable(test)
    while low < high:
        mid = (low + high + 1) // 2
        if test(mid):
            low = mid
        else:
            high = mid - 1
    return low


def _propagate(
    bounds: dict[Key, tuple[int, int]],
    constraints: list[Constraint],
    uses: dict[Key, list[int]],
    todo: Iterable[int],
) -> bool:
    """Tighten ``bounds`` in place to what every constraint allows; False if none is left.

    ``todo``: the constraints to look at first; a constraint is looked at again whenever
    one of its unknowns narrows. Stopping early is sound (the search still decides).
    """
    queue = list(dict.fromkeys(todo))
    waiting = set(queue)
    steps = 0
    while queue and steps < 50 * (len(constraints) + 1):
        steps += 1
        index = queue.pop()
        waiting.discard(index)
        constraint = constraints[index]
        min_sum = max_sum = 0
        for key, coef in constraint.terms:
            lo, hi = bounds[key]
            if coef > 0:
                min_sum += coef * lo
                max_sum += coef * hi
            else:
                min_sum += coef * hi
                max_sum += coef * lo
        if constraint.low is not None and max_sum < constraint.low:
            return False
        if constraint.high is not None and min_sum > constraint.high:
            return False
        for key, coef in constraint.terms:
            lo, hi = bounds[key]
            own_min, own_max = (coef * lo, coef * hi) if coef > 0 else (coef * hi, coef * lo)
            # low <= coef*x + rest <= high
            term_low = None if constraint.low is None else constraint.low - (max_sum - own_max)
            term_high = None if constraint.high is None else constraint.high - (min_sum - own_min)
            new_lo, new_hi = lo, hi
            if coef > 0:
                if term_low is not None:
                    new_lo = max(new_lo, -((-term_low) // coef))
                if term_high is not None:
                    new_hi = min(new_hi, term_high // coef)
            else:
                if term_high is not None:
                    new_lo = max(new_lo, -((-term_high) // coef))
                if term_low is not None:
                    new_hi = min(new_hi, term_low // coef)
            if new_lo > new_hi:
                return False
            if new_lo != lo or new_hi != hi:
                bounds[key] = (new_lo, new_hi)
                new_min, new_max = (coef * new_lo, coef * new_hi) if coef > 0 else (coef * new_hi, coef * new_lo)
                min_sum += new_min - own_min
                max_sum += new_max - own_max
                for other in uses[key]:
                    if other != index and other not in waiting:
                        waiting.add(other)
                        queue.append(other)
    return True


def _component(key: Key, bounds: dict[Key, tuple[int, int]], constraints: list[Constraint]) -> list[Constraint]:
    """The constraints linked to ``key`` through unknowns that are not already fixed.

    The rest cannot affect what ``key`` can be (they only ever share fixed numbers with
    it), except by contradicting what is published; those are kept too when any of them
    has nothing open, so a contradiction is still found.
    """
    uses: dict[Key, list[int]] = {}
    for index, constraint in enumerate(constraints):
        for k, _coef in constraint.terms:
            if bounds.get(k, (0, BIG))[0] < bounds.get(k, (0, BIG))[1] or k == key:
                uses.setdefault(k, []).append(index)
    seen_keys = {key}
    seen: set[int] = set()
    queue = [key]
    while queue:
        for index in uses.get(queue.pop(), []):
            if index in seen:
                continue
            seen.add(index)
            for k, _coef in constraints[index].terms:
                if k not in seen_keys and k in uses:
                    seen_keys.add(k)
                    queue.append(k)
    closed = [
        i
        for i, c in enumerate(constraints)
        if all(bounds.get(k, (0, BIG))[0] == bounds.get(k, (0, BIG))[1] for k, _ in c.terms)
    ]
    return [constraints[i] for i in sorted(seen | set(closed))]


def _search(
    start: dict[Key, tuple[int, int]], constraints: list[Constraint], reference: dict[Key, int] | None = None
) -> dict[Key, int] | None:
    """A whole-number solution within ``start`` that meets every constraint, or None."""
    if any(lo > hi for lo, hi in start.values()):
        return None
    budget = [NODE_BUDGET]
    uses: dict[Key, list[int]] = {key: [] for key in start}
    for index, constraint in enumerate(constraints):
        for key, _coef in constraint.terms:
            uses[key].append(index)
    # Only unknowns that some constraint mentions need a value; the rest stay free.
    constrained = [key for key, found in uses.items() if found]

    def visit(bounds: dict[Key, tuple[int, int]], todo: Iterable[int]) -> dict[Key, int] | None:
        budget[0] -= 1
        if budget[0] < 0:
            raise Undecided("The disclosure audit needed too long a search.")
        if not _propagate(bounds, constraints, uses, todo):
            return None
        open_keys = [k for k in constrained if bounds[k][0] < bounds[k][1]]
        if not open_keys:
            if all(_satisfied(c, bounds) for c in constraints if c.terms):
                return {k: lo for k, (lo, _hi) in bounds.items()}
            return None
        key = min(open_keys, key=lambda k: bounds[k][1] - bounds[k][0])
        lo, hi = bounds[key]
        mid = (lo + hi) // 2
        # The lowest value first (counts are mostly small, and propagation from a fixed
        # value settles its neighbours), then the rest in halves: still a partition.
        parts = [(lo, lo), (lo + 1, mid), (mid + 1, hi)] if mid > lo else [(lo, mid), (mid + 1, hi)]
        near = reference.get(key) if reference is not None else None
        if near is not None and lo <= near <= hi:
            # Try the reference value itself first, then the values on either side.
            parts = [(near, near), (lo, near - 1), (near + 1, hi)]
            parts = [part for part in parts if part[0] <= part[1]]
        for part in parts:
            trial = dict(bounds)
            trial[key] = part
            found = visit(trial, uses[key])
            if found is not None:
                return found
        return None

    return visit(dict(start), range(len(constraints)))


def _satisfied(constraint: Constraint, bounds: dict[Key, tuple[int, int]]) -> bool:
    total = sum(coef * bounds[key][0] for key, coef in constraint.terms)
    return (constraint.low is None or total >= constraint.low) and (constraint.high is None or total <= constraint.high)


# ------------------------------------------------------------------ reading a published table
#
# These read only what an output shows: a cell's ``value`` (None when hidden) and its
# ``display``. A label that itself states a range ("fewer than N") is a bound the reader
# knows; "hidden" states nothing.


def _add_cell(model: ReaderModel, key: Key, cell: object) -> None:
    value = getattr(cell, "value", None)
    if value is not None:
        model.known(key, value)
        return
    display = str(getattr(cell, "display", ""))
    if display.startswith("fewer than "):
        model.unknown(key, low=0, high=int(display.removeprefix("fewer than ").replace(",", "")) - 1)
    else:
        model.unknown(key)


def breakdown_model(
    table: object,
    prefix: Key,
    *,
    total: Key | None = None,
    respondents: Key | None = None,
    at_most: int | None = None,
) -> ReaderModel:
    """A one-way breakdown: its cells ``(prefix, "cell", label)`` and, if published, ``(prefix, "total")``.

    ``total``: the key of the same total published elsewhere (each respondent is in exactly
    one cell, so the cells add up to it). ``respondents``: the key of the number of people
    counted when each names one or more of the cells (up to ``at_most``, default all):
    then every cell is at most that number and the cells add up to between it and
    ``at_most`` times it.
    """
    model = ReaderModel()
    cells = dict(getattr(table, "cells"))  # noqa: B009 - duck-typed on purpose
    keys = [(prefix, "cell", label) for label in cells]
    for key, cell in zip(keys, cells.values(), strict=True):
        _add_cell(model, key, cell)
    own_total = getattr(table, "total", None)
    if own_total is not None:
        _add_cell(model, (prefix, "total"), own_total)
        model.equal([*((k, 1) for k in keys), ((prefix, "total"), -1)], 0)
        if total is not None:
            model.same((prefix, "total"), total)
    elif total is not None:
        model.equal([*((k, 1) for k in keys), (total, -1)], 0)
    if respondents is not None:
        k = at_most if at_most is not None else len(keys)
        model.add([*((key, 1) for key in keys), (respondents, -1)], low=0, high=None)
        model.add([*((key, 1) for key in keys), (respondents, -k)], low=None, high=0)
        for key in keys:
            model.add([(key, 1), (respondents, -1)], low=None, high=0)
    return model


def two_way_model(table: object, prefix: Key, *, total: Key | None = None) -> ReaderModel:
    """A two-way table with its margins: cells ``(prefix, "cell", r, c)``, ``(prefix, "row", r)``,
    ``(prefix, "col", c)`` and ``(prefix, "grand")``."""
    model = ReaderModel()
    rows = list(getattr(table, "row_labels"))  # noqa: B009
    columns = list(getattr(table, "column_labels"))  # noqa: B009
    cells = getattr(table, "cells")  # noqa: B009
    for r in rows:
        for c in columns:
            _add_cell(model, (prefix, "cell", r, c), cells[r][c])
    row_totals = getattr(table, "row_totals", None)
    column_totals = getattr(table, "column_totals", None)
    grand = getattr(table, "grand_total", None)
    if row_totals is not None:
        for r in rows:
            _add_cell(model, (prefix, "row", r), row_totals[r])
            model.equal([*(((prefix, "cell", r, c), 1) for c in columns), ((prefix, "row", r), -1)], 0)
    if column_totals is not None:
        for c in columns:
            _add_cell(model, (prefix, "col", c), column_totals[c])
            model.equal([*(((prefix, "cell", r, c), 1) for r in rows), ((prefix, "col", c), -1)], 0)
    grand_key = (prefix, "grand")
    if grand is not None:
        _add_cell(model, grand_key, grand)
    all_cells = [((prefix, "cell", r, c), 1) for r in rows for c in columns]
    if grand is not None or total is not None:
        model.equal([*all_cells, (grand_key, -1)], 0)
    if grand is not None and row_totals is not None:
        model.equal([*(((prefix, "row", r), 1) for r in rows), (grand_key, -1)], 0)
    if grand is not None and column_totals is not None:
        model.equal([*(((prefix, "col", c), 1) for c in columns), (grand_key, -1)], 0)
    if total is not None:
        model.same(grand_key, total)
    return model
