"""The long-table helpers write what Django's own tags and filters would."""

from __future__ import annotations

import datetime as dt

from django.template import Context, Template


def _render(source: str, **context: object) -> str:
    return Template("{% load rows %}" + source).render(Context(context))


def test_day_list_writes_each_month_as_the_date_filter_does() -> None:
    day_of = [1, 9, 10, 28, 31, 5, 4, 15, 30, 3, 11, 25]
    days = [dt.date(2026, month, day_of[month - 1]) for month in range(1, 13)]
    loop = '{% for d in days %}{{ d|date:"j M" }}{% if not forloop.last %}, {% endif %}{% endfor %}'
    expected = _render(loop, days=days)
    assert _render("{{ days|day_list }}", days=days) == expected
    assert expected.startswith("1 Jan, 9 Feb") and expected.endswith("25 Dec")


def test_day_month_year_writes_each_month_as_the_date_filter_does() -> None:
    for month in range(1, 13):
        day = dt.date(2026 + month % 3, month, 1 + (month * 7) % 28)
        assert _render("{{ d|day_month_year }}", d=day) == _render('{{ d|date:"j M Y" }}', d=day)
    assert _render("{{ d|day_month_year }}", d=dt.date(2027, 9, 3)) == "3 Sep 2027"


def test_day_list_shows_a_dash_for_no_dates() -> None:
    assert _render("{{ days|day_list }}", days=[]) == "–"


def test_row_url_in_a_template_is_the_url_tag() -> None:
    source = "{% row_url 'delivery:attendance' s %} {% url 'delivery:attendance' s %}"
    ours, django = _render(source, s=12).split()
    assert ours == django == "/delivery/sessions/12/attendance/"
