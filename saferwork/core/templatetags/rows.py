"""Helpers for long tables, where Django's general tags cost more per row than the row does.

``{% row_url 'app:name' obj.pk %}`` is ``{% url %}`` for a link repeated down a table (see
``saferwork.lib.links``). ``{{ days|day_list }}`` writes dates as ``{{ d|date:"j M" }}``
would, separated by commas, with a dash for none: one call for a row's dates instead of
a loop of date filters. ``{{ day|day_month_year }}`` is ``{{ day|date:"j M Y" }}`` for a
date (not a datetime: no time zone to convert).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django import template
from django.utils.dates import MONTHS_3

from saferwork.lib.links import row_url as _row_url

register = template.Library()


@register.simple_tag
def row_url(name: str, *args: object) -> str:
    return _row_url(name, *args)


def _day_month(day: dt.date) -> str:
    return f"{day.day} {str(MONTHS_3[day.month]).title()}"


@register.filter
def day_list(days: Iterable[dt.date]) -> str:
    """``3 Dec, 10 Dec``: day and month, as the ``date`` filter's ``"j M"`` writes them."""
    return ", ".join(_day_month(day) for day in days) or "–"


@register.filter
def day_month_year(day: dt.date) -> str:
    """``3 Dec 2026``, as the ``date`` filter's ``"j M Y"`` writes a date."""
    return f"{_day_month(day)} {day.year}"
