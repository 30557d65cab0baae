"""Issue 10, finding 14: the protection-range rule, checked by the independent audit.

A hidden small count must stay indistinguishable from both 0 and the threshold given
everything published beside it: its possible values (``saferwork.lib.disclosure``, which
knows nothing of how cells were chosen) must include 0 and reach the threshold.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saferwork.lib.disclosure import BIG, ReaderModel, breakdown_model, two_way_model
from saferwork.lib.suppression import suppress_counts, suppress_table


def assert_protected(model: ReaderModel, small: list[Any], threshold: int) -> None:
    for key in small:
        assert model.possible(key, 0, 0), f"{key}: a reader can rule out 0 ({model.interval(key)})"
        assert model.possible(key, threshold, BIG), f"{key}: a reader knows it is below {threshold}"


def test_regression_two_small_counts_beside_a_shown_total_cannot_rule_out_zero():
    # 3 and 4 hidden beside a shown 30 and a total of 37: together they are 7, so each
    # is at least 3. On the old rule both were "fewer than 5" and counted as protected.
    result = suppress_counts({"A": 3, "B": 4, "C": 30})
    model = breakdown_model(result, "t")
    assert model.possible(("t", "cell", "A"), 0, 0), f"A is {model.interval(('t', 'cell', 'A'))}"
    assert_protected(model, [("t", "cell", "A"), ("t", "cell", "B")], 5)


def test_regression_a_two_way_table_does_not_narrow_a_small_cell():
    table = {"North": {"Reps": 4, "Staff": 12}, "South": {"Reps": 12, "Staff": 0}}
    result = suppress_table(table)
    model = two_way_model(result, "t")
    assert_protected(model, [("t", "cell", "North", "Reps"), ("t", "cell", "South", "Staff")], 5)


def test_a_known_total_elsewhere_counts_against_a_breakdown():
    # The total is shown at the top of the page: the breakdown must be safe against it.
    result = suppress_counts({"A": 0, "B": 5, "C": 30}, with_total=False, total_published=True)
    assert result.total is None
    model = breakdown_model(result, "t", total="T")
    model.known("T", 35)
    assert_protected(model, [("t", "cell", "A")], 5)


def _small(counts: dict[str, int], prefix: str, threshold: int) -> list[Any]:
    return [(prefix, "cell", label) for label, n in counts.items() if n < threshold]


small_or_not = st.one_of(st.integers(0, 6), st.integers(0, 25))
labels = st.sampled_from(["a", "b", "c", "d", "e", "f", "g"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    counts=st.dictionaries(labels, small_or_not, min_size=1, max_size=7),
    threshold=st.sampled_from([5, 10]),
    with_total=st.booleans(),
)
def test_no_breakdown_lets_a_small_count_be_told_from_zero_or_the_threshold(counts, threshold, with_total):
    result = suppress_counts(counts, threshold=threshold, with_total=with_total)
    model = breakdown_model(result, "t")
    small = _small(counts, "t", threshold)
    if with_total and sum(counts.values()) < threshold:
        small.append(("t", "total"))
    assert_protected(model, small, threshold)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    shape=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    data=st.data(),
)
def test_no_two_way_table_lets_a_small_count_be_told_from_zero_or_the_threshold(shape, data):
    n_rows, n_cols = shape
    values = data.draw(
        st.lists(st.lists(small_or_not, min_size=n_cols, max_size=n_cols), min_size=n_rows, max_size=n_rows)
    )
    table = {f"r{i}": {f"c{j}": values[i][j] for j in range(n_cols)} for i in range(n_rows)}
    result = suppress_table(table)
    model = two_way_model(result, "t")
    small = [("t", "cell", f"r{i}", f"c{j}") for i in range(n_rows) for j in range(n_cols) if values[i][j] < 5]
    small += [("t", "row", f"r{i}") for i in range(n_rows) if sum(values[i]) < 5]
    small += [("t", "col", f"c{j}") for j in range(n_cols) if sum(values[i][j] for i in range(n_rows)) < 5]
    if sum(map(sum, values)) < 5:
        small.append(("t", "grand"))
    assert_protected(model, small, 5)


# ------------------------------------------------------------ multi-response and shared totals

CHOICES = ["a", "b", "c", "d", "e"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=st.lists(st.sets(st.sampled_from(CHOICES), min_size=1), max_size=40), threshold=st.sampled_from([5, 10]))
def test_a_multi_response_table_protects_small_counts_against_the_number_of_people(people, threshold):
    """Each person names one to five choices; the number of people is published."""
    counts = {c: sum(c in named for named in people) for c in CHOICES}
    result = suppress_counts(counts, threshold=threshold, with_total=False, respondents=len(people))
    if result.withheld:
        # Only when every cell is below the threshold: no cell could then reach it.
        assert all(cell.hidden for cell in result.cells.values())
        assert len(people) < threshold
        return
    model = breakdown_model(result, "b", respondents="R")
    model.known("R", len(people))
    assert_protected(model, _small(counts, "b", threshold), threshold)


def test_regression_every_person_naming_one_choice_does_not_pin_the_last_one():
    # 7 + 6 + 5 + 3 = 21 people and each named one: "at least 21 in all" made the 3 exact.
    counts = {"a": 7, "b": 6, "c": 5, "d": 3}
    result = suppress_counts(counts, with_total=False, respondents=21)
    model = breakdown_model(result, "b", respondents="R")
    model.known("R", 21)
    assert_protected(model, [("b", "cell", "d")], 5)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=st.lists(st.tuples(st.sampled_from("xyz"), st.sampled_from("pqrs"), st.sampled_from("uv")), max_size=40))
def test_tables_sharing_one_total_protect_small_counts_read_together(people):
    """Three breakdowns of the same people on one page: one total, shown once for all."""
    total = len(people)
    shown = total >= 5
    model = ReaderModel()
    model.unknown("T")
    if shown:
        model.known("T", total)
    small: list[Any] = []
    for index, name in enumerate(["first", "second", "third"]):
        labels = sorted({person[index] for person in people}) or ["none"]
        counts = {label: sum(person[index] == label for person in people) for label in labels}
        result = suppress_counts(counts, total_published=shown)
        assert result.total is not None and result.total.hidden is not shown
        model.merge(breakdown_model(result, name, total="T"))
        small += _small(counts, name, 5)
        if not shown:
            small.append((name, "total"))
    assert_protected(model, small, 5)
