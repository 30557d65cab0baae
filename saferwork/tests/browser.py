"""Helpers for browser tests: sign people in without spending their one-time codes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.test import Client

from saferwork.tests import factories


def sign_in_as(page: Any, live_server: Any, user: Any) -> None:
    """Give the browser a session verified with a second factor, as if the person had signed in.

    Tests that are not about signing in use this, so that the authenticator code of the
    current 30-second step stays unused for the step under test (django-otp refuses the
    same code twice within one step).
    """
    client = Client()
    factories.sign_in_verified(client, user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
