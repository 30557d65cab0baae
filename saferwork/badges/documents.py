"""The public JSON the programme publishes: issuer profile, keys, achievements, status list.

Everything here is built from our models with openbadgeslib's Open Badges 3.0 classes,
so what we sign and what we publish cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from openbadgeslib.ob3 import Achievement as OBAchievement
from openbadgeslib.ob3 import (
    Issuer,
    OpenBadgeCredential,
    build_status_list_credential,
    sign_status_list_credential,
    status_entry,
)
from openbadgeslib.ob3.credential import _iso

from saferwork.badges import keys
from saferwork.badges.models import Achievement, Credential
from saferwork.organisations.models import Organisation

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
STATUS_LIST_BITS = 131072  # the W3C minimum: a large crowd for each badge's bit to hide in
STATUS_LIST_LIFETIME = timedelta(days=1)


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def issuer_id() -> str:
    return absolute(reverse("badges:issuer"))


def status_list_url() -> str:
    return absolute(reverse("badges:status_list"))


def issuer_name(organisation: Organisation) -> str:
    return settings.BADGE_ISSUER_NAME or organisation.name


def ob_issuer(organisation: Organisation) -> Issuer:
    return Issuer(id=issuer_id(), name=issuer_name(organisation), url=settings.SITE_URL + "/")


def achievement_url(slug: str) -> str:
    return absolute(reverse("badges:achievement", args=[slug]))


def ob_achievement(achievement: Achievement, *, show_topic: bool) -> OBAchievement:
    wording = achievement.wording(show_topic=show_topic)
    return OBAchievement(
        id=achievement_url(wording["slug"]),
        name=wording["name"],
        description=wording["description"],
        criteria_narrative=wording["criteria"],
        achievement_type="Badge",
    )


@dataclass
class BadgeCredential(OpenBadgeCredential):
    """openbadgeslib's credential plus OB 3.0 ``awardedDate``: the day of the session."""

    awarded_date: datetime | None = None

    def to_vc(self) -> dict[str, Any]:
        vc = super().to_vc()
        if self.awarded_date is not None:
            vc["awardedDate"] = _iso(self.awarded_date)
        return vc


def awarded_datetime(day: date) -> datetime:
    # The day only: no time of day, which would say more about the session than needed.
    return datetime.combine(day, time.min, tzinfo=UTC)


def issuer_profile(organisation: Organisation) -> dict[str, Any]:
    """The issuer Profile, listing the keys its badges are signed with."""
    profile: dict[str, Any] = {"@context": [VC_CONTEXT, OB_CONTEXT, MULTIKEY_CONTEXT]}
    profile.update(ob_issuer(organisation).to_dict())
    profile["description"] = "Issues Open Badges 3.0 credentials to people who attended a training session."
    profile["assertionMethod"] = [key_document(key, embedded=True) for key in keys.verification_keys().values()]
    return profile


def key_document(key: keys.ProgrammeKey, *, embedded: bool = False) -> dict[str, Any]:
    """A Multikey verification method (what a Data Integrity proof names) with its JWK."""
    document: dict[str, Any] = {} if embedded else {"@context": [MULTIKEY_CONTEXT]}
    document.update(
        {
            "id": key.url,
            "type": "Multikey",
            "controller": issuer_id(),
            "publicKeyMultibase": key.multibase(),
        }
    )
    if not embedded:
        document["publicKeyJwk"] = key.jwk()
    return document


def jwks() -> dict[str, Any]:
    return {"keys": [key.jwk() for key in keys.verification_keys().values()]}


def achievement_document(achievement: Achievement, *, show_topic: bool) -> dict[str, Any]:
    document: dict[str, Any] = {"@context": [VC_CONTEXT, OB_CONTEXT]}
    document.update(ob_achievement(achievement, show_topic=show_topic).to_dict())
    document["creator"] = ob_issuer(achievement.organisation).to_dict()
    return document


def status_list_jwt(organisation: Organisation) -> str:
    """The revocation list, signed now and valid for a day so an old copy cannot be replayed."""
    revoked = Credential.objects.for_organisation(organisation).filter(revoked_at__isnull=False)
    now = timezone.now()
    unsigned = build_status_list_credential(
        issuer_id(),
        status_list_url(),
        "revocation",
        revoked.values_list("status_index", flat=True),
        size_bits=STATUS_LIST_BITS,
        issued=now,
        valid_until=now + STATUS_LIST_LIFETIME,
    )
    return sign_status_list_credential(unsigned, keys.signing_key().private_pem, "EdDSA")


def credential_status_entry(index: int) -> dict[str, Any]:
    return status_entry(status_list_url(), "revocation", index)
