from __future__ import annotations

import datetime
import json
from unittest import mock

from django.utils import timezone

from saferwork.badges import services
from saferwork.badges.verification import email_matches, verify_credential, verify_stored


def _labels(result):
    return {c.label: c.passed for c in result.checks}


def test_a_fresh_badge_is_valid_and_says_what_was_checked(issue):
    credential = issue()
    for form in (credential.document, json.dumps(credential.document), credential.jwt):
        result = verify_credential(form)
        assert result.status == "valid", result.checks
        assert result.headline == "Valid"
        assert _labels(result) == {
            "Format": True,
            "Signature": True,
            "Issuer": True,
            "Validity period": True,
            "Revocation": True,
            "Recipient": None,
        }
        assert result.credential == credential


def test_one_changed_character_breaks_the_signature(issue):
    credential = issue()
    text = json.dumps(credential.document)
    at = text.index(credential.identity_hash) + 12
    changed = text[:at] + ("0" if text[at] != "0" else "1") + text[at + 1 :]
    result = verify_credential(changed)
    assert result.status == "invalid"
    assert result.headline == "Signature invalid"
    assert _labels(result)["Signature"] is False

    header, payload, signature = credential.jwt.split(".")
    middle = len(payload) // 2
    payload = payload[:middle] + ("A" if payload[middle] != "A" else "B") + payload[middle + 1 :]
    assert verify_credential(f"{header}.{payload}.{signature}").headline == "Signature invalid"


def test_a_badge_signed_by_someone_else_is_not_ours(issue, settings):
    credential = issue()
    settings.BADGE_SIGNING_KEY = "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI="  # another programme's key
    result = verify_credential(credential.document)
    assert result.status == "invalid"
    assert result.headline == "Not signed by this programme"


def test_revoked_badge_says_when(issue, programme_admin):
    credential = issue()
    services.revoke_badge(credential=credential, reason="Issued in error", actor=programme_admin)
    result = verify_stored(credential)
    today = timezone.localtime().date()
    assert result.status == "revoked"
    assert result.headline == f"Revoked on {today.day} {today:%B %Y}"
    assert _labels(result)["Signature"] is True
    assert _labels(result)["Revocation"] is False
    assert "Issued in error" not in json.dumps([c.detail for c in result.checks])  # the reason stays private


def test_expired_badge_says_so_but_the_signature_still_holds(issue):
    past = timezone.now() - datetime.timedelta(days=4 * 366)
    with mock.patch("saferwork.badges.services.timezone.now", return_value=past):
        credential = issue()
    result = verify_credential(credential.document)
    assert result.status == "expired"
    assert result.headline.startswith("Expired on ")
    assert _labels(result)["Signature"] is True
    assert _labels(result)["Validity period"] is False
    assert verify_credential(credential.jwt).status == "expired"


def test_rubbish_is_not_a_badge(db):
    for text in ("", "hello", "{not json", "[1, 2]", "a.b.c"):
        result = verify_credential(text)
        assert result.status == "invalid"
        assert result.headline in {"Not a badge we can check", "Not signed by this programme"}


def test_an_unknown_badge_signed_with_our_key_is_not_valid(issue):
    credential = issue()
    document = credential.document
    credential.delete()
    result = verify_credential(document)
    assert result.status == "invalid"
    assert result.headline == "Not issued by this programme"


def test_email_check_matches_only_the_right_address(issue):
    credential = issue("Pat@Example.org")
    assert email_matches(credential, " pat@example.org")
    assert not email_matches(credential, "pat@example.com")


def test_badges_signed_before_a_key_rotation_still_verify(issue, settings):
    import base64

    from saferwork.badges import keys

    settings.BADGE_SIGNING_KEY = base64.b64encode(b"\x05" * 32).decode()
    old_key = keys.signing_key()
    credential = issue()
    settings.BADGE_SIGNING_KEY = base64.b64encode(b"\x06" * 32).decode()
    assert verify_credential(credential.document).headline == "Not signed by this programme"
    settings.BADGE_RETIRED_PUBLIC_KEYS = [base64.b64encode(old_key.raw_public).decode()]
    assert verify_stored(credential).status == "valid"
