"""The duty record as DOCX (python-docx) and PDF (fpdf2), built from the same :class:`DutyRecord`."""

from __future__ import annotations

import io

from docx import Document
from fpdf import FPDF

from saferwork.duty.record import DutyRecord
from saferwork.fees.documents import _latin1 as latin1
from saferwork.lib.suppression import footnote

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
INTRO = (
    "Every reasonable step recorded in SaferWork for this period, with its date and evidence. Counts about "
    "people follow the suppression rules: a count marked hidden could be anything from 0 upwards."
)


def _lines(record: DutyRecord) -> list[tuple[str, str]]:
    """(style, text) lines that both documents render: h1, h2, p, step, small."""
    out: list[tuple[str, str]] = [("h1", record.title), ("p", f"Period: {record.period}"), ("p", INTRO)]
    out.append(("h2", "The legal test on each day of the period"))
    if not record.tests:
        out.append(("p", "No legal test is recorded for these dates."))
    for test in record.tests:
        out.append(("step", test.describe))
        out.append(("small", f"{test.summary} Source: {test.source}."))
    for section in record.sections:
        out.append(("h2", section.title))
        for figure in section.figures:
            out.append(("p", f"{figure.label}: {figure.shown}"))
        if not section.steps:
            out.append(("p", "No steps recorded in this period."))
        for step in section.steps:
            out.append(("step", f"{step.on:%-d %B %Y}: {step.title}"))
            if step.detail:
                out.append(("small", step.detail))
            for evidence in step.evidence:
                out.append(("small", f"Evidence: {evidence}"))
        for note in section.notes:
            out.append(("small", note))
    out.append(("small", footnote(5)))
    return out


def docx_bytes(record: DutyRecord) -> bytes:
    doc = Document()
    for style, text in _lines(record):
        if style == "h1":
            doc.add_heading(text, level=1)
        elif style == "h2":
            doc.add_heading(text, level=2)
        elif style == "step":
            doc.add_paragraph(text, style="List Bullet")
        else:
            doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def pdf_bytes(record: DutyRecord) -> bytes:
    pdf = FPDF()
    pdf.set_title(latin1(record.title))
    pdf.add_page()
    sizes = {"h1": ("B", 16, 9), "h2": ("B", 13, 8), "p": ("", 11, 6), "step": ("B", 10, 6), "small": ("", 9, 5)}
    for style, text in _lines(record):
        weight, size, height = sizes[style]
        if style == "h2":
            pdf.ln(3)
        pdf.set_font("Helvetica", weight, size)
        pdf.multi_cell(0, height, latin1(text), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
