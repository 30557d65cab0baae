"""CSV and XLSX of the reach report: the same suppressed cells as the page, never raw counts.

CSV is streamed row by row; XLSX is written by openpyxl in write-only mode to a temporary
file that is then streamed, so neither holds the whole export in memory.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO, Any

from openpyxl import Workbook

from saferwork.lib.cells import SafeSheet
from saferwork.lib.csvstream import csv_lines
from saferwork.reach.selectors import ReachReport


def report_rows(report: ReachReport, *, scope: str) -> Iterator[list[Any]]:
    yield ["SaferWork reach", scope]
    for label, value in report.filters.describe():
        yield [label, value]
    yield ["Note", report.footnote]
    yield []
    yield ["Sessions delivered", report.sessions.export_value]
    yield ["Attendees", report.attendees.export_value]
    yield []
    for breakdown in report.breakdowns:
        yield from breakdown.export_rows()
        yield []
    yield ["Evaluation"]
    yield ["Answers", report.evaluation_answers.export_value]
    if report.evaluation.shown:
        for label, mean in report.evaluation.ratings:
            yield [label, mean]
        for label, before, after in report.evaluation.confidence:
            yield [f"Confidence: {label}", f"before {before}", f"after {after}"]
    else:
        yield [f"Averages appear once at least {report.evaluation.threshold} people have answered."]
    if report.by_trainer:
        yield []
        yield ["Trainer", "Answers", "Day overall (average)", "Trainers (average)"]
        for row in report.by_trainer:
            yield [row.name, row.answers.export_value, row.overall or "", row.trainers or ""]


def csv_stream(report: ReachReport, *, scope: str) -> Iterator[str]:
    return csv_lines(report_rows(report, scope=scope))


def xlsx_file(report: ReachReport, *, scope: str) -> IO[bytes]:
    """An open temporary file holding the workbook; the response closes (and so deletes) it."""
    workbook = Workbook(write_only=True)
    summary = SafeSheet(workbook.create_sheet("Summary"))
    summary.append(["SaferWork reach", scope])
    for label, value in report.filters.describe():
        summary.append([label, value])
    summary.append(["Note", report.footnote])
    summary.append(["Sessions delivered", report.sessions.export_value])
    summary.append(["Attendees", report.attendees.export_value])
    summary.append(["Evaluation answers", report.evaluation_answers.export_value])
    if report.evaluation.shown:
        for label, mean in report.evaluation.ratings:
            summary.append([label, mean])
        for label, before, after in report.evaluation.confidence:
            summary.append([f"Confidence: {label} (before, after)", before, after])
    for breakdown in report.breakdowns:
        sheet = SafeSheet(workbook.create_sheet(breakdown.title[:31]))
        for row in breakdown.export_rows():
            sheet.append(row)
    if report.by_trainer:
        sheet = SafeSheet(workbook.create_sheet("Evaluation by trainer"))
        sheet.append(["Trainer", "Answers", "Day overall (average)", "Trainers (average)"])
        for trainer in report.by_trainer:
            sheet.append([trainer.name, trainer.answers.export_value, trainer.overall or "", trainer.trainers or ""])
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    workbook.save(handle.name)
    handle.seek(0)
    return handle
