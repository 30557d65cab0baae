"""A sign-in waiting at the code step ends when the account's sessions are ended or its password changes."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from saferwork.conftest import current_code
from saferwork.tests import factories
from saferwork.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a fresh long passphrase 42"


def _waiting_at_code_step(user) -> Client:
    """Someone (perhaps an attacker who has the password) has passed the password step."""
    waiting = Client()
    response = waiting.post(reverse("accounts:sign_in"), {"email": user.email, "password": PASSWORD})
    assert response["Location"].startswith(reverse("accounts:sign_in_code"))
    assert waiting.get(reverse("accounts:sign_in_code")).status_code == 200
    return waiting


def _finishes_sign_in(waiting: Client, user) -> bool:
    code = current_code(user.totpdevice_set.get())
    waiting.post(reverse("accounts:sign_in_code"), {"code": code})
    return waiting.get(reverse("core:dashboard")).status_code == 200


def test_a_waiting_sign_in_can_still_finish_when_nothing_changed(coordinator):
    assert _finishes_sign_in(_waiting_at_code_step(coordinator), coordinator)


def test_sign_out_everywhere_ends_a_sign_in_waiting_for_its_code(client, coordinator):
    waiting = _waiting_at_code_step(coordinator)
    factories.sign_in_verified(client, coordinator)
    client.post(reverse("accounts:sign_out_everywhere"))
    response = waiting.get(reverse("accounts:sign_in_code"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:sign_in")
    assert not _finishes_sign_in(waiting, coordinator)


def test_password_change_ends_a_sign_in_waiting_for_its_code(client, coordinator):
    waiting = _waiting_at_code_step(coordinator)
    factories.sign_in_verified(client, coordinator)
    changed = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    assert not _finishes_sign_in(waiting, coordinator)
    # The person who changed it stays signed in.
    assert client.get(reverse("core:dashboard")).status_code == 200


def test_password_reset_ends_a_sign_in_waiting_for_its_code(client, coordinator):
    waiting = _waiting_at_code_step(coordinator)
    client.post(reverse("accounts:password_reset"), {"email": coordinator.email})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/account/password-reset/" in line)
    form = client.get("/" + link.split("://", 1)[1].split("/", 1)[1], follow=True)
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert not _finishes_sign_in(waiting, coordinator)
