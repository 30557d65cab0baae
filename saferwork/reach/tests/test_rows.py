"""The reach dashboard's long tables, written by filters, say what the template loops said.

``row_reference.html`` holds the loops ``reach/dashboard.html`` had for a breakdown's rows
and for the evaluation by trainer; the filters must write the same markup (whitespace
between tags aside) for rows with and without sessions, hidden figures, missing ratings
and labels that need escaping.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

from django.template import Context, Template

REFERENCE = Template((Path(__file__).parent / "row_reference.html").read_text())
FILTERS = Template(
    "{% load reach_rows %}{% for breakdown in breakdowns %}{{ breakdown|breakdown_rows }}{% endfor %}"
    "{{ by_trainer|trainer_rows }}"
)


def _cell(display: str) -> SimpleNamespace:
    return SimpleNamespace(display=display)


def _squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


def test_the_filters_write_what_the_loops_wrote():
    labels = ["Bakers & <Allied> Union", "London", "Not recorded", "2026-11"]
    shown = ["1,234", "hidden", "7", "hidden"]
    breakdowns = [
        SimpleNamespace(
            with_sessions=with_sessions,
            rows=[
                SimpleNamespace(label=label, sessions=_cell(s), attendees=_cell(a))
                for label, s, a in zip(labels, shown, reversed(shown), strict=True)
            ],
        )
        for with_sessions in (True, False)
    ]
    by_trainer = [
        SimpleNamespace(name="Sam <Lee> & Co", answers=_cell("hidden"), overall=None, trainers=None),
        SimpleNamespace(name="Ali", answers=_cell("1,020"), overall=4.3, trainers=4.0),
        SimpleNamespace(name="Jo", answers=_cell("25"), overall=0.0, trainers=3.9),
    ]
    context = Context(
        {"breakdowns": breakdowns, "by_trainer": by_trainer, "report": SimpleNamespace(by_trainer=by_trainer)}
    )
    written = FILTERS.render(context)
    assert _squeezed(written) == _squeezed(REFERENCE.render(context))
    assert written.count("<tr ") == 2 * len(labels) + len(by_trainer)
    assert "<Allied>" not in written and "<Lee>" not in written and "4.3" in written
