"""Check a participants CSV line by line, streaming it rather than reading it whole."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from saferwork.training.models import Participant, Position
from saferwork.training.services import NewParticipant

MAX_ROWS = 500


@dataclass(frozen=True)
class Column:
    """One column of the participants file: the importer, the page's hint and the template read these."""

    name: str
    required: bool
    example: str
    describes: str  # how a problem with the column is named to the person


COLUMNS = [
    Column("name", True, "Alex Example", "name"),
    Column("email", True, "alex@example.org", "email address"),
    Column("position", True, Position.LINE_MANAGER.label, "position"),
    Column("manager_email", False, "", "manager's email address"),
]
REQUIRED = [c.name for c in COLUMNS if c.required]
# The columns as they will be stored: the check applies the database's own limits, so a
# row that passes can always be imported (PostgreSQL refuses NUL bytes and over-long text).
STORED_AS = {"name": "name", "email": "email", "manager_email": "email"}
LABELS = {c.name: c.describes for c in COLUMNS}


def _normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


# A position as people read it ("Line manager", "line  MANAGER ") or as its code ("line_manager").
POSITION_LOOKUP = {_normalise(value): value for value in Position.values} | {
    _normalise(str(label)): value for value, label in Position.choices
}


def position_hint() -> str:
    return "; ".join(str(label) for label in Position.labels)


def template_rows() -> list[list[str]]:
    """The template file: the header line and one example row, from ``COLUMNS``."""
    return [[c.name for c in COLUMNS], [c.example for c in COLUMNS]]


class Problem(NamedTuple):
    """One problem in the file: its line (0: the whole file), the column (may be empty) and what is wrong."""

    line: int
    column: str
    message: str


@dataclass
class CsvCheck:
    people: list[NewParticipant] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    rows: int = 0

    @property
    def clean(self) -> bool:
        return not self.errors and self.rows > 0


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def _storage_problems(row: dict[str | None, str | list[str] | None]) -> list[tuple[str, str]]:
    problems = []
    for column, model_field in STORED_AS.items():
        value = row.get(column)
        if not isinstance(value, str):
            continue
        value = value.strip()
        limit = getattr(Participant._meta.get_field(model_field), "max_length", None)
        if "\x00" in value:
            problems.append((column, f"the {LABELS[column]} contains a character that cannot be stored (a NUL byte)"))
        elif limit is not None and len(value) > limit:
            problems.append((column, f"the {LABELS[column]} is longer than {limit} characters"))
    for header, other in row.items():
        if header is None or header in STORED_AS:
            continue
        if isinstance(other, str) and "\x00" in other:
            problems.append((header, f"the {header} column contains a character that cannot be stored (a NUL byte)"))
    return problems


def check_csv(binary: IO[bytes], *, existing_emails: Iterable[str]) -> CsvCheck:
    """Every problem, by its line number in the file and its column; the good rows only if there are none.

    The file is read line by line from the upload (never whole into memory).
    """
    result = CsvCheck()
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="strict", newline="")
    try:
        reader = csv.DictReader(text)
        headers = [h.strip().lower() for h in (reader.fieldnames or [])]
        missing = [h for h in REQUIRED if h not in headers]
        if missing:
            for column in missing:
                result.errors.append(Problem(1, column, "The first line must name the columns; this one is missing."))
            return result
        reader.fieldnames = headers
        taken = {e.lower() for e in existing_emails}
        seen: set[str] = set()
        manager_refs: list[tuple[int, str]] = []
        for row in reader:
            line = reader.line_num
            result.rows += 1
            if result.rows > MAX_ROWS:
                result.errors.append(Problem(line, "", f"The file has more than {MAX_ROWS} people; split it."))
                break
            name = (row.get("name") or "").strip()
            email = (row.get("email") or "").strip().lower()
            typed_position = (row.get("position") or "").strip()
            position = POSITION_LOOKUP.get(_normalise(typed_position))
            manager = (row.get("manager_email") or "").strip().lower()
            problems = _storage_problems(row)
            if not name:
                problems.append(("name", "the name is missing"))
            try:
                validate_email(email)
            except ValidationError:
                problems.append(
                    ("email", f"“{email}” is not an email address" if email else "the email address is missing")
                )
            else:
                if email in seen:
                    problems.append(("email", f"the email address {email} appears more than once"))
                elif email in taken:
                    problems.append(("email", f"the email address {email} is already on this session"))
            if position is None:
                problems.append(
                    (
                        "position",
                        f"“{typed_position}” is not a position from the list"
                        if typed_position
                        else "the position is missing",
                    )
                )
            if manager:
                manager_refs.append((line, manager))
            seen.add(email)
            for column, message in problems:
                result.errors.append(Problem(line, column, _sentence(message)))
            if not problems and not result.errors:
                result.people.append(NewParticipant(name, email, position or "", manager))
        for line, manager in manager_refs:
            if manager not in seen and manager not in taken:
                result.errors.append(
                    Problem(line, "manager_email", f"The manager {manager} is not in the file or on this session.")
                )
    except UnicodeDecodeError:
        result.errors.append(Problem(0, "", "The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."))
    except csv.Error as error:
        result.errors.append(Problem(0, "", f"The file could not be read as CSV: {error}."))
    finally:
        text.detach()
    result.errors.sort(key=lambda problem: problem.line)
    if result.errors:
        result.people = []
    return result
