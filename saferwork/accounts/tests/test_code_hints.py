"""Backup codes are named only to someone who has some: never while setting up, when none exist."""

from __future__ import annotations

import pytest
from django.urls import reverse

from saferwork.accounts import services
from saferwork.tests import factories
from saferwork.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _main(response) -> str:
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


def test_setting_up_two_factor_does_not_mention_backup_codes_before_any_exist(client, organisation):
    user = factories.member(organisation, is_coordinator=True, with_device=False)
    client.post(reverse("accounts:sign_in"), {"email": user.email, "password": PASSWORD})
    page = client.get(reverse("accounts:two_factor_setup"))
    assert "The 6-digit code from your authenticator app." in _main(page)
    assert "backup" not in _main(page).lower()
    wrong = client.post(reverse("accounts:two_factor_setup"), {"code": "123456"})
    assert "backup" not in _main(wrong).lower()


def test_sign_in_code_page_names_backup_codes_only_while_some_are_left(client, coordinator):
    client.post(reverse("accounts:sign_in"), {"email": coordinator.email, "password": PASSWORD})
    without = _main(client.get(reverse("accounts:sign_in_code")))
    assert "one of your 10-digit backup codes" not in without
    assert "You have no backup codes left. Ask your organisation's coordinator to reset your account." in without

    services.regenerate_backup_codes(user=coordinator)
    with_codes = _main(client.get(reverse("accounts:sign_in_code")))
    assert "or one of your 10-digit backup codes" in with_codes
    assert "Enter one of the 10-digit backup codes you saved" in with_codes


def test_sudo_page_names_backup_codes_only_while_some_are_left(verified_client, coordinator):
    client = verified_client(coordinator)
    assert "backup" not in _main(client.get(reverse("accounts:sudo"))).lower()
    services.regenerate_backup_codes(user=coordinator)
    assert "or one of your 10-digit backup codes" in _main(client.get(reverse("accounts:sudo")))
