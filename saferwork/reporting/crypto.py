"""The reporting cryptography, after GlobaLeaks' design, on libsodium through PyNaCl.

* Each report has its own Curve25519 key pair. Answers, messages, notes and attachments
  are sealed (``SealedBox``) to the report's public key: anyone may add to a report,
  only holders of its private key can read it.
* The report private key is sealed to each authorised handler's public key, and
  encrypted (``SecretBox``) under a key derived from the reporter's receipt with Argon2id.
* A handler's private key is encrypted under a key derived from their password with
  Argon2id, and sealed to the recovery public key of each organisation they handle
  reports for; the recovery private key is shown once to the organisation.
* Everything sealed or boxed is padded first (``pad``), so that a ciphertext's length does
  not tell the length of what was written.

Nothing here logs, and nothing here keeps a secret after returning it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import threading
from collections.abc import Callable
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


# ---------------------------------------------------------------- padding

# Marks a padded ciphertext. Material sealed before padding existed has no marker (it
# starts with a random ephemeral key or nonce) and still opens as it was.
PADDED = b"SWp1"
PAD_MINIMUM = 256  # every plaintext up to this length (less the length prefix) looks the same
PAD_RANDOM_PERCENT = 5  # GlobaLeaks' random extra
_LENGTH = struct.Struct(">I")


def padded_size(size: int) -> int:
    """The bucket a padded plaintext of ``size`` bytes is rounded up to: at least
    ``PAD_MINIMUM``, then steps of 1/32 to 1/64 of the size (so a bucket reveals about the
    order of magnitude and a little more, never the exact length)."""
    if size <= PAD_MINIMUM:
        return PAD_MINIMUM
    step = 1 << max(size.bit_length() - 6, 0)
    return -(-size // step) * step


def pad(plaintext: bytes) -> bytes:
    """The plaintext behind a 4-byte length, followed by zeros: a random extra of up to 5 %,
    then rounded up to a bucket (``padded_size``)."""
    size = _LENGTH.size + len(plaintext)
    extra = secrets.randbelow(size * PAD_RANDOM_PERCENT // 100 + 1)
    return b"".join([_LENGTH.pack(len(plaintext)), plaintext, bytes(padded_size(size + extra) - size)])


def unpad(padded: bytes) -> bytes:
    if len(padded) < _LENGTH.size:
        raise DecryptionError("This ciphertext is damaged.")
    (length,) = _LENGTH.unpack_from(padded)
    if length > len(padded) - _LENGTH.size:
        raise DecryptionError("This ciphertext is damaged.")
    return padded[_LENGTH.size : _LENGTH.size + length]


def _open(decrypt: Callable[[bytes], bytes], ciphertext: bytes) -> bytes:
    """Open a padded ciphertext, or one written before padding existed."""
    ciphertext = bytes(ciphertext)
    if ciphertext.startswith(PADDED):
        try:
            return unpad(bytes(decrypt(ciphertext[len(PADDED) :])))
        except nacl.exceptions.CryptoError:
            pass  # an unpadded ciphertext that starts with the marker by chance (1 in 2**32)
    return bytes(decrypt(ciphertext))


# ---------------------------------------------------------------- encryption


def seal(public: bytes, plaintext: bytes) -> bytes:
    """Encrypt ``plaintext`` so that only the holder of the matching private key can read it."""
    return PADDED + bytes(SealedBox(PublicKey(public)).encrypt(pad(plaintext)))


def unseal(private: bytes, ciphertext: bytes) -> bytes:
    try:
        return _open(SealedBox(PrivateKey(private)).decrypt, ciphertext)
    except (nacl.exceptions.CryptoError, nacl.exceptions.ValueError, TypeError) as exc:
        raise DecryptionError("This key does not open this ciphertext.") from exc


def new_secret_key() -> bytes:
    return nacl.utils.random(KEY_BYTES)


def secretbox_encrypt(key: bytes, plaintext: bytes) -> bytes:
    return PADDED + bytes(nacl.secret.SecretBox(key).encrypt(pad(plaintext)))


def secretbox_decrypt(key: bytes, ciphertext: bytes) -> bytes:
    try:
        return _open(nacl.secret.SecretBox(key).decrypt, ciphertext)
    except (nacl.exceptions.CryptoError, nacl.exceptions.ValueError, TypeError) as exc:
        raise DecryptionError("This key does not open this ciphertext.") from exc


def new_salt() -> bytes:
    return nacl.utils.random(SALT_BYTES)


_DERIVATIONS: dict[int, threading.BoundedSemaphore] = {}
_DERIVATIONS_LOCK = threading.Lock()


def _derivation_slots() -> threading.BoundedSemaphore:
    """One semaphore per ``KDF_CONCURRENCY`` value (a setting tests may change)."""
    slots = int(settings.KDF_CONCURRENCY)
    with _DERIVATIONS_LOCK:
        if slots not in _DERIVATIONS:
            _DERIVATIONS[slots] = threading.BoundedSemaphore(slots)
        return _DERIVATIONS[slots]


@sensitive_variables()
def derive_key(secret: str | bytes, salt: bytes, params: KdfParams) -> bytes:
    """Argon2id (libsodium's argon2id13, one lane): the same result as hash-wasm in a browser.

    Each derivation holds ``memlimit`` (128 MiB by default) for about a second. At most
    ``KDF_CONCURRENCY`` run at once in a process (1 by default): another request's
    derivation waits for a slot rather than adding its 128 MiB to the worker's peak (see
    "Sizing web workers" in the README).
    """
    if isinstance(secret, str):
        secret = secret.encode("utf-8")
    with _derivation_slots():
        return bytes(
            nacl.pwhash.argon2id.kdf(
                KEY_BYTES, secret, salt, opslimit=params.opslimit, memlimit=params.memlimit_kib * 1024
            )
        )


def receipt_key_matches(receipt: str, key: bytes, salt: bytes, params: KdfParams) -> bool:
    """Whether ``key`` (derived in the reporter's browser) really is ``receipt``'s key: a
    report stored under any other key could never be opened with the receipt shown."""
    return hmac.compare_digest(derive_key(receipt, salt, params), key)


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
