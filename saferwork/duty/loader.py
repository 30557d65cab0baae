"""Reading checklist files: JSON with a schema we check ourselves, and loading them idempotently.

A file is refused whole, with the line and the reason, when it is not valid JSON (the
decoder's own position) or does not follow the schema (the line of the item concerned).
Loading the same version again changes nothing; a version already loaded with other
content is refused (its items are what earlier audits were answered against): a
correction is a new version, whose ``mapping`` says which old item ids became which.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from saferwork.duty.models import Checklist, ChecklistItem, OrganisationSize
from saferwork.organisations.models import Organisation

CHECKLIST_DIR = Path(__file__).resolve().parent / "checklists"
KINDS = {k for k, _ in Organisation.Kind.choices}
SIZES = {s for s, _ in OrganisationSize.choices}
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9.-]{0,59}$")
TOP_KEYS = {"key", "version", "title", "summary", "source", "mapping", "items"}
ITEM_KEYS = {"id", "section", "text", "evidence", "kinds", "sizes", "applies_from", "source", "confirmed"}
REQUIRED_ITEM_KEYS = {"id", "section", "text", "applies_from", "source"}


class ChecklistFileError(ValueError):
    """A file that cannot be loaded: ``line`` (1-based, 0 when unknown) and the reason."""

    def __init__(self, name: str, line: int, reason: str) -> None:
        self.name, self.line, self.reason = name, line, reason
        where = f"{name}, line {line}" if line else name
        super().__init__(f"{where}: {reason}")


@dataclass
class ItemData:
    item_id: str
    section: str
    text: str
    evidence: str
    kinds: list[str]
    sizes: list[str]
    applies_from: dt.date
    source_title: str
    source_url: str
    source_paragraph: str
    confirmed: bool


@dataclass
class ChecklistData:
    key: str
    version: int
    title: str
    summary: str
    source_title: str
    source_url: str
    mapping: dict[str, str]
    items: list[ItemData]
    file_name: str
    content_hash: str


def _line_of(text: str, needle: str) -> int:
    at = text.find(needle)
    return text.count("\n", 0, at) + 1 if at >= 0 else 0


def _text(value: Any, what: str, *, required: bool = True, limit: int = 2000) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise ValueError(f"{what} must be a piece of text" + ("" if not required else ", not empty"))
    if len(value) > limit:
        raise ValueError(f"{what} must be {limit} characters or fewer")
    return value.strip()


def _source(value: Any, what: str) -> tuple[str, str, str]:
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be an object with a title, an address (url) and a paragraph")
    unknown = set(value) - {"title", "url", "paragraph"}
    if unknown:
        raise ValueError(f"{what} has unknown fields: {', '.join(sorted(unknown))}")
    url = _text(value.get("url"), f"{what} url", required=False, limit=500)
    if url and not url.startswith(("https://", "http://")):
        raise ValueError(f"{what} url must start with https://")
    return (
        _text(value.get("title"), f"{what} title", limit=300),
        url,
        _text(value.get("paragraph"), f"{what} paragraph", required=False, limit=200),
    )


def _choices(value: Any, allowed: set[str], what: str) -> list[str]:
    if value is None or value == ["any"]:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f'{what} must be a list such as [{", ".join(repr(a) for a in sorted(allowed))}] or ["any"]')
    wrong = [v for v in value if v not in allowed]
    if wrong:
        raise ValueError(f'{what} has {", ".join(map(repr, wrong))}; use {", ".join(sorted(allowed))} or "any"')
    return sorted(set(value))


def _item(raw: Any, index: int) -> ItemData:
    if not isinstance(raw, dict):
        raise ValueError(f"item {index} must be an object")
    missing = REQUIRED_ITEM_KEYS - set(raw)
    if missing:
        raise ValueError(f"item {index} lacks {', '.join(sorted(missing))}")
    unknown = set(raw) - ITEM_KEYS
    if unknown:
        raise ValueError(f"item {index} has unknown fields: {', '.join(sorted(unknown))}")
    item_id = raw["id"]
    if not isinstance(item_id, str) or not ID_PATTERN.match(item_id):
        raise ValueError(f"item {index} id must be lower-case letters, digits, dots or hyphens, like 'policy.1'")
    try:
        applies_from = dt.date.fromisoformat(str(raw["applies_from"]))
    except ValueError:
        raise ValueError(f"item {item_id} applies_from must be a date written YYYY-MM-DD") from None
    confirmed = raw.get("confirmed", False)
    if not isinstance(confirmed, bool):
        raise ValueError(f"item {item_id} confirmed must be true or false")
    title, url, paragraph = _source(raw["source"], f"item {item_id} source")
    return ItemData(
        item_id=item_id,
        section=_text(raw["section"], f"item {item_id} section", limit=100),
        text=_text(raw["text"], f"item {item_id} text"),
        evidence=_text(raw.get("evidence"), f"item {item_id} evidence", required=False),
        kinds=_choices(raw.get("kinds"), KINDS, f"item {item_id} kinds"),
        sizes=_choices(raw.get("sizes"), SIZES, f"item {item_id} sizes"),
        applies_from=applies_from,
        source_title=title,
        source_url=url,
        source_paragraph=paragraph,
        confirmed=confirmed,
    )


def parse(text: str, name: str) -> ChecklistData:
    """Check one file's text; raise :class:`ChecklistFileError` with the line and the reason."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ChecklistFileError(name, exc.lineno, f"not valid JSON: {exc.msg} (column {exc.colno})") from None
    if not isinstance(raw, dict):
        raise ChecklistFileError(name, 1, "the file must hold one JSON object")
    try:
        unknown = set(raw) - TOP_KEYS
        if unknown:
            raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
        key = raw.get("key")
        if not isinstance(key, str) or not re.match(r"^[a-z0-9-]{1,60}$", key):
            raise ValueError("key must be lower-case letters, digits and hyphens, like 'ehrc-eight-steps'")
        version = raw.get("version")
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise ValueError("version must be a whole number, 1 or more")
        title = _text(raw.get("title"), "title", limit=200)
        source_title, source_url, _ = _source(raw.get("source"), "source")
        mapping = raw.get("mapping", {})
        if not isinstance(mapping, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
        ):
            raise ValueError('mapping must be an object of old item id to new item id, like {"policy.1": "policy.1a"}')
        items_raw = raw.get("items")
        if not isinstance(items_raw, list) or not items_raw:
            raise ValueError("items must be a list with at least one item")
    except ValueError as exc:
        raise ChecklistFileError(name, _line_of(text, '"' + str(exc).split(" ", 1)[0] + '"'), str(exc)) from None
    items: list[ItemData] = []
    seen: set[str] = set()
    for index, raw_item in enumerate(items_raw, start=1):
        item_line = _line_of(text, f'"id": "{raw_item.get("id")}"') if isinstance(raw_item, dict) else 0
        try:
            item = _item(raw_item, index)
            if item.item_id in seen:
                raise ValueError(f"item id {item.item_id} appears twice")
        except ValueError as exc:
            # The second of two equal ids is the one at fault: find its line after the first.
            if item_line and isinstance(raw_item, dict) and raw_item.get("id") in seen:
                first = text.find(f'"id": "{raw_item["id"]}"')
                item_line = _line_of(text[first + 1 :], f'"id": "{raw_item["id"]}"') + text.count("\n", 0, first + 1)
            raise ChecklistFileError(name, item_line, str(exc)) from None
        seen.add(item.item_id)
        items.append(item)
    for old, new in mapping.items():
        if new not in seen:
            raise ChecklistFileError(
                name, _line_of(text, f'"{old}"'), f"mapping sends {old} to {new}, which is not an item"
            )
    return ChecklistData(
        key=key,
        version=version,
        title=title,
        summary=_text(raw.get("summary"), "summary", required=False),
        source_title=source_title,
        source_url=source_url,
        mapping=dict(mapping),
        items=items,
        file_name=name,
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
    )


@dataclass
class LoadResult:
    checklist: Checklist
    created: bool
    new_items: list[str] = field(default_factory=list)
    mapped: dict[str, str] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)
    previous_version: int | None = None

    def describe(self) -> str:
        c = self.checklist
        if not self.created:
            return f"{c.key} version {c.version}: already loaded, unchanged"
        if self.previous_version is None:
            return f"{c.key} version {c.version}: loaded, {c.items.count()} items"
        parts = [f"{c.key} version {c.version}: loaded (after version {self.previous_version})"]
        parts.append(f"new items: {', '.join(self.new_items) or 'none'}")
        if self.mapped:
            parts.append("carried over by mapping: " + ", ".join(f"{a} -> {b}" for a, b in self.mapped.items()))
        if self.dropped:
            parts.append(f"no longer asked: {', '.join(self.dropped)}")
        return "; ".join(parts)


def carry_over_map(old: Checklist, new: Checklist) -> dict[int, int]:
    """Old item pk -> new item pk: the same id, or the new version's explicit mapping."""
    new_by_id = dict(new.items.values_list("item_id", "pk"))
    found: dict[int, int] = {}
    for pk, item_id in old.items.values_list("pk", "item_id"):
        target = new.mapping.get(item_id, item_id)
        if target in new_by_id:
            found[pk] = new_by_id[target]
    return found


@transaction.atomic
def load(data: ChecklistData) -> LoadResult:
    """Store one parsed file; loading it again changes nothing."""
    existing = Checklist.objects.filter(key=data.key, version=data.version).first()
    if existing is not None:
        if existing.content_hash != data.content_hash:
            raise ChecklistFileError(
                data.file_name,
                0,
                f"version {data.version} of {data.key} is already loaded with different content; "
                "give the changed file a new version number",
            )
        return LoadResult(existing, created=False)
    previous = Checklist.objects.filter(key=data.key, version__lt=data.version).order_by("-version").first()
    checklist = Checklist.objects.create(
        key=data.key,
        version=data.version,
        title=data.title,
        summary=data.summary,
        source_title=data.source_title,
        source_url=data.source_url,
        mapping=data.mapping,
        file_name=data.file_name,
        content_hash=data.content_hash,
    )
    ChecklistItem.objects.bulk_create(
        ChecklistItem(checklist=checklist, position=n, **vars(item)) for n, item in enumerate(data.items, start=1)
    )
    result = LoadResult(checklist, created=True)
    if previous is not None:
        old_ids = set(previous.items.values_list("item_id", flat=True))
        reached = {data.mapping.get(i, i) for i in old_ids}
        result.previous_version = previous.version
        result.new_items = [i.item_id for i in data.items if i.item_id not in reached]
        result.mapped = {a: b for a, b in data.mapping.items() if a in old_ids}
        result.dropped = sorted(i for i in old_ids if data.mapping.get(i, i) not in {x.item_id for x in data.items})
    return result


def files(directory: Path = CHECKLIST_DIR) -> list[Path]:
    return sorted(directory.glob("*.json"))


def load_directory(directory: Path = CHECKLIST_DIR) -> list[LoadResult]:
    """Parse every file first (one bad file loads nothing), then load them in version order."""
    parsed = [parse(path.read_text(encoding="utf-8"), path.name) for path in files(directory)]
    with transaction.atomic():
        return [load(data) for data in sorted(parsed, key=lambda d: (d.key, d.version))]
