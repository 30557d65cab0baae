"""The reach dashboard's long tables, written in Python.

The breakdown by organisation has a row for each of up to several hundred
organisations, and the evaluation by trainer one for each trainer: as template loops
they were a third of the dashboard's rendering. These filters write the same rows, every
label and figure escaped as the template escapes it; the tables' headers and totals stay
in ``reach/dashboard.html``.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

COUNT = '<td class="govuk-table__cell govuk-table__cell--numeric sw-count">'
NUMERIC = '<td class="govuk-table__cell govuk-table__cell--numeric">'


@register.filter
def breakdown_rows(breakdown: Any) -> SafeString:
    """A breakdown's rows: its label, then its sessions (where it counts them) and attendees."""
    with_sessions = breakdown.with_sessions
    out: list[str] = []
    for row in breakdown.rows:
        sessions = f"{COUNT}{escape(row.sessions.display)}</td>" if with_sessions else ""
        out.append(
            f'<tr class="govuk-table__row"><th scope="row" class="govuk-table__header sw-break-anywhere">'
            f"{escape(row.label)}</th>{sessions}{COUNT}{escape(row.attendees.display)}</td></tr>\n"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


@register.filter
def trainer_rows(by_trainer: Any) -> SafeString:
    """The evaluation by trainer: answers, and the day's and the trainers' average ratings."""
    out = [
        f'<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{escape(row.name)}</th>'
        f"{NUMERIC}{escape(row.answers.display)}</td>{NUMERIC}{escape(row.overall or '–')}</td>"
        f"{NUMERIC}{escape(row.trainers or '–')}</td></tr>"
        for row in by_trainer
    ]
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
