"""The duty record as DOCX and PDF (``saferwork.lib.documents``), built from the same :class:`DutyRecord`."""

from __future__ import annotations

from saferwork.duty.record import DutyRecord
from saferwork.lib import documents
from saferwork.lib.suppression import footnote

DOCX_MIME = documents.DOCX_MIME
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
    return documents.docx_bytes(_lines(record))


def pdf_bytes(record: DutyRecord) -> bytes:
    return documents.pdf_bytes(record.title, _lines(record))
