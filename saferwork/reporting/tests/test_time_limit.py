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


def test_a_limit_that_has_passed_is_said_to_have_passed_with_where_to_get_advice(
    client, reporting_org, handler, monkeypatch
):
    # A report about 1 August 2026, read on 1 December: the limit ended on 31 October.
    url = _open(client, reporting_org, {"last_date": "2026-08-01", "ongoing": "no"})
    monkeypatch.setattr(selectors, "today_for", lambda organisation: date(2026, 12, 1))
    html = client.get(url).content.decode()
    assert "Saturday 31 October 2026" in html
    assert "would normally have to start by" not in html
    assert "That date has passed" in html
    assert "A tribunal can sometimes still accept a claim that starts late" in html
    for where in ["ACAS helpline (0300 123 1100", "your union", "Citizens Advice"]:
        assert where in html, where


def test_while_the_rule_is_unconfirmed_the_earlier_safer_date_comes_first(client, reporting_org, handler, monkeypatch):
    url = _open(client, reporting_org, {"last_date": "2026-11-02", "ongoing": "yes"})
    monkeypatch.setattr(selectors, "today_for", lambda organisation: TODAY)
    html = client.get(url).content.decode()
    # Three months (the confirmed rule) and six (the expected one) from 20 November 2026.
    assert "To be safe, a claim would normally have to start by <strong>Friday 19 February 2027</strong>" in html
    assert "If the change applies to this, the date would be <strong>Wednesday 19 May 2027</strong>" in html
    assert html.index("19 February 2027") < html.index("19 May 2027")


def test_clock_offers_both_dates_only_while_the_rule_used_is_unconfirmed():
    provisional = timelimits.clock_for({"when": {"last_date": "2026-10-01", "ongoing": "no"}}, today=TODAY)
    assert provisional is not None
    assert [limit.deadline for limit in provisional.limits] == [date(2026, 12, 31), date(2027, 3, 31)]
    assert provisional.safer.months == 3 and provisional.other.months == 6
    settled = timelimits.clock_for({"when": {"last_date": "2026-09-30", "ongoing": "no"}}, today=TODAY)
    assert settled is not None and settled.other is None and not settled.safer_has_passed
    passed = timelimits.clock_for({"when": {"last_date": "2026-08-01", "ongoing": "no"}}, today=date(2026, 12, 1))
    assert passed is not None and passed.safer_has_passed and passed.all_have_passed


@pytest.mark.parametrize(("role", "shown"), [("witness", True), ("told", True), ("self", False)])
def test_a_witness_is_told_the_limit_concerns_the_person_harmed(client, reporting_org, handler, role, shown):
    receipt = submit(
        client,
        reporting_org.slug,
        answers={"about-you": {"role": role}, "when": {"last_date": "2026-09-30", "ongoing": "no"}},
    )
    html = client.get(follow_up(client, reporting_org.slug, receipt)["Location"]).content.decode()
    assert ("The time limit is for a claim by the person it happened to" in html) is shown
