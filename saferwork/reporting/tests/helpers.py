"""Helpers for reporting tests: a reporter going through the real pages, a handler
signing in through the real form (so their key is unwrapped as in production)."""

from __future__ import annotations

import re
import time
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from saferwork.accounts.decorators import SUDO_SESSION_KEY
from saferwork.conftest import current_code
from saferwork.reporting.tests.answers import ANSWERS, SECRETS_IN_ANSWERS  # noqa: F401 - tests import them from here
from saferwork.tests.factories import PASSWORD


def submit(
    client: Any,
    slug: str,
    *,
    answers: dict[str, dict[str, Any]] | None = None,
    files: list[tuple[str, bytes]] = (),
    client_key: tuple[str, bytes] | None = None,
) -> str:  # type: ignore[assignment]
    """Fill every question page, add files, send; return the receipt shown once."""
    answers = {**ANSWERS, **(answers or {})}
    for step, data in answers.items():
        response = client.post(reverse("reporting:question", args=[slug, step]), data)
        assert response.status_code == 302, (step, response.content.decode()[:3000])
    for name, content in files:
        response = client.post(reverse("reporting:evidence", args=[slug]), {"file": SimpleUploadedFile(name, content)})
        assert response.status_code == 302, response.content.decode()[:3000]
    check = client.get(reverse("reporting:check", args=[slug]))
    assert check.status_code == 200
    data = {}
    if client_key:
        data = {"receipt": client_key[0], "receipt_key": client_key[1].hex()}
    response = client.post(reverse("reporting:check", args=[slug]), data)
    assert response.status_code == 200, response.content.decode()[:2000]
    match = re.search(r"data-receipt>([\d ]+)<", response.content.decode())
    assert match, response.content.decode()[:3000]
    return match.group(1).replace(" ", "")


def sign_in_handler(client: Any, user: Any, *, password: str = PASSWORD, sudo: bool = True) -> Any:
    """Sign in through the real password and code pages, then confirm sudo mode."""
    client.post(reverse("accounts:sign_in"), {"email": user.email, "password": password})
    device = user.totpdevice_set.get()
    # A test may sign the same person in twice within one 30-second step.
    device.last_t = -1
    device.save(update_fields=["last_t"])
    response = client.post(reverse("accounts:sign_in_code"), {"code": current_code(device)})
    assert response.status_code == 302, response.content.decode()[:2000]
    if sudo:
        session = client.session
        session[SUDO_SESSION_KEY] = int(time.time()) + 600
        session.save()
    return client


def follow_up(client: Any, slug: str, receipt: str) -> Any:
    return client.post(reverse("reporting:follow_up", args=[slug]), {"receipt": receipt})
