from __future__ import annotations

import base64

import pytest

from saferwork.badges import keys
from saferwork.badges.apps import check_signing_key

SEED = base64.b64encode(bytes(range(32))).decode()


def test_the_configured_key_signs_and_is_named_by_its_public_half(settings):
    settings.BADGE_SIGNING_KEY = SEED
    key = keys.signing_key()
    assert not key.is_development
    assert key.kid.startswith("ed25519-") and len(key.kid) == len("ed25519-") + 16
    assert key.jwk()["kty"] == "OKP" and "d" not in key.jwk()
    assert key.multibase().startswith("z6Mk")


def test_without_a_key_tests_use_the_development_key(settings):
    settings.BADGE_SIGNING_KEY = ""
    assert keys.signing_key().is_development


def test_without_a_key_production_refuses_to_sign(settings):
    settings.BADGE_SIGNING_KEY = ""
    settings.DEBUG = False
    settings.TESTING = False
    with pytest.raises(keys.KeyConfigurationError, match="not set"):
        keys.signing_key()


@pytest.mark.parametrize("bad", ["not base64!", base64.b64encode(b"short").decode()])
def test_a_malformed_key_stops_the_server_at_start_up(settings, bad):
    settings.BADGE_SIGNING_KEY = bad
    [error] = check_signing_key()
    assert error.id == "badges.E001"
    settings.BADGE_SIGNING_KEY = SEED
    assert check_signing_key() == []


def test_retired_keys_still_verify(settings):
    settings.BADGE_SIGNING_KEY = SEED
    old = keys.ProgrammeKey(public=keys.Ed25519PrivateKey.from_private_bytes(b"\x09" * 32).public_key())
    settings.BADGE_RETIRED_PUBLIC_KEYS = [base64.b64encode(old.raw_public).decode()]
    known = keys.verification_keys()
    assert set(known) == {keys.signing_key().kid, old.kid}
    with pytest.raises(keys.KeyConfigurationError):
        known[old.kid].private_pem  # noqa: B018 - a retired key cannot sign
