"""The trainer pool's rows, written in Python, say what the row template said.

``trainer_row_reference.html`` holds the row markup ``training/trainers.html`` rendered
for each trainer before the rows moved to ``training/tables.py``; every kind of row
(active or not, with or without a union, each way of delivering, access needs, every
level of experience, dates or none, text needing escapes) must come out the same,
whitespace between tags aside.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path
from types import SimpleNamespace

from django.template import Context, Template

from saferwork.training.models import TrainerProfile
from saferwork.training.tables import trainer_rows

REFERENCE = Template((Path(__file__).parent / "trainer_row_reference.html").read_text())
EXPERIENCE = dict(TrainerProfile.Experience.choices)


def _trainer(n: int, active: bool, online: bool, in_person: bool, co_tutors: bool) -> SimpleNamespace:
    experience = list(EXPERIENCE)[n % len(EXPERIENCE)]
    return SimpleNamespace(
        pk=n,
        name=f'Trainer <{n}> "Sam" & Co',
        is_active=active,
        home_union=SimpleNamespace(name="Bakers & <Allied>") if n % 3 else None,
        regions=[] if n % 4 == 0 else ["London", "Yorkshire & the Humber", "<Wales>"][: n % 4],
        delivers_online=online,
        delivers_in_person=in_person,
        co_tutors=co_tutors,
        languages="English, <BSL>",
        access_needs_met="Step-free & hearing loop" if n % 2 else "",
        experience=experience,
        get_experience_display=lambda: EXPERIENCE[experience],
        sessions_delivered=n * 7,
        upcoming_sessions=n % 5,
        day_rate_pounds="£450" if n % 2 else "£1,234.50",
        next_booked=[dt.date(2026, 12, 1 + n % 28), dt.date(2027, 1 + n % 12, 3)][: n % 3],
    )


def _squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


def test_rows_are_what_the_row_template_wrote():
    pool = [_trainer(n, *flags) for n, flags in enumerate(itertools.product([True, False], repeat=4), 1)]
    written = trainer_rows(pool)
    assert _squeezed(written) == _squeezed(REFERENCE.render(Context({"pool": pool})))
    assert written.count("<tr ") == len(pool)
    assert "Inactive" in written and "No union recorded" in written and "Online, in person" in written
    assert "<BSL>" not in written and "<Allied>" not in written and "<Wales>" not in written and "<1>" not in written
