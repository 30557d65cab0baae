"""Plain documents as DOCX (python-docx) and PDF (fpdf2), written from one list of lines.

A document is a list of ``(style, text)`` lines, so that both formats always say the same:
``h1``, ``h2`` and ``h3`` are headings, ``step`` a bullet, ``p`` a paragraph and ``small``
a note in smaller type. Used by the duty record and the risk assessment.
"""

from __future__ import annotations

import io

from docx import Document
from fpdf import FPDF

from saferwork.fees.documents import _latin1 as latin1

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MIME = "application/pdf"
Lines = list[tuple[str, str]]

_HEADING_LEVELS = {"h1": 1, "h2": 2, "h3": 3}
_PDF_STYLES = {
    "h1": ("B", 16, 9),
    "h2": ("B", 13, 8),
    "h3": ("B", 11, 7),
    "p": ("", 11, 6),
    "step": ("B", 10, 6),
    "small": ("", 9, 5),
}


def docx_bytes(lines: Lines) -> bytes:
    doc = Document()
    # python-docx looks a style up by name on every paragraph (about 3 ms each); a duty
    # record has thousands of bullets, so the style's id is looked up once and set directly.
    bullet = doc.styles["List Bullet"].style_id
    for style, text in lines:
        if style in _HEADING_LEVELS:
            doc.add_heading(text, level=_HEADING_LEVELS[style])
        elif style == "step":
            doc.add_paragraph(text)._p.style = bullet
        else:
            doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _wrapped(pdf: FPDF, text: str, width: float) -> list[str] | None:
    """``text`` broken into lines no wider than ``width`` at spaces, measuring each word once
    (fpdf2's ``multi_cell`` measures a line again for every character added to it, which
    takes seconds for a long record); ``None`` when one word is wider than a line."""
    space = pdf.get_string_width(" ")
    out: list[str] = []
    current: list[str] = []
    used = 0.0
    for paragraph in text.split("\n"):
        for word in paragraph.split(" "):
            size = pdf.get_string_width(word)
            if size > width:
                return None
            if current and used + space + size > width:
                out.append(" ".join(current))
                current, used = [], 0.0
            used += (space if current else 0.0) + size
            current.append(word)
        out.append(" ".join(current))
        current, used = [], 0.0
    return out


def pdf_bytes(title: str, lines: Lines) -> bytes:
    pdf = FPDF()
    pdf.set_title(latin1(title))
    pdf.add_page()
    width = pdf.epw - 2 * pdf.c_margin
    for style, text in lines:
        weight, size, height = _PDF_STYLES[style]
        if style in ("h2", "h3"):
            pdf.ln(3)
        pdf.set_font("Helvetica", weight, size)
        text = latin1(text)
        wrapped = _wrapped(pdf, text, width)
        if wrapped is None:
            pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")
            continue
        for line in wrapped:
            pdf.cell(0, height, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
