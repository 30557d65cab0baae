"""Background tasks: thin, they take ids and hand a kind of email to the one email task."""

from __future__ import annotations

from django_tasks import task

from saferwork.core.tasks import send_email


@task()
def send_interview_invite(*, interview_id: int, method: str) -> None:
    """Email the candidate their interview invite (or its cancellation) with the .ics file."""
    send_email.call(kind="recruitment.interview", ids=[str(interview_id), method])
