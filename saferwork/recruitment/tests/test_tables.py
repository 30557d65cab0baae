"""The shortlisting table's rows, written in Python, say what the row template said.

``row_reference.html`` holds the row markup ``recruitment/applications.html`` rendered for each
application before the rows moved to ``recruitment/tables.py``; every kind of row (blind
or named, scored or hidden, moderated, wide, conflicted, each interview state, names and
criteria that need escaping) must come out the same, whitespace between tags aside.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import timezone

from saferwork.recruitment.models import Stage
from saferwork.recruitment.selectors import ScoreSummary
from saferwork.recruitment.tables import application_rows, two_places

REFERENCE = Template((Path(__file__).parent / "row_reference.html").read_text())

SUMMER_SLOT = dt.datetime(2026, 7, 1, 8, 30, tzinfo=dt.UTC)  # 09:30 in London


def _row(n: int, summary: ScoreSummary, *, interview: object = None, **overrides: object) -> SimpleNamespace:
    row = SimpleNamespace(
        pk=n,
        reference=f"TA-{n:05d}",
        full_name='Ada "Al" <Lovelace> & co',
        named=n % 2 == 0,
        region="Yorkshire & the Humber",
        get_background_display=lambda: "Union rep <lay>",
        get_status_display=lambda: "Submitted",
        interview=interview or SimpleNamespace(cancelled_at=None, slot=None),
        summary=summary,
        can_see_scores=True,
        wide=False,
    )
    for key, value in overrides.items():
        setattr(row, key, value)
    return row


def _rows() -> list[SimpleNamespace]:
    summaries = [
        ScoreSummary(),
        ScoreSummary(sheets=3, mean=Decimal("2.005"), spread=Decimal("1.125"), mine=True),
        ScoreSummary(sheets=2, mean=Decimal("3.5"), spread=Decimal("0"), moderated=Decimal("4.333"), mine=True),
        ScoreSummary(
            sheets=3, mean=Decimal("1"), spread=Decimal("3.995"), wide_on=("Safeguarding & <care>", "Facilitation")
        ),
        ScoreSummary(sheets=1, conflicted=True),
        ScoreSummary(sheets=4),
    ]
    interviews = [
        SimpleNamespace(cancelled_at=None, slot=None),
        SimpleNamespace(cancelled_at=timezone.now(), slot=SimpleNamespace(starts_at=SUMMER_SLOT)),
        SimpleNamespace(cancelled_at=None, slot=SimpleNamespace(starts_at=SUMMER_SLOT)),
    ]
    rows = []
    for n, (summary, interview, hidden) in enumerate(itertools.product(summaries, interviews, [False, True]), 1):
        rows.append(
            _row(
                n,
                summary,
                interview=interview,
                can_see_scores=not hidden,
                wide=not hidden and summary.spread is not None and n % 3 != 0,
            )
        )
    return rows


def _squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("stage", [Stage.SHORTLISTING, Stage.INTERVIEW])
@pytest.mark.parametrize(("identities", "panellist", "selectable"), list(itertools.product([False, True], repeat=3)))
def test_rows_are_what_the_row_template_wrote(stage, identities, panellist, selectable):
    rows = _rows()
    expected = REFERENCE.render(
        Context(
            {
                "rows": rows,
                "stage": stage,
                "round": SimpleNamespace(pk=7),
                "identities": identities,
                "access": SimpleNamespace(panellist=object() if panellist else None),
                "bulk_actions": [("shortlist", "Shortlist")] if selectable else [],
            }
        )
    )
    written = application_rows(
        rows, round_pk=7, stage=stage, identities=identities, panellist=panellist, selectable=selectable
    )
    assert _squeezed(written) == _squeezed(expected)
    assert written.count("<tr ") == len(rows)
    if identities:
        assert "Ada &quot;Al&quot; &lt;Lovelace&gt; &amp; co" in written
    assert "<Lovelace>" not in written and "<care>" not in written and "<lay>" not in written


@pytest.mark.parametrize(
    "value",
    [
        Decimal("0"),
        Decimal("2.005"),
        Decimal("2.015"),
        Decimal("2.025"),
        Decimal("3.125"),
        Decimal("99.995"),
        Decimal("12.5"),
        Decimal("4.333333333"),
        Decimal("1000.004"),
        3,
        2.675,
        0.125,
    ],
)
def test_two_places_is_floatformat_2(value):
    assert two_places(value) == Template("{{ v|floatformat:2 }}").render(Context({"v": value}))
