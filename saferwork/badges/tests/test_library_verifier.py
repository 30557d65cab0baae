"""An issued badge checked by openbadgeslib's own verifiers, with the key as we publish it.

Nothing of our verification code runs here: the public key comes from the published
JWK, the credential from the public download, and openbadgeslib decides.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from openbadgeslib.ob3 import OB3LdpVerifier, OB3VerificationError, OB3Verifier

from saferwork.badges import services


def published_public_pem(client: Any) -> bytes:
    jwks = client.get("/badges/jwks.json").json()
    [jwk] = jwks["keys"]
    raw = base64.urlsafe_b64decode(jwk["x"] + "=" * (-len(jwk["x"]) % 4))
    key = Ed25519PublicKey.from_public_bytes(raw)
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def downloader(client: Any) -> Any:
    """What the library fetches over HTTPS, served by our own views through the test client."""

    def fetch(url: str) -> bytes:
        response = client.get(urlsplit(url).path)
        assert response.status_code == 200, url
        return response.content

    return fetch


def tamper(text: str, at: int) -> str:
    replacement = "B" if text[at] != "B" else "C"
    return text[:at] + replacement + text[at + 1 :]


def test_data_integrity_credential_verifies_with_openbadgeslib_and_fails_when_one_character_changes(client, issue):
    credential = issue("pat@example.org", show_topic=False)
    text = client.get(f"/badges/{credential.id}/credential.json").content.decode()
    verifier = OB3LdpVerifier(pubkey_pem=published_public_pem(client))

    verified = verifier.verify(text)
    assert verified.id == f"urn:uuid:{credential.id}"
    assert verified.achievement.name == "Workplace culture training"
    assert verified.identifiers[0].identity_hash == credential.identity_hash

    # One character of the signed content: the W of the achievement's name.
    at = text.index('"name": "Workplace culture training"') + len('"name": "')
    with pytest.raises(OB3VerificationError):
        verifier.verify(tamper(text, at))
    # One character of the recipient's hash.
    at = text.index(credential.identity_hash) + 10
    with pytest.raises(OB3VerificationError):
        verifier.verify(tamper(text, at))


def test_vc_jwt_verifies_with_openbadgeslib_and_fails_when_one_character_changes(client, issue):
    credential = issue("pat@example.org")
    token = client.get(f"/badges/{credential.id}/credential.jwt").content.decode()
    verifier = OB3Verifier(pubkey_pem=published_public_pem(client))

    verified = verifier.verify(token)
    assert verified.achievement.name == "Sexual harassment prevention training"

    header, payload, signature = token.split(".")
    with pytest.raises(OB3VerificationError):
        verifier.verify(".".join([header, tamper(payload, len(payload) // 2), signature]))
    with pytest.raises(OB3VerificationError):
        verifier.verify(".".join([header, payload, tamper(signature, 5)]))


def test_a_credential_signed_by_another_key_fails_the_library_check(client, issue):
    credential = issue()
    stranger = Ed25519PublicKey.from_public_bytes(b"\x02" * 32).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(OB3VerificationError):
        OB3LdpVerifier(pubkey_pem=stranger).verify(json.dumps(credential.document))
    with pytest.raises(OB3VerificationError):
        OB3Verifier(pubkey_pem=stranger).verify(credential.jwt)


def test_openbadgeslib_sees_the_revocation_in_our_published_status_list(client, issue, programme_admin):
    credential = issue()
    verifier = OB3Verifier(pubkey_pem=published_public_pem(client))
    fetch = downloader(client)

    # The list's own signature is checked too (verify_status_list defaults to True).
    verifier.verify(credential.jwt, check_status=True, download=fetch)
    OB3LdpVerifier(pubkey_pem=published_public_pem(client)).verify(
        credential.document, check_status=True, download=fetch
    )

    services.revoke_badge(credential=credential, reason="Issued in error", actor=programme_admin)
    with pytest.raises(OB3VerificationError, match="status 'revocation' is set"):
        verifier.verify(credential.jwt, check_status=True, download=fetch)
    with pytest.raises(OB3VerificationError, match="status 'revocation' is set"):
        OB3LdpVerifier(pubkey_pem=published_public_pem(client)).verify(
            credential.document, check_status=True, download=fetch
        )


def test_other_badges_are_untouched_by_a_revocation(client, issue, programme_admin):
    kept, revoked = issue("a@example.org"), issue("b@example.org")
    services.revoke_badge(credential=revoked, reason="Asked", actor=programme_admin)
    OB3Verifier(pubkey_pem=published_public_pem(client)).verify(
        kept.jwt, check_status=True, download=downloader(client)
    )
