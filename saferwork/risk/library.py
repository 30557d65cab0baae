"""The risk register's data: the 5 x 5 matrix and the library of risk factors.

Both live as JSON files in ``saferwork/risk/data/`` so that a new wording or a new matrix
is a new file version, not a code change. An assessment keeps its own copy of the matrix
it was made with (``Assessment.matrix``): a later version never changes an old rating.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
SIZE = 5

# Who might be harmed, and how (HSE step 2): the groups the issue names.
WHO_CHOICES = [
    ("staff", "Staff"),
    ("third_parties", "People from outside: clients, visitors, contractors' staff"),
    ("lone_night", "Lone or night workers"),
    ("agency", "Agency workers"),
    ("young", "Young workers, apprentices and students"),
]
WHO_LABELS = dict(WHO_CHOICES)


@dataclass(frozen=True)
class Factor:
    key: str
    label: str
    text: str
    source: str  # "internal" or "third_party"
    source_title: str
    source_url: str

    @property
    def source_label(self) -> str:
        return "Third-party" if self.source == "third_party" else "Internal"


@dataclass(frozen=True)
class Band:
    key: str
    label: str
    colour: str


class Matrix:
    """A likelihood x severity matrix read from its JSON (the file, or an assessment's copy)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.version: str = data["version"]
        self.likelihood: list[str] = list(data["likelihood"])
        self.severity: list[str] = list(data["severity"])
        if len(self.likelihood) != SIZE or len(self.severity) != SIZE:
            raise ValueError("The risk matrix must be 5 x 5.")

    def band(self, likelihood: int, severity: int) -> Band:
        score = likelihood * severity
        for band in self.data["bands"]:
            if score <= band["up_to"]:
                return Band(band["key"], band["label"], band["colour"])
        last = self.data["bands"][-1]
        return Band(last["key"], last["label"], last["colour"])

    def describe(self, likelihood: int | None, severity: int | None) -> str:
        if not likelihood or not severity:
            return "Not rated"
        band = self.band(likelihood, severity)
        return (
            f"{band.label} ({likelihood * severity}): likelihood {self.likelihood[likelihood - 1].lower()}, "
            f"severity {self.severity[severity - 1].lower()}"
        )

    def likelihood_choices(self) -> list[tuple[int, str]]:
        return [(n, f"{n}: {label}") for n, label in enumerate(self.likelihood, start=1)]

    def severity_choices(self) -> list[tuple[int, str]]:
        return [(n, f"{n}: {label}") for n, label in enumerate(self.severity, start=1)]


@cache
def _read(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return data


def current_matrix_data() -> dict[str, Any]:
    """A fresh copy of the matrix file, to store on a new assessment."""
    return json.loads(json.dumps(_read("matrix.json")))


def current_matrix() -> Matrix:
    return Matrix(_read("matrix.json"))


def factors() -> list[Factor]:
    return [Factor(**f) for f in _read("factors.json")["factors"]]


def factor_choices() -> list[tuple[str, str]]:
    return [(f.key, f.label) for f in factors()]


def factor_labels() -> dict[str, str]:
    return dict(factor_choices())
