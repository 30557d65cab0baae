from __future__ import annotations

import datetime
import hashlib
import json
from unittest import mock

import jwt
import pytest
from django.utils import timezone

from saferwork.audit.models import AuditEntry
from saferwork.badges import services
from saferwork.badges.models import Credential


def _everything_stored(credential: Credential) -> str:
    payload = jwt.decode(credential.jwt, options={"verify_signature": False})
    row = {f.attname: str(getattr(credential, f.attname)) for f in Credential._meta.concrete_fields}
    return json.dumps([row, credential.document, payload])


def test_badge_identifies_the_holder_by_a_salted_hash_only(issue):
    credential = issue("Pat.Example@Example.org ")
    stored = _everything_stored(credential)
    assert "pat.example@example.org" not in stored.lower()
    subject = credential.document["credentialSubject"]
    assert set(subject) == {"type", "achievement", "identifier"}  # no id, name, union or role
    [identity] = subject["identifier"]
    expected = hashlib.sha256(("pat.example@example.org" + credential.identity_salt).encode()).hexdigest()
    assert identity == {
        "type": "IdentityObject",
        "hashed": True,
        "identityHash": f"sha256${expected}",
        "identityType": "emailAddress",
        "salt": credential.identity_salt,
    }
    assert credential.identity_hash == f"sha256${expected}"


def test_each_badge_gets_its_own_salt(issue):
    first, second = issue("pat@example.org"), issue("pat@example.org")
    assert first.identity_salt != second.identity_salt
    assert first.identity_hash != second.identity_hash


def test_neutral_wording_never_names_the_topic(issue):
    credential = issue(show_topic=False)
    stored = _everything_stored(credential).lower()
    assert "harass" not in stored
    assert credential.document["credentialSubject"]["achievement"]["name"] == "Workplace culture training"
    assert credential.document["credentialSubject"]["achievement"]["id"].endswith(
        "/badges/achievements/workplace-culture.json"
    )


def test_topic_wording_when_the_participant_chooses_it(issue):
    credential = issue(show_topic=True)
    achievement = credential.document["credentialSubject"]["achievement"]
    assert achievement["name"] == "Sexual harassment prevention training"
    assert credential.document["name"] == "Sexual harassment prevention training"


def test_both_signed_forms_carry_the_same_credential(issue):
    credential = issue()
    payload = jwt.decode(credential.jwt, options={"verify_signature": False})
    document = dict(credential.document)
    proof = document.pop("proof")
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert jwt.get_unverified_header(credential.jwt)["alg"] == "EdDSA"
    for claim in ("iss", "jti", "nbf", "exp"):
        payload.pop(claim)
    assert payload == document
    assert document["id"] == f"urn:uuid:{credential.id}"
    assert document["awardedDate"] == "2026-11-03T00:00:00Z"
    assert document["credentialStatus"]["type"] == "BitstringStatusListEntry"
    assert document["credentialStatus"]["statusListIndex"] == str(credential.status_index)


def test_badge_is_valid_for_the_configured_years(issue, settings):
    credential = issue()
    assert credential.valid_until is not None
    assert credential.valid_until.year == credential.issued_at.year + 3
    settings.BADGE_VALIDITY_YEARS = 0
    forever = issue()
    assert forever.valid_until is None
    assert "validUntil" not in forever.document


def test_issuing_is_audited_without_the_address(issue, programme_admin):
    credential = issue("pat@example.org", issued_by=programme_admin)
    entry = AuditEntry.objects.get(action="saferwork.badge.issued")
    assert entry.target_id == str(credential.id)
    assert entry.actor == programme_admin
    assert "pat@example.org" not in json.dumps(entry.data) + entry.target_label


def test_a_bad_address_is_refused(issue):
    with pytest.raises(services.BadgeError, match="correct format"):
        issue("not an address")
    assert not Credential.objects.exists()


def test_revoking_records_who_when_and_why(issue, programme_admin):
    credential = issue()
    services.revoke_badge(credential=credential, reason="Issued to the wrong person", actor=programme_admin)
    credential.refresh_from_db()
    assert credential.is_revoked
    assert credential.revoked_by == programme_admin
    assert credential.revocation_reason == "Issued to the wrong person"
    entry = AuditEntry.objects.get(action="saferwork.badge.revoked")
    assert entry.data == {"reason": "Issued to the wrong person"}
    assert entry.actor == programme_admin


def test_a_badge_cannot_be_revoked_twice_or_without_a_reason(issue, programme_admin):
    credential = issue()
    with pytest.raises(services.BadgeError, match="reason"):
        services.revoke_badge(credential=credential, reason="  ", actor=programme_admin)
    services.revoke_badge(credential=credential, reason="Asked", actor=programme_admin)
    first = Credential.objects.get(pk=credential.pk).revoked_at
    with pytest.raises(services.BadgeError, match="already"):
        services.revoke_badge(credential=credential, reason="Again", actor=programme_admin)
    assert Credential.objects.get(pk=credential.pk).revoked_at == first


def test_status_indexes_are_distinct(issue):
    indexes = {issue(f"p{n}@example.org").status_index for n in range(20)}
    assert len(indexes) == 20


def test_issue_at_a_moment_in_the_past(issue):
    past = timezone.now() - datetime.timedelta(days=4 * 366)
    with mock.patch("saferwork.badges.services.timezone.now", return_value=past):
        credential = issue()
    assert credential.valid_until is not None and credential.valid_until < timezone.now()
