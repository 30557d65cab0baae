"""Backup codes are stored only as a keyed hash, shown once, used once."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from saferwork.accounts import services
from saferwork.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_backup_codes_are_not_stored_in_clear(coordinator):
    codes = services.regenerate_backup_codes(user=coordinator)
    stored = set(StaticToken.objects.filter(device__user=coordinator).values_list("token", flat=True))
    assert len(stored) == 10
    assert not stored & set(codes)
    assert not any(code in token or token in code for code in codes for token in stored)


def test_a_stored_hash_is_not_accepted_as_a_code(coordinator):
    services.regenerate_backup_codes(user=coordinator)
    stored = StaticToken.objects.filter(device__user=coordinator).first().token
    assert services.verify_second_factor(user=coordinator, token=stored) is None


def test_a_backup_code_belongs_to_its_own_account(coordinator, participant):
    codes = services.regenerate_backup_codes(user=coordinator)
    assert services.verify_second_factor(user=participant, token=codes[0]) is None
    assert services.verify_second_factor(user=coordinator, token=codes[0]) is not None
    assert services.verify_second_factor(user=coordinator, token=codes[0]) is None


def test_codes_survive_a_secret_key_rotation_listed_as_fallback(coordinator, settings):
    codes = services.regenerate_backup_codes(user=coordinator)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    assert services.verify_second_factor(user=coordinator, token=codes[1]) is not None


def test_codes_stored_in_clear_are_hashed_by_the_migration_and_still_work(client, coordinator):
    device = StaticDevice.objects.create(user=coordinator, name="Backup codes", confirmed=True)
    device.token_set.create(token="0123456789")
    migration = importlib.import_module("saferwork.accounts.migrations.0003_hash_backup_codes")
    migration.hash_clear_backup_codes(apps, None)
    stored = device.token_set.get().token
    assert stored != "0123456789" and len(stored) == 16
    client.post(reverse("accounts:sign_in"), {"email": coordinator.email, "password": PASSWORD})
    client.post(reverse("accounts:sign_in_code"), {"code": "0123456789"})
    assert client.get(reverse("core:dashboard")).status_code == 200
    assert not device.token_set.exists()
