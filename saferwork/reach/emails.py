"""Reach's emails, rendered in the worker from ids (see ``saferwork.lib.email``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from saferwork.lib.email import Email, renderer
from saferwork.reach.models import DataAccessToken


@renderer("reach.data_access")
def data_access(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    access = DataAccessToken.objects.filter(pk=ids[0]).first()
    if access is None:
        return
    yield Email(
        to=[access.email],
        template="reach/email/data_access",
        context={"url": f"{settings.SITE_URL}/my-data/{secrets['token']}/", "hours": settings.DATA_ACCESS_LINK_HOURS},
    )
