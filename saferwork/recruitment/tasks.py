"""Background tasks: thin, they take ids and send."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django_tasks import task

from saferwork.recruitment.calendar import ICS_MIME, interview_ics
from saferwork.recruitment.models import Interview


@task()
def send_interview_invite(*, interview_id: int, method: str) -> None:
    """Email the candidate their interview invite (or its cancellation) with the .ics file."""
    interview = Interview.objects.select_related("application__round", "slot").get(pk=interview_id)
    application = interview.application
    if not application.email:  # erased since the task was queued
        return
    template = "cancelled" if method == "CANCEL" else ("rescheduled" if interview.ics_sequence else "invite")
    context = {"interview": interview, "application": application, "round": application.round}
    subject = " ".join(render_to_string(f"recruitment/email/interview_{template}_subject.txt", context).split())
    body = render_to_string(f"recruitment/email/interview_{template}_body.txt", context)
    message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[application.email])
    message.attach("interview.ics", interview_ics(interview, method=method), f"{ICS_MIME}; method={method}")
    message.send()
