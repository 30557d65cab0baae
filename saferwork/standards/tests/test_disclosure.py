"""The acknowledgement table, audited by the independent reader model (``saferwork.lib.disclosure``):
whatever the departments' sizes and answers, no small count can be pinned away from 0 or
below the threshold, even by a reader who knows how many each department asked."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from saferwork.lib import disclosure, suppression
from saferwork.standards.selectors import ACKNOWLEDGED, COLUMNS, NOT_YET

THRESHOLD = 5
ROWS_PUBLISHED = True  # what selectors.report passes


@st.composite
def departments(draw: st.DrawFn) -> dict[str, dict[str, int]]:
    table = {}
    for n in range(draw(st.integers(1, 5))):
        asked = draw(st.integers(1, 30))
        acknowledged = draw(st.integers(0, asked))
        table[f"D{n}"] = {ACKNOWLEDGED: acknowledged, NOT_YET: asked - acknowledged}
    return table


@settings(max_examples=200)
@given(departments())
def test_no_small_count_can_be_narrowed(table: dict[str, dict[str, int]]) -> None:
    found = suppression.suppress_table(
        table, columns=COLUMNS, threshold=THRESHOLD, rows_published=ROWS_PUBLISHED, total_published=True
    )
    if found.withheld:
        return
    # Asked per department is what the organisation did: every one we show is known, and
    # none that is big enough to show is hidden.
    for label, counts in table.items():
        asked = sum(counts.values())
        assert found.row_totals is not None
        assert found.row_totals[label].value == (asked if asked >= THRESHOLD else None)
    model = disclosure.two_way_model(found, "t")
    for label, counts in table.items():  # the reader knows every department's headcount
        model.known(("t", "row", label), sum(counts.values()))
    small = [("t", "cell", r, c) for r, counts in table.items() for c in COLUMNS if counts[c] < THRESHOLD]
    failures = [f for f in model.failures(small, THRESHOLD)]
    # A department smaller than the threshold cannot reach it, whatever is hidden: it is
    # only required that 0 stays possible for its cells.
    tiny = {r for r, counts in table.items() if sum(counts.values()) < THRESHOLD}
    assert [f for f in failures if f.key[2] not in tiny] == []
    assert [f for f in failures if f.key[2] in tiny and f.low > 0] == []
