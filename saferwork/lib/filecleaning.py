"""Cleaning uploaded files: one function for every upload that is kept (report evidence and
attachments, private records, fee receipts).

What a file says about the person who made it goes: EXIF (GPS, camera, times), XMP, ICC
and text chunks of images; the document information dictionary and XMP metadata of PDFs;
the properties parts of DOCX and ODT files. A file that cannot be parsed is refused rather
than kept as it came. Images are refused by the dimensions in their header before any
pixel is decoded, and cleaned one at a time per process with at most two copies of the
pixels in memory.
"""

from __future__ import annotations

import io
import threading
import warnings
import zipfile
import zlib
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import pypdf
import pypdf.errors
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 40_000_000
# Pillow itself warns above this and refuses above twice it; we refuse at it, by the header.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
MAX_UNZIPPED = 100 * 1024 * 1024

# Pillow format -> (content type, extension) of the cleaned copy.
IMAGE_TYPES = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/png", "png")}
IMAGE_EXTENSIONS = {"jpg", "jpeg", "png", "webp"}
DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "txt": "text/plain",
}
CLEANABLE = IMAGE_EXTENSIONS | set(DOCUMENT_TYPES)

# A decoded 40-megapixel image is 160 MB; two requests decoding at once would double it.
_ONE_IMAGE_AT_A_TIME = threading.BoundedSemaphore(1)


class UploadRefused(ValueError):
    """A file that is not kept; the message is written for the person who uploaded it."""


@dataclass
class CleanFile:
    name: str
    content_type: str
    data: bytes


def clean_file(name: str, data: bytes, *, allowed: Collection[str] = CLEANABLE) -> CleanFile:
    """Check the type of an upload from its name and its bytes, and strip its metadata.

    ``allowed`` is the set of extensions this upload accepts (a subset of ``CLEANABLE``).
    Raises ``UploadRefused``."""
    if len(data) == 0:
        raise UploadRefused("The selected file is empty")
    base = (name or "file").replace("\\", "/").rsplit("/", 1)[-1][:100] or "file"
    extension = base.rsplit(".", 1)[-1].lower() if "." in base else ""
    stem = base.rsplit(".", 1)[0] if "." in base else base
    if extension not in allowed or extension not in CLEANABLE:
        raise UploadRefused(f"The selected file must be a {describe(allowed)}")
    if extension in IMAGE_EXTENSIONS:
        cleaned, content_type, new_extension = strip_image(data)
        return CleanFile(f"{stem}.{new_extension}", content_type, cleaned)
    if extension == "pdf":
        if not data.startswith(b"%PDF-"):
            raise UploadRefused("The selected file is not a PDF")
        data = strip_pdf(data)
    elif extension in {"docx", "odt"}:
        if not data.startswith(b"PK\x03\x04"):
            raise UploadRefused(f"The selected file is not a {extension.upper()} document")
        data = strip_document_properties(data)
    elif extension == "txt":
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UploadRefused("The selected text file must be saved as UTF-8") from exc
    return CleanFile(base, DOCUMENT_TYPES[extension], data)


def describe(allowed: Collection[str]) -> str:
    """The accepted types for people: "JPG, PNG or PDF" (JPEG is the same as JPG)."""
    order = ["jpg", "png", "webp", "pdf", "docx", "odt", "txt"]
    kinds = {"jpg" if e == "jpeg" else e for e in allowed}
    names = [e.upper() for e in order if e in kinds]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


# ---------------------------------------------------------------- images


def strip_image(data: bytes) -> tuple[bytes, str, str]:
    """Re-encode an image from its pixels alone: EXIF (GPS, camera, times), XMP, ICC and
    text chunks are all left behind. Orientation is applied first so nothing looks wrong.

    Returns (bytes, content type, extension)."""
    with _ONE_IMAGE_AT_A_TIME:
        try:
            with warnings.catch_warnings():
                # Pillow only warns between its limit and twice it: make that a refusal.
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                image = Image.open(io.BytesIO(data))  # reads the header only
            with image:
                fmt = image.format or ""
                if fmt not in IMAGE_TYPES:
                    raise UploadRefused("This image type is not accepted")
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise _too_many_pixels()
                clean = _pixels_only(image, fmt)
        except UploadRefused:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _too_many_pixels() from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, zlib.error) as exc:
            raise UploadRefused("The selected file could not be read as an image") from exc
        out = io.BytesIO()
        content_type, extension = IMAGE_TYPES[fmt]
        with clean:
            if fmt == "JPEG":
                clean.save(out, format="JPEG", quality=90)
            else:
                clean.save(out, format="PNG")
    return out.getvalue(), content_type, extension


def _too_many_pixels() -> UploadRefused:
    return UploadRefused(
        f"The selected image must be {MAX_PIXELS // 1_000_000} megapixels or fewer. "
        "Take a screenshot of it or save a smaller copy, and try again"
    )


def _pixels_only(image: Any, fmt: str) -> Image.Image:
    """A new image holding only the pixels, never more than two copies of them at once."""
    image.load()  # copy 1: the decoded pixels
    ImageOps.exif_transpose(image, in_place=True)  # briefly 2 while turning, then 1
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    mode = "RGBA" if has_alpha and fmt != "JPEG" else "RGB"
    pixels = image if image.mode == mode else image.convert(mode)  # 2
    if pixels is not image:
        image.close()  # back to 1
    clean = Image.new(mode, pixels.size)  # 2: a fresh image, with no metadata of any kind
    clean.paste(pixels)
    pixels.close()  # 1
    return clean


# ---------------------------------------------------------------- PDF

_PDF_ERRORS = (
    pypdf.errors.PyPdfError,
    ValueError,
    KeyError,
    TypeError,
    IndexError,
    AttributeError,
    OSError,
    RecursionError,
    zlib.error,
)
# What a page, an image on it or an annotation may carry about its author and its history.
_PAGE_KEYS = ("/Metadata", "/PieceInfo", "/LastModified")
_ANNOTATION_KEYS = ("/T", "/M", "/CreationDate")


def strip_pdf(data: bytes) -> bytes:
    """Copy a PDF's pages into a new document without the document information dictionary
    (Author, Creator, Producer, Title, Subject, Keywords, dates), the XMP metadata, or the
    metadata of its pages, images and comments. A PDF that cannot be read is refused."""
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and reader.decrypt("") == pypdf.PasswordType.NOT_DECRYPTED:
            raise UploadRefused(
                "The selected PDF is protected with a password. Save a copy without the password and try again"
            )
        writer = pypdf.PdfWriter()
        for page in reader.pages:
            writer.add_page(page)
        if not writer.pages:
            raise UploadRefused("The selected PDF has no pages")
        for page in writer.pages:
            _drop(page, _PAGE_KEYS)
            resources = page.get("/Resources")
            xobjects = resources.get_object().get("/XObject") if resources else None
            for reference in (xobjects.get_object() if xobjects else {}).values():
                _drop(reference.get_object(), _PAGE_KEYS)
            for reference in page.get("/Annots") or []:
                annotation = reference.get_object()
                if annotation.get("/Subtype") != "/Widget":  # a form field's /T is its name
                    _drop(annotation, _ANNOTATION_KEYS)
        writer.metadata = None  # no information dictionary at all, not even "Producer: pypdf"
        out = io.BytesIO()
        writer.write(out)
    except UploadRefused:
        raise
    except _PDF_ERRORS as exc:
        raise UploadRefused(
            "The selected PDF could not be read, so its hidden details cannot be removed. "
            "Save it again as a PDF, or take a screenshot of it, and try again"
        ) from exc
    return out.getvalue()


def _drop(dictionary: Any, keys: Collection[str]) -> None:
    for key in keys:
        if key in dictionary:
            del dictionary[key]


# ---------------------------------------------------------------- DOCX and ODT

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
                raise UploadRefused("The selected document is too big once unpacked")
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
        raise UploadRefused("The selected document could not be read") from exc
    return out.getvalue()
