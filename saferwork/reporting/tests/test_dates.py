"""Reporter dates are GOV.UK's day, month and year boxes, never the browser's date picker;
a wrong date is the page again (HTTP 200) with an error that names the box that is wrong."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from saferwork.reporting.tests.helpers import ANSWERS, follow_up, submit

pytestmark = pytest.mark.django_db


def _when(slug):
    return reverse("reporting:question", args=[slug, "when"])


def _box(html, field_id, part):
    start = html.index(f'id="{field_id}_{part}"')
    return html[html.rindex("<input", 0, start) : html.index(">", start)]


def test_reporter_date_fields_are_three_boxes_not_a_date_picker(client, reporting_org, handler):
    when = client.get(_when(reporting_org.slug)).content.decode()
    record = client.get(reverse("reporting:record_start", args=[reporting_org.slug])).content.decode()
    follow_up(client, reporting_org.slug, submit(Client(), reporting_org.slug))
    case = client.get(reverse("reporting:follow_up_case", args=[reporting_org.slug])).content.decode()
    for html, ids in [
        (when, ["id_first_date", "id_last_date"]),
        (record, ["id_happened_on"]),
        (case, ["id_acas_day_a", "id_acas_day_b"]),
    ]:
        assert 'type="date"' not in html
        for field_id in ids:
            for part in ("day", "month", "year"):
                assert 'inputmode="numeric"' in _box(html, field_id, part)


def test_a_date_typed_in_the_boxes_is_kept_for_the_report(client, reporting_org, handler):
    boxes = {"last_date_day": "2", "last_date_month": "11", "last_date_year": "2026", "ongoing": "yes"}
    for step, data in {**ANSWERS, "when": boxes}.items():
        response = client.post(reverse("reporting:question", args=[reporting_org.slug, step]), data)
        assert response.status_code == 302, step
    again = client.get(_when(reporting_org.slug)).content.decode()
    assert 'value="2"' in _box(again, "id_last_date", "day")
    assert 'value="11"' in _box(again, "id_last_date", "month")
    assert 'value="2026"' in _box(again, "id_last_date", "year")
    check = client.get(reverse("reporting:check", args=[reporting_org.slug])).content.decode()
    assert "2 November 2026" in check  # what handlers will read


def test_a_date_missing_its_month_names_the_month_and_marks_only_that_box(client, reporting_org, handler):
    data = {"last_date_day": "2", "last_date_month": "", "last_date_year": "2026", "ongoing": "yes"}
    response = client.post(_when(reporting_org.slug), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_last_date_month">The date it last happened must include a month.</a>' in html
    assert "govuk-input--error" in _box(html, "id_last_date", "month")
    assert "govuk-input--error" not in _box(html, "id_last_date", "day")
    assert "govuk-input--error" not in _box(html, "id_last_date", "year")
    assert 'value="2"' in _box(html, "id_last_date", "day")  # what was typed is shown back


@pytest.mark.parametrize(
    ("typed", "message", "marked"),
    [
        (("31", "2", "2026"), "The date it first happened must be a real date.", ["day", "month", "year"]),
        (("1", "2", "26"), "The date it first happened must have a 4-digit year, like 2027.", ["year"]),
        (("x", "2", "2026"), "The date it first happened must be in numbers, like 27 3 2027.", ["day"]),
        (("1", "2", "2999"), "The date must be today or in the past", ["day", "month", "year"]),
    ],
)
def test_a_wrong_date_says_what_is_wrong(client, reporting_org, handler, typed, message, marked):
    day, month, year = typed
    data = {"first_date_day": day, "first_date_month": month, "first_date_year": year, "ongoing": "no"}
    response = client.post(_when(reporting_org.slug), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html and 'class="govuk-error-summary"' in html
    assert [p for p in ("day", "month", "year") if "govuk-input--error" in _box(html, "id_first_date", p)] == marked


def test_a_private_record_date_with_a_part_missing_is_the_page_again(client, reporting_org):
    response = client.post(
        reverse("reporting:record_start", args=[reporting_org.slug]),
        {"text": "In the lift", "happened_on_day": "5", "happened_on_month": "10", "happened_on_year": ""},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_happened_on_year">The date it happened must include a year.</a>' in html


def test_acas_dates_in_the_boxes_show_the_paused_date_and_a_wrong_one_is_named(client, reporting_org, handler):
    receipt = submit(Client(), reporting_org.slug, answers={"when": {"last_date": "2026-09-30", "ongoing": "no"}})
    follow_up(client, reporting_org.slug, receipt)
    url = reverse("reporting:follow_up_case", args=[reporting_org.slug])
    days = {"acas_day_a_day": "1", "acas_day_a_month": "12", "acas_day_a_year": "2026"}
    days |= {"acas_day_b_day": "20", "acas_day_b_month": "12", "acas_day_b_year": "2026"}
    shown = client.post(url, {"action": "time-limit", **days})
    assert shown.status_code == 200 and "Wednesday 20 January 2027" in shown.content.decode()
    wrong = client.post(url, {"action": "time-limit", **days, "acas_day_a_day": "32"})
    html = wrong.content.decode()
    assert wrong.status_code == 200
    assert 'href="#id_acas_day_a_day">Day A must be a real date.</a>' in html
