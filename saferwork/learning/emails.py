"""Learning's emails, rendered in the worker from ids (see ``saferwork.lib.email``).

One message per learner: nobody sees who else was assigned. A learner who finished, left
the organisation or whose assignment was removed in the meantime is left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse

from saferwork.actions.selectors import today_for
from saferwork.learning.models import Enrolment, Module
from saferwork.learning.selectors import published
from saferwork.lib.email import Email, renderer
from saferwork.organisations.models import Organisation


def _current(ids: list[str]) -> tuple[Organisation, Module, QuerySet[Enrolment]] | None:
    organisation = Organisation.objects.filter(pk=ids[0]).first()
    module = Module.objects.filter(pk=ids[1]).first()
    if organisation is None or module is None:
        return None
    enrolments = (
        Enrolment.objects.filter(
            organisation=organisation,
            module=module,
            assigned=True,
            unassigned_at__isnull=True,
            completed_at__isnull=True,
            user__isnull=False,
            user__is_active=True,
            user__memberships__organisation=organisation,
        )
        .select_related("user", "version")
        .order_by("id")
    )
    return organisation, module, enrolments


def _emails(
    organisation: Organisation, module: Module, enrolments: Iterable[Enrolment], *, template: str, day: dt.date
) -> Iterable[Email]:
    url = f"{settings.SITE_URL}{reverse('learning:module', args=[module.pk])}"
    latest = published([module.pk]).get(module.pk)
    for found in enrolments:
        version = found.version or latest
        if version is None:
            continue
        yield Email(
            to=[found.user.email],  # type: ignore[union-attr]
            template=f"learning/email/{template}",
            context={
                "organisation": organisation,
                "version": version,
                "person": found.user,
                "due_on": found.due_on,
                "overdue": found.due_on is not None and found.due_on < day,
                "started": found.started_at is not None,
                "url": url,
            },
        )


@renderer("learning.assigned")
def assigned(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    found = _current(ids)
    if found is None:
        return []
    organisation, module, enrolments = found
    moment = dt.datetime.fromisoformat(ids[2])
    return list(
        _emails(
            organisation,
            module,
            enrolments.filter(assigned_at=moment),
            template="assigned",
            day=today_for(organisation),
        )
    )


@renderer("learning.reminder")
def reminder(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    found = _current(ids)
    if found is None:
        return []
    organisation, module, enrolments = found
    day = dt.date.fromisoformat(ids[2])
    return list(_emails(organisation, module, enrolments.filter(last_reminded_on=day), template="reminder", day=day))
