"""The trainer pool's table rows, written in Python.

Forty trainers of seven cells each cost the template engine about a third of the page
(variables, conditions, ``join``, ``get_experience_display`` and the number formatting of
every count); the rows are written here with the same markup, every value escaped as the
template escapes it. The headers and the empty row stay in ``training/trainers.html``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from saferwork.core.templatetags.rows import day_list
from saferwork.lib.links import row_url
from saferwork.training.models import TrainerProfile

CELL = '<td class="govuk-table__cell">'
EXPERIENCE = dict(TrainerProfile.Experience.choices)


def trainer_rows(pool: Sequence[Any]) -> SafeString:
    """The ``<tr>`` of each trainer of ``pool`` (with ``upcoming_sessions`` and ``next_booked`` set by the view)."""
    out: list[str] = []
    for t in pool:
        out.append('<tr class="govuk-table__row">')
        inactive = "" if t.is_active else ' <strong class="govuk-tag govuk-tag--grey">Inactive</strong>'
        union = f"Member of {escape(t.home_union.name)}" if t.home_union else "No union recorded"
        out.append(
            f'{CELL}<a class="govuk-link" href="{row_url("training:trainer_edit", t.pk)}">{escape(t.name)}</a>'
            f'{inactive}<br><span class="govuk-body-s">{union}</span></td>'
        )
        out.append(f"{CELL}{', '.join(escape(r) for r in t.regions) or '–'}</td>")
        modes = ", ".join(m for m, yes in (("Online", t.delivers_online), ("in person", t.delivers_in_person)) if yes)
        co_tutors = "<br>Co-tutors" if t.co_tutors else ""
        out.append(f"{CELL}{modes}{co_tutors}</td>")
        access = f'<br><span class="govuk-body-s">{escape(t.access_needs_met)}</span>' if t.access_needs_met else ""
        out.append(f"{CELL}{escape(t.languages)}{access}</td>")
        out.append(
            f'{CELL}{escape(EXPERIENCE.get(t.experience, t.experience))}<br><span class="govuk-body-s">'
            f"{t.sessions_delivered} delivered, {t.upcoming_sessions} upcoming</span></td>"
        )
        out.append(f"{CELL}{escape(t.day_rate_pounds)}</td>")
        out.append(f"{CELL}{day_list(t.next_booked)}</td>")
        out.append("</tr>\n")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped or a number
