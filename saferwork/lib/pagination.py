"""Pages without an exact COUNT: read one row more than the page to know whether a next page exists.

Django's ``Paginator`` counts every matching row to say "page 3 of 1,320"; on a log of
tens of thousands of rows that count costs more than the page itself. A ``PeekPage``
says only "page 3", with Previous and Next. ``counted_page`` also counts, but only up to a
cap: "120 cases, page 1 of 3" for any list a person reads through, "more than 1,000" for
one that long, at the cost of at most the cap's rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from math import ceil
from typing import Any

from django.db.models import QuerySet


@dataclass
class PeekPage:
    object_list: list[Any]
    number: int
    has_next: bool
    per_page: int
    total: int | None = None  # how many rows match, when counted and at most the cap

    @property
    def num_pages(self) -> int | None:
        return None if self.total is None else max(1, ceil(self.total / self.per_page))

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


# From this many rows in, a page's ids are read first and its rows then fetched by id:
# the rows skipped by the OFFSET are then only ids, not every joined column.
IDS_FIRST_FROM = 500


def peek_page(queryset: QuerySet[Any], per_page: int, number: Any) -> PeekPage:
    """Page ``number`` (1 for anything that is not a positive whole number): one query, or
    two deep into a long list."""
    try:
        page = max(1, int(number))
    except (TypeError, ValueError):
        page = 1
    start = (page - 1) * per_page
    if start >= IDS_FIRST_FROM:
        ids = list(queryset.values_list("pk", flat=True)[start : start + per_page + 1])
        found = {row.pk: row for row in queryset.filter(pk__in=ids)}
        rows = [found[pk] for pk in ids if pk in found]
    else:
        rows = list(queryset[start : start + per_page + 1])
    if not rows and page > 1:
        # Past the end (an old link): the first page rather than an empty one.
        return peek_page(queryset, per_page, 1)
    return PeekPage(object_list=rows[:per_page], number=page, has_next=len(rows) > per_page, per_page=per_page)


def counted_page(queryset: QuerySet[Any], per_page: int, number: Any, *, cap: int = 1000) -> PeekPage:
    """``peek_page`` with the matching rows counted up to ``cap`` (``total`` is None past it)."""
    counted = queryset.order_by()[: cap + 1].count()
    page = peek_page(queryset, per_page, number)
    page.total = counted if counted <= cap else None
    return page
