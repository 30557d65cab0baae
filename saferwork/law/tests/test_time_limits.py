from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from saferwork.audit.models import AuditEntry
from saferwork.law.models import LegalRule
from saferwork.law.selectors import months_less_a_day, tribunal_time_limit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 10), 3, date(2025, 4, 9)),
        (date(2025, 1, 31), 3, date(2025, 4, 30)),  # no 31 April: the month's last day
        (date(2025, 11, 30), 3, date(2026, 2, 28)),  # no 30 February
        (date(2023, 11, 29), 3, date(2024, 2, 28)),  # leap year: 29 February exists
        (date(2023, 11, 30), 3, date(2024, 2, 29)),  # leap year: the month's last day
        (date(2024, 2, 29), 6, date(2024, 8, 28)),
        (date(2025, 3, 1), 3, date(2025, 5, 31)),
        (date(2025, 10, 15), 3, date(2026, 1, 14)),  # across the year end
    ],
)
def test_months_less_a_day(start, months, expected):
    assert months_less_a_day(start, months) == expected


DATES = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


@given(DATES, DATES, st.integers(min_value=1, max_value=12))
def test_a_later_act_never_gets_an_earlier_deadline(first, second, months):
    first, second = sorted((first, second))
    assert months_less_a_day(first, months) <= months_less_a_day(second, months)
    assert months_less_a_day(first, months) < months_less_a_day(first, months + 1)


@given(DATES, st.integers(min_value=1, max_value=12))
def test_period_ends_in_the_month_n_months_on_or_just_before_it(start, months):
    end = months_less_a_day(start, months)
    month_gap = (end.year * 12 + end.month) - (start.year * 12 + start.month)
    # Usually the month n months on; for an act on the 1st, the last day of the month before.
    assert month_gap == months or (start.day == 1 and month_gap == months - 1)


def test_last_act_before_commencement_keeps_three_months():
    limit = tribunal_time_limit(date(2026, 9, 30))
    assert limit.months == 3
    assert limit.deadline == date(2026, 12, 29)
    assert limit.limit_rule.confirmed


def test_last_act_on_or_after_commencement_gets_six_months():
    limit = tribunal_time_limit(date(2026, 10, 1))
    assert limit.months == 6
    assert limit.deadline == date(2027, 3, 31)
    assert limit.is_provisional  # until a programme admin confirms the commencement date


def test_correcting_the_commencement_date_changes_the_clock():
    LegalRule.objects.filter(key="tribunal_time_limit_months", value=6).update(applies_from=date(2026, 11, 1))
    assert tribunal_time_limit(date(2026, 10, 15)).months == 3
    assert tribunal_time_limit(date(2026, 11, 1)).months == 6


def test_early_conciliation_pauses_the_clock():
    # Last act 10 January 2025: limit 9 April. ACAS contacted 1 March, certificate 15 March.
    limit = tribunal_time_limit(date(2025, 1, 10), acas_day_a=date(2025, 3, 1), acas_day_b=date(2025, 3, 15))
    assert limit.deadline == date(2025, 4, 23)  # 14 days not counted
    assert limit.extended_by_conciliation


def test_limit_ending_soon_after_certificate_runs_to_one_month_after_it():
    # Limit 9 April; conciliation 1 April to 5 April: +4 days = 13 April, inside the month
    # after the certificate, so it runs to 5 May.
    limit = tribunal_time_limit(date(2025, 1, 10), acas_day_a=date(2025, 4, 1), acas_day_b=date(2025, 4, 5))
    assert limit.deadline == date(2025, 5, 5)


def test_conciliation_started_after_expiry_does_not_revive_the_limit():
    limit = tribunal_time_limit(date(2025, 1, 10), acas_day_a=date(2025, 4, 20), acas_day_b=date(2025, 5, 1))
    assert limit.deadline == date(2025, 4, 9)
    assert not limit.extended_by_conciliation


def test_conciliation_period_is_dated_law_too():
    assert tribunal_time_limit(date(2025, 11, 1)).conciliation_rule.value == 6
    assert tribunal_time_limit(date(2025, 12, 1)).conciliation_rule.value == 12


def test_programme_admin_corrects_a_rule_and_it_is_audited(verified_client, programme_admin):
    client = verified_client(programme_admin)
    rule = LegalRule.objects.get(key="tribunal_time_limit_months", value=6)
    page = client.get(reverse("law:rules")).content.decode()
    assert "Expected" in page and "Employment Rights Act 2025" in page
    response = client.post(
        reverse("law:edit", args=[rule.pk]),
        {
            "value": 6,
            "applies_from": "2026-10-01",
            "summary": rule.summary,
            "source_title": rule.source_title,
            "source_url": rule.source_url,
            "confirmed": "on",
            "note": "Confirmed from the commencement regulations.",
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.confirmed and rule.updated_by == programme_admin
    entry = AuditEntry.objects.get(action="saferwork.law.rule_corrected")
    assert entry.data["before"]["confirmed"] == "False"


def test_bad_date_is_refused_with_a_message(verified_client, programme_admin):
    rule = LegalRule.objects.get(key="tribunal_time_limit_months", value=6)
    response = verified_client(programme_admin).post(reverse("law:edit", args=[rule.pk]), {"value": "six"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_outsider_and_coordinator_cannot_see_or_correct_rules(verified_client, outsider, coordinator):
    rule = LegalRule.objects.first()
    for user in (outsider, coordinator):
        client = verified_client(user)
        assert client.get(reverse("law:rules")).status_code == 403
        assert client.post(reverse("law:edit", args=[rule.pk]), {"value": 1}).status_code == 403
        client.logout()
    assert LegalRule.objects.get(pk=rule.pk).value == rule.value


def test_moving_a_rule_onto_the_date_of_another_value_is_a_form_error_not_a_server_error(
    verified_client, programme_admin
):
    rule = LegalRule.objects.get(key="tribunal_time_limit_months", value=6)
    other = LegalRule.objects.get(key="tribunal_time_limit_months", value=3)
    response = verified_client(programme_admin).post(
        reverse("law:edit", args=[rule.pk]),
        {
            "value": 6,
            "applies_from": other.applies_from.isoformat(),
            "summary": rule.summary,
            "source_title": rule.source_title,
            "source_url": rule.source_url,
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and "Another value of this rule already applies from" in html
    assert LegalRule.objects.get(pk=rule.pk).applies_from == rule.applies_from
    assert not AuditEntry.objects.filter(action="saferwork.law.rule_corrected").exists()
