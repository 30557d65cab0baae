"""DOCX (python-docx) and PDF (fpdf2) versions of an estimate or statement."""

from __future__ import annotations

import io

from docx import Document
from fpdf import FPDF

from saferwork.fees.models import FeeDocument, FeeLine, pounds

NEVER_PAYS = (
    "The organisation pays the trainer directly. The programme does not pay trainers "
    "and is not a party to this arrangement."
)


def _rows(document: FeeDocument, lines: list[FeeLine]) -> list[tuple[str, str]]:
    rows = [(f"Training: {document.days} day(s) at {pounds(document.day_rate_pence)}", pounds(document.fee_pence))]
    rows += [(f"{line.get_kind_display()}: {line.description}", pounds(line.amount_pence)) for line in lines]
    rows.append(("Total", pounds(document.total_pence(lines))))
    return rows


def _heading(document: FeeDocument) -> str:
    return f"{document.get_kind_display()} {document.reference}"


def docx_bytes(document: FeeDocument) -> bytes:
    lines = list(document.lines.all())
    doc = Document()
    doc.add_heading(_heading(document), level=1)
    doc.add_paragraph(f"From: {document.trainer.name} (trainer)")
    doc.add_paragraph(f"To: {document.organisation.name}")
    doc.add_paragraph(f"Booking: {document.enquiry.reference}")
    doc.add_paragraph(f"State: {document.get_state_display()}")
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, amount in _rows(document, lines):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, amount
    if document.notes:
        doc.add_paragraph(document.notes)
    doc.add_paragraph(NEVER_PAYS)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _latin1(text: str) -> str:
    # The core PDF fonts cover Latin-1: replace what they cannot draw rather than fail.
    return (
        text.replace("–", "-")
        .replace("’", "'")
        .replace("“", '"')
        .replace("”", '"')
        .encode("latin-1", "replace")
        .decode("latin-1")
    )


def pdf_bytes(document: FeeDocument) -> bytes:
    lines = list(document.lines.all())
    pdf = FPDF()
    pdf.set_title(_heading(document))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 12, _latin1(_heading(document)), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    for text in (
        f"From: {document.trainer.name} (trainer)",
        f"To: {document.organisation.name}",
        f"Booking: {document.enquiry.reference}",
        f"State: {document.get_state_display()}",
    ):
        pdf.cell(0, 7, _latin1(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for label, amount in _rows(document, lines):
        pdf.set_font("Helvetica", "B" if label == "Total" else "", 11)
        pdf.cell(140, 8, _latin1(label), border=1)
        pdf.cell(40, 8, _latin1(amount), border=1, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.ln(4)
    if document.notes:
        pdf.multi_cell(0, 6, _latin1(document.notes), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.multi_cell(0, 6, _latin1(NEVER_PAYS), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
