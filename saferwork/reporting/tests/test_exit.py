"""Exit this page ends the reporter's visit on the server: no page can be rebuilt after it."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.urls import reverse

from saferwork.reporting.tests.helpers import follow_up, submit

pytestmark = pytest.mark.django_db

DRAFT_TEXT = "Quillon from accounts keeps standing too close to me"


def _exit(client):
    response = client.get(reverse("core:exit"))
    assert response.status_code == 302
    return response


def test_exit_destroys_the_draft_and_deletes_the_vault_cookies(client, reporting_org, settings):
    slug = reporting_org.slug
    client.post(reverse("reporting:question", args=[slug, "about-you"]), {"role": "self"})
    client.post(
        reverse("reporting:question", args=[slug, "what-happened"]),
        {"behaviours": ["comments"], "description": DRAFT_TEXT},
    )
    page = reverse("reporting:question", args=[slug, "what-happened"])
    assert DRAFT_TEXT in client.get(page).content.decode()
    vault_cookies = [name for name in client.cookies if name.startswith("sw_")]
    assert vault_cookies
    session_key = client.session.session_key

    response = _exit(client)
    assert response["Location"] == settings.EXIT_PAGE_URL
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    for name in [*vault_cookies, django_settings.SESSION_COOKIE_NAME]:
        assert response.cookies[name]["max-age"] == 0, name
    assert not Session.objects.filter(session_key=session_key).exists()
    # Even a browser that kept the old cookies finds nothing: the server holds no draft.
    assert DRAFT_TEXT not in client.get(page).content.decode()


def test_exit_ends_a_follow_up_so_its_messages_cannot_be_shown_again(client, reporting_org, handler):
    slug = reporting_org.slug
    receipt = submit(client, slug)
    client.cookies.clear()
    case_url = client.get(follow_up(client, slug, receipt)["Location"])
    client.post(reverse("reporting:follow_up_case", args=[slug]), {"body": "The second time was in the lift"})
    case = client.get(reverse("reporting:follow_up_case", args=[slug]))
    assert "The second time was in the lift" in case.content.decode()
    assert case_url.status_code == 200

    _exit(client)
    again = client.get(reverse("reporting:follow_up_case", args=[slug]))
    assert again.status_code == 302 and again["Location"] == reverse("reporting:follow_up", args=[slug])


def test_exit_with_old_cookies_replayed_still_opens_nothing(client, reporting_org, handler):
    slug = reporting_org.slug
    receipt = submit(client, slug)
    client.cookies.clear()
    follow_up(client, slug, receipt)
    kept = {name: morsel.value for name, morsel in client.cookies.items()}
    _exit(client)
    for name, value in kept.items():  # a browser that ignored the deletions
        client.cookies[name] = value
    assert client.get(reverse("reporting:follow_up_case", args=[slug])).status_code == 302


def test_exit_deletes_the_host_prefixed_vault_cookies_used_over_https(client, db):
    client.cookies["__Host-sw_rd"] = "a-key"
    client.cookies["__Host-sw_rf"] = "another-key"
    client.cookies["unrelated"] = "kept"
    response = _exit(client)
    for name in ["__Host-sw_rd", "__Host-sw_rf"]:
        morsel = response.cookies[name]
        # Browsers accept the deletion of a __Host- cookie only if it is Secure with Path=/.
        assert morsel["max-age"] == 0 and morsel["secure"] and morsel["path"] == "/", name
    assert "unrelated" not in response.cookies
