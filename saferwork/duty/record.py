"""The duty record: every module's steps for a period, and the legal test on each of its days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from saferwork.law.models import PREVENTATIVE_DUTY_TESTS, LegalRule
from saferwork.law.selectors import RulePeriod, rules_during
from saferwork.lib import dutysteps
from saferwork.organisations.models import Organisation


@dataclass(frozen=True)
class LegalTest:
    first: date
    last: date
    test: str
    summary: str
    source: str
    confirmed: bool

    @property
    def describe(self) -> str:
        span = f"{self.first:%-d %B %Y} to {self.last:%-d %B %Y}"
        flag = "" if self.confirmed else " (date unconfirmed: expected, not yet checked against regulations)"
        return f"{span}: {self.test}{flag}"


def legal_tests(start: date, end: date) -> list[LegalTest]:
    def one(period: RulePeriod) -> LegalTest:
        return LegalTest(
            first=period.first,
            last=period.last,
            test=PREVENTATIVE_DUTY_TESTS.get(period.rule.value, str(period.rule.value)),
            summary=period.rule.summary,
            source=period.rule.source_title,
            confirmed=period.rule.confirmed,
        )

    return [one(p) for p in rules_during(LegalRule.Key.PREVENTATIVE_DUTY, start, end)]


@dataclass(frozen=True)
class DutyRecord:
    organisation: Organisation
    start: date
    end: date
    tests: list[LegalTest]
    sections: list[dutysteps.Section]

    @property
    def title(self) -> str:
        return f"Duty record: {self.organisation.name}"

    @property
    def period(self) -> str:
        return f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"

    @property
    def step_count(self) -> int:
        return sum(len(s.steps) for s in self.sections)


def duty_record(organisation: Organisation, start: date, end: date) -> DutyRecord:
    return DutyRecord(organisation, start, end, legal_tests(start, end), dutysteps.sections(organisation, start, end))
