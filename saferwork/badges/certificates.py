"""The PDF certificate: what the badge says, where to check it, nothing else.

fpdf2 with its core Helvetica font only (no font files, no external resources). The
certificate names no one: the badge identifies its holder only by a hashed email
address, and the certificate says so, with a QR code and address for checking it.
"""

from __future__ import annotations

import io

import qrcode
from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from fpdf import FPDF
from qrcode.image.pure import PyPNGImage

from saferwork.badges import documents
from saferwork.badges.models import Credential
from saferwork.badges.verification import VerificationResult

PURPLE = (61, 31, 92)
GREY = (80, 90, 95)


def _text(value: str) -> str:
    # Core fonts speak Latin-1: swap the few typographic characters we use for plain ones.
    replaced = value.replace("\u2019", "'").replace("\u2018", "'").replace("\u2013", "-").replace("\u2014", "-")
    replaced = replaced.replace("\u201c", '"').replace("\u201d", '"')
    return replaced.encode("latin-1", "replace").decode("latin-1")


def _qr_png(url: str) -> io.BytesIO:
    image = qrcode.make(url, box_size=8, border=2, image_factory=PyPNGImage)
    buffer = io.BytesIO()
    image.save(buffer)
    buffer.seek(0)
    return buffer


def render_pdf(credential: Credential, result: VerificationResult) -> bytes:
    wording = credential.achievement.wording(show_topic=credential.show_topic)
    issuer = documents.issuer_name(credential.organisation)
    verify_url = f"{settings.SITE_URL}{credential.get_absolute_url()}"
    awarded = date_format(credential.awarded_on, "j F Y")
    issued = date_format(timezone.localtime(credential.issued_at), "j F Y")

    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_title(_text(f"{wording['name']} - certificate"))
    pdf.set_author(_text(issuer))
    pdf.set_creator("SaferWork")
    pdf.set_auto_page_break(False)
    pdf.add_page()

    # A plain frame in the programme's colour.
    pdf.set_draw_color(*PURPLE)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_line_width(0.3)
    pdf.rect(13, 13, 271, 184)

    pdf.set_text_color(*GREY)
    pdf.set_font("Helvetica", "B", 12)
    pdf.set_xy(25, 36)
    pdf.cell(247, 8, "CERTIFICATE OF ACHIEVEMENT", align="C")

    pdf.set_text_color(*PURPLE)
    pdf.set_font("Helvetica", "B", 30)
    pdf.set_xy(25, 50)
    pdf.multi_cell(247, 13, _text(wording["name"]), align="C")

    pdf.set_text_color(20, 20, 20)
    pdf.set_font("Helvetica", "", 14)
    pdf.set_x(25)
    pdf.multi_cell(247, 8, _text(f"Awarded by {issuer} for attending a session on {awarded}."), align="C")
    pdf.ln(3)
    pdf.set_font("Helvetica", "", 12)
    pdf.set_x(58.5)
    pdf.multi_cell(180, 6.5, _text(wording["description"]), align="C")

    # Details and the way to check them.
    pdf.set_draw_color(200, 200, 200)
    pdf.line(25, 122, 272, 122)
    pdf.set_xy(25, 128)
    pdf.set_font("Helvetica", "B", 10)
    pdf.set_text_color(*GREY)
    rows = [
        ("Badge", str(credential.id)),
        ("Issued", issued),
        (
            "Valid until",
            date_format(timezone.localtime(credential.valid_until), "j F Y")
            if credential.valid_until
            else "No end date",
        ),
        ("Holder", "Identified in the badge by a hashed email address only"),
        ("Check it at", verify_url),
    ]
    for label, value in rows:
        pdf.set_x(25)
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(32, 7, _text(label))
        pdf.set_font("Helvetica", "", 10)
        pdf.set_text_color(20, 20, 20)
        pdf.cell(180, 7, _text(value), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*GREY)

    pdf.image(_qr_png(verify_url), x=236, y=128, w=36, h=36)

    pdf.set_xy(25, 176)
    pdf.set_font("Helvetica", "", 8.5)
    pdf.set_text_color(*GREY)
    pdf.multi_cell(
        200,
        4.5,
        _text(
            "This certificate copies an Open Badges 3.0 credential signed with the programme's Ed25519 key. "
            "The signed credential, not this paper, is the proof: scan the code or visit the address above to "
            f"check it. Status when this copy was made: {result.headline}."
        ),
    )
    return bytes(pdf.output())
