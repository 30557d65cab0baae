"""The programme's Ed25519 key: where it comes from and how it is published.

The private key is a 32-byte seed from ``BADGE_SIGNING_KEY`` (base64; ``_FILE`` works
too). DEBUG and test runs without one use a development key (random, kept in
``var/badge-signing-key.dev`` under DEBUG; a fixed one under tests) and log a warning:
badges signed with it mean nothing outside that machine.

Keys are named by a ``kid`` derived from the public key, so a rotated key gets a new
name and URL while badges signed with the old one still verify against
``BADGE_RETIRED_PUBLIC_KEYS``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from openbadgeslib.ob3 import multikey_from_pem

logger = logging.getLogger(__name__)

_TEST_SEED = hashlib.sha256(b"saferwork-test-badge-signing-key-not-secret").digest()
_DEV_KEY_FILE = "badge-signing-key.dev"


class KeyConfigurationError(Exception):
    pass


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class ProgrammeKey:
    public: Ed25519PublicKey
    private: Ed25519PrivateKey | None = None
    is_development: bool = False

    @property
    def raw_public(self) -> bytes:
        return self.public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    @property
    def kid(self) -> str:
        return "ed25519-" + hashlib.sha256(self.raw_public).hexdigest()[:16]

    @property
    def public_pem(self) -> bytes:
        return self.public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

    @property
    def private_pem(self) -> bytes:
        if self.private is None:
            raise KeyConfigurationError("This is a retired key: it can verify but not sign.")
        return self.private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    @property
    def url(self) -> str:
        return f"{settings.SITE_URL}/badges/keys/{self.kid}.json"

    def jwk(self) -> dict[str, Any]:
        return {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": _b64url(self.raw_public),
            "kid": self.kid,
            "alg": "EdDSA",
            "use": "sig",
        }

    def multibase(self) -> str:
        return multikey_from_pem(self.public_pem)


_lock = threading.Lock()
_cache: dict[tuple[str, bool, bool], ProgrammeKey] = {}


def _seed_from_text(text: str, source: str) -> bytes:
    try:
        seed = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyConfigurationError(f"{source} is not valid base64.") from exc
    if len(seed) != 32:
        raise KeyConfigurationError(f"{source} must hold a 32-byte Ed25519 seed, not {len(seed)} bytes.")
    return seed


def _development_seed() -> bytes:
    if getattr(settings, "TESTING", False):
        return _TEST_SEED
    path = Path(settings.VAR_DIR) / _DEV_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(base64.b64encode(os.urandom(32)).decode())
    return _seed_from_text(path.read_text(), str(path))


def signing_key() -> ProgrammeKey:
    """The key new badges are signed with."""
    configured = settings.BADGE_SIGNING_KEY
    development = not configured
    cache_key = (configured, development, bool(getattr(settings, "TESTING", False)))
    with _lock:
        if cache_key in _cache:
            return _cache[cache_key]
        if configured:
            seed = _seed_from_text(configured, "BADGE_SIGNING_KEY")
        elif settings.DEBUG or getattr(settings, "TESTING", False):
            seed = _development_seed()
            logger.warning(
                "Badges are signed with a DEVELOPMENT key: set BADGE_SIGNING_KEY before issuing real badges."
            )
        else:
            raise KeyConfigurationError("BADGE_SIGNING_KEY (or BADGE_SIGNING_KEY_FILE) is not set.")
        private = Ed25519PrivateKey.from_private_bytes(seed)
        key = ProgrammeKey(public=private.public_key(), private=private, is_development=development)
        _cache[cache_key] = key
        return key


def verification_keys() -> dict[str, ProgrammeKey]:
    """Every key a badge of ours may be signed with, by kid: the current one and retired ones."""
    current = signing_key()
    found = {current.kid: ProgrammeKey(public=current.public, is_development=current.is_development)}
    for text in settings.BADGE_RETIRED_PUBLIC_KEYS:
        raw = _seed_from_text(text, "BADGE_RETIRED_PUBLIC_KEYS")
        retired = ProgrammeKey(public=Ed25519PublicKey.from_public_bytes(raw))
        found.setdefault(retired.kid, retired)
    return found
