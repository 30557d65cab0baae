"""An action's audit entries in words for its page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from saferwork.actions.models import Action
from saferwork.audit.models import AuditEntry

FIELD_NAMES = {
    "title": "what needs to be done",
    "description": "details",
    "department": "department",
    "owner": "owner",
    "due_on": "due date",
}
STATUSES = dict(Action.Status.choices)


@dataclass
class HistoryItem:
    entry: AuditEntry
    what: str
    note: str = ""


def _describe(entry: AuditEntry) -> HistoryItem:
    data: dict[str, Any] = entry.data or {}
    what = entry.action.rsplit(".", 1)[-1]
    if what == "created":
        return HistoryItem(entry, "Action added")
    if what == "changed":
        fields = [FIELD_NAMES.get(f, f) for f in data.get("fields", [])]
        text = "Changed " + ", ".join(fields) if fields else "Changed"
        if "due_on" in data:
            text += f" (due {data['due_on'][0]} → {data['due_on'][1]})"
        return HistoryItem(entry, text)
    if what == "status_changed":
        before, after = STATUSES.get(data.get("from", ""), "?"), STATUSES.get(data.get("to", ""), "?")
        return HistoryItem(entry, f"Status changed from {before.lower()} to {after.lower()}", data.get("note", ""))
    if what == "evidence_added":
        return HistoryItem(entry, f"Evidence added: {data.get('name') or data.get('url') or ''}".rstrip(": "))
    if what == "evidence_removed":
        return HistoryItem(entry, f"Evidence removed: {data.get('name') or ''}".rstrip(": "))
    if what == "reminder_queued":
        return HistoryItem(entry, "Overdue reminder sent to the owner")
    return HistoryItem(entry, entry.action)


def describe_history(entries: list[AuditEntry]) -> list[HistoryItem]:
    return [_describe(entry) for entry in entries]
