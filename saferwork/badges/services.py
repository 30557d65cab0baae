"""Writes for badges: issue, revoke, and the programme's default achievement.

The training app calls ``issue_badge`` for an attendee who chose to claim a badge; it
passes plain values, so nothing here depends on training's models. Verification is a
read and lives in ``saferwork.badges.verification`` (re-exported here for callers).
"""

from __future__ import annotations

import secrets
import uuid
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from openbadgeslib.ob3 import IdentityObject, OB3LdpSigner, OB3Signer

from saferwork.audit import services as audit
from saferwork.badges import documents, keys
from saferwork.badges.models import Achievement, Credential
from saferwork.badges.verification import VerificationResult, verify_credential
from saferwork.organisations.models import Organisation

__all__ = [
    "BadgeError",
    "VerificationResult",
    "default_achievement",
    "issue_badge",
    "normalise_email",
    "revoke_badge",
    "verify_credential",
]


class BadgeError(Exception):
    """A badge operation that cannot be done, with a message a person can read."""


def normalise_email(email: str) -> str:
    """The form of an address that is hashed: trimmed and lower-cased."""
    cleaned = (email or "").strip().lower()
    try:
        validate_email(cleaned)
    except ValidationError as exc:
        raise BadgeError("Enter an email address in the correct format, like name@example.com") from exc
    return cleaned


def _add_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February in a year that has none
        return moment.replace(year=moment.year + years, day=28)


def programme_host() -> Organisation:
    host = Organisation.objects.filter(kind=Organisation.Kind.PROGRAMME_HOST).order_by("pk").first()
    if host is None:
        raise BadgeError("There is no programme host organisation to issue badges.")
    return host


@transaction.atomic
def default_achievement(*, organisation: Organisation | None = None) -> Achievement:
    """The programme's one achievement, created with the standard wording the first time."""
    host = organisation or programme_host()
    achievement, _created = Achievement.objects.get_or_create(
        organisation=host,
        slug="sexual-harassment-prevention",
        defaults={
            "name": "Sexual harassment prevention training",
            "description": (
                "Took part in a full-day training session on recognising, responding to and "
                "preventing sexual harassment at work."
            ),
            "criteria": "Attended a full-day session delivered by the programme's trainers.",
            "neutral_slug": "workplace-culture",
            "neutral_name": "Workplace culture training",
            "neutral_description": "Took part in a full-day training session on building a respectful workplace.",
            "neutral_criteria": "Attended a full-day session delivered by the programme's trainers.",
        },
    )
    return achievement


def _free_status_index() -> int:
    taken = set(Credential.objects.values_list("status_index", flat=True))
    if len(taken) >= documents.STATUS_LIST_BITS:
        raise BadgeError("The revocation list is full: a second list is needed before more badges are issued.")
    while True:
        index = secrets.randbelow(documents.STATUS_LIST_BITS)
        if index not in taken:
            return index


def issue_badge(
    *,
    recipient_email: str,
    achievement: Achievement,
    show_topic: bool,
    session_date: date,
    issued_by: Any = None,
) -> Credential:
    """Sign and store an Open Badges 3.0 credential for the person with ``recipient_email``.

    The email is hashed with a fresh salt and then forgotten: only the hash and salt are
    stored and signed. ``show_topic`` chooses the wording that names sexual harassment
    prevention; otherwise the neutral wording is used throughout, URL included. The
    credential is signed twice with the programme's key, once as a Data Integrity proof
    (eddsa-rdfc-2022) and once as a VC-JWT (EdDSA), both by openbadgeslib.
    """
    email = normalise_email(recipient_email)
    for _attempt in range(5):
        try:
            return _issue(
                email=email,
                achievement=achievement,
                show_topic=show_topic,
                session_date=session_date,
                issued_by=issued_by,
            )
        except IntegrityError:  # two issues picked the same random status index at once
            continue
    raise BadgeError("Could not reserve a place in the revocation list; try again.")


@transaction.atomic
def _issue(*, email: str, achievement: Achievement, show_topic: bool, session_date: date, issued_by: Any) -> Credential:
    key = keys.signing_key()
    now = timezone.now().replace(microsecond=0)
    years = settings.BADGE_VALIDITY_YEARS
    valid_until = _add_years(now, years) if years else None
    credential_id = uuid.uuid4()
    salt = secrets.token_hex(16)
    identity = IdentityObject.create(email, salt=salt)
    status_index = _free_status_index()
    organisation = achievement.organisation

    badge = documents.BadgeCredential(
        issuer=documents.ob_issuer(organisation),
        recipient_id=None,
        achievement=documents.ob_achievement(achievement, show_topic=show_topic),
        id=f"urn:uuid:{credential_id}",
        issuance_date=now,
        expiration_date=valid_until,
        identifiers=[identity],
        credential_status=[documents.credential_status_entry(status_index)],
        awarded_date=documents.awarded_datetime(session_date),
    )
    token = OB3Signer(key.private_pem, algorithm="EdDSA").sign(badge)
    secured = OB3LdpSigner(key.private_pem, verification_method=key.url).sign(badge, created=now)

    credential = Credential.objects.create(
        id=credential_id,
        organisation=organisation,
        achievement=achievement,
        show_topic=show_topic,
        identity_hash=identity.identity_hash,
        identity_salt=salt,
        awarded_on=session_date,
        issued_at=now,
        valid_from=now,
        valid_until=valid_until,
        key_id=key.kid,
        status_index=status_index,
        document=secured,
        jwt=token,
        issued_by=issued_by if getattr(issued_by, "is_authenticated", False) else None,
    )
    audit.record(
        action="saferwork.badge.issued",
        actor=issued_by,
        organisation=organisation,
        target=credential,
        data={"achievement": achievement.slug, "show_topic": show_topic, "key": key.kid},
    )
    return credential


@transaction.atomic
def revoke_badge(*, credential: Credential, reason: str, actor: Any) -> Credential:
    """Revoke a badge for good. The public page and the revocation list say so at once."""
    reason = (reason or "").strip()
    if not reason:
        raise BadgeError("Enter the reason for revoking this badge")
    locked = Credential.objects.select_for_update().get(pk=credential.pk)
    if locked.revoked_at is not None:
        raise BadgeError("This badge has already been revoked")
    locked.revoked_at = timezone.now()
    locked.revocation_reason = reason
    locked.revoked_by = actor if getattr(actor, "is_authenticated", False) else None
    locked.save(update_fields=["revoked_at", "revocation_reason", "revoked_by"])
    audit.record(
        action="saferwork.badge.revoked",
        actor=actor,
        organisation=locked.organisation,
        target=locked,
        data={"reason": reason},
    )
    credential.revoked_at = locked.revoked_at
    credential.revocation_reason = locked.revocation_reason
    credential.revoked_by = locked.revoked_by
    return locked
