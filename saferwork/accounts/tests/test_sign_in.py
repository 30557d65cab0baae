from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken

from saferwork.accounts import services
from saferwork.conftest import current_code
from saferwork.tests import factories
from saferwork.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _password_step(client, user, password=PASSWORD):
    return client.post(reverse("accounts:sign_in"), {"email": user.email, "password": password})


def test_coordinator_with_authenticator_must_give_code_before_seeing_anything(client, coordinator):
    response = _password_step(client, coordinator)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in_code"))
    # The password alone has not signed anyone in.
    assert client.get(reverse("core:dashboard")).status_code == 302
    device = coordinator.totpdevice_set.get()
    response = client.post(reverse("accounts:sign_in_code"), {"code": current_code(device)})
    assert response.status_code == 302
    page = client.get(reverse("core:dashboard"))
    assert page.status_code == 200
    assert "Home Union" in page.content.decode()


def test_wrong_password_says_so_without_revealing_whether_account_exists(client, coordinator):
    wrong = _password_step(client, coordinator, password="nope")
    unknown = client.post(reverse("accounts:sign_in"), {"email": "nobody@example.org", "password": "nope"})
    assert "The email address or password is not right" in wrong.content.decode()
    assert "The email address or password is not right" in unknown.content.decode()


def test_sign_in_is_rate_limited_per_account(client, coordinator, settings):
    for _ in range(settings.RATE_LIMIT_SIGN_IN_ACCOUNT[0]):
        _password_step(client, coordinator, password="wrong")
    response = _password_step(client, coordinator)  # even the right password now waits
    assert response.status_code == 429
    assert "paused for 15 minutes" in response.content.decode()


def test_sign_in_is_rate_limited_per_address(client, db, settings):
    settings.RATE_LIMIT_SIGN_IN_ADDRESS = (3, 900)
    for n in range(3):
        client.post(reverse("accounts:sign_in"), {"email": f"guess{n}@example.org", "password": "x"})
    user = factories.member(factories.OrganisationFactory(), is_coordinator=True)
    assert _password_step(client, user).status_code == 429


def test_repeated_wrong_codes_lock_the_account(client, coordinator, settings):
    _password_step(client, coordinator)
    for _ in range(settings.RATE_LIMIT_SECOND_FACTOR[0]):
        client.post(reverse("accounts:sign_in_code"), {"code": "000000"})
    device = coordinator.totpdevice_set.get()
    response = client.post(reverse("accounts:sign_in_code"), {"code": current_code(device)})
    assert response.status_code == 429
    assert client.get(reverse("core:dashboard")).status_code == 302


def test_backup_code_signs_in_once(client, coordinator):
    codes = services.regenerate_backup_codes(user=coordinator)
    _password_step(client, coordinator)
    response = client.post(reverse("accounts:sign_in_code"), {"code": codes[0]}, follow=True)
    assert "You signed in with a backup code. You have 9 left" in response.content.decode()
    client.logout()
    _password_step(client, coordinator)
    reused = client.post(reverse("accounts:sign_in_code"), {"code": codes[0]})
    assert "The code is not right" in reused.content.decode()
    assert StaticToken.objects.filter(device__user=coordinator).count() == 9


def test_new_coordinator_is_sent_to_enrol_and_sees_nothing_else(client, organisation):
    user = factories.member(organisation, is_coordinator=True, with_device=False)
    response = _password_step(client, user)
    assert response.status_code == 302
    for url in [reverse("core:dashboard"), reverse("accounts:people"), "/admin/"]:
        blocked = client.get(url)
        assert blocked.status_code == 302
        assert blocked["Location"] == reverse("accounts:two_factor_setup")


def test_enrolment_confirms_device_and_shows_backup_codes(client, organisation):
    user = factories.member(organisation, is_coordinator=True, with_device=False)
    _password_step(client, user)
    page = client.get(reverse("accounts:two_factor_setup"))
    assert page.status_code == 200
    assert "data:image/svg+xml;base64," in page.content.decode()
    device = user.totpdevice_set.get(confirmed=False)
    wrong = client.post(reverse("accounts:two_factor_setup"), {"code": "123456"})
    assert "The code is not right" in wrong.content.decode()
    done = client.post(reverse("accounts:two_factor_setup"), {"code": current_code(device)})
    assert "Save your backup codes" in done.content.decode()
    assert done.content.decode().count("<li><code>") == 10
    assert client.get(reverse("core:dashboard")).status_code == 200


def test_participant_needs_no_second_factor(client, participant):
    response = _password_step(client, participant)
    assert response.status_code == 302
    assert client.get(reverse("core:dashboard")).status_code == 200


def test_admin_requires_verified_second_factor(client, db):
    staff = factories.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    assert client.get("/admin/").status_code == 302
    factories.add_totp(staff)
    factories.sign_in_verified(client, staff)
    assert client.get("/admin/").status_code == 200


def test_sudo_mode_asks_for_a_fresh_code(verified_client, coordinator):
    client = verified_client(coordinator)
    response = client.get(reverse("accounts:backup_codes"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sudo"))
    device = coordinator.totpdevice_set.get()
    confirmed = client.post(
        reverse("accounts:sudo"), {"code": current_code(device), "next": reverse("accounts:backup_codes")}
    )
    assert confirmed["Location"] == reverse("accounts:backup_codes")
    assert client.get(reverse("accounts:backup_codes")).status_code == 200


def test_sign_out_everywhere_ends_other_sessions(client, coordinator):
    from django.test import Client

    other = Client()
    factories.sign_in_verified(client, coordinator)
    factories.sign_in_verified(other, coordinator)
    assert other.get(reverse("core:dashboard")).status_code == 200
    client.post(reverse("accounts:sign_out_everywhere"))
    assert other.get(reverse("core:dashboard")).status_code == 302


def test_sign_out_requires_post(verified_client, coordinator):
    client = verified_client(coordinator)
    assert client.get(reverse("accounts:sign_out")).status_code == 405


def test_idle_sessions_expire_after_thirty_minutes(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    # Each request pushes the expiry forward, saving at most once a minute (lib/tests/test_sessions.py).
    assert "saferwork.lib.sessions.IdleSessionMiddleware" in settings.MIDDLEWARE


def test_password_reset_sends_a_link_that_works(client, coordinator):
    client.post(reverse("accounts:password_reset"), {"email": coordinator.email})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/account/password-reset/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    form = client.get("/" + path, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a fresh long passphrase 42", "new_password2": "a fresh long passphrase 42"},
    )
    assert done.status_code == 302
    coordinator.refresh_from_db()
    assert coordinator.check_password("a fresh long passphrase 42")


def test_password_reset_for_unknown_email_sends_nothing(client, db):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []
