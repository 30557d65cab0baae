"""The Django admin shows no second-factor secret: no authenticator key, QR code or backup code."""

from __future__ import annotations

import base64

import pytest
from django_otp.plugins.otp_static.models import StaticDevice

from saferwork.accounts import services
from saferwork.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    staff = factories.UserFactory(is_staff=True, is_superuser=True)
    factories.add_totp(staff)
    factories.sign_in_verified(client, staff)
    return client


def test_admin_change_page_of_an_authenticator_shows_neither_key_nor_qr_code(admin_client, coordinator):
    device = coordinator.totpdevice_set.get()
    page = admin_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert device.key not in html
    assert base64.b32encode(device.bin_key).decode() not in html
    assert "qrcode" not in html.lower()
    listing = admin_client.get("/admin/otp_totp/totpdevice/").content.decode()
    assert "qrcode" not in listing.lower()
    assert admin_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code == 403
    assert admin_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/").status_code == 403


def test_admin_change_page_of_backup_codes_shows_no_code(admin_client, coordinator):
    codes = services.regenerate_backup_codes(user=coordinator)
    device = StaticDevice.objects.get(user=coordinator)
    page = admin_client.get(f"/admin/otp_static/staticdevice/{device.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    for code in codes:
        assert code not in html
    for stored in device.token_set.values_list("token", flat=True):
        assert stored not in html
