"""Background tasks: thin, they take ids and hand a kind of email to the one email task."""

from __future__ import annotations

from django_tasks import task

from saferwork.core.tasks import send_email


@task()
def send_review_reminder(*, assessment_id: int, day: str) -> None:
    """Email the owner of one assessment whose review fell due (reminded on ``day``, ISO)."""
    send_email.call(kind="risk.review_due", ids=[str(assessment_id), day])
