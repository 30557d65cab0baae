"""``{% row_url 'app:name' obj.pk %}``: ``{% url %}`` for links repeated down a table."""

from __future__ import annotations

from django import template

from saferwork.lib.links import row_url as _row_url

register = template.Library()


@register.simple_tag
def row_url(name: str, *args: object) -> str:
    return _row_url(name, *args)
