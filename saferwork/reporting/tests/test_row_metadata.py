"""Row metadata on PostgreSQL (``xmin``, ``ctid``, ids) does not follow a person's action:
a statistics counter is not linked to the report that changed it, an evaluation answer
not to the link it spent. On SQLite only the row-level checks run."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection

from saferwork.delivery.models import EvaluationAnswer, EvaluationToken
from saferwork.delivery.tests.factories import answer, links_in_outbox, record_all_attended
from saferwork.reporting import statistics
from saferwork.reporting.models import Report, ReportTally
from saferwork.reporting.tests.helpers import submit
from saferwork.training.tests import factories as tf

pytestmark = pytest.mark.django_db


def xmins(model: Any) -> dict[str, str]:
    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id::text, xmin::text FROM {model._meta.db_table}")  # noqa: S608
        return dict(cursor.fetchall())


def physical_order(model: Any) -> list[str]:
    order = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {model._meta.db_table} ORDER BY {order}")  # noqa: S608
        return [str(uuid.UUID(str(row[0]))) for row in cursor.fetchall()]


def test_no_counter_row_carries_a_reports_transaction(client: Any, reporting_org: Any, handler: Any) -> None:
    for _ in range(3):
        submit(client, reporting_org.slug)
        client.cookies.clear()
    assert not ReportTally.objects.exists()
    statistics.fold_pending_tallies()
    assert ReportTally.objects.filter(dimension="behaviour", value="touching").get().count == 3
    report_xmins = set(xmins(Report).values())
    counter_xmins = set(xmins(ReportTally).values())
    if connection.vendor == "postgresql":
        assert report_xmins and counter_xmins and not report_xmins & counter_xmins
        assert len(counter_xmins) == 1  # one fold wrote them all


def test_no_answer_row_follows_the_link_it_spent(
    programme_host: Any, organisation: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # The links are read from the emails: send them inline whatever TASK_BACKEND says.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    trainer = tf.trainer(programme_host, email="trainer@example.org")
    session = tf.session(tf.booking(organisation, [trainer]), days=0)
    for n in range(10):
        tf.participant(session, n)
    with django_capture_on_commit_callbacks(execute=True):
        record_all_attended(session, trainer.user)
    tokens = links_in_outbox("evaluation")
    ids_in_arrival_order = []
    for n, token in enumerate(tokens):
        ids_in_arrival_order.append(str(answer(token, free_text=f"answer {n}").pk))
    # Two full groups published; each group rewritten at once, shuffled, under fresh keys.
    published = EvaluationAnswer.objects.filter(release__isnull=False)
    assert published.count() == 10
    assert not set(ids_in_arrival_order) & {str(pk) for pk in published.values_list("pk", flat=True)}
    by_text = dict(published.values_list("free_text", "pk"))
    order = physical_order(EvaluationAnswer)
    arrival = [str(by_text[f"answer {n}"]) for n in range(10)]
    assert order != arrival  # shuffled within each group (the chance of a false alarm is 1 in 14,400)
    # Spent links are gone: no live token row was written by an answer's transaction.
    assert not EvaluationToken.objects.filter(session=session).exists()
    answer_xmins = set(xmins(EvaluationAnswer).values())
    assert not answer_xmins & set(xmins(EvaluationToken).values())
    if connection.vendor == "postgresql":
        assert len(answer_xmins) == 2  # one per published group
