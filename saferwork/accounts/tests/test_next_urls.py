"""Every ``next`` goes through one resolver: a path on this site, or the dashboard."""

from __future__ import annotations

import pytest
from django.urls import reverse

from saferwork.conftest import current_code
from saferwork.tests import factories
from saferwork.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

UNSAFE = ["dashboard", "//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)"]


@pytest.mark.parametrize("next_url", UNSAFE)
def test_participant_sign_in_with_an_odd_next_lands_on_the_dashboard(client, participant, next_url):
    response = client.post(
        reverse("accounts:sign_in"), {"email": participant.email, "password": PASSWORD, "next": next_url}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("core:dashboard")


@pytest.mark.parametrize("next_url", UNSAFE)
def test_sign_in_with_a_code_and_an_odd_next_lands_on_the_dashboard(client, coordinator, next_url):
    first = client.post(
        reverse("accounts:sign_in") + "?next=" + next_url, {"email": coordinator.email, "password": PASSWORD}
    )
    assert first.status_code == 302
    assert first["Location"] == reverse("accounts:sign_in_code")
    code = current_code(coordinator.totpdevice_set.get())
    response = client.post(reverse("accounts:sign_in_code"), {"code": code, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:dashboard")


def test_sign_in_keeps_a_next_on_this_site_through_the_code_step(client, coordinator):
    wanted = reverse("accounts:people") + "?a=1&b=2"
    first = client.post(reverse("accounts:sign_in"), {"email": coordinator.email, "password": PASSWORD, "next": wanted})
    page = client.get(first["Location"])
    assert 'value="/organisation/people/?a=1&amp;b=2"' in page.content.decode()
    code = current_code(coordinator.totpdevice_set.get())
    response = client.post(reverse("accounts:sign_in_code"), {"code": code, "next": wanted})
    assert response["Location"] == wanted


@pytest.mark.parametrize("next_url", UNSAFE)
def test_signed_in_person_visiting_sign_in_with_an_odd_next_goes_to_the_dashboard(
    verified_client, coordinator, next_url
):
    response = verified_client(coordinator).get(reverse("accounts:sign_in"), {"next": next_url})
    assert response["Location"] == reverse("core:dashboard")


@pytest.mark.parametrize("next_url", UNSAFE)
def test_organisation_switch_with_an_odd_next_lands_on_the_dashboard(
    verified_client, coordinator, other_organisation, next_url
):
    factories.MembershipFactory(user=coordinator, organisation=other_organisation)
    response = verified_client(coordinator).post(
        reverse("organisations:switch"), {"organisation": other_organisation.pk, "next": next_url}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("core:dashboard")


@pytest.mark.parametrize("next_url", UNSAFE)
def test_sudo_with_an_odd_next_goes_to_the_account_page(verified_client, coordinator, next_url):
    client = verified_client(coordinator)
    code = current_code(coordinator.totpdevice_set.get())
    response = client.post(reverse("accounts:sudo"), {"code": code, "next": next_url})
    assert response["Location"] == reverse("accounts:account")


def test_admin_sign_in_link_carries_only_a_safe_next(client):
    response = client.get("/admin/login/", {"next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil" not in response["Location"]
