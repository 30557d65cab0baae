"""Check a staff list (CSV or XLSX: email and department) row by row, streaming it.

Like training's participant import: every bad row is reported by its line number, and
the good rows are returned only when there are no bad ones, so nothing is imported
until the whole list is clean.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from saferwork.surveys.services import StaffRow

MAX_ROWS = 20_000
REQUIRED = ["email", "department"]
EMAIL_LIMIT = 254


@dataclass
class StaffListCheck:
    rows: list[StaffRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    count: int = 0

    @property
    def clean(self) -> bool:
        return not self.errors and self.count > 0


class Unreadable(Exception):
    pass


def _csv_rows(binary: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="strict", newline="")
    try:
        reader = csv.reader(text)
        for row in reader:
            yield reader.line_num, row
    except UnicodeDecodeError:
        raise Unreadable("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.") from None
    except csv.Error as error:
        raise Unreadable(f"The file could not be read as CSV: {error}.") from None
    finally:
        text.detach()


def _xlsx_rows(binary: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        # read_only streams the sheet row by row instead of building it in memory.
        book = load_workbook(binary, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise Unreadable("The file could not be read as an Excel workbook (.xlsx).") from None
    try:
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, ["" if v is None else str(v) for v in values]
    finally:
        book.close()


def check_staff_list(
    binary: IO[bytes],
    *,
    filename: str,
    departments: Mapping[str, int],
    existing_emails: set[str] = frozenset(),  # type: ignore[assignment]
    unknown_department: str = "is not a department taking part in this survey",
) -> StaffListCheck:
    """``departments`` maps a department's name, case folded, to its place in the wave
    (or, for another app's list, to the department's id; ``unknown_department`` then
    says what a name missing from it is not)."""
    result = StaffListCheck()
    rows: Iterator[tuple[int, list[str]]]
    rows = _xlsx_rows(binary) if filename.lower().endswith(".xlsx") else _csv_rows(binary)
    seen: set[str] = set()
    good: list[StaffRow] = []
    columns: dict[str, int] = {}
    try:
        for line, values in rows:
            cells = [v.strip() for v in values]
            if not columns:
                headers = [c.lower() for c in cells]
                missing = [h for h in REQUIRED if h not in headers]
                if missing:
                    result.errors.append(
                        (line, f"The first line must name the columns; missing: {', '.join(missing)}.")
                    )
                    break
                columns = {h: headers.index(h) for h in REQUIRED}
                continue
            if not any(cells):
                continue
            result.count += 1
            if result.count > MAX_ROWS:
                result.errors.append((line, f"The list has more than {MAX_ROWS:,} people; split it."))
                break
            problems = _problems(cells, columns, departments, seen, existing_emails, unknown_department)
            email = _cell(cells, columns["email"]).lower()
            seen.add(email)
            if problems:
                message = "; ".join(problems)
                result.errors.append((line, message[:1].upper() + message[1:] + "."))
            elif not result.errors:
                good.append(StaffRow(email, departments[_cell(cells, columns["department"]).casefold()]))
    except Unreadable as error:
        result.errors.append((0, str(error)))
    if not columns and not result.errors:
        result.errors.append((1, "The file is empty."))
    elif columns and not result.count and not result.errors:
        result.errors.append((2, "The list has no people in it."))
    result.errors.sort()
    result.rows = [] if result.errors else good
    return result


def _cell(cells: list[str], index: int) -> str:
    return cells[index] if index < len(cells) else ""


def _problems(
    cells: list[str],
    columns: dict[str, int],
    departments: Mapping[str, int],
    seen: set[str],
    existing: Any,
    unknown_department: str = "is not a department taking part in this survey",
) -> list[str]:
    problems = []
    email = _cell(cells, columns["email"]).lower()
    department = _cell(cells, columns["department"])
    if any("\x00" in c for c in cells):
        problems.append("the row contains a character that cannot be stored (a NUL byte)")
    try:
        validate_email(email)
    except ValidationError:
        problems.append(f"“{email[:80]}” is not an email address" if email else "the email address is missing")
    else:
        if len(email) > EMAIL_LIMIT:
            problems.append(f"the email address is longer than {EMAIL_LIMIT} characters")
        elif email in seen:
            problems.append(f"{email} appears more than once")
        elif email in existing:
            problems.append(f"{email} has already been invited")
    if not department:
        problems.append("the department is missing")
    elif department.casefold() not in departments:
        problems.append(f"“{department[:80]}” {unknown_department}")
    return problems
