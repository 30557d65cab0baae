"""Forms in GOV.UK's pattern: every error names its field and links to it; dates in three boxes."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django import forms
from django.urls import reverse

from saferwork.core.templatetags.govuk import error_message
from saferwork.core.widgets import GovukDateField, PhoneField
from saferwork.tests import factories
from saferwork.training.tests import factories as tf

pytestmark = pytest.mark.django_db

SUMMARY_LINK = re.compile(r'<div class="govuk-error-summary__body">(.*?)</div>', re.S)
ITEM = re.compile(r'<li><a href="#([^"]+)">(.*?)</a></li>', re.S)


def _summary(html: str) -> list[tuple[str, str]]:
    body = SUMMARY_LINK.search(html)
    assert body, "no error summary"
    return [(anchor, unescape(text)) for anchor, text in ITEM.findall(body.group(1))]


@pytest.mark.parametrize("url_name", ["training:enquire", "recruitment:apply"])
def test_every_error_in_the_summary_names_its_field_and_links_to_it(client, url_name, programme_host):
    if url_name == "recruitment:apply":
        from django.core.management import call_command

        call_command("seed_recruitment_demo", "--force", verbosity=0)
    # A browser sends every box, empty or not.
    response = client.post(reverse(url_name), {"organisation_name": "", "full_name": "", "action": "submit"})
    assert response.status_code == 200
    html = response.content.decode()
    items = _summary(html)
    assert len(items) >= 5
    messages = [text for _, text in items]
    assert "This field is required." not in html
    assert len(set(messages)) == len(messages), f"repeated messages: {messages}"
    for anchor, _ in items:
        assert f'id="{anchor}"' in html, f"the summary links to #{anchor}, which is not on the page"


def test_required_messages_are_in_govuk_words():
    class Sample(forms.Form):
        contact_name = forms.CharField(label="Your name")
        region = forms.ChoiceField(label="Region", choices=[("a", "A")])
        audience = forms.MultipleChoiceField(
            label="Who is the training for?", choices=[("a", "A")], widget=forms.CheckboxSelectMultiple
        )
        venue = forms.CharField(label="Venue (optional)", max_length=3, required=False)

    form = Sample({"venue": "too long"})
    assert not form.is_valid()
    said = {name: error_message(form[name], form.errors[name][0]) for name in form.errors}
    assert said["contact_name"] == "Enter your name"
    assert said["region"] == "Select region"
    assert said["audience"] == "Answer “Who is the training for?”"
    assert said["venue"].startswith("Venue: ensure this value has at most 3 characters")


def test_dates_are_three_labelled_boxes_not_the_browser_picker(client):
    html = client.get(reverse("training:enquire")).content.decode()
    assert 'type="date"' not in html
    for part in ("day", "month", "year"):
        assert f'id="id_preferred_date_1_{part}"' in html
        assert f'for="id_preferred_date_1_{part}"' in html


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ({"d_day": "5", "d_month": "1", "d_year": "2027"}, "2027-01-05"),
        ({"d": "2027-01-05"}, "2027-01-05"),  # a single ISO value still works
    ],
)
def test_date_boxes_make_a_date(typed, expected):
    class Sample(forms.Form):
        d = GovukDateField(label="Preferred date")

    form = Sample(typed)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["d"].isoformat() == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"d_day": "5", "d_month": "", "d_year": "2027"}, "Preferred date must include a month."),
        ({"d_day": "31", "d_month": "2", "d_year": "2027"}, "Preferred date must be a real date."),
        ({"d_day": "1", "d_month": "2", "d_year": "27"}, "Preferred date: enter the year as 4 digits, like 2027."),
    ],
)
def test_date_boxes_say_what_is_wrong(typed, message):
    class Sample(forms.Form):
        d = GovukDateField(label="Preferred date")

    form = Sample(typed)
    assert not form.is_valid()
    assert form.errors["d"] == [message]


def test_a_date_typed_wrongly_is_shown_back_as_typed(client):
    html = client.post(
        reverse("training:enquire"),
        {"preferred_date_1_day": "31", "preferred_date_1_month": "2", "preferred_date_1_year": "2027"},
    ).content.decode()
    assert 'id="id_preferred_date_1_day" name="preferred_date_1_day" type="text" inputmode="numeric" value="31"' in html
    assert "Preferred date must be a real date." in html


def test_a_date_error_leads_to_and_marks_the_box_it_is_about(client):
    html = client.post(
        reverse("training:enquire"),
        {"preferred_date_1_day": "5", "preferred_date_1_month": "", "preferred_date_1_year": "2027"},
    ).content.decode()
    assert 'href="#id_preferred_date_1_month">Preferred date must include a month.</a>' in html
    marked = re.findall(r'class="[^"]*govuk-input--error[^"]*" id="id_preferred_date_1_(\w+)"', html)
    assert marked == ["month"]


def test_a_date_field_named_for_its_messages_uses_that_name():
    class Sample(forms.Form):
        d = GovukDateField(label="When did it last happen?", error_name="The date it last happened")

    assert Sample({"d_day": "1", "d_month": "2", "d_year": "27"}).errors["d"] == [
        "The date it last happened must have a 4-digit year, like 2027."
    ]
    assert Sample({"d_day": "x", "d_month": "2", "d_year": "2027"}).errors["d"] == [
        "The date it last happened must be in numbers, like 27 3 2027."
    ]


@pytest.mark.parametrize("phone", ["abc", "12", "020 7946 00x0", "0" * 20])
def test_a_phone_number_must_be_a_phone_number(phone):
    class Sample(forms.Form):
        phone = PhoneField(label="Phone number")

    assert not Sample({"phone": phone}).is_valid()


@pytest.mark.parametrize("phone", ["020 7946 0000", "+44 7700 900 982", "(01632) 960-001"])
def test_real_phone_numbers_are_accepted(phone):
    class Sample(forms.Form):
        phone = PhoneField(label="Phone number")

    assert Sample({"phone": phone}).is_valid()


def test_point_of_contact_phone_abc_is_refused(client, coordinator, organisation):
    trainer = tf.trainer(factories.OrganisationFactory(kind="programme_host"))
    booking = tf.booking(organisation, [trainer], ready=False)
    factories.sign_in_verified(client, coordinator)
    response = client.post(
        reverse("training:contact_point", args=[booking.pk]),
        {"name": "Jo", "role": "Officer", "email": "jo@example.org", "phone": "abc"},
    )
    assert response.status_code == 200
    assert "Enter a phone number" in response.content.decode()
    booking.refresh_from_db()
    assert booking.contact_point_phone == ""
