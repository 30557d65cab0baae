"""Background tasks: thin, they take ids and hand a kind of email to the one email task."""

from __future__ import annotations

from django_tasks import task

from saferwork.core.tasks import send_email


@task()
def send_overdue_reminder(*, organisation_id: int, owner_id: int, day: str) -> None:
    """Email one owner the list of their actions in one organisation reminded about on ``day`` (ISO)."""
    send_email.call(kind="actions.overdue", ids=[str(organisation_id), str(owner_id), day])
