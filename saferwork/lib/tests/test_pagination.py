"""Pages without an exact count: the same rows whichever way a page is read."""

from __future__ import annotations

import pytest

from saferwork.audit.models import AuditEntry
from saferwork.lib import pagination
from saferwork.lib.pagination import counted_page, peek_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries() -> list[int]:
    AuditEntry.objects.bulk_create(AuditEntry(action=f"test.entry.{n % 7}") for n in range(130))
    return list(AuditEntry.objects.order_by("action", "-id").values_list("pk", flat=True))


@pytest.mark.parametrize("ids_first_from", [0, 10**9])
def test_every_page_holds_the_right_rows_in_order(entries, monkeypatch, ids_first_from):
    """Read by ids first (deep pages) or in one query: the same rows, the same order."""
    monkeypatch.setattr(pagination, "IDS_FIRST_FROM", ids_first_from)
    ordered = AuditEntry.objects.order_by("action", "-id")
    seen = []
    for number in (1, 2, 3):
        page = peek_page(ordered, 50, number)
        assert page.has_next == (number < 3) and page.has_previous == (number > 1)
        seen += [e.pk for e in page]
    assert seen == entries
    assert peek_page(ordered, 50, "9").number == 1  # past the end: the first page
    assert peek_page(ordered, 50, "nonsense").number == 1


def test_a_count_up_to_the_cap(entries):
    ordered = AuditEntry.objects.order_by("action", "-id")
    page = counted_page(ordered, 50, 2, cap=200)
    assert page.total == 130 and page.num_pages == 3 and len(page) == 50
    over = counted_page(ordered, 50, 1, cap=100)
    assert over.total is None and over.num_pages is None and over.has_next
