"""Two-factor sign-in as a person meets it in a browser: enrolment, backup codes, lockout, sudo mode."""

from __future__ import annotations

import base64
import re

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from saferwork.conftest import assert_accessible, current_code
from saferwork.tests import factories
from saferwork.tests.browser import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _code_from_setup_key(key_text: str) -> str:
    """What an authenticator app shows after someone types in the setup key."""
    key = base64.b32decode("".join(key_text.split()))
    return f"{totp(key, step=30, t0=0, digits=6):06d}"


def _enter_password(page, email: str) -> None:
    page.goto("/account/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Continue").click()


def _sign_out(page) -> None:
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url("**/account/sign-in/")
    assert "You have signed out." in page.inner_text("main")


def test_new_coordinator_must_enrol_then_can_sign_in_with_a_backup_code(page, organisation):
    user = factories.member(organisation, email="new.coordinator@example.org", with_device=False, is_coordinator=True)

    _enter_password(page, user.email)
    # No device yet: the dashboard is out of reach until an authenticator is set up.
    page.wait_for_url("**/account/two-factor/setup/")
    assert page.get_by_role("heading", level=1).inner_text() == "Set up two-factor sign-in"
    expect(page.locator("img.sw-qr")).to_be_visible()
    # No backup codes exist yet: the page does not send anyone looking for them.
    assert "backup" not in page.inner_text("main").lower()
    # No links to pages that would only send the person back here; signing out stays.
    assert page.get_by_role("navigation", name="Menu").count() == 0
    assert page.get_by_role("link", name="Your account").count() == 0
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    assert_accessible(page, "two-factor-setup")
    page.goto("/dashboard/")
    page.wait_for_url("**/account/two-factor/setup/")

    page.get_by_label("Code").fill("123")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    assert "The code is not right" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, "two-factor-setup-error")
    page.get_by_label("Code").fill(_code_from_setup_key(page.locator("#totp-secret").inner_text()))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    expect(page.get_by_role("heading", name="Two-factor sign-in is on")).to_be_visible()
    codes = [c.strip() for c in page.locator("#backup-codes li").all_inner_texts()]
    assert len(codes) == 10 and all(re.fullmatch(r"\d{10}", c) for c in codes)
    assert len(set(codes)) == 10
    assert_accessible(page, "two-factor-backup-codes")
    page.get_by_role("link", name="I have saved my codes – continue").click()
    page.wait_for_url("**/dashboard/")
    assert page.get_by_role("heading", level=1).inner_text() == "Home Union"
    expect(page.get_by_role("navigation", name="Menu").get_by_role("link", name="People")).to_be_visible()

    _sign_out(page)
    _enter_password(page, user.email)
    page.wait_for_url("**/account/sign-in/code/")
    page.get_by_text("I do not have my phone").click()
    assert "10-digit backup codes" in page.locator(".govuk-details__text").inner_text()
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")
    warning = page.locator(".govuk-notification-banner").inner_text()
    assert "You signed in with a backup code. You have 9 left" in warning
    assert_accessible(page, "dashboard-after-backup-code")

    # Each backup code works once.
    _sign_out(page)
    _enter_password(page, user.email)
    page.wait_for_url("**/account/sign-in/code/")
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Sign in").click()
    assert "The code is not right or has expired" in page.locator(".govuk-error-summary").inner_text()
    assert page.url.endswith("/account/sign-in/code/")
    assert_accessible(page, "sign-in-code-error")


def test_repeated_wrong_codes_pause_sign_in_even_for_the_right_code(page, coordinator):
    device = coordinator.totpdevice_set.get()
    _enter_password(page, coordinator.email)
    page.wait_for_url("**/account/sign-in/code/")

    right = current_code(device)
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"
    for left in (4, 3, 2, 1):
        page.get_by_label("Code").fill(wrong)
        page.get_by_role("button", name="Sign in").click()
        # Each answer replaces a page with the same summary: wait for the new text.
        expected = f"You have {left} more {'try' if left == 1 else 'tries'}"
        expect(page.locator(".govuk-error-summary")).to_contain_text(expected)
    page.get_by_label("Code").fill(wrong)
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("signing in to this account is paused for 15 minutes")
    expect(summary).to_be_focused()  # GOV.UK's error summary takes focus, so it is announced
    # The error message is also next to the field, where a screen reader user lands.
    assert "paused for 15 minutes" in page.locator("#id_code-error, .govuk-error-message").first.inner_text()
    assert_accessible(page, "sign-in-locked")

    page.get_by_label("Code").fill(current_code(device))
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("paused for 15 minutes")
    # The right code did not sign the person in.
    page.goto("/dashboard/")
    page.wait_for_url("**/account/sign-in/**")
    assert_accessible(page, "sign-in-after-lockout")


def test_making_new_backup_codes_asks_for_a_fresh_code_first(page, live_server, coordinator):
    sign_in_as(page, live_server, coordinator)
    page.goto("/account/")
    assert_accessible(page, "account")
    page.get_by_role("link", name="Make new backup codes").click()

    page.wait_for_url("**/account/confirm/?next=*")
    assert page.get_by_role("heading", level=1).inner_text() == "Confirm it is you"
    assert_accessible(page, "sudo-confirm")
    page.get_by_label("Code").fill("000000" if current_code(coordinator.totpdevice_set.get()) != "000000" else "111111")
    page.get_by_role("button", name="Confirm").click()
    assert "The code is not right or has expired" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, "sudo-confirm-error")

    page.get_by_label("Code").fill(current_code(coordinator.totpdevice_set.get()))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/account/two-factor/backup-codes/")
    assert "Your old backup codes will stop working" in page.inner_text("main")
    assert_accessible(page, "backup-codes-confirm")
    page.get_by_role("button", name="Make new backup codes").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Your new backup codes"
    assert page.locator("#backup-codes li").count() == 10
    assert_accessible(page, "backup-codes-new")

    # Within the next few minutes the same action does not ask again.
    page.goto("/account/")
    assert "Backup codes left" in page.inner_text("main")
    page.get_by_role("link", name="Make new backup codes").click()
    page.wait_for_url("**/account/two-factor/backup-codes/")
