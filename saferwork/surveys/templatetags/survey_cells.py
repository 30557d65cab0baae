"""Published counts of a survey results table, without an include per cell.

A 40-item results page over 60 departments has some 15,000 cells and a heatmap of
2,400: an ``{% include %}`` or a template loop for each was most of the page's time, so
the rows of an item's table and of the heatmap are written here, escaped as a template
would escape them.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from saferwork.lib.suppression import HIDDEN_LABEL, Cell

register = template.Library()


def _cell(cell: Cell, hidden: str) -> str:
    return hidden if cell.hidden else str(conditional_escape(cell.display))


def _hidden(threshold: int) -> str:
    return str(
        format_html(
            '<span class="sw-suppressed sw-chart__value--hidden">{}</span><span class="govuk-visually-hidden">'
            " (not shown: this count, or one that would let it be worked out, is below {})</span>",
            HIDDEN_LABEL,
            threshold,
        )
    )


@register.simple_tag
def survey_cell(cell: Cell, threshold: int) -> SafeString:
    return mark_safe(_cell(cell, _hidden(threshold)))  # noqa: S308 - every part escaped above


@register.simple_tag
def survey_item_rows(item: Any, threshold: int) -> SafeString:
    """The body rows of one item's table: a row per department, then "All departments"."""
    hidden = _hidden(threshold)
    td = '<td class="govuk-table__cell govuk-table__cell--numeric sw-count">'
    rows = item.rows()
    out = []
    for number, (label, cells, total) in enumerate(rows, start=1):
        last = " sw-total-row" if number == len(rows) and item.with_total else ""
        parts = "".join(f"{td}{_cell(c, hidden)}</td>" for c in cells)
        out.append(
            f'<tr class="govuk-table__row{last}">'
            f'<th scope="row" class="govuk-table__header">{conditional_escape(label)}</th>'
            f"{parts}{td}{_cell(total, hidden)}</td></tr>"
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every part escaped above


@register.simple_tag
def survey_heatmap_rows(heatmap: Any, chosen: Any) -> SafeString:
    """The heatmap's body rows: the value in text, the colour band from a class."""
    out = []
    for number, (label, cells) in enumerate(heatmap.rows, start=1):
        last = " sw-total-row" if number == len(heatmap.rows) and not chosen else ""
        parts = "".join(
            f'<td class="govuk-table__cell sw-heatmap__cell sw-heat--{int(c.band)}">'
            + ('<span class="sw-chart__value--hidden">hidden</span>' if c.hidden else str(conditional_escape(c.text)))
            + "</td>"
            for c in cells
        )
        out.append(
            f'<tr class="govuk-table__row{last}">'
            f'<th scope="row" class="govuk-table__header">{conditional_escape(label)}</th>{parts}</tr>'
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every part escaped above
