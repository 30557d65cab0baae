"""The shortlisting and interview lists' table rows, written in Python.

A page shows 50 applications of up to 11 cells each, and every cell asks the template
engine for a few variables, conditions and filters: about a third of the page's time
went on the rows' template work (profiled on the benchmark's round of 2,000). The rows
are written here with the same markup as the GOV.UK table pattern the rest of the page
uses; the headers, the empty row and everything around stay in
``recruitment/applications.html``. Every value is escaped as the template escapes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import dateformat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime

from saferwork.lib.links import row_url
from saferwork.recruitment.models import Stage

CELL = '<td class="govuk-table__cell">'
NUMERIC = '<td class="govuk-table__cell govuk-table__cell--numeric">'
HUNDREDTH = Decimal("0.01")


def two_places(value: Decimal | float | int) -> str:
    """``value`` to two decimal places, as ``{{ value|floatformat:2 }}`` writes a score (half up)."""
    return str(Decimal(str(value)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP))


def application_rows(
    rows: Sequence[Any],
    *,
    round_pk: int,
    stage: str,
    identities: bool,
    panellist: bool,
    selectable: bool,
) -> SafeString:
    """The ``<tr>`` of each of ``rows`` (``page_rows``' applications with ``can_see_scores``,
    ``wide`` and ``named`` set by the view).

    ``identities``: the name column is shown; ``panellist``: the viewer's own column
    ("Scored", "To score", "Conflict"); ``selectable``: a checkbox for the bulk actions.
    """
    interview = stage == Stage.INTERVIEW
    route = "recruitment:interview" if interview else "recruitment:application"
    out: list[str] = []
    for a in rows:
        pk, reference, summary = a.pk, a.reference, a.summary
        out.append('<tr class="govuk-table__row">')
        if selectable:
            out.append(
                f'{CELL}<div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">'
                f'<div class="govuk-checkboxes__item"><input class="govuk-checkboxes__input" id="select-{pk}" '
                f'name="ids" type="checkbox" value="{pk}"><label class="govuk-label govuk-checkboxes__label" '
                f'for="select-{pk}"><span class="govuk-visually-hidden">Select {reference}</span></label>'
                "</div></div></td>"
            )
        out.append(f'{CELL}<a class="govuk-link" href="{row_url(route, round_pk, pk)}">{reference}</a></td>')
        if identities:
            name = escape(a.full_name) if a.named else '<span class="govuk-body-s">Not shown to the panel</span>'
            out.append(f"{CELL}{name}</td>")
        out.append(f"{CELL}{escape(a.region)}</td>")
        out.append(f"{CELL}{escape(a.get_background_display())}</td>")
        out.append(f"{CELL}{escape(a.get_status_display())}</td>")
        if interview:
            out.append(f"{CELL}{_interview(a)}</td>")
        out.append(f"{NUMERIC}{summary.sheets}</td>")
        if a.can_see_scores:
            out.append(f"{NUMERIC}{_mean(summary)}</td>")
            out.append(f"{NUMERIC}{_spread(summary, a.wide)}</td>")
        else:
            out.append(
                '<td class="govuk-table__cell govuk-table__cell--numeric" colspan="2">'
                '<span class="govuk-body-s">Hidden until you score</span></td>'
            )
        if panellist:
            out.append(f"{CELL}{_own_tag(summary)}</td>")
        out.append("</tr>\n")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped or a number


def _interview(a: Any) -> str:
    interview = a.interview
    if interview.cancelled_at:
        return "Cancelled"
    if interview.slot:
        return escape(dateformat.format(localtime(interview.slot.starts_at), "j M H:i"))
    return "–"


def _mean(summary: Any) -> str:
    text = two_places(summary.mean) if summary.mean is not None else "–"
    if summary.moderated is not None:
        text += f'<br><span class="govuk-body-s">Moderated {two_places(summary.moderated)}</span>'
    return text


def _spread(summary: Any, wide: bool) -> str:
    text = two_places(summary.spread) if summary.spread is not None else "–"
    if wide:
        text += ' <strong class="govuk-tag govuk-tag--orange">Wide disagreement</strong>'
        if summary.wide_on:
            text += f'<br><span class="govuk-body-s">On {escape(", ".join(summary.wide_on))}</span>'
    return text


def _own_tag(summary: Any) -> str:
    if summary.conflicted:
        return '<strong class="govuk-tag govuk-tag--grey">Conflict</strong>'
    if summary.mine:
        return '<strong class="govuk-tag govuk-tag--green">Scored</strong>'
    return '<strong class="govuk-tag govuk-tag--blue">To score</strong>'
