"""Resetting a forgotten password in a browser: every page of it passes axe and fits a phone,
and a link used twice says so."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from saferwork.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_forgotten_password_is_reset_from_the_emailed_link(page, live_server, coordinator):
    page.set_default_timeout(30_000)  # a busy machine: give each step longer than the default
    page.goto("/account/password-reset/")
    assert_accessible(page, "password-reset-1-ask")
    page.locator("#id_email").fill(coordinator.email)
    page.get_by_role("button", name="Send the link").click()
    page.wait_for_url("**/account/password-reset/sent/")
    assert_accessible(page, "password-reset-2-sent")

    (email,) = [m for m in mail.outbox if m.to == [coordinator.email]]
    link = re.search(r"https?://[^/\s]+(/account/password-reset/\S+/)", email.body).group(1)
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    assert_accessible(page, "password-reset-3-choose")
    page.locator("#id_new_password1").fill("a fresh long passphrase 42")
    page.locator("#id_new_password2").fill("a fresh long passphrase 42")
    page.get_by_role("button", name="Save password").click()
    page.wait_for_url("**/account/password-reset/complete/")
    assert_accessible(page, "password-reset-4-complete")
    coordinator.refresh_from_db()
    assert coordinator.check_password("a fresh long passphrase 42")

    page.goto(link)
    expect(page.get_by_role("heading", name="This link has expired or has been used")).to_be_visible()
    assert_accessible(page, "password-reset-5-used")
