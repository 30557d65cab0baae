"""An invitation travels by email and turns into an account in the browser."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail

from saferwork.conftest import assert_accessible
from saferwork.tests.browser import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_invited_person_joins_from_the_link_in_the_email(page, live_server, coordinator):
    sign_in_as(page, live_server, coordinator)
    page.goto("/dashboard/")
    page.get_by_role("link", name="People and invitations").click()
    page.wait_for_url("**/organisation/people/")
    assert_accessible(page, "people")

    page.get_by_label("Email address").fill("Sam.Newcomer@example.org")
    page.get_by_label("Full name").fill("Sam Newcomer")
    page.get_by_role("button", name="Send invitation").click()
    # The address as it will be used, in the same form as the list of invitations shows it.
    assert "Invitation sent to sam.newcomer@example.org" in page.locator(".govuk-notification-banner").inner_text()
    assert "sam.newcomer@example.org" in page.inner_text("main")
    assert_accessible(page, "people-invitation-sent")

    # The email is sent by the task queued on commit: it has gone by the time the page shows.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sam.newcomer@example.org"]
    links = re.findall(r"https?://\S+/invitations/\S+/", message.body)
    assert len(links) == 1, message.body
    link_path = urlsplit(links[0]).path

    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url("**/account/sign-in/")
    page.goto(link_path)
    assert page.get_by_role("heading", level=1).inner_text() == "Join Home Union on SaferWork"
    assert "sam.newcomer@example.org" in page.inner_text("main")
    assert page.get_by_label("Full name").input_value() == "Sam Newcomer"
    assert_accessible(page, "invitation-accept")
    page.get_by_label("Create a password").fill("short")
    page.get_by_role("button", name="Create account").click()
    assert "too short" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, "invitation-accept-error")
    page.get_by_label("Create a password").fill("lantern orchard puzzle river")
    page.get_by_role("button", name="Create account").click()

    page.wait_for_url("**/dashboard/")
    assert page.get_by_role("heading", level=1).inner_text() == "Home Union"
    assert "Your roles here: Participant" in page.inner_text("main")
    assert_accessible(page, "dashboard-new-participant")

    # The link is single-use.
    page.goto(link_path)
    assert "Join Home Union" not in page.inner_text("main")
    assert_accessible(page, "invitation-used")
