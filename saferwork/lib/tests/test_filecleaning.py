"""The one cleaning function for kept uploads: what it removes, what it refuses, what it costs."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from pathlib import Path

import pypdf
import pytest
from PIL import Image, ImageFile

from saferwork.lib import filecleaning
from saferwork.lib.filecleaning import UploadRefused, clean_file
from saferwork.lib.tests.samples import PDF_SECRETS, blank_png, jpeg_with_gps, pdf_with_author

ROOT = Path(__file__).resolve().parents[3]


def test_pdf_loses_author_creator_title_and_xmp_but_keeps_its_pages():
    original = pdf_with_author()
    assert all(secret in original for secret in PDF_SECRETS)  # the sample really carries them
    cleaned = clean_file("rota.pdf", original).data
    for secret in PDF_SECRETS:
        assert secret not in cleaned
    reader = pypdf.PdfReader(io.BytesIO(cleaned))
    assert not reader.metadata  # no information dictionary at all
    assert "/Metadata" not in reader.trailer["/Root"]
    assert len(reader.pages) == 1
    assert "Shift rota for the loading bay" in reader.pages[0].extract_text()


def test_pdf_that_cannot_be_read_is_refused_not_kept_as_it_came():
    with pytest.raises(UploadRefused, match="could not be read"):
        clean_file("broken.pdf", b"%PDF-1.4\n%not really a PDF\n")


def test_pdf_with_a_password_is_refused_with_a_way_forward():
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf_with_author())))
    writer.encrypt(user_password="tulip", owner_password="tulip-owner")
    locked = io.BytesIO()
    writer.write(locked)
    with pytest.raises(UploadRefused, match="protected with a password"):
        clean_file("locked.pdf", locked.getvalue())


def test_photo_loses_its_gps_and_camera():
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # GPS really there
    cleaned = clean_file("receipt.jpeg", original)
    assert cleaned.name == "receipt.jpg" and cleaned.content_type == "image/jpeg"
    assert not Image.open(io.BytesIO(cleaned.data)).getexif()
    assert b"Camberwick" not in cleaned.data and b"Exif" not in cleaned.data


def test_image_over_the_pixel_cap_is_refused_by_its_header_before_any_decoding(monkeypatch):
    bomb = blank_png(8000, 8000)  # 64 megapixels in under 8 KB
    assert len(bomb) < 10_000

    def no_decoding(self):  # pragma: no cover - reached only if the header check is missing
        raise AssertionError("the pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with pytest.raises(UploadRefused, match="40 megapixels or fewer"):
        clean_file("screenshot.png", bomb)
    # Above twice Pillow's own limit, the same calm refusal rather than a Pillow error.
    with pytest.raises(UploadRefused, match="40 megapixels or fewer"):
        clean_file("screenshot.png", blank_png(10000, 9000))


def test_image_just_under_the_cap_is_accepted():
    cleaned = clean_file("wide.png", blank_png(400, 300))
    assert Image.open(io.BytesIO(cleaned.data)).size == (400, 300)


def test_cleaning_a_large_image_holds_at_most_two_copies_of_its_pixels(tmp_path):
    width = height = 4000  # 16 megapixels: 61 MiB a copy in memory (4 bytes a pixel)
    source = tmp_path / "large.png"
    Image.new("RGB", (width, height), (10, 200, 30)).save(source, format="PNG")
    script = textwrap.dedent(
        """
        import resource, sys
        from saferwork.lib.filecleaning import strip_image
        data = open(sys.argv[1], "rb").read()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        strip_image(data)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(after - before)
        """
    )
    # A fresh process: the peak resident size of this one says nothing about one call.
    result = subprocess.run(
        [sys.executable, "-c", script, str(source)], capture_output=True, text=True, check=True, cwd=ROOT
    )
    peak = int(result.stdout.strip()) * 1024  # ru_maxrss is in KiB on Linux
    one_copy = width * height * 4
    # Before: five copies at once (decoded, turned, converted, bytes, rebuilt), 290 MiB here.
    assert peak < 2.5 * one_copy, f"{peak / 2**20:.0f} MiB"


def test_types_are_described_as_people_know_them():
    assert filecleaning.describe({"pdf", "png", "jpg", "jpeg"}) == "JPG, PNG or PDF"
    with pytest.raises(UploadRefused, match="must be a JPG, PNG or PDF"):
        clean_file("receipt.docx", b"PK\x03\x04", allowed={"pdf", "png", "jpg", "jpeg"})
