"""Every kind of page each demo role can reach, opened in a browser: axe finds nothing
serious, no colour contrast it cannot settle and no duplicate id, and the page fits a
375 px phone without scrolling sideways.

The pages are found by following links from the dashboard over the demo data, so a page
that a later change adds is checked without anyone listing it. One page of each URL
pattern is opened in each of the person's organisations (the second enquiry renders like
the first; a coordinator's session page in their other organisation has buttons the
first lacks); downloads are left to their own tests. A visitor without an account starts
at the home page, which links every open reporting route; signed-in people are sent to
those routes too, as a link from their organisation would.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.urls import Resolver404, resolve, reverse
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from saferwork.accounts.models import User
from saferwork.conftest import assert_accessible
from saferwork.delivery.tests.test_browser_after_session import sign_in_as
from saferwork.organisations.models import Organisation
from saferwork.tests import factories

pytestmark = pytest.mark.browser

# Leaving (sign-out is POST-only, /exit/ goes to another site), the Django admin (not our
# design) and files that are not pages. The reporting route (/report/) is crawled like any
# page: the error the programme admin once met there was a session page linking the route
# of an organisation that had not enabled reporting (a 404), fixed by linking open routes only.
NOT_PAGES = ("/account/sign-out", "/exit/", "/static/", "/media/", "/django-admin/", "/admin/")
FILE_SUFFIXES = (".ics", ".docx", ".pdf", ".csv", ".xlsx", ".json", ".png", ".svg", ".txt")
PAGE_LIMIT = 200  # kinds of page per role; the crawl fails if it reaches this
# Two full-page screenshots of every page for every role were a third of the crawl's time;
# CI checks the same things without them (the journeys' own tests still take theirs).
SCREENSHOTS = os.environ.get("CI") != "true" or os.environ.get("CRAWL_SCREENSHOTS") == "1"

VISITOR = "visitor"  # nobody signed in
ROLES = [
    VISITOR,
    "participant@saferwork.test",
    "coordinator@saferwork.test",
    "leader@saferwork.test",
    "handler@saferwork.test",
    "trainer01@saferwork.test",  # no booking yet: the empty states
    "trainer04@saferwork.test",  # trains the demo session: booking, session, attendance
    "admin@saferwork.test",
]


def _kind(path: str) -> str | None:
    """One name for every page of a URL pattern (``training:booking``), or None for
    something that is not one of our pages."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def _links(page: Any) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    found = []
    for href in hrefs:
        if not href or href.startswith(("#", "mailto:", "tel:")):
            continue
        parts = urlsplit(urljoin(page.url, href))
        if parts.netloc and parts.netloc != urlsplit(page.url).netloc:
            continue
        if parts.path.startswith(NOT_PAGES) or parts.path.endswith(FILE_SUFFIXES):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


@pytest.fixture
def demo(settings: Any) -> None:
    # A live-server test empties the tables after itself, data migrations' rows included: put
    # the law's dated rules back, or every role after the first would see the time-limit
    # and duty pages without them (and the law pages not at all).
    factories.load_legal_rules()
    call_command("seed_demo", force=True, verbosity=0)


def _crawl(page: Any, who: str, starts: list[tuple[str, str]], label: str) -> list[str]:
    """Open one page of every URL pattern reachable from ``starts``; check each with axe and at 375 px."""
    queue, kinds_seen, opened = list(starts), set(), []
    while queue:
        path, linked_from = queue.pop(0)
        kind = _kind(urlsplit(path).path)
        if kind is None or kind in kinds_seen:
            continue
        kinds_seen.add(kind)
        assert len(kinds_seen) < PAGE_LIMIT, f"{who}: the crawl stopped at {PAGE_LIMIT} kinds of page"
        try:
            response = page.goto(path)
        except PlaywrightError as error:
            if "Download is starting" in str(error):  # a file, not a page
                continue
            raise
        assert response is not None and response.ok, (
            f"{who}: a link on {linked_from} leads to {path}, which answers {response and response.status}"
        )
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue  # a file the browser shows itself (JSON, an image): not one of our pages
        opened.append(path)
        assert_accessible(page, f"every-page-{label}-{kind.replace(':', '-')}" if SCREENSHOTS else None)
        queue.extend((link, path) for link in _links(page) if _kind(urlsplit(link).path) not in kinds_seen)
    return opened


def _reporting_routes() -> list[tuple[str, str]]:
    from saferwork.reporting.selectors import public_reporting_routes

    routes = public_reporting_routes()
    return [(reverse("reporting:start", args=[route.organisation.slug]), "the home page") for route in routes]


def _switch_to(page: Any, organisation: Organisation) -> None:
    """Choose another organisation with the switcher, as the person would."""
    page.goto("/dashboard/")
    page.get_by_label("Organisation").select_option(value=str(organisation.pk))
    page.get_by_role("button", name="Switch").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(organisation.name)


@pytest.mark.parametrize("email", ROLES)
def test_every_page_a_role_reaches_is_accessible_and_fits_a_phone(page, live_server, demo, email):
    routes = _reporting_routes()
    assert routes, "the demo enables reporting somewhere"
    if email == VISITOR:
        opened = _crawl(page, email, [("/", "nowhere"), *routes], email)
        # The visitor reached the reporting route, the course, the enquiry form and sign-in.
        kinds = {_kind(urlsplit(p).path) for p in opened}
        assert {"reporting:start", "training:course", "training:enquire", "recruitment:apply", "accounts:sign_in"} <= (
            kinds
        ), kinds
        return
    user = User.objects.get(email=email)
    sign_in_as(page, live_server, user)
    name = email.split("@")[0]
    organisations = list(Organisation.objects.filter(memberships__user=user).order_by("name").distinct())
    page.goto("/dashboard/")
    current = page.get_by_role("heading", level=1).inner_text()  # the dashboard is headed by its organisation
    opened = []
    for n, organisation in enumerate(sorted(organisations, key=lambda o: o.name != current)):
        if n:
            _switch_to(page, organisation)
        # Confirming a code again ("sudo mode") guards exports and deletions: a page of its own.
        starts = [("/dashboard/", "sign-in"), ("/", "sign-in"), ("/account/confirm/?next=/dashboard/", "sudo"), *routes]
        opened += _crawl(page, email, starts, name if not n else f"{name}-{organisation.slug}")
    # The crawl did reach past the dashboard: each role has pages of its own.
    assert len(opened) >= 4, (email, opened)
