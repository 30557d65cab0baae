"""Every page a role can reach renders, and none points at another host."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.db import transaction
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


ID = re.compile(r"""<[a-z][^>]*?\sid\s*=\s*["']([^"']*)["']""", re.I)


def assert_unique_ids(html: str, where: str) -> None:
    """Two elements with one id send a label, an error link or aria-describedby to the
    wrong field (the browser tests check the same with axe on the pages they open)."""
    ids = ID.findall(html)
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    assert not repeated, f"{where} repeats the id(s) {repeated}"


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


LINK = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*["']([^"']*)["']""", re.I)
# Never followed: leaving (sign-out is POST-only anyway, /exit/ goes to another site) and
# files that are not pages (the stylesheet has its own test).
NOT_CRAWLED = ("/account/sign-out", "/exit/", "/static/", "/media/")
CRAWL_LIMIT = 200


def _same_site_links(html: str, base: str) -> list[str]:
    links = []
    for raw in LINK.findall(html):
        href = unescape(raw).strip()
        if not href or href.startswith(("#", "mailto:", "tel:")):
            continue
        parts = urlsplit(urljoin(base, href))
        if parts.scheme not in {"", "http"} or parts.netloc not in {"", "testserver"}:
            continue  # another host: _assert_self_contained reports it
        if parts.path.startswith(NOT_CRAWLED):
            continue
        links.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return links


def crawl(client, start: str, on_response=None) -> list[str]:
    """Follow every same-site link from ``start`` (GET only), checking each page it reaches.

    Returns the pages visited. New pages that other apps link from the dashboard or the
    navigation are covered without anyone listing them here.
    """
    queue, seen = [start], set()
    while queue and len(seen) < CRAWL_LIMIT:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url, follow=True)
        for hop, _status in response.redirect_chain:
            assert urlsplit(hop).netloc in {"", "testserver"}, f"{url} redirects to another host: {hop}"
        assert response.status_code == 200, f"a link leads to {url}, which answers {response.status_code}"
        if on_response is not None:
            on_response(url, response)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        html = response.content.decode()
        _assert_self_contained(html, url)
        assert_unique_ids(html, url)
        queue.extend(link for link in _same_site_links(html, url) if link not in seen)
    return sorted(seen)


def test_crawling_from_each_dashboard_finds_only_self_contained_pages(
    client, programme_admin, coordinator, participant, outsider, organisation, other_organisation
):
    from saferwork.accounts import services as accounts
    from saferwork.audit import services as audit

    # Some content, so that lists, pagination and the switcher are rendered.
    accounts.invite(
        organisation=organisation,
        email="pending@example.org",
        full_name="Pat Pending",
        flags=[],
        invited_by=coordinator,
    )
    with transaction.atomic():
        for n in range(55):
            audit.record(action=f"saferwork.test.event{n}", actor=coordinator, organisation=organisation)
    factories.MembershipFactory(user=coordinator, organisation=other_organisation, is_leader=True)

    visited_by_anyone = crawl(client, "/")
    assert {"/", "/account/sign-in/", "/accessibility/", "/privacy/"} <= set(visited_by_anyone)
    for user, must_reach in [
        (participant, {"/dashboard/", "/account/"}),
        (coordinator, {"/dashboard/", "/account/", "/organisation/people/"}),
        (outsider, {"/dashboard/", "/organisation/people/"}),
        (programme_admin, {"/dashboard/", "/programme/audit/", "/programme/audit/?page=2"}),
    ]:
        factories.sign_in_verified(client, user)
        visited = crawl(client, "/dashboard/")
        assert must_reach <= set(visited), (user.email, visited)
        assert len(visited) < CRAWL_LIMIT, f"{user.email}: the crawl stopped at {CRAWL_LIMIT} pages"
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
