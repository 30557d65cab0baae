"""The duty record stays bounded however much an organisation has done.

Each module lists at most ``dutysteps.MAX_STEPS`` steps (with a note saying there were
more, and figures counted in the database), so building the record and both documents
issues the same queries and takes about the same memory at a few hundred steps or many
thousands. The bound stated in the README is checked here with ``tracemalloc``.
"""

from __future__ import annotations

import datetime as dt
import tracemalloc
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from saferwork.actions import selectors as action_selectors
from saferwork.actions.models import Action, Evidence
from saferwork.duty import documents
from saferwork.duty.models import PolicyAudit
from saferwork.duty.record import duty_record
from saferwork.duty.selectors import GAP_SOURCE
from saferwork.lib import dutysteps
from saferwork.risk import services as risk
from saferwork.risk.models import Hazard, Review
from saferwork.risk.selectors import CONTROL_SOURCE

pytestmark = pytest.mark.django_db

# Building the record and both documents with the audit, risk and actions sections at the cap
# (500 steps each) peaked at 5.3 MiB of Python allocations when measured; the README states
# this bound, which leaves room for the other modules at their caps too.
MEMORY_BOUND_MB = 32


def grow(organisation: Any, actor: Any, ehrc: Any, n: int) -> None:
    """``n`` of every kind of step the audit, risk and actions modules record, in the last 300 days."""
    today = action_selectors.today_for(organisation)
    days = [today - dt.timedelta(days=k % 300) for k in range(n)]
    assessment = risk.create_assessment(
        organisation=organisation, kind="corporate", title="Corporate", owner=actor, review_on=today, actor=actor
    )
    Hazard.objects.bulk_create(
        Hazard(
            organisation=organisation,
            assessment=assessment,
            title=f"Hazard {k}",
            inherent_likelihood=4,
            inherent_severity=4,
            current_likelihood=2,
            current_severity=2,
            target_likelihood=2,
            target_severity=2,
            rerated_on=day,
            created_on=day,
        )
        for k, day in enumerate(days)
    )
    Review.objects.bulk_create(
        Review(organisation=organisation, assessment=assessment, reviewed_on=day, next_review_on=today) for day in days
    )
    PolicyAudit.objects.bulk_create(
        PolicyAudit(organisation=organisation, checklist=ehrc, size="large", started_on=day, completed_on=day)
        for day in days
    )
    actions = Action.objects.bulk_create(
        Action(
            organisation=organisation,
            title=f"Action {k}",
            owner=actor,
            due_on=day,
            status=Action.Status.DONE,
            closed_on=day,
            source_kind=(GAP_SOURCE, CONTROL_SOURCE, "manual")[k % 3],
            source_ref=str(k),
            source_label=f"Source {k}",
        )
        for k, day in enumerate(days)
    )
    Evidence.objects.bulk_create(
        Evidence(organisation=organisation, action=a, kind="link", url="/minutes/", label="Minutes", added_on=today)
        for a in actions
    )


def build(organisation: Any, *, traced: bool = False) -> tuple[Any, int, float]:
    """The record for the last year and both its documents: (record, queries, peak MiB or 0)."""
    today = action_selectors.today_for(organisation)
    if traced:
        tracemalloc.start()
    try:
        with CaptureQueriesContext(connection) as queries:
            record = duty_record(organisation, today - dt.timedelta(days=365), today)
            documents.docx_bytes(record)
            documents.pdf_bytes(record)
        peak = tracemalloc.get_traced_memory()[1] if traced else 0
    finally:
        if traced:
            tracemalloc.stop()
    return record, len(queries), peak / (1024 * 1024)


def test_record_queries_and_memory_do_not_grow_past_the_cap(organisation, coordinator, ehrc):
    grow(organisation, coordinator, ehrc, 60)
    _, small_queries, _ = build(organisation)

    # 1,060 of each kind of step: every module's lists reach the cap. Memory measured here,
    # at the most a record can hold of these three modules.
    grow(organisation, coordinator, ehrc, 2 * dutysteps.MAX_STEPS)
    _, queries, peak = build(organisation, traced=True)
    assert peak < MEMORY_BOUND_MB, f"{peak:.1f} MiB"
    # Every figure is counted in the database whatever the size: the same queries.
    assert queries == small_queries

    grow(organisation, coordinator, ehrc, 2 * dutysteps.MAX_STEPS)  # 2,060 of each
    record, more_queries, _ = build(organisation)
    assert more_queries == small_queries

    sections = {s.key: s for s in record.sections}
    for key in ("risk", "duty", "actions"):
        assert len(sections[key].steps) == dutysteps.MAX_STEPS, key
        assert any(f"first {dutysteps.MAX_STEPS}" in note for note in sections[key].notes), key
    figures = {f.label: f.value for s in record.sections for f in s.figures}
    # The figures are counted, not the capped lists' lengths.
    assert figures["Residual risks re-rated"] == 2060 and figures["Risk assessments reviewed"] == 2060
    assert figures["Audits completed"] == 2060 and figures["Actions done in the period"] == 2060
    # Every third action of each batch (60, 1,000, 1,000) answers an audit gap.
    assert figures["Audit gaps closed"] == 20 + 334 + 334


def test_record_page_queries_do_not_grow_with_the_data(
    verified_client, organisation, coordinator, ehrc, django_assert_max_num_queries
):
    client = verified_client(coordinator)
    client.get(reverse("actions:hub"))  # the session's first request does a little more
    grow(organisation, coordinator, ehrc, 40)
    with django_assert_max_num_queries(60) as small:
        assert client.get(reverse("duty:record")).status_code == 200
    grow(organisation, coordinator, ehrc, 2 * dutysteps.MAX_STEPS)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        page = client.get(reverse("duty:record")).content.decode()
    assert len(large.captured_queries) == len(small.captured_queries)
    assert f"More than {dutysteps.MAX_STEPS}" in page
