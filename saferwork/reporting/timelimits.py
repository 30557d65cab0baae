"""The Employment Tribunal clock shown to a reporter: which date it counts from, and why.

The rule itself is dated law in ``saferwork.law``; this module only decides which of the
reporter's answers is the "last act" and says so in words. Information, not legal advice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from saferwork.law import selectors as law
from saferwork.law.selectors import TimeLimit


@dataclass(frozen=True)
class Clock:
    time_limit: TimeLimit
    # Words completing "counted from <date>, ..." so the reporter knows which date was used.
    basis: str
    ongoing: bool
    acas_too_late: bool = False
    today: date | None = None
    # While the rule used is only expected, the limit under the confirmed rules (when it
    # gives another date): the reporter sees the earlier, safer date first.
    if_not_in_force: TimeLimit | None = None
    # "self", "witness" or "told": for someone else, the limit is that person's.
    role: str = ""

    @property
    def limits(self) -> list[TimeLimit]:
        """One limit, or two while a rule is unconfirmed: the earlier (safer) first."""
        found = [self.time_limit] + ([self.if_not_in_force] if self.if_not_in_force else [])
        return sorted(found, key=lambda limit: limit.deadline)

    @property
    def safer(self) -> TimeLimit:
        return self.limits[0]

    @property
    def other(self) -> TimeLimit | None:
        return self.limits[1] if len(self.limits) > 1 else None

    @property
    def safer_has_passed(self) -> bool:
        return self.today is not None and self.safer.deadline < self.today

    @property
    def all_have_passed(self) -> bool:
        return self.today is not None and self.limits[-1].deadline < self.today

    @property
    def about_someone_else(self) -> bool:
        return self.role in {"witness", "told"}


def _as_date(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def last_act(when: dict[str, Any], today: date) -> tuple[date, str, bool] | None:
    """(the date the clock counts from, how we chose it, still happening?) or None."""
    last_date = _as_date(when.get("last_date"))
    first_date = _as_date(when.get("first_date"))
    if when.get("ongoing") == "yes":
        # Still happening: the last act has not happened yet, so today is the earliest
        # the clock could start. The date moves later each day it goes on.
        return today, "today, because you said it is still happening", True
    if last_date:
        return last_date, "the date you gave for the last time it happened", False
    if first_date:
        return first_date, "the only date you gave", False
    return None


def clock_for(
    answers: dict[str, Any], *, today: date, acas_day_a: date | None = None, acas_day_b: date | None = None
) -> Clock | None:
    """The tribunal clock for a report's answers, or None when no date was given or no
    rule covers it."""
    found = last_act(answers.get("when", {}) or {}, today)
    if found is None:
        return None
    start, basis, ongoing = found
    try:
        limit = law.tribunal_time_limit(start, acas_day_a=acas_day_a, acas_day_b=acas_day_b)
    except law.RuleMissing:
        return None
    if_not_in_force = None
    if limit.is_provisional:
        try:
            confirmed = law.tribunal_time_limit(
                start, acas_day_a=acas_day_a, acas_day_b=acas_day_b, confirmed_only=True
            )
        except law.RuleMissing:
            confirmed = None
        if confirmed is not None and confirmed.deadline != limit.deadline:
            if_not_in_force = confirmed
    too_late = bool(acas_day_a and acas_day_b and not limit.extended_by_conciliation)
    return Clock(
        time_limit=limit,
        basis=basis,
        ongoing=ongoing,
        acas_too_late=too_late,
        today=today,
        if_not_in_force=if_not_in_force,
        role=str((answers.get("about-you") or {}).get("role") or ""),
    )
