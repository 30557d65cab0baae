"""Results of a wave for leaders: response rates, every closed item by department and by
who did it, a heatmap, charts, the previous wave, and redacted comments.

One function, :func:`survey_results`, builds everything a leader can see of a cut; the
page, its charts, the CSV, the XLSX and the DOCX/PDF summary all render its rows
(``ItemTable.rows``), so they cannot disagree about which cells are hidden.

Confidentiality, on top of the anonymity of the answers themselves (see ``models``):

* Only released responses count (a group of the score threshold in its department).
* Every item is one two-way table, departments × answers, suppressed once over **every**
  department of the wave with ``lib.suppression`` (primary and complementary
  suppression, the wave's locked score threshold). A cut of one department shows that
  department's row of the same suppressed table, never a table suppressed on its own,
  so two cuts can never hide different cells of the same row.
* **Follow-up questions** (shown only after given answers to an earlier one) are modelled
  with their parent, not alone. The people asked a follow-up in a department are the
  parent's cells for those answers: a follow-up total shown where those cells are
  hidden would bound them ("at least 12 said yes") and narrow the parent's hidden
  counts. So a follow-up's department row is published only where every parent cell it
  depends on is shown (its total is then a number already published); elsewhere the
  whole row is hidden. A single-answer follow-up row is suppressed as a line whose total
  (the people asked) is published, with a "No answer" cell; a multiple-answer row shows
  only cells of at least the threshold (each is at most the people asked, itself at
  least the threshold). Its "All departments" row is shown only where every department
  is: a sum of published numbers, nothing more.
* **Who did it**: a cut can be narrowed to the people who named one answer of the wave's
  "who" question. Such a cut is nested in the unfiltered one, so it hides every cell the
  unfiltered table hides (a cell of the subset is at most the cell of the whole: a shown
  subset cell would bound a hidden whole), and a department whose "who" count is hidden
  is hidden whole. Its tables are then suppressed over those rules as usual.
* Answers by question appear only once the wave has closed: while it is open the numbers
  grow, and two views a few answers apart would be one person's answers by subtraction.
  While open, only a coarse band of each department's response rate is shown.
* **Differencing**: every cut shown is remembered (``ReleasedCut``) with the number of
  released responses in each of its departments. A new cut is refused when, against any
  cut already shown, the people in one and not the other (either way), or the change in
  any department both show, is between 1 and the threshold less one
  (:func:`differencing_problem`). Cuts by who did it are not unions of departments, so
  for them the people in one cut and not the other are counted from the answers
  (:func:`who_overlaps`). An identical cut (same filter, same numbers) is shown again.
* The **heatmap** and the **previous wave** show only numbers worked out from published
  cells (a percentage of a shown total whose part is a sum of shown cells), never a new
  count.
* **Free text** is shown only after a coordinator's redaction pass (``comments``), only
  for a group of at least the comment threshold, shuffled, with no date or department.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count

from saferwork.audit import services as audit
from saferwork.lib.suppression import (
    Cell,
    Status,
    SuppressedTable,
    SuppressedTwoWay,
    footnote,
    suppress_counts,
    suppress_table,
)
from saferwork.surveys.models import (
    Answer,
    Kind,
    Question,
    QuestionItem,
    ReleasedCut,
    Response,
    ResultCache,
    Survey,
    SurveyDepartment,
)

CLOSED_KINDS = (Kind.SINGLE, Kind.MULTIPLE, Kind.SCALE, Kind.YES_NO)
ALL = "all"
ALL_DEPARTMENTS = "All departments"
NO_ANSWER = "No answer"

# Upper bounds (exclusive) of the bands shown while a wave is open, with their labels.
BANDS: tuple[tuple[float, str], ...] = (
    (0.25, "under 25%"),
    (0.50, "25% to 50%"),
    (0.75, "50% to 75%"),
    (float("inf"), "75% or more"),
)
# Heatmap colour bands: (upper bound exclusive, CSS modifier). The value is always in text too.
HEAT_BANDS: tuple[tuple[float, int], ...] = ((20, 1), (40, 2), (60, 3), (80, 4), (float("inf"), 5))

_shuffle = random.SystemRandom().shuffle


def rate_band(responses: int, invited: int) -> str:
    if invited <= 0:
        return "not known (open link)"
    rate = responses / invited
    return next(label for bound, label in BANDS if rate < bound)


def cut_key(department_ids: Sequence[int] | None, who: int | None = None) -> str:
    """``all``, or the department ids of the cut in ascending order; ``;who=N`` for a who cut."""
    key = ALL if department_ids is None else ",".join(str(i) for i in sorted(set(department_ids)))
    return key if who is None else f"{key};who={who}"


def parse_cut_key(key: str) -> tuple[list[int] | None, int | None]:
    base, _, who = key.partition(";who=")
    departments = None if base == ALL else [int(i) for i in base.split(",") if i]
    return departments, (int(who) if who else None)


# ---------------------------------------------------------------- differencing


@dataclass
class WhoOverlaps:
    """Released responses per department naming both of two "who" answers (``None``: anyone)."""

    counts: dict[int, int]  # department -> every released response
    pairs: dict[int, dict[tuple[int, int], int]]  # department -> (a, b) with a <= b -> responses naming both

    def both(self, department: int, a: int | None, b: int | None) -> int:
        if a is None and b is None:
            return self.counts.get(department, 0)
        if a is None or b is None:
            one = b if a is None else a
            return self.pairs.get(department, {}).get((one, one), 0)  # type: ignore[arg-type]
        return self.pairs.get(department, {}).get((min(a, b), max(a, b)), 0)


def who_overlaps(survey: Survey, who_question: Question | None) -> WhoOverlaps:
    """Two queries, whatever the size of the wave: counts by department and by pairs of who answers."""
    counts = _response_counts(survey)
    pairs: dict[int, dict[tuple[int, int], int]] = {}
    if who_question is not None:
        rows = (
            Answer.objects.filter(
                question=who_question,
                response__release__isnull=False,
                response__answers__question=who_question,
            )
            .values("response__department_id", "choice", "response__answers__choice")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in rows:
            a, b = row["choice"], row["response__answers__choice"]
            if a is None or b is None or a > b:
                continue
            pairs.setdefault(row["response__department_id"], {})[(a, b)] = row["n"]
    return WhoOverlaps(counts, pairs)


def differencing_problem(
    new: Mapping[int, int],
    released: Sequence[Mapping[int, int]],
    threshold: int,
    *,
    new_key: str = ALL,
    released_keys: Sequence[str] | None = None,
    overlaps: WhoOverlaps | None = None,
) -> int | None:
    """The small number of people by which ``new`` differs from a released cut, or None.

    ``new`` and each released cut map a department id to its released responses then
    (responses are never removed, only added). Against each released cut, refuse when
    the people in one cut and not the other, either way, or the change in a department
    both contain, is from 1 to ``threshold - 1``. Where either cut is narrowed by who did
    it (its key says so, ``overlaps`` gives the counts of people in both), the people in
    one and not the other are counted from ``overlaps``, plus any growth of the old cut
    since it was shown.
    """
    _new_departments, new_who = parse_cut_key(new_key)
    for index, old in enumerate(released):
        old = {int(k): v for k, v in old.items()}
        if dict(new) == old and (released_keys is None or released_keys[index] == new_key):
            continue
        old_who = parse_cut_key(released_keys[index])[1] if released_keys is not None else None
        if (new_who is None and old_who is None) or overlaps is None:
            gained = sum(max(n - old.get(d, 0), 0) for d, n in new.items())
            lost = sum(max(n - new.get(d, 0), 0) for d, n in old.items())
            changes = [abs(new[d] - old[d]) for d in new.keys() & old.keys()]
            differences = [gained, lost, *changes]
        else:
            common = new.keys() & old.keys()
            shared = sum(overlaps.both(d, new_who, old_who) for d in common)
            old_now = {d: overlaps.both(d, old_who, old_who) for d in old}
            growth = sum(max(old_now[d] - old[d], 0) for d in old)
            only_new = sum(new.values()) - shared
            only_old = sum(old_now.values()) - shared
            differences = [only_new, only_old, growth, only_new + growth]
        for difference in differences:
            if 0 < difference < threshold:
                return difference
    return None


# ---------------------------------------------------------------- what a leader sees


@dataclass
class RateRow:
    name: str
    invited: int
    band: str  # while open
    responses: Cell | None  # once closed
    rate: str  # once closed: the exact rate, or "hidden"


@dataclass
class HeatCell:
    text: str  # "42%" or "hidden"
    band: int  # 0 when hidden: no colour

    @property
    def hidden(self) -> bool:
        return self.band == 0


@dataclass
class ItemTable:
    question: Question
    choices: list[str]  # the columns shown: the answers, and "No answer" for a follow-up
    table: SuppressedTwoWay
    departments: list[str]  # the rows of this cut
    with_total: bool
    follow_up: bool = False
    previous: ItemTable | None = None  # the same item, same rows, in the previous wave
    chart: Any = None

    @property
    def caption(self) -> str:
        return f"{self.question.item.code}: {self.question.item.text}"

    @property
    def code(self) -> str:
        return self.question.item.code

    @property
    def multiple(self) -> bool:
        return self.question.item.kind == Kind.MULTIPLE

    @property
    def withheld(self) -> bool:
        return self.table.withheld

    @property
    def measure(self) -> str:
        """What the heatmap counts for this item, in words."""
        return key_label(self.question.item) if key_answers(self.question.item) is not None else ""

    @property
    def answer_choices(self) -> list[str]:
        return [c for c in self.choices if c != NO_ANSWER]

    def rows(self) -> list[tuple[str, list[Cell], Cell]]:
        """(department, a cell per column, the row's total): every output uses these."""
        table = self.table
        assert table.row_totals is not None and table.column_totals is not None and table.grand_total is not None
        found = [(d, [table.cell(d, c) for c in self.choices], table.row_totals[d]) for d in self.departments]
        if self.with_total:
            found.append((ALL_DEPARTMENTS, [table.column_totals[c] for c in self.choices], table.grand_total))
        return found

    def summary(self) -> tuple[str, list[Cell], Cell]:
        """The row a chart and the comparison with the previous wave draw: the cut as a whole."""
        return self.rows()[-1]

    def key_share(self, cells: list[Cell], total: Cell) -> HeatCell | None:
        """The heatmap's percentage for one row, from published numbers only; None if the item has none."""
        key = key_answers(self.question.item)
        if key is None:
            return None
        by_label = dict(zip(self.choices, cells, strict=True))
        answered = [by_label[c] for c in self.answer_choices]
        # People who answered: the row's total, less "No answer" for a follow-up.
        if NO_ANSWER in by_label:
            no_answer = by_label[NO_ANSWER]
            base = None if total.value is None or no_answer.value is None else total.value - no_answer.value
            if base is None and all(c.value is not None for c in answered):
                base = sum(c.value for c in answered if c.value is not None)
        else:
            base = total.value
        positions = [n for n, _label in enumerate(self.answer_choices, start=1)]
        inside = [by_label[self.answer_choices[p - 1]] for p in positions if p in key]
        outside = [by_label[self.answer_choices[p - 1]] for p in positions if p not in key]
        part: int | None = None
        if all(c.value is not None for c in inside):
            part = sum(c.value for c in inside if c.value is not None)
        elif base is not None and all(c.value is not None for c in outside):
            part = base - sum(c.value for c in outside if c.value is not None)
        if base is None or part is None or base <= 0 or self.multiple:
            return HeatCell("hidden", 0)
        percent = 100 * part / base
        return HeatCell(f"{percent:.0f}%", next(band for bound, band in HEAT_BANDS if percent < bound))


def key_answers(item: QuestionItem) -> set[int] | None:
    """The answers a heatmap counts for an item (1-based), or None when it has no single measure."""
    if item.kind == Kind.YES_NO:
        return {1}
    if item.kind == Kind.SCALE:
        # How often (behaviours): at least once. Agreement or confidence: the top two.
        return {2, 3, 4, 5} if item.topic == QuestionItem.Topic.BEHAVIOUR else {4, 5}
    return None


def key_label(item: QuestionItem) -> str:
    if item.kind == Kind.YES_NO:
        return "Yes"
    if item.topic == QuestionItem.Topic.BEHAVIOUR:
        return "At least once"
    labels = [label for _value, label in item.choices()]
    return f"{labels[3]} or {labels[4].lower()}"


@dataclass
class Heatmap:
    items: list[ItemTable]
    rows: list[tuple[str, list[HeatCell]]]


@dataclass
class CommentGroup:
    question: Question
    texts: list[str]
    reason: str = ""  # why none are shown


@dataclass
class Results:
    survey: Survey
    key: str
    departments: list[SurveyDepartment]
    chosen: SurveyDepartment | None
    populations: dict[int, int]
    rates: list[RateRow]
    responses_total: Cell | None
    items: list[ItemTable] = field(default_factory=list)
    refused: int | None = None  # the small difference that made this cut unsafe
    too_small: bool = False
    who_question: Question | None = None
    who: int | None = None  # the who answer this cut is narrowed to
    excluded: list[str] = field(default_factory=list)  # departments left out of a who cut
    comments: list[CommentGroup] = field(default_factory=list)

    @property
    def closed(self) -> bool:
        return self.survey.status == Survey.Status.CLOSED

    @property
    def threshold(self) -> int:
        return self.survey.score_threshold

    @property
    def population(self) -> int:
        return sum(self.populations.values())

    @property
    def shown(self) -> bool:
        return self.closed and self.refused is None and not self.too_small

    @property
    def footnote(self) -> str:
        return footnote(self.threshold)

    @property
    def who_label(self) -> str:
        if self.who is None or self.who_question is None:
            return ""
        return dict(self.who_question.item.choices()).get(self.who, "")

    def describe(self) -> list[tuple[str, str]]:
        parts = [("Departments", self.chosen.department.name if self.chosen else ALL_DEPARTMENTS)]
        if self.who is not None:
            parts.append(("Who did it", self.who_label))
        return parts

    def heatmap(self) -> Heatmap | None:
        """Departments × items, from the same rows as the tables; None for a single department."""
        shown = [t for t in self.items if key_answers(t.question.item) is not None and not t.withheld]
        if not shown or self.chosen is not None:
            return None
        rows: list[tuple[str, list[HeatCell]]] = []
        per_item = [t.rows() for t in shown]
        for index, (label, _cells, _total) in enumerate(per_item[0]):
            line = []
            for table, item_rows in zip(shown, per_item, strict=True):
                _l, cells, total = item_rows[index]
                line.append(table.key_share(cells, total) or HeatCell("hidden", 0))
            rows.append((label, line))
        return Heatmap(shown, rows)


def _response_counts(survey: Survey, *, who: tuple[Question, int] | None = None) -> dict[int, int]:
    rows = Response.objects.filter(survey=survey, release__isnull=False)
    if who is not None:
        rows = rows.filter(answers__question=who[0], answers__choice=who[1])
    found = rows.values("department_id").annotate(n=Count("id")).order_by()
    return {row["department_id"]: row["n"] for row in found}


def _rates(survey: Survey, departments: list[SurveyDepartment], counts: dict[int, int]) -> tuple[list[RateRow], Any]:
    closed = survey.status == Survey.Status.CLOSED
    table: SuppressedTable | None = None
    if closed:
        table = suppress_counts(
            {d.department.name: counts.get(d.pk, 0) for d in departments}, threshold=survey.score_threshold
        )
    rows = []
    for d in departments:
        n = counts.get(d.pk, 0)
        cell = table[d.department.name] if table else None
        rate = ""
        if cell is not None:
            value = cell.value
            rate = cell.display if value is None else (f"{100 * value / d.invited:.0f}%" if d.invited else "not known")
        rows.append(RateRow(d.department.name, d.invited, rate_band(n, d.invited), cell, rate))
    return rows, (table.total if table else None)


def who_question(survey: Survey) -> Question | None:
    """The wave's "who did it" question (a multiple choice on that topic), if it asks one."""
    return (
        survey.questions.filter(item__topic=QuestionItem.Topic.WHO, item__kind=Kind.MULTIPLE)
        .select_related("item")
        .order_by("section__position", "position", "id")
        .first()
    )


def _hidden(threshold: int, value: int) -> Cell:
    return Cell(Status.SMALL if value < threshold else Status.COMPLEMENTARY, threshold, value)


def _shown(threshold: int, value: int) -> Cell:
    return Cell(Status.SHOWN, threshold, value) if value >= threshold else _hidden(threshold, value)


def _follow_up_table(
    question: Question,
    labels: list[str],
    choices: list[tuple[int, str]],
    by_department: dict[int, dict[int, int]],
    answered: dict[int, int],
    names: dict[int, str],
    parent: SuppressedTwoWay,
    parent_labels: dict[int, str],
    threshold: int,
    base: SuppressedTwoWay | None,
) -> SuppressedTwoWay:
    """A follow-up's table, modelled with its parent (see the module docstring)."""
    multiple = question.item.kind == Kind.MULTIPLE
    columns = labels if multiple else [*labels, NO_ANSWER]
    cells: dict[str, dict[str, Cell]] = {}
    row_totals: dict[str, Cell] = {}
    true_columns = {c: 0 for c in columns}
    every_shown = {c: True for c in columns}
    grand_true, grand_known = 0, True
    for department_id, name in names.items():
        asked_cells = [parent.cell(name, parent_labels[v]) for v in question.show_if_values if v in parent_labels]
        counts = {label: by_department.get(department_id, {}).get(v, 0) for v, label in choices}
        asked_true = sum(c._true_value for c in asked_cells)
        if not multiple:
            counts[NO_ANSWER] = max(asked_true - answered.get(department_id, 0), 0)
        for c in columns:
            true_columns[c] += counts[c]
        grand_true += asked_true
        known = all(not c.hidden for c in asked_cells)
        if base is not None and base.row_totals is not None and base.row_totals[name].hidden:
            known = False
        if not known:
            grand_known = False
            cells[name] = {c: _hidden(threshold, counts[c]) for c in columns}
            row_totals[name] = _hidden(threshold, asked_true)
            for c in columns:
                every_shown[c] = False
            continue
        forced = [c for c in columns if base is not None and c in base.cells[name] and base.cells[name][c].hidden]
        if multiple:
            row = {c: (_hidden(threshold, counts[c]) if c in forced else _shown(threshold, counts[c])) for c in columns}
        else:
            line = suppress_counts(counts, threshold=threshold, total_published=True, also_hide=forced)
            row = dict(line.cells) if not line.withheld else {c: _hidden(threshold, counts[c]) for c in columns}
        cells[name] = row
        row_totals[name] = Cell(Status.SHOWN, threshold, asked_true)
        for c in columns:
            every_shown[c] = every_shown[c] and not row[c].hidden
    column_totals = {
        c: Cell(Status.SHOWN, threshold, true_columns[c]) if every_shown[c] else _hidden(threshold, true_columns[c])
        for c in columns
    }
    grand = Cell(Status.SHOWN, threshold, grand_true) if grand_known and names else _hidden(threshold, grand_true)
    return SuppressedTwoWay(
        threshold=threshold,
        row_labels=list(names.values()),
        column_labels=columns,
        cells=cells,
        row_totals=row_totals,
        column_totals=column_totals,
        grand_total=grand,
    )


def _base_hides(base: SuppressedTwoWay, columns: list[str]) -> list[tuple[Any, ...]]:
    """Every item hidden in the unfiltered table: a narrower cut hides it too."""
    keys: list[tuple[Any, ...]] = []
    for r in base.row_labels:
        keys += [("cell", r, c) for c in columns if c in base.cells[r] and base.cells[r][c].hidden]
        if base.row_totals is not None and base.row_totals[r].hidden:
            keys.append(("row", r))
    if base.column_totals is not None:
        keys += [("col", c) for c in columns if c in base.column_totals and base.column_totals[c].hidden]
    if base.grand_total is not None and base.grand_total.hidden:
        keys.append(("grand",))
    return keys


def _questions(survey: Survey) -> list[Question]:
    return list(
        survey.questions.filter(item__kind__in=CLOSED_KINDS)
        .select_related("item")
        .order_by("section__position", "position", "id")
    )


def _tables(
    survey: Survey,
    departments: list[SurveyDepartment],
    questions: list[Question],
    *,
    who: tuple[Question, int] | None = None,
    base: dict[int, SuppressedTwoWay] | None = None,
    excluded: Iterable[int] = (),
) -> dict[int, tuple[SuppressedTwoWay, list[str], bool]]:
    """Every closed item's suppressed table over every department: question id -> (table, columns, follow-up).

    Two queries whatever the number of items or departments. ``who`` narrows to the people
    who named that answer; ``base`` is then the unfiltered wave's tables, whose hidden items
    stay hidden here, and ``excluded`` the departments hidden whole.
    """
    answers = Answer.objects.filter(
        response__survey=survey, response__release__isnull=False, question__in=questions, choice__isnull=False
    )
    if who is not None:
        answers = answers.filter(response__answers__question=who[0], response__answers__choice=who[1])
    counts = answers.values("question_id", "response__department_id", "choice").annotate(n=Count("id")).order_by()
    grid: dict[int, dict[int, dict[int, int]]] = {}
    for row in counts:
        grid.setdefault(row["question_id"], {}).setdefault(row["response__department_id"], {})[row["choice"]] = row["n"]
    # People who answered each single-answer follow-up, by department (its "No answer" is the rest).
    follow_ups = [q for q in questions if q.show_if_id and q.item.kind != Kind.MULTIPLE]
    answered: dict[int, dict[int, int]] = {}
    if follow_ups:
        people = Answer.objects.filter(
            response__survey=survey, response__release__isnull=False, question__in=follow_ups, choice__isnull=False
        )
        if who is not None:
            people = people.filter(response__answers__question=who[0], response__answers__choice=who[1])
        for row in people.values("question_id", "response__department_id").annotate(n=Count("id")).order_by():
            answered.setdefault(row["question_id"], {})[row["response__department_id"]] = row["n"]
    names = {d.pk: d.department.name for d in departments}
    excluded_names = {names[d] for d in excluded if d in names}
    tables: dict[int, tuple[SuppressedTwoWay, list[str], bool]] = {}
    for question in questions:
        choices = question.item.choices()
        labels = [label for _, label in choices]
        by_department = grid.get(question.pk, {})
        parent = tables.get(question.show_if_id) if question.show_if_id else None
        base_table = base.get(question.pk) if base is not None else None
        if parent is not None and question.show_if is not None:
            parent_labels = dict(question.show_if.item.choices())
            table = _follow_up_table(
                question,
                labels,
                choices,
                by_department,
                answered.get(question.pk, {}),
                names,
                parent[0],
                parent_labels,
                survey.score_threshold,
                base_table,
            )
            tables[question.pk] = (table, table.column_labels, True)
            continue
        hides = _base_hides(base_table, labels) if base_table is not None else []
        for name in excluded_names:
            hides += [("row", name), *(("cell", name, label) for label in labels)]
        if excluded_names:
            hides += [("grand",), *(("col", label) for label in labels)]
        # Suppressed once over every department of the wave, whatever the cut shows.
        table = suppress_table(
            {names[d.pk]: {label: by_department.get(d.pk, {}).get(v, 0) for v, label in choices} for d in departments},
            columns=labels,
            threshold=survey.score_threshold,
            also_hide=hides,
        )
        tables[question.pk] = (table, labels, False)
    return tables


# ---------------------------------------------------------------- a closed wave's tables, once

Tables = dict[int, tuple[SuppressedTwoWay, list[str], bool]]
_SMALL, _COMPLEMENTARY = -1, -2


def _fingerprint(
    survey: Survey,
    departments: list[SurveyDepartment],
    questions: list[Question],
    counts: Mapping[int, int],
    cut_counts: Mapping[int, int] | None,
) -> str:
    """A digest of everything a wave's suppressed tables depend on: a stored result is used only while it matches."""
    facts = [
        survey.status,
        survey.score_threshold,
        [(d.pk, d.department.name) for d in departments],
        [(q.pk, q.item.kind, q.item.choices(), q.show_if_id, list(q.show_if_values or [])) for q in questions],
        sorted(counts.items()),
        sorted(cut_counts.items()) if cut_counts is not None else None,
    ]
    return hashlib.sha256(json.dumps(facts, default=str).encode()).hexdigest()


def _encode(tables: Tables) -> dict[str, Any]:
    """Only what may be shown: each shown number, and for a hidden one whether it is small or a complement."""

    def code(cell: Cell) -> int:
        if cell.status is Status.SHOWN:
            value = cell.value
            assert value is not None
            return value
        return _SMALL if cell.status is Status.SMALL else _COMPLEMENTARY

    found = []
    for pk, (table, columns, follow_up) in tables.items():
        assert table.row_totals is not None and table.column_totals is not None and table.grand_total is not None
        found.append(
            {
                "question": pk,
                "columns": columns,
                "follow_up": follow_up,
                "withheld": table.withheld,
                "labels": table.column_labels,
                "rows": table.row_labels,
                "cells": [[code(table.cells[r][c]) for c in table.column_labels] for r in table.row_labels],
                "row_totals": [code(table.row_totals[r]) for r in table.row_labels],
                "column_totals": [code(table.column_totals[c]) for c in table.column_labels],
                "grand": code(table.grand_total),
            }
        )
    return {"tables": found}


def _decode(stored: Mapping[str, Any], threshold: int) -> Tables:
    hidden = {_SMALL: Cell(Status.SMALL, threshold, 0), _COMPLEMENTARY: Cell(Status.COMPLEMENTARY, threshold, 0)}
    shown: dict[int, Cell] = {}

    def cell(code: int) -> Cell:
        if code < 0:
            return hidden[code]
        found = shown.get(code)
        if found is None:
            found = shown[code] = Cell(Status.SHOWN, threshold, code)
        return found

    tables: Tables = {}
    for entry in stored["tables"]:
        labels, rows = entry["labels"], entry["rows"]
        table = SuppressedTwoWay(
            threshold=threshold,
            row_labels=rows,
            column_labels=labels,
            cells={
                r: dict(zip(labels, map(cell, line), strict=True)) for r, line in zip(rows, entry["cells"], strict=True)
            },
            row_totals=dict(zip(rows, map(cell, entry["row_totals"]), strict=True)),
            column_totals=dict(zip(labels, map(cell, entry["column_totals"]), strict=True)),
            grand_total=cell(entry["grand"]),
            withheld=entry["withheld"],
        )
        tables[entry["question"]] = (table, entry["columns"], entry["follow_up"])
    return tables


def _stored_tables(
    survey: Survey,
    departments: list[SurveyDepartment],
    questions: list[Question],
    counts: Mapping[int, int],
    *,
    who: tuple[Question, int] | None = None,
    who_counts: Mapping[int, int] | None = None,
    base: dict[int, SuppressedTwoWay] | None = None,
    excluded: Iterable[int] = (),
) -> Tables:
    """A closed wave's tables (see :func:`_tables`), worked out once and then read from ``ResultCache``.

    A closed wave's answers never change, so its suppressed tables are the same for every
    view and every export. They are stored under a fingerprint of all they depend on and
    read back only while it matches; the page and each export always render the stored
    form (also just after working it out), so all of them show the same cells. A wave
    that is not closed is never stored (its answers are not shown at all).
    """
    if survey.status != Survey.Status.CLOSED:
        return _tables(survey, departments, questions, who=who, base=base, excluded=excluded)
    cut = ALL if who is None else f"who={who[1]}"
    fingerprint = _fingerprint(survey, departments, questions, counts, who_counts)
    stored = ResultCache.objects.filter(survey=survey, cut=cut).values_list("fingerprint", "tables").first()
    if stored is not None and stored[0] == fingerprint:
        return _decode(stored[1], survey.score_threshold)
    encoded = _encode(_tables(survey, departments, questions, who=who, base=base, excluded=excluded))
    try:
        with transaction.atomic():
            ResultCache.objects.update_or_create(
                survey=survey, cut=cut, defaults={"fingerprint": fingerprint, "tables": encoded}
            )
    except IntegrityError:
        pass  # another request stored the same tables at the same moment
    return _decode(encoded, survey.score_threshold)


def survey_results(survey: Survey, *, department_id: int | None = None, who: int | None = None) -> Results:
    """Everything a leader may see of one cut (all departments, or one; anyone, or one "who"), not yet released.

    Raises ``SurveyDepartment.DoesNotExist`` for a department not in this wave, and
    ``ValueError`` for a who answer the wave does not have.
    """
    departments = list(survey.departments.select_related("department"))
    chosen = None
    if department_id is not None:
        chosen = next((d for d in departments if d.pk == department_id), None)
        if chosen is None:
            raise SurveyDepartment.DoesNotExist("No such department in this survey.")
    asked_who = who_question(survey)
    if who is not None and (asked_who is None or who not in dict(asked_who.item.choices())):
        raise ValueError("No such answer to who did it.")
    counts = _response_counts(survey)
    shown = [chosen] if chosen else departments
    rates, total = _rates(survey, departments, counts)
    results = Results(
        survey=survey,
        key=cut_key(None if chosen is None else [chosen.pk], who),
        departments=departments,
        chosen=chosen,
        populations={d.pk: counts.get(d.pk, 0) for d in shown},
        rates=rates,
        responses_total=total,
        who_question=asked_who,
        who=who,
    )
    if not results.closed:
        return results
    questions = _questions(survey)
    base = _stored_tables(survey, departments, questions, counts)
    tables = base
    if who is not None and asked_who is not None:
        # A department whose count for this answer is hidden in the "who" table is left out whole.
        who_table = base.get(asked_who.pk)
        label = dict(asked_who.item.choices())[who]
        excluded = {
            d.pk for d in departments if who_table is None or who_table[0].cells[d.department.name][label].hidden
        }
        results.excluded = [d.department.name for d in departments if d.pk in excluded]
        narrowed = _response_counts(survey, who=(asked_who, who))
        shown = [d for d in shown if d.pk not in excluded]
        results.populations = {d.pk: narrowed.get(d.pk, 0) for d in shown}
        tables = _stored_tables(
            survey,
            departments,
            questions,
            counts,
            who=(asked_who, who),
            who_counts=narrowed,
            base={pk: t[0] for pk, t in base.items()},
            excluded=excluded,
        )
    if results.population < survey.score_threshold or not shown:
        results.too_small = True
        return results
    with_total = chosen is None
    rows = [d.department.name for d in shown]
    results.items = [
        ItemTable(q, columns, table, rows, with_total=with_total, follow_up=follow_up)
        for q in questions
        for table, columns, follow_up in [tables[q.pk]]
    ]
    if who is None:
        _attach_previous(results)
        results.comments = comment_groups(survey, chosen=chosen, counts=counts, departments=departments)
    return results


def work_out(survey: Survey) -> int:
    """Work out and store a closed wave's tables: all departments, and each "who did it"
    answer. Run in the background when a wave closes; returns how many cuts were read."""
    if survey.status != Survey.Status.CLOSED:
        return 0
    survey_results(survey)
    asked_who = who_question(survey)
    choices = list(dict(asked_who.item.choices())) if asked_who is not None else []
    for who in choices:
        survey_results(survey, who=who)
    return 1 + len(choices)


def _attach_previous(results: Results) -> None:
    """The same items in the previous wave, for the same rows, from its own suppressed tables."""
    previous = results.survey.previous
    if previous is None or previous.status != Survey.Status.CLOSED or not results.items:
        return
    departments = list(previous.departments.select_related("department"))
    by_department = {d.department_id: d for d in departments}
    if results.chosen is not None:
        same = by_department.get(results.chosen.department_id)
        if same is None:
            return
        rows = [same.department.name]
    else:
        rows = [d.department.name for d in departments]
    questions = {q.item.code: q for q in _questions(previous)}
    wanted = [q for code, q in questions.items() if code in {t.code for t in results.items}]
    if not wanted:
        return
    tables = _stored_tables(previous, departments, _questions(previous), _response_counts(previous))
    for item in results.items:
        question = questions.get(item.code)
        if question is None or question.pk not in tables:
            continue
        table, columns, follow_up = tables[question.pk]
        item.previous = ItemTable(
            question, columns, table, rows, with_total=results.chosen is None, follow_up=follow_up
        )


# ---------------------------------------------------------------- comments


def comment_groups(
    survey: Survey,
    *,
    chosen: SurveyDepartment | None,
    counts: dict[int, int],
    departments: list[SurveyDepartment],
) -> list[CommentGroup]:
    """Redacted comments for a cut, only from groups of at least the comment threshold.

    A department's comments are shown with that department only when it has at least the
    comment threshold of responses. With all departments, the comments of every such
    department are shown, and those of the smaller ones only if together they reach the
    threshold: then any set of comments a reader could subtract (all minus one
    department) comes from at least the threshold of people. Shuffled, no date, no
    department beside them.
    """
    threshold = survey.comment_threshold
    questions = list(survey.questions.filter(item__kind=Kind.TEXT).select_related("item").order_by("position", "id"))
    if not questions:
        return []
    if chosen is not None:
        if counts.get(chosen.pk, 0) < threshold:
            return [
                CommentGroup(q, [], f"Fewer than {threshold} people in this department answered the survey.")
                for q in questions
            ]
        included = [chosen.pk]
    else:
        large = [d.pk for d in departments if counts.get(d.pk, 0) >= threshold]
        small = [d.pk for d in departments if 0 < counts.get(d.pk, 0) < threshold]
        included = large + (small if sum(counts.get(d, 0) for d in small) >= threshold else [])
    texts: dict[int, list[str]] = {q.pk: [] for q in questions}
    found = Answer.objects.filter(
        question__in=questions,
        response__release__isnull=False,
        response__department_id__in=included,
        reviewed=True,
        left_out=False,
    ).values_list("question_id", "redacted")
    for question_id, text in found:
        if text.strip():
            texts[question_id].append(text)
    waiting = Answer.objects.filter(question__in=questions, reviewed=False).exclude(text="").exists()
    groups = []
    for question in questions:
        shown = texts[question.pk]
        _shuffle(shown)
        reason = "" if shown else "No comments have been cleared for leaders to read yet."
        if waiting and not shown:
            reason = "The comments are waiting for a coordinator to remove names, places and dates."
        groups.append(CommentGroup(question, shown, reason))
    return groups


# ---------------------------------------------------------------- releasing a cut


@transaction.atomic
def release(*, results: Results, actor: Any) -> Results:
    """Remember the cut before it is shown, or refuse it when it differs too little from one shown.

    The wave is locked while checking, so two cuts checked at once cannot both pass.
    """
    if not results.shown:
        return results
    survey = Survey.objects.select_for_update().get(pk=results.survey.pk)
    released = list(ReleasedCut.objects.filter(survey=survey).values_list("filter_key", "populations"))
    overlaps = None
    if results.who is not None or any(";who=" in key for key, _p in released):
        overlaps = who_overlaps(survey, results.who_question)
    problem = differencing_problem(
        results.populations,
        [p for _k, p in released],
        survey.score_threshold,
        new_key=results.key,
        released_keys=[k for k, _p in released],
        overlaps=overlaps,
    )
    if problem is not None:
        results.refused = problem
        results.items = []
        results.comments = []
        return results
    _cut, created = ReleasedCut.objects.get_or_create(
        survey=survey,
        filter_key=results.key,
        population=results.population,
        defaults={"populations": {str(k): v for k, v in results.populations.items()}},
    )
    if created:
        audit.record(
            action="saferwork.surveys.results_released",
            actor=actor,
            organisation=survey.organisation,
            target=survey,
            data={"cut": results.key, "population": results.population},
        )
    return results


# ---------------------------------------------------------------- the rows every export writes


def export_sections(results: Results) -> Iterator[tuple[str, list[list[Any]]]]:
    """(title, rows) for each table of the results, header first: CSV, XLSX and DOCX write these."""
    rates: list[list[Any]] = [["Department", "Invited", "Answers", "Response rate"]]
    for row in results.rates:
        rates.append(
            [row.name, row.invited or "open link", row.responses.export_value if row.responses else "", row.rate]
        )
    if results.responses_total is not None:
        rates.append([ALL_DEPARTMENTS, "", results.responses_total.export_value, ""])
    yield "Response rate by department", rates
    heatmap = results.heatmap()
    if heatmap is not None:
        rows: list[list[Any]] = [["Department", *[f"{t.code} ({key_label(t.question.item)})" for t in heatmap.items]]]
        rows += [[label, *[c.text for c in cells]] for label, cells in heatmap.rows]
        yield "Heatmap: share giving the answer named", rows
    for item in results.items:
        if item.withheld:
            yield item.caption, [["Withheld: too few people answered to show any of it safely."]]
            continue
        table: list[list[Any]] = [["Department", *item.choices, "Total"]]
        for label, cells, total in item.rows():
            table.append([label, *[c.export_value for c in cells], total.export_value])
        if item.previous is not None and not item.previous.withheld:
            label, cells, total = item.previous.summary()
            by_label = dict(zip(item.previous.choices, cells, strict=True))
            table.append(
                [
                    f"{label}, {results.survey.previous.wave if results.survey.previous else 'previous wave'}",
                    *[by_label[c].export_value if c in by_label else "" for c in item.choices],
                    total.export_value,
                ]
            )
        yield item.caption, table


def csv_rows(results: Results) -> Iterator[list[Any]]:
    """The CSV: the same rows, the same hidden cells, as the page."""
    survey = results.survey
    yield ["SaferWork climate survey results", survey.title, survey.wave]
    for label, value in results.describe():
        yield [label, value]
    if results.excluded:
        yield ["Left out (too few to show)", ", ".join(results.excluded)]
    yield ["Note", results.footnote]
    yield ["Note", "Free-text answers are not included in exports."]
    for title, rows in export_sections(results):
        yield []
        yield [title]
        yield from rows
