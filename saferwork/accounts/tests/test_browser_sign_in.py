from __future__ import annotations

import pytest

from saferwork.conftest import assert_accessible, current_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_signs_in_with_password_and_authenticator_code(page, coordinator):
    page.goto("/account/sign-in/")
    assert_accessible(page, "sign-in")
    page.get_by_label("Email address").fill(coordinator.email)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/account/sign-in/code/")
    assert_accessible(page, "sign-in-code")
    page.get_by_label("Code").fill(current_code(coordinator.totpdevice_set.get()))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")
    assert page.get_by_role("heading", level=1).inner_text() == "Home Union"
    assert_accessible(page, "dashboard-coordinator")
