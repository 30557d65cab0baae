"""The risk register's emails, rendered in the worker from ids (see ``saferwork.lib.email``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse

from saferwork.actions.selectors import is_member
from saferwork.lib.email import Email, renderer
from saferwork.risk.models import Assessment


@renderer("risk.review_due")
def review_due(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    """The owner's reminder that an assessment is due for review (ids: assessment, ISO day).
    Nothing is sent if it was reviewed in the meantime or the owner has left."""
    assessment = Assessment.objects.select_related("organisation", "owner").filter(pk=ids[0]).first()
    if assessment is None or assessment.owner is None:
        return
    day = dt.date.fromisoformat(ids[1])
    if assessment.review_on > day or not is_member(assessment.organisation, assessment.owner):
        return
    yield Email(
        to=[assessment.owner.email],
        template="risk/email/review_due",
        context={
            "assessment": assessment,
            "organisation": assessment.organisation,
            "owner": assessment.owner,
            "overdue_days": (day - assessment.review_on).days,
            "url": f"{settings.SITE_URL}{reverse('risk:assessment', args=[assessment.pk])}#review",
        },
    )
