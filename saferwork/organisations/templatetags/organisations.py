from __future__ import annotations

from typing import Any

from django import template

from saferwork.organisations import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def pending_join_requests(context: Any) -> int:
    """How many requests to join the current organisation wait for its coordinators."""
    request = context.get("request")
    return selectors.pending_join_request_count(request) if request is not None else 0
