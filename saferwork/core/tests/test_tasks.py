from __future__ import annotations

from collections.abc import Iterable

import pytest
from django.core import mail
from django.core.management import call_command

from saferwork.core.tasks import send_email
from saferwork.lib.email import Email, queue_email, renderer

pytestmark = pytest.mark.django_db


@renderer("core.test_hello")
def _hello(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    # The templates of an existing kind; the subject is what these tests look at.
    yield Email(to=[f"person{ids[0]}@example.org"], template="reporting/email/reporter_new_message")


def test_email_is_sent_inline_by_default(settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        queue_email("core.test_hello", ids=[7])
    assert [m.to for m in mail.outbox] == [["person7@example.org"]]


def test_an_unknown_kind_fails_in_the_request():
    with pytest.raises(LookupError):
        queue_email("core.no_such_kind", ids=[1])


@pytest.mark.django_db(transaction=True)  # the worker closes its connection, as a real worker does
def test_database_backend_queues_email_until_a_worker_runs(settings):
    # django-tasks rebuilds its backends when the TASKS setting changes.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    result = send_email.enqueue(kind="core.test_hello", ids=["3"])
    assert mail.outbox == []  # nothing happens in the web request
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    result.refresh()
    assert result.status == "SUCCESSFUL"
    assert result.return_value is None
    assert [m.to for m in mail.outbox] == [["person3@example.org"]]


@pytest.mark.django_db(transaction=True)
def test_a_failed_email_leaves_no_address_in_the_task_row(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = "saferwork.core.tests.test_tasks.RefusingBackend"
    send_email.enqueue(kind="core.test_hello", ids=["4"])
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    from django_tasks_db.models import DBTaskResult

    row = DBTaskResult.objects.get()
    assert row.status == "FAILED"
    assert "person4@example.org" not in row.traceback + row.exception_class_path
    assert "EmailNotSent" in row.exception_class_path


class RefusingBackend:
    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def send_messages(self, messages: list[object]) -> int:
        raise OSError(f"Recipient refused: {messages[0].to}")  # type: ignore[attr-defined]
