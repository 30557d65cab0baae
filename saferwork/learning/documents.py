"""The completion certificate (PDF) and the completion report's CSV and XLSX.

The certificate is drawn like the badge's (``saferwork.badges.certificates``: fpdf2 with
its core font, nothing loaded from elsewhere). It names the learner, because they asked
for it and it is theirs; it names no department and shows nothing they wrote.
The exports carry exactly the page's suppressed cells.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from django.utils import timezone
from django.utils.formats import date_format
from fpdf import FPDF

from saferwork.badges.certificates import GREY, PURPLE
from saferwork.badges.certificates import _text as latin
from saferwork.learning.models import Enrolment
from saferwork.learning.selectors import CompletionReport
from saferwork.lib.cells import workbook_file
from saferwork.lib.csvstream import csv_lines


def certificate_pdf(enrolment: Enrolment, *, name: str) -> bytes:
    assert enrolment.version is not None and enrolment.completed_at is not None
    version = enrolment.version
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_title(latin(f"{version.title} - certificate of completion"))
    pdf.set_creator("SaferWork")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_draw_color(*PURPLE)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_text_color(*GREY)
    pdf.set_font("Helvetica", "B", 12)
    pdf.set_xy(25, 40)
    pdf.cell(247, 8, "CERTIFICATE OF COMPLETION", align="C")
    pdf.set_text_color(20, 20, 20)
    pdf.set_font("Helvetica", "", 14)
    pdf.set_xy(25, 58)
    pdf.cell(247, 8, "This is to certify that", align="C")
    pdf.set_text_color(*PURPLE)
    pdf.set_font("Helvetica", "B", 26)
    pdf.set_xy(25, 70)
    pdf.multi_cell(247, 12, latin(name), align="C")
    pdf.set_text_color(20, 20, 20)
    pdf.set_font("Helvetica", "", 14)
    pdf.set_x(25)
    pdf.multi_cell(247, 8, "completed the self-paced module", align="C")
    pdf.set_text_color(*PURPLE)
    pdf.set_font("Helvetica", "B", 20)
    pdf.set_x(25)
    pdf.multi_cell(247, 10, latin(version.title), align="C")
    pdf.set_text_color(*GREY)
    pdf.set_font("Helvetica", "", 11)
    pdf.set_xy(25, 160)
    completed = date_format(timezone.localtime(enrolment.completed_at), "j F Y")
    pdf.multi_cell(
        247,
        6,
        latin(f"Completed on {completed} (version {version.number}), with {enrolment.organisation.name}."),
        align="C",
    )
    return bytes(pdf.output())


def report_rows(report: CompletionReport, *, organisation: str) -> Iterator[list[Any]]:
    yield ["SaferWork learning completion", organisation]
    yield from report.export_rows()


def csv_stream(report: CompletionReport, *, organisation: str) -> Iterator[str]:
    return csv_lines(report_rows(report, organisation=organisation))


def xlsx_file(report: CompletionReport, *, organisation: str) -> IO[bytes]:
    """An open temporary file holding the workbook; the response closes (and so deletes) it."""
    return workbook_file([("Completion", report_rows(report, organisation=organisation))])
