"""Background tasks: thin, they take a wave's id and hand a kind of email to the one email task."""

from __future__ import annotations

from django_tasks import task

from saferwork.core.tasks import send_email


@task()
def send_reminders(*, survey_id: int) -> None:
    """Remind the people whose invitation is still unused (a used one no longer exists)."""
    send_email.call(kind="surveys.reminder", ids=[str(survey_id)])


@task()
def work_out_results(*, survey_id: int) -> None:
    """Store a closed wave's suppressed tables (every cut a leader can open without choosing
    a department) so that the first leader to look does not wait for them."""
    from saferwork.surveys import results
    from saferwork.surveys.models import Survey

    results.work_out(Survey.objects.get(pk=survey_id))
