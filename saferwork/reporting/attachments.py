"""Checking, cleaning and sealing uploaded files."""

from __future__ import annotations

import json
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from saferwork.lib import filecleaning
from saferwork.lib.filecleaning import CLEANABLE, CleanFile, UploadRefused
from saferwork.reporting import crypto

# The reporting names for the shared cleaning (saferwork.lib.filecleaning).
AttachmentError = UploadRefused
__all__ = ["AttachmentError", "CleanFile", "clean_upload", "delete_stored", "open_file", "open_meta", "seal_and_store"]
ALLOWED_DESCRIPTION = filecleaning.describe(CLEANABLE)


def clean_upload(name: str, data: bytes) -> CleanFile:
    """Check size and type, and strip metadata (``filecleaning.clean_file``). Raises
    AttachmentError with a message written for the reporter."""
    if len(data) > settings.REPORTING_MAX_ATTACHMENT_BYTES:
        limit = settings.REPORTING_MAX_ATTACHMENT_BYTES // (1024 * 1024) or 1
        raise AttachmentError(f"The selected file must be smaller than {limit} MB")
    return filecleaning.clean_file(name, data, allowed=CLEANABLE)


def seal_and_store(clean: CleanFile, public_key: bytes) -> tuple[str, bytes]:
    """Seal the file to the report key and store it; return (storage name, sealed metadata).

    The default storage (``saferwork.lib.storage``) stamps the file with its day only."""
    storage_name = default_storage.save(
        f"reporting/{secrets.token_hex(16)}.bin", ContentFile(crypto.seal(public_key, clean.data))
    )
    meta = json.dumps({"name": clean.name, "content_type": clean.content_type, "size": len(clean.data)}).encode()
    return storage_name, crypto.seal(public_key, meta)


def open_meta(private_key: bytes, sealed_meta: bytes) -> dict[str, object]:
    meta: dict[str, object] = json.loads(crypto.unseal(private_key, sealed_meta))
    return meta


def open_file(private_key: bytes, storage_name: str) -> bytes:
    with default_storage.open(storage_name, "rb") as handle:
        return crypto.unseal(private_key, handle.read())


def delete_stored(storage_name: str) -> None:
    if default_storage.exists(storage_name):
        default_storage.delete(storage_name)
