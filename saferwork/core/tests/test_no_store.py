"""Every signed-in page and export, and every personal page without an account, is no-store."""

from __future__ import annotations

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from saferwork.accounts.decorators import grant_sudo
from saferwork.core.tests.test_pages import crawl
from saferwork.tests import factories

pytestmark = pytest.mark.django_db


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def _sudo(client):
    request = type("R", (), {"session": client.session})()
    grant_sudo(request)
    request.session.save()
    return client


def test_sensitive_signed_in_pages_and_exports_are_no_store(verified_client, programme_admin, organisation):
    factories.member(organisation, is_case_handler=True, is_coordinator=True, email="h@example.org")
    client = _sudo(verified_client(programme_admin))
    for name in ["audit:list", "audit:export", "reach:programme", "reach:programme_csv", "reach:programme_xlsx"]:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert _no_store(response), name


def test_case_list_is_no_store(verified_client, organisation):
    handler = factories.member(organisation, is_case_handler=True, email="handler@example.org")
    response = verified_client(handler).get(reverse("reporting:case_list"))
    assert response.status_code == 200 and _no_store(response)


def test_password_reset_pages_are_no_store(client, participant):
    assert _no_store(client.get(reverse("accounts:password_reset")))
    uid = urlsafe_base64_encode(force_bytes(participant.pk))
    token = default_token_generator.make_token(participant)
    response = client.get(reverse("accounts:password_reset_confirm", args=[uid, token]), follow=True)
    assert response.status_code == 200 and _no_store(response)


def test_every_page_a_signed_in_person_reaches_is_no_store(client, programme_admin, coordinator, participant):
    def check(url, response):
        assert _no_store(response), url

    for user in (participant, coordinator, programme_admin):
        factories.sign_in_verified(client, user)
        crawl(client, "/dashboard/", on_response=check)
        client.logout()


def test_public_information_pages_may_still_be_cached(client):
    # Scoped, not blanket: the home and accessibility pages carry nothing personal.
    assert not _no_store(client.get(reverse("core:accessibility")))


@pytest.mark.parametrize(
    "path",
    ["/evaluation/not-a-token/", "/badge/claim/not-a-token/", "/my-data/not-a-token/", "/invitations/not-a-token/"],
)
def test_personal_pages_without_an_account_are_no_store_even_when_the_link_is_wrong(client, path):
    assert _no_store(client.get(path))
