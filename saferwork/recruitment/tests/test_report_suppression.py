"""Recruitment counts by stage: the stages are nested, and a reader can compare columns.

Checked with the independent audit (``saferwork.lib.disclosure``), built here from the
published cells only: each column adds up to its total, the same total is shown in the
other table, and a count is at most the one to its left.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saferwork.lib.disclosure import BIG, ReaderModel, breakdown_model
from saferwork.recruitment import services
from saferwork.recruitment.views import SUPPRESSION_THRESHOLD, _suppressed_columns

REGIONS = ["Wales", "Scotland", "London"]


def _rows(people: list[tuple[str, int]]) -> list[tuple[str, str, str, int]]:
    rows = []
    for index, stage in enumerate(services.STAGES):
        for region in REGIONS:
            n = sum(1 for r, reached in people if r == region and reached >= index)
            if n:
                rows.append((stage, "region", region, n))
    return rows


def _assert_protected(columns: dict[str, Any], people: list[tuple[str, int]]) -> None:
    model = ReaderModel()
    for stage, table in columns.items():
        model.merge(breakdown_model(table, stage))
    stages = services.STAGES
    for earlier, later in zip(stages, stages[1:], strict=False):
        for label in columns[earlier].cells:
            model.add([((later, "cell", label), 1), ((earlier, "cell", label), -1)], low=None, high=0)
    for stage, table in columns.items():
        for label, cell in table.cells.items():
            if cell._true_value < SUPPRESSION_THRESHOLD:
                key = (stage, "cell", label)
                assert cell.hidden
                assert model.possible(key, 0, 0), f"{key} cannot be 0 ({model.interval(key)})"
                assert model.possible(key, SUPPRESSION_THRESHOLD, BIG), f"{key} is known to be small"


def test_small_counts_stay_protected_when_the_stage_columns_are_read_together():
    # Wales: 3 applied and shortlisted, beside London's 9 at every stage and Scotland's 6
    # applicants: every column is checked against its neighbours.
    people = [("London", 3)] * 9 + [("Scotland", 0)] * 6 + [("Wales", 1)] * 3
    columns = _suppressed_columns(_rows(people), "region", REGIONS)
    _assert_protected(columns, people)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=st.lists(st.tuples(st.sampled_from(REGIONS), st.integers(0, 3)), max_size=30))
def test_no_stage_column_lets_a_small_count_be_told_from_zero_or_the_threshold(people):
    columns = _suppressed_columns(_rows(people), "region", REGIONS)
    _assert_protected(columns, people)
