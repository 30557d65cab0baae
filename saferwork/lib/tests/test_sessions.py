"""The idle timeout: a signed-in session's expiry moves forward, but its row is written at most once a minute."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.sessions.models import Session as StoredSession
from django.urls import reverse

from saferwork.lib.sessions import TOUCHED_KEY

pytestmark = pytest.mark.django_db


def _expiry(client: Any) -> Any:
    return StoredSession.objects.get(session_key=client.session.session_key).expire_date


def test_a_second_page_within_the_minute_does_not_write_the_session(verified_client: Any, coordinator: Any) -> None:
    client = verified_client(coordinator)
    client.get(reverse("core:dashboard"))
    first = _expiry(client)
    client.get(reverse("core:dashboard"))
    assert _expiry(client) == first


def test_a_page_after_the_minute_pushes_the_expiry_forward(
    verified_client: Any, coordinator: Any, settings: Any
) -> None:
    client = verified_client(coordinator)
    client.get(reverse("core:dashboard"))
    first = _expiry(client)
    session = client.session
    session[TOUCHED_KEY] = int(session[TOUCHED_KEY]) - settings.SESSION_TOUCH_SECONDS
    session.save()
    # As if the last save were a minute ago: its expiry a minute earlier than now + the age.
    earlier = first - dt.timedelta(seconds=settings.SESSION_TOUCH_SECONDS)
    StoredSession.objects.filter(session_key=session.session_key).update(expire_date=earlier)
    client.get(reverse("core:dashboard"))
    assert _expiry(client) >= first


def test_a_visitor_gets_no_session(client: Any) -> None:
    client.get(reverse("accounts:sign_in"))
    assert StoredSession.objects.count() == 0
