"""Files that carry what cleaning must remove, built in the test (never checked in)."""

from __future__ import annotations

import io
import struct
import zlib

from fpdf import FPDF
from PIL import Image

PDF_SECRETS = [b"Ottoline Fairweather", b"Quillsby Writer", b"Harbourview grievance", b"Pemberton-Xmp"]
XMP = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
    "<dc:creator><rdf:Seq><rdf:li>Pemberton-Xmp</rdf:li></rdf:Seq></dc:creator>"
    "</rdf:Description></rdf:RDF></x:xmpmeta>"
)


def pdf_with_author(text: str = "Shift rota for the loading bay") -> bytes:
    """A one-page PDF whose information dictionary and XMP name the person who wrote it."""
    pdf = FPDF()
    pdf.set_author("Ottoline Fairweather")
    pdf.set_creator("Quillsby Writer")
    pdf.set_title("Harbourview grievance")
    pdf.set_xmp_metadata(XMP)
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


def jpeg_with_gps(size: tuple[int, int] = (64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Camberwick Camera Co"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 12.0), 3: "W", 4: (0.0, 7.0, 39.0)}  # GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def blank_png(width: int, height: int) -> bytes:
    """A valid black-and-white PNG of any size, a few kilobytes even at 64 megapixels."""
    row = b"\x00" + bytes((width + 7) // 8)  # filter byte, then 1 bit per pixel
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")
