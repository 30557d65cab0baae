"""Survey invitations and reminders, rendered in the worker from the wave's id."""

from __future__ import annotations

import random
from collections.abc import Iterable

from django.conf import settings

from saferwork.lib.email import Email, renderer
from saferwork.surveys.models import Invitation, Survey, hash_token, new_token


def _emails(survey: Survey, invitations: list[Invitation], *, reminder: bool) -> list[Email]:
    """Mint a token per invitation here, in the worker: only its hash is stored, only the email holds it.

    A reminder mints a fresh token (the first one was never kept), so the newest link is the one that works.
    """
    random.SystemRandom().shuffle(invitations)
    emails = []
    for invitation in invitations:
        token = new_token()
        invitation.token_hash = hash_token(token)
        invitation.sent = True
        if reminder:
            invitation.reminders += 1
        emails.append(
            Email(
                to=[invitation.email],
                template="surveys/email/reminder" if reminder else "surveys/email/invitation",
                context={
                    "survey": survey,
                    "organisation": survey.organisation,
                    "url": f"{settings.SITE_URL}/survey/i/{token}/",
                    "closes_on": survey.closes_on,
                },
            )
        )
    Invitation.objects.bulk_update(invitations, ["token_hash", "sent", "reminders"])
    return emails


@renderer("surveys.invitation")
def invitation(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    survey = Survey.objects.select_related("organisation").get(pk=ids[0])
    return _emails(survey, list(Invitation.objects.filter(survey=survey, sent=False)), reminder=False)


@renderer("surveys.reminder")
def reminder(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    survey = Survey.objects.select_related("organisation").get(pk=ids[0])
    if survey.status != Survey.Status.LIVE:
        return []
    return _emails(survey, list(Invitation.objects.filter(survey=survey, sent=True)), reminder=True)
