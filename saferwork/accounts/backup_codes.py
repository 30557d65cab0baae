"""Backup codes are kept only as a keyed hash: a database dump does not sign anyone in.

django-otp's ``StaticToken.token`` holds 16 characters, so the stored form is the first
16 characters of a base64url HMAC-SHA256 (96 bits) keyed with the site's secret and
bound to the account. A ten-digit code has too little entropy for a slow password hash
to help; the server-side key is what stops a dump from being tried offline.
"""

from __future__ import annotations

import base64

from django.conf import settings
from django.utils.crypto import salted_hmac

BACKUP_CODE_DIGITS = 10
_SALT = "saferwork.accounts.backup-code"


def hash_backup_code(user_id: int, code: str, *, secret: str | None = None) -> str:
    digest = salted_hmac(_SALT, f"{user_id}:{code}", secret=secret, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).decode()[:16]


def candidate_hashes(user_id: int, code: str) -> list[str]:
    """The code's stored form under the current secret and each fallback (secret rotation)."""
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [hash_backup_code(user_id, code, secret=secret) for secret in secrets]


def is_clear_code(stored: str) -> bool:
    """A code stored before hashing began: ten digits (a stored hash is 16 characters)."""
    return len(stored) == BACKUP_CODE_DIGITS and stored.isdigit()
