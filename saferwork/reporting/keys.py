"""Handler keys and the per-session key vault.

A handler's private key is unwrapped at sign-in with their password and kept, for that
session only, encrypted under a random key that lives in an HttpOnly cookie. The
session row (in the shared database or cache) holds the ciphertext, the browser holds
the key: neither a database dump nor the cookie alone opens a report, and any web process
can serve the handler. The unwrapped key never reaches a template, a script or a log.

The same vault holds a reporter's draft and, after a follow-up with a receipt, the
report key for that browser session.
"""

from __future__ import annotations

import base64
import binascii
import logging
from typing import Any

import nacl.exceptions
from django.conf import settings
from django.db import DatabaseError, transaction
from django.http import HttpRequest, HttpResponse

from saferwork.audit import services as audit
from saferwork.reporting import crypto
from saferwork.reporting.models import HandlerKey, RecoveryWrap, ReportingSettings

HANDLER = "hk"  # the handler's private key
DRAFT = "rd"  # a reporter's draft answers (and the new report's key pair)
FOLLOW_UP = "rf"  # the report key a reporter opened with their receipt
RECORD = "rr"  # the key of a private record a reporter opened with their receipt
LOCKED_FLAG = "reporting.key_locked"
logger = logging.getLogger(__name__)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()


def _unb64(text: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(text.encode())
    except (binascii.Error, ValueError):
        return None


class Vault:
    """One secret kept in the session, encrypted under a key held in a cookie."""

    def __init__(self, request: HttpRequest, name: str) -> None:
        self.request = request
        # "__Host-" binds the cookie to our host and to HTTPS wherever cookies are Secure.
        self.cookie = f"{'__Host-' if settings.REPORTING_COOKIE_SECURE else ''}sw_{name}"
        self.session_key = f"reporting.vault.{name}"

    def _cookie_key(self) -> bytes | None:
        pending = getattr(self.request, "_reporting_cookies", {}).get(self.cookie)
        if pending:
            return pending
        raw = _unb64(self.request.COOKIES.get(self.cookie, ""))
        return raw if raw and len(raw) == crypto.KEY_BYTES else None

    def put(self, secret: bytes) -> None:
        key = self._cookie_key() or crypto.new_secret_key()
        self.request.session[self.session_key] = _b64(crypto.secretbox_encrypt(key, secret))
        cookies: dict[str, bytes] = getattr(self.request, "_reporting_cookies", {})
        cookies[self.cookie] = key
        self.request._reporting_cookies = cookies  # type: ignore[attr-defined]

    def get(self) -> bytes | None:
        stored = self.request.session.get(self.session_key)
        key = self._cookie_key()
        if not stored or key is None:
            return None
        blob = _unb64(stored)
        if blob is None:
            return None
        try:
            return crypto.secretbox_decrypt(key, blob)
        except crypto.DecryptionError:
            return None

    def clear(self) -> None:
        self.request.session.pop(self.session_key, None)


def apply_cookies(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Send the cookies that ``Vault.put`` created during this request."""
    for name, key in getattr(request, "_reporting_cookies", {}).items():
        response.set_cookie(
            name,
            _b64(key),
            httponly=True,
            secure=settings.REPORTING_COOKIE_SECURE,
            samesite="Lax",
        )
    return response


def handler_private_key(request: HttpRequest) -> bytes | None:
    """The signed-in handler's private key for this session, or None."""
    private = Vault(request, HANDLER).get()
    if private is None:
        return None
    key = getattr(request.user, "reporting_key", None) if request.user.is_authenticated else None
    if key is None or crypto.public_of(private) != bytes(key.public_key):
        return None
    return private


def is_handler_anywhere(user: Any) -> bool:
    return user.memberships.filter(is_case_handler=True).exists()


def _wrap_with_password(private: bytes, password: str) -> tuple[bytes, dict[str, Any], bytes]:
    salt = crypto.new_salt()
    params = crypto.KdfParams.current()
    wrapped = crypto.secretbox_encrypt(crypto.derive_key(password, salt, params), private)
    return salt, params.as_dict(), wrapped


def unwrap_with_password(key: HandlerKey, password: str) -> bytes:
    params = crypto.KdfParams.from_dict(key.password_kdf)
    kek = crypto.derive_key(password, bytes(key.password_salt), params)
    return crypto.secretbox_decrypt(kek, bytes(key.password_wrapped_private_key))


def ensure_recovery_wraps(*, key: HandlerKey, private: bytes) -> None:
    """Seal the handler's key to the recovery key of every organisation they handle for."""
    org_ids = set(key.user.memberships.filter(is_case_handler=True).values_list("organisation_id", flat=True))
    done = set(key.recovery_wraps.values_list("organisation_id", flat=True))
    for org_settings in ReportingSettings.objects.filter(organisation_id__in=org_ids - done):
        RecoveryWrap.objects.create(
            organisation_id=org_settings.organisation_id,
            handler_key=key,
            sealed_private_key=crypto.seal(bytes(org_settings.recovery_public_key), private),
        )


@transaction.atomic
def _unlock_or_create(*, user: Any, password: str) -> bytes | None:
    key = HandlerKey.objects.select_for_update().filter(user=user).first()
    if key is None:
        if not is_handler_anywhere(user):
            return None
        public, private = crypto.new_keypair()
        salt, kdf, wrapped = _wrap_with_password(private, password)
        key = HandlerKey.objects.create(
            user=user, public_key=public, password_salt=salt, password_kdf=kdf, password_wrapped_private_key=wrapped
        )
        audit.record(action="saferwork.reporting.handler_key_created", actor=user, target=key)
    else:
        try:
            private = unwrap_with_password(key, password)
        except crypto.DecryptionError:
            # The password was reset: only the recovery key can bring this key back.
            raise
        if key.password_kdf != crypto.KdfParams.current().as_dict():
            key.password_salt, key.password_kdf, key.password_wrapped_private_key = _wrap_with_password(
                private, password
            )
            key.save(update_fields=["password_salt", "password_kdf", "password_wrapped_private_key"])
    ensure_recovery_wraps(key=key, private=private)
    return private


def on_password_verified(request: HttpRequest, user: Any, password: str) -> None:
    """Called by sign-in once the password is known to be right (before the second factor).

    Unwraps (or, for a new handler, creates) the reporting key and keeps it in this
    session's vault. People who handle no reports pay nothing.
    """
    request.session.pop(LOCKED_FLAG, None)
    try:
        private = _unlock_or_create(user=user, password=password)
    except crypto.DecryptionError:
        request.session[LOCKED_FLAG] = True
        return
    except (DatabaseError, ValueError, KeyError, TypeError, nacl.exceptions.CryptoError) as exc:
        # Signing in must never fail because of reporting: the person can still work,
        # cases just stay locked until the next sign-in. Only the error's class is logged:
        # a traceback could carry what was being unwrapped.
        logger.error("Could not unlock the reporting key of user %s: %s", user.pk, type(exc).__name__)
        request.session[LOCKED_FLAG] = True
        return
    if private is not None:
        Vault(request, HANDLER).put(private)


@transaction.atomic
def rewrap_for_new_password(*, user: Any, private: bytes, password: str) -> None:
    key = HandlerKey.objects.select_for_update().get(user=user)
    if crypto.public_of(private) != bytes(key.public_key):
        raise crypto.DecryptionError("This is not the key of this handler.")
    key.password_salt, key.password_kdf, key.password_wrapped_private_key = _wrap_with_password(private, password)
    key.save(update_fields=["password_salt", "password_kdf", "password_wrapped_private_key"])
    audit.record(action="saferwork.reporting.handler_key_rewrapped", actor=user, target=key)


def on_password_changed(request: HttpRequest, user: Any, old_password: str, new_password: str) -> None:
    """Called by the password-change page: the handler's key follows the new password."""
    key = HandlerKey.objects.filter(user=user).first()
    if key is None:
        return
    private = handler_private_key(request)
    if private is None:
        try:
            private = unwrap_with_password(key, old_password)
        except crypto.DecryptionError:
            return  # already locked (after a reset): the recovery key is the way back
    rewrap_for_new_password(user=user, private=private, password=new_password)
    Vault(request, HANDLER).put(private)
    request.session.pop(LOCKED_FLAG, None)
