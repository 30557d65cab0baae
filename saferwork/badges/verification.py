"""Verify a badge: its signature, its validity window and whether it was revoked.

Verification is done by openbadgeslib's own verifiers (``OB3LdpVerifier`` for a Data
Integrity proof, ``OB3Verifier`` for a VC-JWT), pinned to the programme's public keys;
our code adds what only the issuer knows (revocation) and turns the outcome into
plain sentences: each ``Check`` says what was checked and what was found.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import jwt as pyjwt
from django.utils import timezone
from django.utils.formats import date_format
from openbadgeslib.ob3 import (
    OB3LdpVerifier,
    OB3VerificationError,
    OB3Verifier,
    OpenBadgeCredential,
    verify_data_integrity_proof,
)

from saferwork.badges import keys
from saferwork.badges.models import Credential

MAX_INPUT_CHARACTERS = 200_000
_JWT_RE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")

DATA_INTEGRITY = "Data Integrity proof (eddsa-rdfc-2022)"
VC_JWT = "VC-JWT (EdDSA)"


@dataclass
class Check:
    label: str
    passed: bool | None  # None: not something that can be checked here
    detail: str


@dataclass
class VerificationResult:
    status: str  # valid | revoked | expired | not_yet_valid | invalid
    headline: str
    checks: list[Check] = field(default_factory=list)
    proof_format: str | None = None
    credential: Credential | None = None
    name: str | None = None
    issuer_name: str | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def is_valid(self) -> bool:
        return self.status == "valid"

    def check(self, label: str) -> Check | None:
        return next((c for c in self.checks if c.label == label), None)


def _day(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "j F Y")


def _invalid(headline: str, checks: list[Check], proof_format: str | None = None) -> VerificationResult:
    return VerificationResult(status="invalid", headline=headline, checks=checks, proof_format=proof_format)


def _parse(value: str | bytes | dict[str, Any]) -> tuple[str, dict[str, Any] | str] | str:
    """(format, document or token), or an error sentence."""
    if isinstance(value, dict):
        return DATA_INTEGRITY, value
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    text = text.strip()
    if not text:
        return "Paste a badge credential: the JSON document or the JWT."
    if len(text) > MAX_INPUT_CHARACTERS:
        return "This is too long to be one of our badge credentials."
    if text.startswith("{"):
        try:
            parsed = json.loads(text)
        except (ValueError, RecursionError):
            return "This is not valid JSON, so it cannot be a credential document."
        if not isinstance(parsed, dict):
            return "This JSON is not a credential document."
        return DATA_INTEGRITY, parsed
    if _JWT_RE.match(text):
        return VC_JWT, text
    return "This is neither a credential JSON document nor a JWT."


def _key_for(proof_format: str, material: dict[str, Any] | str) -> keys.ProgrammeKey | None:
    known = keys.verification_keys()
    if proof_format == DATA_INTEGRITY:
        assert isinstance(material, dict)
        proof = material.get("proof")
        method = proof.get("verificationMethod") if isinstance(proof, dict) else None
        return next((k for k in known.values() if k.url == method), None)
    assert isinstance(material, str)
    # Read the header by hand: a damaged signature must still reach the signature check.
    segment = material.split(".", 1)[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(header, dict):
        return None
    embedded = header.get("jwk")
    jwk: dict[str, Any] = embedded if isinstance(embedded, dict) else {}
    return next((k for k in known.values() if k.jwk()["x"] == jwk.get("x") or k.kid == header.get("kid")), None)


def _signature_matches(proof_format: str, material: dict[str, Any] | str, key: keys.ProgrammeKey) -> bool:
    """The cryptographic check alone, whatever the dates say."""
    try:
        if proof_format == DATA_INTEGRITY:
            assert isinstance(material, dict)
            verify_data_integrity_proof(material, key.public_pem)
        else:
            assert isinstance(material, str)
            pyjwt.decode(
                material,
                key.public_pem,
                algorithms=["EdDSA"],
                options={"verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_aud": False},
            )
    except (OB3VerificationError, pyjwt.exceptions.PyJWTError, ValueError, TypeError):
        return False
    return True


def _parse_unchecked(proof_format: str, material: dict[str, Any] | str) -> OpenBadgeCredential | None:
    try:
        if proof_format == DATA_INTEGRITY:
            assert isinstance(material, dict)
            return OpenBadgeCredential.from_vc_document(material)
        assert isinstance(material, str)
        return OpenBadgeCredential.from_jwt_payload(pyjwt.decode(material, options={"verify_signature": False}))
    except (ValueError, TypeError, KeyError, pyjwt.exceptions.PyJWTError):
        return None


def _record_for(credential_id: str | None) -> Credential | None:
    if not credential_id or not credential_id.startswith("urn:uuid:"):
        return None
    try:
        pk = uuid.UUID(credential_id.removeprefix("urn:uuid:"))
    except ValueError:
        return None
    # Public by design: anyone holding a badge may check it; the id is a random UUID.
    return Credential.objects.select_related("achievement").filter(pk=pk).first()


def verify_credential(document_or_jwt: str | bytes | dict[str, Any]) -> VerificationResult:
    """Check a badge credential as a stranger would, and say what was checked.

    Accepts the JSON document (with its Data Integrity proof) or the compact VC-JWT.
    Checks, in order: it is a credential we can read; it is signed with one of the
    programme's keys and the signature matches; its validity window includes now; the
    programme issued it and has not revoked it.
    """
    parsed = _parse(document_or_jwt)
    if isinstance(parsed, str):
        return _invalid("Not a badge we can check", [Check("Format", False, parsed)])
    proof_format, material = parsed
    checks = [Check("Format", True, f"An Open Badges 3.0 credential secured with a {proof_format}.")]

    key = _key_for(proof_format, material)
    if key is None:
        checks.append(
            Check(
                "Signature",
                False,
                "It does not name any of this programme's public keys, so it was not signed by this programme.",
            )
        )
        return _invalid("Not signed by this programme", checks, proof_format)

    library_error: str | None = None
    verified: OpenBadgeCredential | None = None
    try:
        if proof_format == DATA_INTEGRITY:
            verified = OB3LdpVerifier(pubkey_pem=key.public_pem).verify(material)
        else:
            assert isinstance(material, str)
            verified = OB3Verifier(pubkey_pem=key.public_pem).verify(material)
    except OB3VerificationError as exc:
        library_error = str(exc)

    key_sentence = f"the programme's public key {key.kid} (published at {key.url})"
    if verified is None and not _signature_matches(proof_format, material, key):
        checks.append(
            Check(
                "Signature",
                False,
                f"The {proof_format} does not match {key_sentence}: the credential has been changed since it "
                "was signed, or it was not signed by this programme.",
            )
        )
        return _invalid("Signature invalid", checks, proof_format)
    checks.append(
        Check(
            "Signature",
            True,
            f"The {proof_format} matches {key_sentence}: nothing in the credential has changed since it was signed.",
        )
    )

    badge = verified or _parse_unchecked(proof_format, material)
    if badge is None:
        checks.append(Check("Contents", False, f"The signed contents are not a readable badge: {library_error}"))
        return _invalid("Not a badge we can check", checks, proof_format)

    result = VerificationResult(
        status="valid",
        headline="Valid",
        checks=checks,
        proof_format=proof_format,
        name=badge.name,
        issuer_name=badge.issuer.name,
        valid_from=badge.issuance_date,
        valid_until=badge.expiration_date,
    )
    checks.append(Check("Issuer", True, f"Issued by {badge.issuer.name}, whose profile is at {badge.issuer.id}."))

    now = timezone.now()
    window = f"valid from {_day(badge.issuance_date)}" if badge.issuance_date else "valid from issue"
    window += f" until {_day(badge.expiration_date)}" if badge.expiration_date else " with no end date"
    if badge.expiration_date is not None and badge.expiration_date < now:
        checks.append(Check("Validity period", False, f"It was {window}: it has expired."))
        result.status, result.headline = "expired", f"Expired on {_day(badge.expiration_date)}"
    elif badge.issuance_date is not None and badge.issuance_date > now:
        checks.append(Check("Validity period", False, f"It is {window}: that has not started yet."))
        result.status, result.headline = "not_yet_valid", "Not valid yet"
    elif library_error is not None:
        checks.append(Check("Contents", False, f"openbadgeslib's verifier rejected it: {library_error}"))
        result.status, result.headline = "invalid", "Not a valid badge"
        return result
    else:
        checks.append(Check("Validity period", True, f"It is {window}, and today is within that period."))

    record = _record_for(badge.id)
    result.credential = record
    if record is None:
        checks.append(Check("Revocation", False, "This programme has no record of issuing a badge with this id."))
        result.status, result.headline = "invalid", "Not issued by this programme"
        return result
    if record.revoked_at is not None:
        result.revoked_at = record.revoked_at
        checks.append(Check("Revocation", False, f"The programme revoked this badge on {_day(record.revoked_at)}."))
        result.status, result.headline = "revoked", f"Revoked on {_day(record.revoked_at)}"
    else:
        checks.append(
            Check(
                "Revocation",
                True,
                "Not revoked: checked just now against the programme's own records, "
                "which also feed its published revocation list.",
            )
        )
    checks.append(
        Check(
            "Recipient",
            None,
            "The holder is identified only by a salted hash of their email address, never the address itself. "
            "To be sure the badge is theirs, ask for the address and check it on this page.",
        )
    )
    return result


def verify_stored(credential: Credential) -> VerificationResult:
    """Verify both signed forms we keep for a badge; the JWT copy must agree."""
    result = verify_credential(credential.document)
    copy = verify_credential(credential.jwt)
    signature = copy.check("Signature")
    matches = bool(signature and signature.passed)
    index = next((i for i, c in enumerate(result.checks) if c.label == "Signature"), len(result.checks) - 1) + 1
    result.checks.insert(
        index,
        Check(
            "Signature (JWT copy)",
            matches,
            "The VC-JWT copy (EdDSA) of the same badge also matches the programme's key."
            if matches
            else "The VC-JWT copy of this badge does not match the programme's key.",
        ),
    )
    if not matches and result.status != "invalid":
        result.status, result.headline = "invalid", "Signature invalid"
    return result


def email_matches(credential: Credential, email: str) -> bool:
    """Whether ``email`` is the address this badge was issued to (hashed with its salt)."""
    import hashlib
    import hmac

    candidate = "sha256$" + hashlib.sha256((email.strip().lower() + credential.identity_salt).encode()).hexdigest()
    return hmac.compare_digest(candidate, credential.identity_hash)
