"""Accounts' emails, rendered in the worker from ids (see ``saferwork.lib.email``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from saferwork.accounts.models import Invitation, User
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


@renderer("accounts.password_reset")
def password_reset(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    """The link is minted here, in the worker, so no task argument holds a reset token."""
    user = User.objects.filter(pk=ids[0], is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("accounts:password_reset_confirm", args=[uid, default_token_generator.make_token(user)])
    url = f"{settings.SITE_URL}{path}"
    yield Email(to=[user.email], template="accounts/email/password_reset", context={"url": url})
