"""Accounts' emails, rendered in the worker from ids (see ``saferwork.lib.email``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from saferwork.accounts.models import Invitation
from saferwork.lib.email import Email, renderer


@renderer("accounts.invitation")
def invitation(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    found = Invitation.objects.select_related("organisation").get(pk=ids[0])
    yield Email(
        to=[found.email],
        template="accounts/email/invitation",
        context={
            "invitation": found,
            "url": f"{settings.SITE_URL}/invitations/{secrets['token']}/",
            "days": settings.INVITATION_DAYS,
        },
    )
