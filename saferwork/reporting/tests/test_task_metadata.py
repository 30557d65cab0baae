"""Queued email tasks carry a kind and ids only (DESIGN.md, "Metadata is data").

Run on PostgreSQL with ``TASK_BACKEND=database`` too: the rows checked here are the ones
a real worker claims.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django_tasks_db.models import DBTaskResult

from saferwork.delivery import services as delivery
from saferwork.reporting import services
from saferwork.reporting.models import Report
from saferwork.reporting.tests.helpers import SECRETS_IN_ANSWERS, submit
from saferwork.standards import services as standards
from saferwork.tests import factories
from saferwork.training.tests import factories as tf

pytestmark = pytest.mark.django_db(transaction=True)  # the worker closes its connection

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def every_task_column() -> list[str]:
    """Every column of every task row, as the database holds it (no ORM decoding)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {DBTaskResult._meta.db_table}")  # noqa: S608
        return [str(value) for row in cursor.fetchall() for value in row]


def test_queued_emails_hold_no_address_body_or_token(
    client: Any, settings: Any, reporting_org: Any, handler: Any, programme_host: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # A report with a notification address: the handlers' alert is queued.
    submit(client, reporting_org.slug)
    report = Report.objects.get()
    # A handler replies: the reporter's address is told.
    services.reply(report=report, user=handler, body="Thank you, we will call the depot")
    # A session's attendees get their evaluation and badge links.
    session = tf.session(tf.booking(reporting_org, [tf.trainer(programme_host, email="t@example.org")]), days=0)
    people = [tf.participant(session, n) for n in range(3)]
    delivery.record_attendance(session=session, marks={p.pk: True for p in people}, actor=None)
    # A member is asked to read and acknowledge the organisation's standards.
    asked = factories.member(reporting_org, email="asked.member@example.org", with_device=False)
    standards.publish_version(
        organisation=reporting_org,
        actor=handler,
        kind="standards",
        title="Our behavioural standards",
        label="1",
        body="Respect at work.",
        audience=standards.Audience(people=(asked.pk,)),
    )

    assert DBTaskResult.objects.count() >= 4 and mail.outbox == []
    columns = " ".join(every_task_column())
    assert EMAIL.findall(columns) == []
    words = ["Thank you", "New report", "evaluation/", "badge/claim", "Respect at work"]
    for secret in [*SECRETS_IN_ANSWERS, handler.email, *words]:
        assert secret not in columns

    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert set(DBTaskResult.objects.values_list("return_value", flat=True)) == {None}
    sent = {address for m in mail.outbox for address in m.to}
    assert {handler.email, "private.reporter@example.net", asked.email, *(p.email for p in people)} <= sent
    tokens = [t for m in mail.outbox for t in re.findall(r"/(?:evaluation|badge/claim)/([\w-]+)/", m.body)]
    assert len(tokens) == 6
    columns = " ".join(every_task_column())
    assert EMAIL.findall(columns) == [] and not any(token in columns for token in tokens)

    # Finished rows go on the schedule (README: prune_tasks from cron).
    call_command("prune_tasks", minutes=60, verbosity=0)
    assert DBTaskResult.objects.count() > 0
    DBTaskResult.objects.update(finished_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=2))
    call_command("prune_tasks", minutes=60, verbosity=0)
    assert DBTaskResult.objects.count() == 0
