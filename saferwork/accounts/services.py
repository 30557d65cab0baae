"""Writes for accounts: second factors, invitations, sign-out everywhere."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from saferwork.accounts.backup_codes import BACKUP_CODE_DIGITS, candidate_hashes, hash_backup_code
from saferwork.accounts.models import Invitation, User, _new_stamp
from saferwork.audit import services as audit
from saferwork.lib.email import queue_email
from saferwork.organisations import services as membership_services
from saferwork.organisations.models import ROLE_FLAGS, Organisation

BACKUP_CODE_COUNT = 10


def confirmed_devices(user: User) -> list[Any]:
    return [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def start_totp_enrolment(*, user: User) -> TOTPDevice:
    """Return the person's unconfirmed authenticator, creating one if needed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


@transaction.atomic
def confirm_totp_enrolment(*, user: User, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the authenticator if ``token`` is right; return fresh backup codes."""
    if not device.verify_token(token):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    codes = regenerate_backup_codes(user=user)
    audit.record(action="saferwork.account.two_factor_enrolled", actor=user, target=user)
    return codes


@transaction.atomic
def regenerate_backup_codes(*, user: User) -> list[str]:
    """Replace every backup code with ten new ones, shown to the person once."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="Backup codes", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [f"{secrets.randbelow(10**BACKUP_CODE_DIGITS):0{BACKUP_CODE_DIGITS}d}" for _ in range(BACKUP_CODE_COUNT)]
    # Only a keyed hash is stored: the codes themselves are shown once, now, and never again.
    StaticToken.objects.bulk_create(
        [StaticToken(device=device, token=hash_backup_code(user.pk, code)) for code in codes]
    )
    audit.record(action="saferwork.account.backup_codes_regenerated", actor=user, target=user)
    return codes


@transaction.atomic
def verify_second_factor(*, user: User, token: str) -> Any | None:
    """The device that accepts ``token`` (authenticator first, then a backup code).

    The authenticator row is locked while its code is checked, so one code cannot be
    used twice by requests that arrive together; a backup code is used by whichever
    request deletes it.
    """
    token = "".join(token.split())
    if not token.isdigit():
        return None
    for device in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True):
        if device.verify_token(token):
            return device
    return _use_backup_code(user, token)


def _use_backup_code(user: User, code: str) -> StaticDevice | None:
    if len(code) != BACKUP_CODE_DIGITS:
        return None
    candidates = candidate_hashes(user.pk, code)
    found = None
    # Compare with every stored code in constant time, not through an index lookup.
    for stored in StaticToken.objects.filter(device__user=user, device__confirmed=True).select_related("device"):
        if any(constant_time_compare(stored.token, candidate) for candidate in candidates):
            found = stored
    if found is None:
        return None
    deleted, _ = StaticToken.objects.filter(pk=found.pk).delete()
    if not deleted:  # another request used it first
        return None
    device = found.device
    device.set_last_used_timestamp(commit=True)
    return device


@transaction.atomic
def sign_out_everywhere(*, user: User) -> None:
    """End every session this person has, on every device and web process."""
    user.security_stamp = _new_stamp()
    user.save(update_fields=["security_stamp"])
    audit.record(action="saferwork.account.signed_out_everywhere", actor=user, target=user)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invite(
    *, organisation: Organisation, email: str, full_name: str, flags: list[str], invited_by: User
) -> tuple[Invitation, str]:
    """Create an invitation and email its single-use link. Returns the raw token once.

    Inviting someone with any of ``organisations.services.SUDO_FLAGS`` must happen in
    sudo mode (the view checks). The case-handler flag it carries gives no report access:
    a handler who reads reports grants that separately."""
    unknown = set(flags) - set(ROLE_FLAGS)
    if unknown:
        raise ValueError(f"Unknown role flags: {sorted(unknown)}")
    if "is_programme_admin" in flags and not organisation.is_programme_host:
        raise ValueError("Only the programme host can have programme admins.")
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email.lower(),
        full_name=full_name,
        flags=flags,
        token_hash=_hash_token(token),
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
    )
    audit.record(
        action="saferwork.invitation.sent",
        actor=invited_by,
        organisation=organisation,
        target=invitation,
        data={"flags": flags},
    )
    # The plain token exists only in the request: it travels sealed (see lib/email.py).
    queue_email("accounts.invitation", ids=[invitation.pk], secrets={"token": token})
    return invitation, token


def find_invitation(token: str) -> Invitation | None:
    return Invitation.objects.select_related("organisation").filter(token_hash=_hash_token(token)).first()


@transaction.atomic
def accept_invitation(*, invitation: Invitation, user: User | None, full_name: str, password: str | None) -> User:
    """Turn an invitation into a membership, creating the account if it is new."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise ValueError("This invitation has expired or has already been used.")
    if user is None:
        user = User.objects.create_user(invitation.email, password, full_name=full_name)
    # Roles change only through the audited membership services.
    membership = membership_services.add_roles(
        user=user,
        organisation=invitation.organisation,
        flags=list(invitation.flags),
        actor=invitation.invited_by,
        reason="invitation_accepted",
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit.record(
        action="saferwork.invitation.accepted",
        actor=user,
        organisation=invitation.organisation,
        target=membership,
        data={"flags": invitation.flags},
    )
    return user
