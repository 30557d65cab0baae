from __future__ import annotations

import pytest
from django.urls import reverse

from saferwork.tests import factories

pytestmark = pytest.mark.django_db


def test_member_of_two_organisations_switches_between_them(verified_client, coordinator, other_organisation):
    factories.MembershipFactory(user=coordinator, organisation=other_organisation, is_leader=True)
    client = verified_client(coordinator)
    first = client.get(reverse("core:dashboard")).content.decode()
    assert "Organisation</label>" in first  # the switcher shows for two organisations
    response = client.post(
        reverse("organisations:switch"), {"organisation": other_organisation.pk, "next": reverse("core:dashboard")}
    )
    assert response["Location"] == reverse("core:dashboard")
    page = client.get(reverse("core:dashboard")).content.decode()
    assert '<h1 class="govuk-heading-l">Other Employer</h1>' in page
    assert "Leader" in page


def test_outsider_cannot_switch_into_an_organisation_they_do_not_belong_to(verified_client, outsider, organisation):
    client = verified_client(outsider)
    response = client.post(reverse("organisations:switch"), {"organisation": organisation.pk})
    assert response.status_code == 404
    assert client.post(reverse("organisations:switch"), {"organisation": "abc"}).status_code == 404


def test_switch_ignores_next_pointing_elsewhere(verified_client, coordinator, organisation):
    client = verified_client(coordinator)
    response = client.post(
        reverse("organisations:switch"), {"organisation": organisation.pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/dashboard/"


def test_programme_admin_flag_only_counts_at_the_programme_host(verified_client, organisation):
    # A flag set on a union membership by mistake grants nothing.
    user = factories.member(organisation, is_programme_admin=True)
    assert verified_client(user).get(reverse("audit:list")).status_code == 403
