"""Every page a role can reach renders, and none points at another host."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from saferwork.accounts.models import User
from saferwork.tests import factories

pytestmark = pytest.mark.django_db

FOREIGN = re.compile(r"""(?:src|href|action)\s*=\s*["']\s*(?:https?:)?//(?!testserver)""", re.I)
CSS_URL = re.compile(r"""url\(\s*["']?\s*(?:https?:)?//""", re.I)
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\sstyle\s*=|<style", re.I)

PUBLIC = ["core:home", "core:accessibility", "core:privacy", "accounts:sign_in", "accounts:password_reset"]
SIGNED_IN = ["core:dashboard", "accounts:account", "accounts:password_change"]
COORDINATOR = ["accounts:people"]
PROGRAMME_ADMIN = ["audit:list"]


def _assert_self_contained(html: str, where: str) -> None:
    assert not FOREIGN.findall(html), f"{where} points at another host: {FOREIGN.findall(html)}"
    assert not CSS_URL.findall(html), f"{where} has a CSS url() to another host"
    assert not INLINE.findall(html), f"{where} has inline script or style: {INLINE.findall(html)}"


@pytest.mark.parametrize("name", PUBLIC)
def test_public_pages_are_self_contained(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    _assert_self_contained(response.content.decode(), name)


def test_every_page_each_role_reaches_is_self_contained(client, programme_admin, coordinator, participant):
    for user, names in [
        (participant, SIGNED_IN),
        (coordinator, SIGNED_IN + COORDINATOR),
        (programme_admin, SIGNED_IN + COORDINATOR + PROGRAMME_ADMIN),
    ]:
        factories.sign_in_verified(client, user)
        for name in names:
            response = client.get(reverse(name))
            assert response.status_code == 200, (user.email, name)
            _assert_self_contained(response.content.decode(), name)
        client.logout()


def test_stylesheet_loads_nothing_from_another_host(client, settings):
    from django.contrib.staticfiles import finders

    path = finders.find("build/app.css")
    assert path, "run `npm run build` (make setup does it)"
    with open(path, encoding="utf-8") as css:
        text = css.read()
    assert not CSS_URL.findall(text)
    assert "GDS Transport" not in text


def test_error_pages_are_styled(client, db, settings):
    settings.DEBUG = False
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert "Page not found" in missing.content.decode()
    assert 'class="govuk-header' in missing.content.decode()


def test_forbidden_page_is_styled(client, participant):
    factories.sign_in_verified(client, participant)
    response = client.get(reverse("audit:list"))
    assert response.status_code == 403
    assert "You do not have access to this page" in response.content.decode()


def test_security_headers_are_sent(client, db):
    response = client.get(reverse("accounts:sign_in"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_exit_page_leaves_without_referrer(client, db, settings):
    response = client.get(reverse("core:exit"))
    assert response.status_code == 302
    assert response["Location"] == settings.EXIT_PAGE_URL
    assert response["Referrer-Policy"] == "no-referrer"


def test_seed_demo_is_idempotent_and_creates_every_role(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    assert User.objects.filter(email__startswith="trainer").count() == 12
    admin = User.objects.get(email="admin@saferwork.test")
    assert admin.check_password("saferwork-demo-password")
    assert admin.memberships.get().is_programme_admin
    assert User.objects.get(email="coordinator@saferwork.test").memberships.count() == 2
    assert admin.totpdevice_set.get().confirmed


def test_server_error_page_needs_no_database_or_context(rf):
    from saferwork.core.views import error_500

    response = error_500(rf.get("/"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
