"""Reporting's emails, rendered in the worker from ids (see ``saferwork.lib.email``).

An alert about something a reporter did (a new report, a new message) is queued with
the organisation and the handlers to tell, never the report: a task row with a report id
and an exact enqueue time would date the report to the second. The email therefore names
no reference; the handler finds the report on the dashboard.

Reporting's emails are never signed by the programme's contact or by a handler: to
handlers they are signed by the organisation's reporting team, and to a reporter by "the
reporting team" alone, naming no organisation and no person, with no address to reply
to: a reporter's mailbox may be read by someone else, and replies belong on the
follow-up page.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from saferwork.lib.email import Email, Signature, renderer
from saferwork.organisations.models import Organisation
from saferwork.reporting import selectors
from saferwork.reporting.models import Report

TEAM = "The reporting team"


def _team_signature(organisation: Organisation) -> Signature:
    return Signature(
        name=TEAM,
        role=organisation.name,
        how_to_reach="Write to the reporter and to other handlers on the case in SaferWork, never by email.",
    )


REPORTER_SIGNATURE = Signature(name=TEAM, how_to_reach="Reply on the follow-up page, with your receipt.")


def _handler_alert(ids: list[str], template: str) -> Iterable[Email]:
    organisation = Organisation.objects.get(pk=ids[0])
    wanted = {int(pk) for pk in ids[1:]}
    # Still a handler when the worker runs: someone removed since gets nothing.
    recipients = [u.email for u in selectors.handlers(organisation) if u.pk in wanted]
    today = selectors.today_for(organisation)
    yield Email(
        to=recipients,
        template=template,
        context={
            "organisation": organisation,
            "acknowledge_by": selectors.add_working_days(today, settings.REPORTING_ACK_WORKING_DAYS),
            "url": f"{settings.SITE_URL}/reporting/",
        },
        signature=_team_signature(organisation),
    )


@renderer("reporting.new_report")
def new_report(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    return _handler_alert(ids, "reporting/email/new_report")


@renderer("reporting.new_message")
def new_message(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    return _handler_alert(ids, "reporting/email/new_message")


@renderer("reporting.overdue")
def overdue(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    """A scheduled escalation (no reporter action): the report id is safe to carry."""
    report = Report.objects.select_related("organisation", "assigned_to").get(pk=ids[0])
    excluded = selectors.excluded_user_ids(report)
    yield Email(
        to=[u.email for u in selectors.handlers(report.organisation) if u.pk not in excluded],
        template="reporting/email/overdue",
        context={"report": report, "organisation": report.organisation, "url": f"{settings.SITE_URL}/reporting/"},
        signature=_team_signature(report.organisation),
    )


@renderer("reporting.reporter_new_message")
def reporter_new_message(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    """The reporter's address is unsealed here, in the worker, from the report row."""
    from saferwork.reporting.services import notify_email_of

    report = Report.objects.select_related("organisation").filter(pk=ids[0]).first()
    if report is None:
        return
    yield Email(
        to=[notify_email_of(report)],
        template="reporting/email/reporter_new_message",
        context={"url": f"{settings.SITE_URL}/report/{report.organisation.slug}/follow-up/"},
        signature=REPORTER_SIGNATURE,
    )
