"""A confirmation link followed a second time says it is done, and what comes next."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from saferwork.conftest import assert_accessible
from saferwork.training.models import Enquiry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_enquiry_link_used_twice_says_already_confirmed(page, live_server):
    from saferwork.training import services

    services.submit_enquiry(
        data={
            "organisation_name": "Riverside Union",
            "contact_name": "Robin Rivers",
            "contact_email": "robin@example.org",
            "expected_participants": 10,
            "region": "London",
        }
    )
    link = re.search(r"(/training/enquire/verify/[^/\s]+/)", mail.outbox[-1].body).group(1)

    page.goto(link)
    page.get_by_role("button", name="Confirm my email address").click()
    page.wait_for_url(f"**{link}")
    expect(page.get_by_role("heading", name="Enquiry confirmed")).to_be_visible()
    reference = Enquiry.objects.get().reference

    # Later, from the same email: no second button, a clear answer and the next step.
    response = page.goto(link)
    assert response.status == 200
    assert_accessible(page, "verify-again")
    expect(page.get_by_role("heading", name="You have already confirmed this enquiry")).to_be_visible()
    assert page.get_by_role("button", name="Confirm my email address").count() == 0
    assert reference in page.locator("main").inner_text()
    page.get_by_role("link", name="Read about the training while you wait").click()
    page.wait_for_url("**/training/")


def test_unknown_enquiry_link_says_it_does_not_work(page, live_server):
    response = page.goto("/training/enquire/verify/not-a-real-token/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    assert_accessible(page)


def test_invitation_link_used_twice_says_already_accepted(page, live_server, coordinator):
    from saferwork.accounts import services as account_services

    organisation = coordinator.memberships.get().organisation
    _invitation, token = account_services.invite(
        organisation=organisation, email="pat@example.org", full_name="Pat", flags=[], invited_by=coordinator
    )
    page.goto(f"/invitations/{token}/")
    page.get_by_label("Full name").fill("Pat Participant")
    page.get_by_label("Create a password").fill("a long enough passphrase 7")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(lambda url: "/invitations/" not in url)
    page.context.clear_cookies()

    response = page.goto(f"/invitations/{token}/")
    assert response.status == 200
    assert_accessible(page, "invitation-again")
    expect(page.get_by_role("heading", name="You have already accepted this invitation")).to_be_visible()
    page.get_by_role("link", name="Sign in with pat@example.org").click()
    page.wait_for_url("**/account/sign-in/")
