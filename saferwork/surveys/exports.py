"""XLSX, DOCX and PDF of a cut's results: the same rows, the same hidden cells, as the page.

Every file is written from :func:`saferwork.surveys.results.export_sections`, the rows the
CSV and the page also use. XLSX is written by openpyxl in write-only mode to a temporary
file that is streamed (as for reach); the DOCX and PDF are a summary a leader can print.
No file carries a comment's text: free text stays on the page, after redaction.
"""

from __future__ import annotations

import io
from itertools import chain
from typing import IO, Any

from docx import Document
from fpdf import FPDF

from saferwork.fees.documents import _latin1
from saferwork.lib.cells import workbook_file
from saferwork.surveys.results import Results, export_sections


def _heading(results: Results) -> str:
    return f"{results.survey.title} ({results.survey.wave}): results"


def _about(results: Results) -> list[str]:
    lines = [f"{label}: {value}" for label, value in results.describe()]
    if results.excluded:
        lines.append(f"Left out (too few to show): {', '.join(results.excluded)}")
    lines.append(results.footnote)
    lines.append("Free-text answers are not included in exports.")
    return lines


def xlsx_file(results: Results) -> IO[bytes]:
    """An open temporary file holding the workbook; the response closes (and so deletes) it."""
    summary = [["SaferWork climate survey results", results.survey.title, results.survey.wave]]
    summary += [[line] for line in _about(results)]
    sections = [
        (f"{number} {title}", chain([[title]], rows))
        for number, (title, rows) in enumerate(export_sections(results), start=1)
    ]
    return workbook_file([("Summary", summary), *sections])


def docx_bytes(results: Results) -> bytes:
    doc = Document()
    doc.add_heading(_heading(results), level=1)
    for line in _about(results):
        doc.add_paragraph(line)
    for title, rows in export_sections(results):
        doc.add_heading(title, level=2)
        width = max(len(row) for row in rows)
        table = doc.add_table(rows=len(rows), cols=width)
        table.style = "Table Grid"
        # One pass over the table's cells: asking each new row for its cells walks the whole table.
        cells = table._cells
        for number, row in enumerate(rows):
            for index, value in enumerate(row):
                cells[number * width + index].text = str(value)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def pdf_bytes(results: Results) -> bytes:
    pdf = FPDF(orientation="landscape")
    pdf.set_title(_latin1(_heading(results)))
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 9, _latin1(_heading(results)), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    for line in _about(results):
        pdf.multi_cell(0, 5, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    for title, rows in export_sections(results):
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 10)
        pdf.multi_cell(0, 6, _latin1(title), new_x="LMARGIN", new_y="NEXT")
        _pdf_table(pdf, rows)
    return bytes(pdf.output())


def _pdf_table(pdf: FPDF, rows: list[list[Any]]) -> None:
    width = max(len(row) for row in rows)
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    first = min(60.0, usable / 3) if width > 1 else usable
    other = (usable - first) / max(width - 1, 1)
    for number, row in enumerate(rows):
        pdf.set_font("Helvetica", "B" if number == 0 else "", 7)
        for index in range(width):
            value = _latin1(str(row[index])) if index < len(row) else ""
            cell_width = first if index == 0 else other
            # Headers are long answers: cut them to the cell rather than run over.
            while value and pdf.get_string_width(value) > cell_width - 1:
                value = value[:-1]
            pdf.cell(cell_width, 5, value, border=1, align="L" if index == 0 else "R")
        pdf.ln(5)
