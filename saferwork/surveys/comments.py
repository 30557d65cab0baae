"""The redaction pass on free-text answers: what a coordinator sees highlighted, and removes.

Simple heuristics, meant to catch most of what identifies someone so that a person can
decide; they are not a guarantee, and the coordinator edits the text as well:

* capitalised words that do not start a sentence (names, places, teams);
* the organisation's department names, wherever they appear;
* dates, times, day and month names, and words such as "yesterday";
* role words ("my manager", "the supervisor", "a councillor") and place words.

Leaders read only the text a coordinator has cleared (``Answer.redacted``), never the
original; the results page shuffles it and shows no date or department beside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

REMOVED = "[removed]"

ROLE_WORDS = (
    "manager",
    "managers",
    "supervisor",
    "supervisors",
    "director",
    "head of",
    "team leader",
    "chief executive",
    "ceo",
    "boss",
    "councillor",
    "mayor",
    "caretaker",
    "cleaner",
    "receptionist",
    "driver",
    "officer",
    "coordinator",
    "librarian",
    "foreman",
    "contractor",
    "apprentice",
    "intern",
    "deputy",
    "assistant",
)
PLACE_WORDS = ("depot", "canteen", "kitchen", "car park", "reception", "floor", "room", "building", "site", "office")
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
RELATIVE = ("yesterday", "today", "tonight", "last week", "last month", "last night", "christmas party", "christmas")

_DATE = re.compile(
    r"\b(\d{1,2}[/.-]\d{1,2}([/.-]\d{2,4})?|\d{1,2}(st|nd|rd|th)?\s+(of\s+)?("
    + "|".join(MONTHS)
    + r")|\d{1,2}(:\d{2})?\s?(am|pm)|\d{1,2}:\d{2}|(19|20)\d{2})\b",
    re.IGNORECASE,
)
_WORDS = re.compile(r"\b(" + "|".join(re.escape(w) for w in (*DAYS, *MONTHS, *RELATIVE)) + r")\b", re.IGNORECASE)
_ROLES = re.compile(r"\b(" + "|".join(re.escape(w) for w in ROLE_WORDS) + r")\b", re.IGNORECASE)
_PLACES = re.compile(r"\b(" + "|".join(re.escape(w) for w in PLACE_WORDS) + r")\b", re.IGNORECASE)
_CAPITALISED = re.compile(r"\b[A-Z][a-zA-Z'’-]+\b")
_SENTENCE_START = re.compile(r"(^|[.!?]\s+|\n\s*)$")
# Capitalised words that are almost never a name, even mid-sentence.
_COMMON = {"I", "I'm", "I've", "I'd", "I'll", "OK", "HR", "UK"}

KIND_LABELS = {
    "name": "a name or place",
    "department": "a department",
    "date": "a date or time",
    "role": "a role",
    "place": "a place",
}


@dataclass(frozen=True)
class Segment:
    text: str
    kind: str = ""  # "" for plain text; otherwise a key of KIND_LABELS

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, "")


def _spans(text: str, departments: Iterable[str]) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    for name in sorted({d for d in departments if d.strip()}, key=len, reverse=True):
        for match in re.finditer(r"\b" + re.escape(name) + r"\b", text, re.IGNORECASE):
            found.append((match.start(), match.end(), "department"))
    for pattern, kind in ((_DATE, "date"), (_WORDS, "date"), (_ROLES, "role"), (_PLACES, "place")):
        for match in pattern.finditer(text):
            found.append((match.start(), match.end(), kind))
    for match in _CAPITALISED.finditer(text):
        if match.group(0) in _COMMON or _SENTENCE_START.search(text[: match.start()]):
            continue
        found.append((match.start(), match.end(), "name"))
    # Keep the first of overlapping spans, longest first at the same start.
    found.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    merged: list[tuple[int, int, str]] = []
    for start, end, kind in found:
        if merged and start < merged[-1][1]:
            continue
        merged.append((start, end, kind))
    return merged


def highlight(text: str, departments: Iterable[str] = ()) -> list[Segment]:
    """The text cut into plain and highlighted segments, in order."""
    segments: list[Segment] = []
    position = 0
    for start, end, kind in _spans(text, departments):
        if start > position:
            segments.append(Segment(text[position:start]))
        segments.append(Segment(text[start:end], kind))
        position = end
    if position < len(text):
        segments.append(Segment(text[position:]))
    return segments


def suggest(text: str, departments: Iterable[str] = ()) -> str:
    """The text with every highlighted part replaced by ``[removed]``: the coordinator's starting point."""
    return "".join(REMOVED if s.kind else s.text for s in highlight(text, departments))
