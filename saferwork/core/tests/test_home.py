"""The home page shows a visitor every way in: reporting routes, the course, enquiries, recruitment."""

from __future__ import annotations

import pytest
from django.urls import reverse

from saferwork.reporting import services as reporting
from saferwork.tests import factories

pytestmark = pytest.mark.django_db


def _enable(name: str, *, status: str = "active"):
    organisation = factories.OrganisationFactory(kind="employer", name=name, status=status)
    coordinator = factories.member(organisation, is_coordinator=True)
    reporting.enable_reporting(organisation=organisation, actor=coordinator, handler_private=None)
    return organisation


def test_home_page_links_the_course_the_enquiry_form_and_becoming_a_trainer(client):
    html = client.get(reverse("core:home")).content.decode()
    for name in ("training:course", "training:enquire", "recruitment:apply", "accounts:sign_in"):
        assert f'href="{reverse(name)}"' in html, name


def test_home_page_lists_enabled_reporting_routes_only(client):
    from saferwork.reporting.models import ReportingSettings

    open_route = _enable("Riverside Council")
    closed = _enable("Closed Council")
    ReportingSettings.objects.filter(organisation=closed).update(enabled=False)
    pending = _enable("Pending Union", status="pending")

    html = client.get(reverse("core:home")).content.decode()

    assert f'href="{reverse("reporting:start", args=[open_route.slug])}"' in html
    assert reverse("reporting:start", args=[closed.slug]) not in html
    assert reverse("reporting:start", args=[pending.slug]) not in html


def test_home_page_does_not_promise_what_is_not_built(client):
    html = client.get(reverse("core:home")).content.decode()
    # Surveys, risk, the audit, the duty record, learning modules and standards are built.
    assert "offer self-paced learning modules" in html and "behavioural standards" in html
    assert "Not built yet: signing in with a passkey" in html
    assert "not available yet" not in html


def test_home_page_queries_do_not_grow_with_routes(client, django_assert_max_num_queries):
    for n in range(12):
        _enable(f"Employer {n}")
    with django_assert_max_num_queries(4):
        client.get(reverse("core:home"))


def test_course_page_links_becoming_a_trainer(client):
    html = client.get(reverse("training:course")).content.decode()
    assert f'href="{reverse("recruitment:apply")}"' in html
