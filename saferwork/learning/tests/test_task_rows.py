"""Learning's queued emails hold ids only: no address, title or reflection in a task row."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django_tasks_db.models import DBTaskResult

from saferwork.actions.selectors import today_for
from saferwork.learning import services
from saferwork.learning.tests.conftest import build_module

pytestmark = pytest.mark.django_db(transaction=True)  # the worker closes its connection

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
TITLE = "Confidential module title"
REFLECTION = "WORDS-ONLY-THE-LEARNER-READS"


def every_task_column() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {DBTaskResult._meta.db_table}")  # noqa: S608
        return [str(value) for row in cursor.fetchall() for value in row]


def test_assignment_and_reminder_tasks_hold_no_learner_content(
    settings: Any, organisation: Any, coordinator: Any, learner: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    module = build_module(organisation=organisation, actor=coordinator, title=TITLE)
    today = today_for(organisation)
    services.assign(
        module=module,
        organisation=organisation,
        people=[services.Assignee(learner.email)],
        actor=coordinator,
        due_on=today + dt.timedelta(days=1),
    )
    enrolment = services.start(enrolment=module.enrolments.get())
    reflect = enrolment.version.steps.get(kind="reflection")  # type: ignore[union-attr]
    services.save_reflection(enrolment=enrolment, step=reflect, owner=learner, text=REFLECTION)
    services.send_due_reminders(today=today)

    assert DBTaskResult.objects.count() == 2 and mail.outbox == []
    columns = " ".join(every_task_column())
    assert EMAIL.findall(columns) == []
    for secret in (TITLE, REFLECTION, learner.email, "learning/modules"):
        assert secret not in columns

    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert set(DBTaskResult.objects.values_list("return_value", flat=True)) == {None}
    assert [m.to for m in mail.outbox] == [[learner.email], [learner.email]]
    assert all(REFLECTION not in m.body for m in mail.outbox)
