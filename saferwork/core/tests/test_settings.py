from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from saferwork.lib.env import env_bool, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parents[3]


def test_env_bool_rejects_nonsense(monkeypatch):
    monkeypatch.setenv("SW_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SW_FLAG must be true or false"):
        env_bool("SW_FLAG", False)
    monkeypatch.setenv("SW_FLAG", "Yes")
    assert env_bool("SW_FLAG", False) is True


def test_env_int_rejects_words_and_values_below_minimum(monkeypatch):
    monkeypatch.setenv("SW_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured):
        env_int("SW_NUMBER", 1)
    monkeypatch.setenv("SW_NUMBER", "3")
    with pytest.raises(ImproperlyConfigured, match="at least 5"):
        env_int("SW_NUMBER", 10, minimum=5)


def test_secrets_can_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("SW_SECRET_FILE", str(secret))
    assert env_str("SW_SECRET") == "from-a-file"
    monkeypatch.setenv("SW_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="cannot read"):
        env_str("SW_SECRET")


def test_required_value_missing_fails_loudly(monkeypatch):
    monkeypatch.delenv("SW_REQUIRED", raising=False)
    with pytest.raises(ImproperlyConfigured, match="SW_REQUIRED is required"):
        env_str("SW_REQUIRED")
    monkeypatch.setenv("SW_LIST", "a, b,,c")
    assert env_list("SW_LIST", []) == ["a", "b", "c"]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SAFERWORK_TESTING", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="saferwork.settings_production",
        SECRET_KEY="x" * 20 + "a-long-and-random-production-secret-key-for-tests",
        ALLOWED_HOSTS="saferwork.example.org",
        # Production needs the programme's own badge signing key (base64 Ed25519 seed).
        BADGE_SIGNING_KEY="c2FmZXJ3b3JrLXRlc3Qtb25seS1lZDI1NTE5LXNlZWQ=",
        # Emails are signed by a real contact, not the demo's.
        PROGRAMME_CONTACT_NAME="Jo Bloggs",
        PROGRAMME_CONTACT_ROLE="Programme manager",
        PROGRAMME_CONTACT_EMAIL="programme@example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_warns_while_emails_are_signed_by_the_demo_contact():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="saferwork.settings_production",
        SECRET_KEY="x" * 20 + "a-long-and-random-production-secret-key-for-tests",
        ALLOWED_HOSTS="saferwork.example.org",
        BADGE_SIGNING_KEY="c2FmZXJ3b3JrLXRlc3Qtb25seS1lZDI1NTE5LXNlZWQ=",
    )
    assert result.returncode != 0
    assert "email.W001" in result.stdout + result.stderr


def test_a_programme_contact_that_is_not_an_address_stops_the_server():
    result = _manage("check", SAFERWORK_TESTING="true", PROGRAMME_CONTACT_EMAIL="Amira at the confederation")
    assert result.returncode != 0
    assert "email.E002" in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", DJANGO_SETTINGS_MODULE="saferwork.settings_production", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_seed_demo_refuses_with_debug_off():
    result = _manage("seed_demo", SAFERWORK_TESTING="true", DEBUG="false")
    assert result.returncode != 0
    assert "only runs with DEBUG on" in result.stderr
