"""Background tasks: thin, they take a wave's id and hand a kind of email to the one email task."""

from __future__ import annotations

from django_tasks import task

from saferwork.core.tasks import send_email


@task()
def send_reminders(*, survey_id: int) -> None:
    """Remind the people whose invitation is still unused (a used one no longer exists)."""
    send_email.call(kind="surveys.reminder", ids=[str(survey_id)])
