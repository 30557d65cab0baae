"""The tribunal clock on the reporter's follow-up page: which date it counts from, the
dated rule on both sides of the commencement date, and ACAS early conciliation."""

from __future__ import annotations

from datetime import date

import pytest

from saferwork.reporting import selectors, timelimits
from saferwork.reporting.models import Message
from saferwork.reporting.tests.helpers import follow_up, submit

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 20)


@pytest.mark.parametrize(
    ("when", "deadline", "months"),
    [
        # Before the Employment Rights Act 2025 extension: three months less a day.
        ({"last_date": "2026-09-30", "ongoing": "no"}, date(2026, 12, 29), 3),
        # On the expected commencement date: six months less a day.
        ({"last_date": "2026-10-01", "ongoing": "no"}, date(2027, 3, 31), 6),
        # 31 October + 6 months: there is no 31 April, so the last day of April.
        ({"last_date": "2026-10-31", "ongoing": "no"}, date(2027, 4, 30), 6),
        # Only a first date: that date is used.
        ({"first_date": "2026-08-31", "ongoing": "unsure"}, date(2026, 11, 30), 3),
    ],
)
def test_clock_uses_the_last_date_and_the_rule_in_force_for_it(when, deadline, months):
    clock = timelimits.clock_for({"when": when}, today=TODAY)
    assert clock is not None
    assert clock.time_limit.deadline == deadline
    assert clock.time_limit.months == months
    assert clock.time_limit.is_provisional == (months == 6)


def test_ongoing_behaviour_counts_from_today_and_says_so():
    clock = timelimits.clock_for({"when": {"last_date": "2026-09-01", "ongoing": "yes"}}, today=TODAY)
    assert clock is not None and clock.ongoing
    assert clock.time_limit.last_act == TODAY
    assert "still happening" in clock.basis


def test_no_date_and_not_ongoing_gives_no_clock():
    assert timelimits.clock_for({"when": {"ongoing": "unsure"}}, today=TODAY) is None
    assert timelimits.clock_for({}, today=TODAY) is None


def test_conciliation_that_starts_after_the_limit_does_not_extend_it():
    clock = timelimits.clock_for(
        {"when": {"last_date": "2026-06-01", "ongoing": "no"}},
        today=TODAY,
        acas_day_a=date(2026, 9, 15),
        acas_day_b=date(2026, 10, 1),
    )
    assert clock is not None and clock.acas_too_late
    assert clock.time_limit.deadline == date(2026, 8, 31)


def _open(client, org, when):
    receipt = submit(client, org.slug, answers={"when": when})
    response = follow_up(client, org.slug, receipt)
    assert response.status_code == 302
    return response["Location"]


def test_follow_up_page_shows_the_date_and_which_date_it_counts_from(client, reporting_org, handler):
    url = _open(client, reporting_org, {"last_date": "2026-09-30", "ongoing": "no"})
    html = client.get(url).content.decode()
    assert "Tuesday 29 December 2026" in html
    assert (
        "3 months less one day, counted from 30 September 2026: the date you gave for the last time it happened" in html
    )
    assert "information, not legal advice" in html
    assert "Equality Act 2010, section 123(1)(a)" in html


def test_follow_up_page_for_ongoing_behaviour_counts_from_today(client, reporting_org, handler, monkeypatch):
    url = _open(client, reporting_org, {"last_date": "2026-11-02", "ongoing": "yes"})
    monkeypatch.setattr(selectors, "today_for", lambda organisation: TODAY)
    html = client.get(url).content.decode()
    # 20 November 2026 is after the expected commencement: six months less a day.
    assert "Wednesday 19 May 2027" in html
    assert "counted from 20 November 2026: today, because you said it is still happening" in html
    assert "not yet confirmed" in html


def test_reporter_sees_the_paused_date_with_acas_dates_and_nothing_is_stored(client, reporting_org, handler):
    url = _open(client, reporting_org, {"last_date": "2026-09-30", "ongoing": "no"})
    response = client.post(url, {"action": "time-limit", "acas_day_a": "2026-12-01", "acas_day_b": "2026-12-20"})
    assert response.status_code == 200
    html = response.content.decode()
    # 29 December + 19 paused days = 17 January, which is within a month of Day B:
    # the limit ends one month after Day B instead (Equality Act 2010 s.140B(4)).
    assert "Wednesday 20 January 2027" in html
    assert "We have not saved these dates" in html
    assert not Message.objects.exists()


def test_acas_certificate_before_day_a_is_an_error(client, reporting_org, handler):
    url = _open(client, reporting_org, {"last_date": "2026-09-30", "ongoing": "no"})
    response = client.post(url, {"action": "time-limit", "acas_day_a": "2026-12-20", "acas_day_b": "2026-12-01"})
    html = response.content.decode()
    assert "There is a problem" in html
    assert "The certificate date must be the same as or after Day A" in html
    assert "data-paused-limit" not in html
    assert not Message.objects.exists()


def test_follow_up_page_without_a_date_explains_why_there_is_no_date(client, reporting_org, handler):
    url = _open(client, reporting_org, {"first_date": "", "last_date": "", "ongoing": "unsure"})
    html = client.get(url).content.decode()
    assert "You did not give a date when it happened" in html
    assert "acas_day_a" not in html


def test_without_a_rule_the_page_does_not_claim_no_date_was_given(client, reporting_org, handler):
    from saferwork.law.models import LegalRule

    url = _open(client, reporting_org, {"last_date": "2026-09-30", "ongoing": "no"})
    LegalRule.objects.all().delete()
    html = client.get(url).content.decode()
    assert "We cannot show the date" in html
    assert "You did not give a date" not in html
