"""The public enquiry: verified by a link, matched to an organisation or created pending, acknowledged."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse

from saferwork.audit.models import AuditEntry
from saferwork.organisations.models import Organisation
from saferwork.training.models import Enquiry

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    future = dt.date.today() + dt.timedelta(days=60)
    data = {
        "organisation_name": "Brand New Union",
        "organisation_kind": "union",
        "contact_name": "Morgan Lee",
        "contact_role": "Women's officer",
        "contact_email": "Morgan@Example.org",
        "contact_phone": "",
        "audience": ["senior_leader", "executive"],
        "expected_participants": "20",
        "expected_sessions": "2",
        "region": "Wales",
        "venue": "",
        "delivery_mode": "online",
        "preferred_date_1": future.isoformat(),
        "preferred_date_2": "",
        "preferred_date_3": "",
        "has_policy": "yes",
        "has_action_plan": "no",
        "used_toolkit": "no",
        "other_training": "",
        "accessibility_needs": "Captions",
    }
    data.update(overrides)
    return data


def _verify_link(message):
    return re.search(r"http://[^/]+(/training/enquire/verify/[^/\s]+/)", message.body).group(1)


def test_enquiry_is_hidden_until_the_email_is_verified(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("training:enquire"), form_data())
    assert response.status_code == 302
    enquiry = Enquiry.objects.get()
    assert enquiry.verified_at is None and enquiry.organisation is None
    assert enquiry.contact_email == "morgan@example.org"
    assert enquiry.audience == ["senior_leader", "executive"]
    assert [m.to for m in mail.outbox] == [["morgan@example.org"]]
    link = _verify_link(mail.outbox[0])

    # Following the link shows a button; a mail scanner's GET changes nothing.
    assert client.get(link).status_code == 200
    enquiry.refresh_from_db()
    assert enquiry.verified_at is None

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link)
    assert "Enquiry confirmed" in response.content.decode()
    enquiry.refresh_from_db()
    assert enquiry.verified_at is not None
    organisation = enquiry.organisation
    assert organisation.name == "Brand New Union" and organisation.status == Organisation.Status.PENDING
    assert "We have your training enquiry" in mail.outbox[-1].subject
    assert "£450" in mail.outbox[-1].body
    assert AuditEntry.objects.filter(action="saferwork.enquiry.verified").exists()


def test_enquiry_matches_an_existing_organisation_by_name(client, organisation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("training:enquire"), form_data(organisation_name="home union"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_verify_link(mail.outbox[0]))
    assert Enquiry.objects.get().organisation == organisation
    assert Organisation.objects.count() == 1


def test_wrong_verification_link_is_refused(client, db):
    response = client.post(reverse("training:verify_enquiry", args=["not-a-token"]))
    assert response.status_code == 404


def test_enquiry_form_shows_errors(client, db):
    response = client.post(reverse("training:enquire"), form_data(contact_email="nope", preferred_date_1="2000-01-01"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Preferred dates must be in the future" in html
    assert not Enquiry.objects.exists()


def test_enquiry_form_is_rate_limited(client, settings, db):
    settings.RATE_LIMIT_ANONYMOUS_FORM = (2, 3600)
    for _ in range(2):
        client.post(reverse("training:enquire"), form_data())
    response = client.post(reverse("training:enquire"), form_data())
    assert response.status_code == 429
    assert Enquiry.objects.count() == 2
