"""The reporting cryptography, after GlobaLeaks' design, on libsodium through PyNaCl.

* Each report has its own Curve25519 key pair. Answers, messages, notes and attachments
  are sealed (``SealedBox``) to the report's public key: anyone may add to a report,
  only holders of its private key can read it.
* The report private key is sealed to each authorised handler's public key, and
  encrypted (``SecretBox``) under a key derived from the reporter's receipt with Argon2id.
* A handler's private key is encrypted under a key derived from their password with
  Argon2id, and sealed to the recovery public key of each organisation they handle
  reports for; the recovery private key is shown once to the organisation.

Nothing here logs, and nothing here keeps a secret after returning it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

import nacl.exceptions
import nacl.pwhash
import nacl.secret
import nacl.utils
from django.conf import settings
from django.views.decorators.debug import sensitive_variables
from nacl.public import PrivateKey, PublicKey, SealedBox

SALT_BYTES = nacl.pwhash.argon2id.SALTBYTES  # 16
KEY_BYTES = nacl.secret.SecretBox.KEY_SIZE  # 32
RECEIPT_DIGITS = 16


class DecryptionError(Exception):
    """A key did not open a ciphertext: wrong receipt, wrong password or not authorised."""


@dataclass(frozen=True)
class KdfParams:
    """Argon2id parameters, stored with every key they protect."""

    opslimit: int
    memlimit_kib: int

    @classmethod
    def current(cls) -> KdfParams:
        return cls(settings.REPORTING_ARGON2_OPSLIMIT, settings.REPORTING_ARGON2_MEMLIMIT_KIB)

    def as_dict(self) -> dict[str, Any]:
        return {"alg": "argon2id13", "opslimit": self.opslimit, "memlimit_kib": self.memlimit_kib}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KdfParams:
        if data.get("alg") != "argon2id13":
            raise ValueError(f"Unknown key derivation {data.get('alg')!r}")
        return cls(int(data["opslimit"]), int(data["memlimit_kib"]))


def new_keypair() -> tuple[bytes, bytes]:
    """A fresh (public, private) Curve25519 key pair as raw bytes."""
    private = PrivateKey.generate()
    return bytes(private.public_key), bytes(private)


def public_of(private: bytes) -> bytes:
    return bytes(PrivateKey(private).public_key)


def seal(public: bytes, plaintext: bytes) -> bytes:
    """Encrypt ``plaintext`` so that only the holder of the matching private key can read it."""
    return bytes(SealedBox(PublicKey(public)).encrypt(plaintext))


def unseal(private: bytes, ciphertext: bytes) -> bytes:
    try:
        return bytes(SealedBox(PrivateKey(private)).decrypt(ciphertext))
    except (nacl.exceptions.CryptoError, nacl.exceptions.ValueError, TypeError) as exc:
        raise DecryptionError("This key does not open this ciphertext.") from exc


def new_secret_key() -> bytes:
    return nacl.utils.random(KEY_BYTES)


def secretbox_encrypt(key: bytes, plaintext: bytes) -> bytes:
    return bytes(nacl.secret.SecretBox(key).encrypt(plaintext))


def secretbox_decrypt(key: bytes, ciphertext: bytes) -> bytes:
    try:
        return bytes(nacl.secret.SecretBox(key).decrypt(ciphertext))
    except (nacl.exceptions.CryptoError, nacl.exceptions.ValueError, TypeError) as exc:
        raise DecryptionError("This key does not open this ciphertext.") from exc


def new_salt() -> bytes:
    return nacl.utils.random(SALT_BYTES)


@sensitive_variables()
def derive_key(secret: str | bytes, salt: bytes, params: KdfParams) -> bytes:
    """Argon2id (libsodium's argon2id13, one lane): the same result as hash-wasm in a browser."""
    if isinstance(secret, str):
        secret = secret.encode("utf-8")
    return bytes(
        nacl.pwhash.argon2id.kdf(KEY_BYTES, secret, salt, opslimit=params.opslimit, memlimit=params.memlimit_kib * 1024)
    )


# ---------------------------------------------------------------- receipts


def new_receipt() -> str:
    """16 random digits: log2(10**16) ≈ 53 bits, as GlobaLeaks."""
    return f"{secrets.randbelow(10**RECEIPT_DIGITS):0{RECEIPT_DIGITS}d}"


def normalise_receipt(value: str) -> str | None:
    """The 16 digits of a receipt typed with spaces or dashes, or None if it cannot be one."""
    digits = "".join(ch for ch in value if ch not in " -\u00a0\t")
    if len(digits) != RECEIPT_DIGITS or not digits.isascii() or not digits.isdigit():
        return None
    return digits


def format_receipt(receipt: str) -> str:
    return " ".join(receipt[i : i + 4] for i in range(0, len(receipt), 4))


def receipt_lookup(receipt_key: bytes) -> str:
    """What the database holds to find a report from its receipt key: a hash, never the key."""
    return hashlib.sha256(b"saferwork.reporting.receipt:" + receipt_key).hexdigest()


def lookups_match(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


# ---------------------------------------------------------------- recovery keys


def format_recovery_key(private: bytes) -> str:
    text = base64.b32encode(private).decode().rstrip("=")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def parse_recovery_key(value: str) -> bytes | None:
    text = "".join(ch for ch in value.upper() if ch.isalnum())
    try:
        raw = base64.b32decode(text + "=" * (-len(text) % 8))
    except (ValueError, base64.binascii.Error):  # type: ignore[attr-defined]
        return None
    return raw if len(raw) == 32 else None


# ---------------------------------------------------------------- server-held key


def server_key(purpose: str) -> bytes:
    """A key derived from SECRET_KEY for data the server itself must read without a handler
    (the reporter's optional notification email): a database dump alone does not open it."""
    return hashlib.blake2b(
        settings.SECRET_KEY.encode(), digest_size=KEY_BYTES, person=b"saferwork-rep", salt=purpose.encode()[:16]
    ).digest()
