"""Background tasks: thin, they take a version's id and hand a kind of email to the one email task."""

from __future__ import annotations

from django_tasks import task

from saferwork.core.tasks import send_email


@task()
def send_asked(*, version_id: int, moment: str) -> None:
    """Ask the people added to ``version_id`` at ``moment`` (ISO) to read and acknowledge it."""
    send_email.call(kind="standards.asked", ids=[str(version_id), moment])


@task()
def send_reminders(*, version_id: int, day: str) -> None:
    """Remind the people marked for a reminder on ``day`` (ISO) who have still not acknowledged."""
    send_email.call(kind="standards.reminder", ids=[str(version_id), day])
