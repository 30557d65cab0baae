from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command

from saferwork.core.tasks import send_email

pytestmark = pytest.mark.django_db


def test_email_is_sent_inline_by_default():
    send_email.enqueue(to=["someone@example.org"], subject="Hello", body="Inline")
    assert [m.subject for m in mail.outbox] == ["Hello"]


@pytest.mark.django_db(transaction=True)  # the worker closes its connection, as a real worker does
def test_database_backend_queues_email_until_a_worker_runs(settings):
    # django-tasks rebuilds its backends when the TASKS setting changes.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    result = send_email.enqueue(to=["someone@example.org"], subject="Queued", body="Later")
    assert mail.outbox == []  # nothing happens in the web request
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    result.refresh()
    assert result.status == "SUCCESSFUL"
    assert [m.subject for m in mail.outbox] == ["Queued"]
