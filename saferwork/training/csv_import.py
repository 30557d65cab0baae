"""Check a participants CSV line by line, streaming it rather than reading it whole."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from saferwork.training.models import Participant, Position
from saferwork.training.services import NewParticipant

MAX_ROWS = 500
REQUIRED = ["name", "email", "position"]
# The columns as they will be stored: the check applies the database's own limits, so a
# row that passes can always be imported (PostgreSQL refuses NUL bytes and over-long text).
STORED_AS = {"name": "name", "email": "email", "manager_email": "email"}
LABELS = {"name": "name", "email": "email address", "manager_email": "manager's email address"}
POSITION_LOOKUP = {value: value for value in Position.values} | {
    label.lower(): value for value, label in Position.choices
}


@dataclass
class CsvCheck:
    people: list[NewParticipant] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    rows: int = 0

    @property
    def clean(self) -> bool:
        return not self.errors and self.rows > 0


def _storage_problems(row: dict[str | None, str | list[str] | None]) -> list[str]:
    problems = []
    for column, model_field in STORED_AS.items():
        value = row.get(column)
        if not isinstance(value, str):
            continue
        value = value.strip()
        limit = getattr(Participant._meta.get_field(model_field), "max_length", None)
        if "\x00" in value:
            problems.append(f"the {LABELS[column]} contains a character that cannot be stored (a NUL byte)")
        elif limit is not None and len(value) > limit:
            problems.append(f"the {LABELS[column]} is longer than {limit} characters")
    for header, other in row.items():
        if header is None or header in STORED_AS:
            continue
        if isinstance(other, str) and "\x00" in other:
            problems.append(f"the {header} column contains a character that cannot be stored (a NUL byte)")
    return problems


def check_csv(binary: IO[bytes], *, existing_emails: Iterable[str]) -> CsvCheck:
    """Every bad row, by its line number in the file; the good rows only if there are no bad ones."""
    result = CsvCheck()
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="strict", newline="")
    try:
        reader = csv.DictReader(text)
        headers = [h.strip().lower() for h in (reader.fieldnames or [])]
        missing = [h for h in REQUIRED if h not in headers]
        if missing:
            result.errors.append((1, f"The first line must name the columns; missing: {', '.join(missing)}."))
            return result
        reader.fieldnames = headers
        taken = {e.lower() for e in existing_emails}
        seen: set[str] = set()
        manager_refs: list[tuple[int, str]] = []
        for row in reader:
            line = reader.line_num
            result.rows += 1
            if result.rows > MAX_ROWS:
                result.errors.append((line, f"The file has more than {MAX_ROWS} people; split it."))
                break
            name = (row.get("name") or "").strip()
            email = (row.get("email") or "").strip().lower()
            position = POSITION_LOOKUP.get((row.get("position") or "").strip().lower())
            manager = (row.get("manager_email") or "").strip().lower()
            problems = _storage_problems(row)
            if not name:
                problems.append("the name is missing")
            try:
                validate_email(email)
            except ValidationError:
                problems.append(f"“{email}” is not an email address" if email else "the email address is missing")
            else:
                if email in seen:
                    problems.append(f"{email} appears more than once")
                elif email in taken:
                    problems.append(f"{email} is already on this session")
            if position is None:
                problems.append(f"“{(row.get('position') or '').strip()}” is not a position from the list")
            if manager:
                manager_refs.append((line, manager))
            seen.add(email)
            if problems:
                message = "; ".join(problems)
                result.errors.append((line, message[:1].upper() + message[1:] + "."))
            elif not result.errors:
                result.people.append(NewParticipant(name, email, position or "", manager))
        for line, manager in manager_refs:
            if manager not in seen and manager not in taken:
                result.errors.append((line, f"The manager {manager} is not in the file or on this session."))
    except UnicodeDecodeError:
        result.errors.append((0, "The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."))
    except csv.Error as error:
        result.errors.append((0, f"The file could not be read as CSV: {error}."))
    finally:
        text.detach()
    result.errors.sort()
    if result.errors:
        result.people = []
    return result
