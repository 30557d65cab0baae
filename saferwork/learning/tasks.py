"""Background tasks: thin, they take ids (and a moment or a day) and hand a kind of email to
the one email task. No address, title or anything a learner wrote reaches a task row."""

from __future__ import annotations

from django_tasks import task

from saferwork.core.tasks import send_email


@task()
def send_assigned(*, organisation_id: int, module_id: int, moment: str) -> None:
    """Tell the members assigned ``module_id`` at ``moment`` (ISO) where to find it."""
    send_email.call(kind="learning.assigned", ids=[str(organisation_id), str(module_id), moment])


@task()
def send_reminders(*, organisation_id: int, module_id: int, day: str) -> None:
    """Remind the learners marked for a reminder on ``day`` (ISO) who have still not finished."""
    send_email.call(kind="learning.reminder", ids=[str(organisation_id), str(module_id), day])
