"""Checking, cleaning and sealing uploaded files."""

from __future__ import annotations

import io
import json
import os
import secrets
import time
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

from saferwork.reporting import crypto

IMAGE_TYPES = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/png", "png")}
DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "txt": "text/plain",
}
ALLOWED_DESCRIPTION = "JPG, PNG, WEBP, PDF, DOCX, ODT or TXT"
MAX_PIXELS = 40_000_000


class AttachmentError(ValueError):
    pass


@dataclass
class CleanFile:
    name: str
    content_type: str
    data: bytes


def strip_image(data: bytes) -> tuple[bytes, str, str]:
    """Re-encode an image from its pixels alone: EXIF (GPS, camera, times), XMP, ICC and
    text chunks are all left behind. Orientation is applied first so nothing looks wrong."""
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as original:
            fmt = original.format or ""
            if fmt not in IMAGE_TYPES:
                raise AttachmentError("This image type is not accepted")
            original.load()
            image = ImageOps.exif_transpose(original) or original
            has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            mode = "RGBA" if has_alpha else "RGB"
            if fmt == "JPEG":
                mode = "RGB"
            pixels = image.convert(mode)
            clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as exc:
        raise AttachmentError("The file could not be read as an image") from exc
    out = io.BytesIO()
    content_type, extension = IMAGE_TYPES[fmt]
    if fmt == "JPEG":
        clean.save(out, format="JPEG", quality=90)
    else:
        clean.save(out, format="PNG")
    return out.getvalue(), content_type, extension


MAX_UNZIPPED = 100 * 1024 * 1024
BLANK_PARTS = {
    # Word: author, last editor, company, manager, custom fields.
    "docProps/core.xml": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        b' xmlns:dc="http://purl.org/dc/elements/1.1/"/>'
    ),
    "docProps/app.xml": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"/>'
    ),
    "docProps/custom.xml": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"/>'
    ),
    # OpenDocument: initial and last author, dates, generator, user fields.
    "meta.xml": (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        b' office:version="1.2"><office:meta/></office:document-meta>'
    ),
}


def strip_document_properties(data: bytes) -> bytes:
    """Blank the properties parts of a DOCX or ODT (author, editor, company, dates).

    Names in comments or tracked changes stay: the upload page warns about them."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as source:
            infos = source.infolist()
            if len(infos) > 5000 or sum(i.file_size for i in infos) > MAX_UNZIPPED:
                raise AttachmentError("The selected document is too big once unpacked")
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w") as target:
                for info in infos:
                    content = BLANK_PARTS.get(info.filename) or source.read(info.filename)
                    # ODT's "mimetype" must stay first and uncompressed; the rest is deflated.
                    compression = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
                    fresh = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
                    fresh.compress_type = compression
                    target.writestr(fresh, content)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, RuntimeError) as exc:
        raise AttachmentError("The selected document could not be read") from exc
    return out.getvalue()


def clean_upload(name: str, data: bytes) -> CleanFile:
    """Check type and size; strip image metadata. Raises AttachmentError with a message
    written for the reporter."""
    if len(data) == 0:
        raise AttachmentError("The selected file is empty")
    if len(data) > settings.REPORTING_MAX_ATTACHMENT_BYTES:
        limit = settings.REPORTING_MAX_ATTACHMENT_BYTES // (1024 * 1024) or 1
        raise AttachmentError(f"The selected file must be smaller than {limit} MB")
    base = (name or "file").replace("\\", "/").rsplit("/", 1)[-1][:100] or "file"
    extension = base.rsplit(".", 1)[-1].lower() if "." in base else ""
    stem = base.rsplit(".", 1)[0] if "." in base else base
    if extension in {"jpg", "jpeg", "png", "webp"}:
        cleaned, content_type, new_extension = strip_image(data)
        return CleanFile(f"{stem}.{new_extension}", content_type, cleaned)
    if extension in DOCUMENT_TYPES:
        if extension == "pdf" and not data.startswith(b"%PDF-"):
            raise AttachmentError("The selected file is not a PDF")
        if extension in {"docx", "odt"}:
            if not data.startswith(b"PK\x03\x04"):
                raise AttachmentError(f"The selected file is not a {extension.upper()} document")
            data = strip_document_properties(data)
        if extension == "txt":
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise AttachmentError("The selected text file must be saved as UTF-8") from exc
        return CleanFile(base, DOCUMENT_TYPES[extension], data)
    raise AttachmentError(f"The selected file must be a {ALLOWED_DESCRIPTION}")


def seal_and_store(clean: CleanFile, public_key: bytes) -> tuple[str, bytes]:
    """Seal the file to the report key and store it; return (storage name, sealed metadata)."""
    storage_name = default_storage.save(
        f"reporting/{secrets.token_hex(16)}.bin", ContentFile(crypto.seal(public_key, clean.data))
    )
    _date_only(storage_name)
    meta = json.dumps({"name": clean.name, "content_type": clean.content_type, "size": len(clean.data)}).encode()
    return storage_name, crypto.seal(public_key, meta)


def _date_only(storage_name: str) -> None:
    """A file on disk carries its upload time; keep only the day, as for everything else a
    reporter does. (Object stores set their own times: they are out of our hands.)"""
    try:
        path = default_storage.path(storage_name)
    except NotImplementedError:
        return
    midnight = time.time() // 86400 * 86400
    os.utime(path, (midnight, midnight))


def open_meta(private_key: bytes, sealed_meta: bytes) -> dict[str, object]:
    meta: dict[str, object] = json.loads(crypto.unseal(private_key, sealed_meta))
    return meta


def open_file(private_key: bytes, storage_name: str) -> bytes:
    with default_storage.open(storage_name, "rb") as handle:
        return crypto.unseal(private_key, handle.read())


def delete_stored(storage_name: str) -> None:
    if default_storage.exists(storage_name):
        default_storage.delete(storage_name)
