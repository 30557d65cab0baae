"""Reading dated law: which value applies on a date, and the tribunal clock built on it."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from saferwork.law.models import LegalRule


class RuleMissing(LookupError):
    pass


def rule_on(key: str, on: date, *, confirmed_only: bool = False) -> LegalRule:
    """The row of ``key`` in force for an event on ``on`` (latest ``applies_from`` not after it).

    With ``confirmed_only``, rows whose date is only expected are left out: the rule that
    applies if the expected change has not (yet) come into force for that event.
    """
    rows = LegalRule.objects.filter(key=key, applies_from__lte=on)
    if confirmed_only:
        rows = rows.filter(confirmed=True)
    rule = rows.order_by("-applies_from").first()
    if rule is None:
        raise RuleMissing(f"No {key} rule applies on {on:%Y-%m-%d}.")
    return rule


def _corresponding_day(start: date, months: int) -> tuple[date, bool]:
    """The same day of the month ``months`` later, or that month's last day if it has none.

    Returns the date and whether the month really has a corresponding day.
    """
    years, month_index = divmod(start.month - 1 + months, 12)
    year, month = start.year + years, month_index + 1
    last_day = calendar.monthrange(year, month)[1]
    if start.day > last_day:
        return date(year, month, last_day), False
    return date(year, month, start.day), True


def months_less_a_day(start: date, months: int) -> date:
    """The last day of a period of ``months`` months beginning with ``start``.

    The corresponding-date rule used by the Employment Tribunal: the period ends the day
    before the same day of the month ``months`` later (10 January + 3 months → 9 April).
    Where that month has no such day (31 January + 3 months: there is no 31 April), the
    period ends on the last day of that month (30 April).
    """
    day, exists = _corresponding_day(start, months)
    return day - timedelta(days=1) if exists else day


@dataclass(frozen=True)
class TimeLimit:
    last_act: date
    months: int
    deadline: date
    limit_rule: LegalRule
    conciliation_rule: LegalRule
    extended_by_conciliation: bool = False

    @property
    def is_provisional(self) -> bool:
        """True while the rule used is an expected one, not yet confirmed from regulations."""
        return not self.limit_rule.confirmed


def tribunal_time_limit(
    last_act: date,
    *,
    acas_day_a: date | None = None,
    acas_day_b: date | None = None,
    confirmed_only: bool = False,
) -> TimeLimit:
    """When an Employment Tribunal claim about acts ending on ``last_act`` would normally have to start.

    The time limit is the dated rule in force for the last act. If ACAS early
    conciliation started (Day A) before the limit ran out and ended with a certificate
    (Day B), the days from the day after Day A to Day B do not count, and a limit that
    would then end before one month after Day B ends one month after Day B instead
    (Equality Act 2010 s.140B). With ``confirmed_only`` the limit is worked out from
    confirmed rules only (see ``rule_on``). Information, not legal advice.
    """
    limit_rule = rule_on(LegalRule.Key.TRIBUNAL_TIME_LIMIT_MONTHS, last_act, confirmed_only=confirmed_only)
    conciliation_rule = rule_on(
        LegalRule.Key.EARLY_CONCILIATION_WEEKS, acas_day_a or last_act, confirmed_only=confirmed_only
    )
    deadline = months_less_a_day(last_act, limit_rule.value)
    extended = False
    if acas_day_a and acas_day_b:
        if acas_day_b < acas_day_a:
            raise ValueError("The conciliation certificate cannot come before conciliation started.")
        if acas_day_a <= deadline:
            deadline = deadline + (acas_day_b - acas_day_a)
            one_month_after_b = months_less_a_day(acas_day_b, 1) + timedelta(days=1)
            if acas_day_a <= deadline < one_month_after_b:
                deadline = one_month_after_b
            extended = True
    return TimeLimit(last_act, limit_rule.value, deadline, limit_rule, conciliation_rule, extended)


@dataclass(frozen=True)
class RulePeriod:
    """The days ``first``..``last`` (inclusive) during which ``rule`` applied."""

    first: date
    last: date
    rule: LegalRule


def rules_during(key: str, start: date, end: date) -> list[RulePeriod]:
    """Which row of ``key`` applied on each day from ``start`` to ``end``, as unbroken periods.

    One query. Days before the earliest row are left out (no rule known for them).
    """
    if start > end:
        raise ValueError("The period starts after it ends.")
    rows = list(LegalRule.objects.filter(key=key, applies_from__lte=end).order_by("applies_from"))
    periods: list[RulePeriod] = []
    for index, rule in enumerate(rows):
        following = rows[index + 1].applies_from if index + 1 < len(rows) else None
        first = max(rule.applies_from, start)
        last = min(following - timedelta(days=1), end) if following else end
        if first <= last:
            periods.append(RulePeriod(first, last, rule))
    return periods
