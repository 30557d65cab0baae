"""Small JSON values sealed under a key derived from ``SECRET_KEY``, padded to a fixed size.

For data the server itself must read later without a person's key (a pending statistics
increment): a database dump alone does not open it, and the padding keeps its length
from telling what is inside.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import nacl.secret
from django.conf import settings


def _box(purpose: str) -> nacl.secret.SecretBox:
    key = hashlib.blake2b(
        settings.SECRET_KEY.encode(),
        digest_size=nacl.secret.SecretBox.KEY_SIZE,
        person=b"saferwork-seal",
        salt=purpose.encode()[:16],
    ).digest()
    return nacl.secret.SecretBox(key)


def seal_json(purpose: str, value: Any, *, size: int = 512) -> bytes:
    raw = json.dumps(value, separators=(",", ":")).encode()
    if len(raw) > size:
        raise ValueError("The value is larger than its padded size.")
    return bytes(_box(purpose).encrypt(raw + b" " * (size - len(raw))))


def unseal_json(purpose: str, sealed: bytes) -> Any:
    return json.loads(_box(purpose).decrypt(bytes(sealed)))
