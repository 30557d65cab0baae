"""What each module contributes to an organisation's duty record, and the registry that collects it.

The duty record (``saferwork.duty``) shows, for a chosen period, every reasonable step an
organisation took against sexual harassment. The steps live in many apps (training,
reporting, surveys, risk, learning, actions), so the record asks each of them rather than
reaching into their tables. An app contributes by registering a provider in its
``AppConfig.ready()``::

    from saferwork.lib import dutysteps

    dutysteps.register("risk", risk_duty.section, order=40)

A provider is called as ``provider(organisation, start, end)`` with the first and last day
of the period (both inclusive) and returns a :class:`Section`, or ``None`` when the module
has nothing to say for that organisation (not switched on, for example).

Rules a provider must keep:

* **Suppressed numbers only.** Every count about people (attended, reported, answered,
  completed) goes through ``saferwork.lib.suppression`` before it becomes a
  :class:`Figure`; a hidden one has ``value=None`` and the suppression label in
  ``shown``. Counts of the organisation's own acts (assessments reviewed, audits held,
  sessions delivered) are not about people and may be exact.
* **No content.** A step names what was done, when and with what evidence; never what a
  reporter, respondent or learner wrote.
* **Inside the organisation.** Query through the organisation; the record is produced for
  one organisation at a time.
* **Bounded queries.** A provider issues a fixed number of queries whatever the data size.
* **Bounded steps.** A provider fetches at most ``MAX_STEPS + 1`` rows of each kind of
  step, ordered by date, and returns its steps in date order; :func:`sections` keeps the
  first ``MAX_STEPS`` of a section and says that there were more. Figures count in the
  database, never ``len()`` of a capped list. So one record holds at most
  ``MAX_STEPS`` steps per module whatever the size of the organisation (its memory is
  measured in ``saferwork/duty/tests/test_record_bounds.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from saferwork.organisations.models import Organisation


@dataclass(frozen=True)
class Figure:
    """One number in a section: ``value`` is ``None`` when suppressed; ``shown`` is what to print."""

    label: str
    value: int | None
    shown: str


@dataclass(frozen=True)
class Step:
    """One dated reasonable step, with the evidence that shows it was taken."""

    on: date
    title: str
    detail: str = ""
    evidence: tuple[str, ...] = ()
    url: str = ""


@dataclass(frozen=True)
class Section:
    """A module's part of the record: its steps in the period and its (suppressed) figures."""

    key: str
    title: str
    steps: tuple[Step, ...] = ()
    figures: tuple[Figure, ...] = ()
    notes: tuple[str, ...] = field(default=())


# A record for a board or a tribunal lists every step of a module up to this many; past it,
# a note says so and a shorter period shows the rest.
MAX_STEPS = 500

Provider = Callable[["Organisation", date, date], Section | None]

_providers: dict[str, tuple[int, Provider]] = {}


def register(key: str, provider: Provider, *, order: int = 100) -> None:
    """Add (or replace, so that ``ready()`` may run twice in tests) the provider for ``key``."""
    _providers[key] = (order, provider)


def registered() -> list[str]:
    return [key for key, _ in sorted(_providers.items(), key=lambda item: (item[1][0], item[0]))]


def sections(organisation: Organisation, start: date, end: date) -> list[Section]:
    """Every registered module's section for the period, in registration order; empty ones left out."""
    if start > end:
        raise ValueError("The period starts after it ends.")
    found: list[Section] = []
    for key in registered():
        section = _providers[key][1](organisation, start, end)
        if section is not None:
            found.append(_bounded(section))
    return found


def _bounded(section: Section) -> Section:
    if len(section.steps) <= MAX_STEPS:
        return section
    last = section.steps[MAX_STEPS - 1].on
    note = (
        f"More than {MAX_STEPS:,} steps in this period: the first {MAX_STEPS:,} are listed, up to "
        f"{last:%-d %B %Y}. Choose a period starting after that day to see the rest."
    )
    return replace(section, steps=section.steps[:MAX_STEPS], notes=(*section.notes, note))
