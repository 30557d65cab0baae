"""Spreadsheet cells that cannot run: every CSV and XLSX export writes through here.

A spreadsheet reads a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and, in some, a
tab or carriage return before one of them) as a formula. Organisation names, trainer
names and the like arrive from public forms, so a name such as ``=HYPERLINK(...)`` would
run in whoever opens the export. OWASP's advice is followed: such a text cell gets a
leading ``'``, which spreadsheets show as text. Numbers are left alone (``-3`` as a
number is data, not a formula).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable
from typing import IO, Any, Protocol

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """``value`` as it can safely go into a spreadsheet cell."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value


def neutralise_row(row: Iterable[Any]) -> list[Any]:
    return [neutralise(value) for value in row]


class _Appendable(Protocol):
    def append(self, iterable: Any) -> None: ...


class SafeSheet:
    """An openpyxl worksheet whose rows go through ``neutralise_row``. openpyxl stores any
    text that starts with ``=`` as a formula, so every XLSX writer appends through this."""

    def __init__(self, sheet: _Appendable) -> None:
        self.sheet = sheet

    def append(self, row: Iterable[Any]) -> None:
        self.sheet.append(neutralise_row(row))


def sheet_name(title: str) -> str:
    """``title`` as Excel accepts a sheet name: none of ``\\ / * ? : [ ]``, at most 31 characters."""
    return re.sub(r"[\\/*?:\[\]]", " ", title)[:31]


def workbook_file(sheets: Iterable[tuple[str, Iterable[Iterable[Any]]]]) -> IO[bytes]:
    """A write-only workbook of ``(sheet title, rows)`` in an open temporary file.

    openpyxl's write-only mode keeps one row at a time, so a long export is never held
    whole; every row goes through ``SafeSheet``. The response streams the file and closes
    (and so deletes) it.
    """
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = SafeSheet(workbook.create_sheet(sheet_name(title)))
        for row in rows:
            sheet.append(row)
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response closes it
    workbook.save(handle.name)
    handle.seek(0)
    return handle
