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
    for style, text in lines:
        if style in _HEADING_LEVELS:
            doc.add_heading(text, level=_HEADING_LEVELS[style])
        elif style == "step":
            doc.add_paragraph(text, style="List Bullet")
        else:
            doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def pdf_bytes(title: str, lines: Lines) -> bytes:
    pdf = FPDF()
    pdf.set_title(latin1(title))
    pdf.add_page()
    for style, text in lines:
        weight, size, height = _PDF_STYLES[style]
        if style in ("h2", "h3"):
            pdf.ln(3)
        pdf.set_font("Helvetica", weight, size)
        pdf.multi_cell(0, height, latin1(text), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
