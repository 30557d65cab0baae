"""Actions' emails, rendered in the worker from ids (see ``saferwork.lib.email``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse

from saferwork.accounts.models import User
from saferwork.actions import selectors
from saferwork.actions.models import Action
from saferwork.lib.email import Email, renderer
from saferwork.organisations.models import Organisation


@renderer("actions.overdue")
def overdue(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    """The owner's actions reminded about on the day queued (ids: organisation, owner, ISO
    day) that are still open when the worker runs: one marked done in the meantime is left
    out, and with none left nothing is sent."""
    organisation = Organisation.objects.get(pk=ids[0])
    owner = User.objects.get(pk=ids[1])
    if not selectors.is_member(organisation, owner):
        return
    today = dt.date.fromisoformat(ids[2])
    due = list(
        Action.objects.for_organisation(organisation)
        .filter(owner=owner, last_reminded_on=today)
        .filter(selectors.overdue_q(today))
        .order_by("due_on", "id")[:50]
    )
    if not due:
        return
    yield Email(
        to=[owner.email],
        template="actions/email/overdue",
        context={
            "organisation": organisation,
            "owner": owner,
            "actions": [
                (a, (today - a.due_on).days, f"{settings.SITE_URL}{reverse('actions:detail', args=[a.pk])}")
                for a in due
            ],
            "hub_url": f"{settings.SITE_URL}{reverse('actions:hub')}?overdue=on",
        },
    )
