"""The README promises that every demo account signs in with the published password and TOTP secret."""

from __future__ import annotations

import base64

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import totp

from saferwork.core import demo

pytestmark = pytest.mark.django_db


def _code_from_readme_secret() -> str:
    # Computed from the base32 secret as an authenticator app would, not from the hex key.
    key = base64.b32decode(demo.DEMO_TOTP_BASE32)
    return f"{totp(key, step=30, t0=0, digits=6):06d}"


def test_every_demo_account_signs_in_with_password_and_code(client, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    emails = [email for email, *_ in demo.PEOPLE] + [f"trainer{n:02d}@saferwork.test" for n in range(1, 13)]
    for email in emails:
        response = client.post(reverse("accounts:sign_in"), {"email": email, "password": demo.DEMO_PASSWORD})
        assert response.status_code == 302, email
        if response["Location"].startswith(reverse("accounts:sign_in_code")):
            response = client.post(reverse("accounts:sign_in_code"), {"code": _code_from_readme_secret()})
            assert response.status_code == 302, email
        assert client.get(reverse("core:dashboard")).status_code == 200, email
        client.post(reverse("accounts:sign_out"))


def test_readme_lists_the_demo_secret_and_password():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    assert demo.DEMO_TOTP_BASE32 in readme
    assert demo.DEMO_PASSWORD in readme


def test_the_demo_participant_finds_their_place_on_their_own_page(client, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    response = client.post(
        reverse("accounts:sign_in"), {"email": "participant@saferwork.test", "password": demo.DEMO_PASSWORD}
    )
    assert response.status_code == 302
    html = client.get(reverse("training:my_training")).content.decode()
    assert "Transport House, Cardiff" in html and "You have a place" in html
