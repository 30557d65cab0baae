"""The UI shell in a browser: switching organisation, the audit log, phones, "Exit this page"."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from playwright.sync_api import expect

from saferwork.audit import services as audit
from saferwork.conftest import assert_accessible, current_code, fill_date, screenshot
from saferwork.tests import factories
from saferwork.tests.browser import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def test_person_in_two_organisations_switches_between_them(page, live_server, organisation, other_organisation):
    user = factories.member(organisation, email="two.hats@example.org", is_coordinator=True)
    factories.MembershipFactory(user=user, organisation=other_organisation, is_leader=True, is_case_handler=True)
    sign_in_as(page, live_server, user)

    page.goto("/dashboard/")
    assert page.get_by_role("heading", level=1).inner_text() == "Home Union"
    assert "Your roles here: Organisation coordinator." in page.inner_text("main")
    expect(page.get_by_role("link", name="People", exact=True)).to_be_visible()
    assert_accessible(page, "switcher-home-union")

    page.get_by_label("Organisation").select_option(label="Other Employer")
    page.get_by_role("button", name="Switch").click()
    # The switch comes back to the same address: wait for the new page's heading, not the URL.
    expect(page.get_by_role("heading", level=1)).to_have_text("Other Employer")
    roles = page.inner_text("main")
    assert "Leader" in roles and "Case handler" in roles and "Coordinator" not in roles
    # Coordinator-only navigation goes with the switch.
    assert page.get_by_role("link", name="People", exact=True).count() == 0
    assert page.get_by_label("Organisation").input_value() == str(other_organisation.pk)
    assert_accessible(page, "switcher-other-employer")

    # The choice holds on other pages, and switching back from any page returns to it.
    page.goto("/account/")
    page.get_by_label("Organisation").select_option(label="Home Union")
    page.get_by_role("button", name="Switch").click()
    expect(page.get_by_label("Organisation")).to_have_value(str(organisation.pk))
    assert page.url.endswith("/account/")
    page.goto("/dashboard/")
    assert page.get_by_role("heading", level=1).inner_text() == "Home Union"


def test_programme_admin_filters_the_audit_log(
    page, live_server, programme_admin, organisation, other_organisation, coordinator
):
    with transaction.atomic():
        for _ in range(3):
            audit.record(action="saferwork.account.backup_codes_regenerated", actor=coordinator, target=coordinator)
        audit.record(
            action="saferwork.invitation.sent", actor=coordinator, organisation=organisation, target=organisation
        )
    sign_in_as(page, live_server, programme_admin)

    page.goto("/dashboard/")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Audit log").click()
    page.wait_for_url("**/programme/audit/")
    assert page.get_by_role("link", name="Audit log").first.get_attribute("aria-current") == "page"
    # The log pages without an exact count: the rows themselves say how many there are.
    expect(page.locator("tbody tr")).to_have_count(4)
    # On a desktop screen every column shows without scrolling the table sideways.
    assert page.locator(".sw-table-scroll").evaluate("box => box.scrollWidth <= box.clientWidth")
    assert_accessible(page, "audit-log")

    page.get_by_label("Action contains").fill("invitation")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/programme/audit/?*action=invitation*")
    expect(page.locator("tbody tr")).to_have_count(1)
    rows = page.locator("tbody tr").all_inner_texts()
    assert len(rows) == 1 and "saferwork.invitation.sent" in rows[0] and "Home Union" in rows[0]
    assert page.get_by_label("Action contains").input_value() == "invitation"

    page.get_by_label("Organisation").select_option(label="Other Employer")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("tbody")).to_contain_text("No entries match these filters.")

    fill_date(page, "id_since", dt.date(2030, 1, 2))
    fill_date(page, "id_until", dt.date(2030, 1, 1))
    page.get_by_role("button", name="Filter").click()
    assert (
        "The end date must be the same as or after the start date" in page.locator(".govuk-error-summary").inner_text()
    )
    assert_accessible(page, "audit-log-filter-error")

    page.get_by_role("link", name="Clear filters").click()
    page.wait_for_url("**/programme/audit/")
    expect(page.locator("tbody tr")).to_have_count(4)


def test_coordinator_cannot_open_the_audit_log(page, live_server, coordinator):
    sign_in_as(page, live_server, coordinator)
    page.goto("/dashboard/")
    assert page.get_by_role("link", name="Audit log").count() == 0
    response = page.goto("/programme/audit/")
    assert response.status == 403
    assert "You do not have access to this page" in page.inner_text("main")
    assert_accessible(page, "forbidden")


def test_sign_in_and_menu_work_on_a_phone(page, coordinator):
    page.set_viewport_size(PHONE)
    page.goto("/account/sign-in/")
    assert_accessible(page, "phone-sign-in")
    # Nothing is wider than the screen: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_label("Email address").fill(coordinator.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/account/sign-in/code/")
    assert_accessible(page, "phone-sign-in-code")
    page.get_by_label("Code").fill(current_code(coordinator.totpdevice_set.get()))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page, "phone-dashboard")

    menu = page.get_by_role("button", name="Menu")
    people = page.get_by_role("navigation", name="Menu").get_by_role("link", name="People")
    assert menu.is_visible() and menu.get_attribute("aria-expanded") == "false"
    assert not people.is_visible()
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    expect(people).to_be_visible()
    screenshot(page, "phone-dashboard-menu-open")
    assert_accessible(page)
    people.click()
    page.wait_for_url("**/organisation/people/")
    assert_accessible(page, "phone-people")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.fixture
def exit_hops(page):
    """Answer /exit/ in the browser with a stand-in page, recording where our server sent it.

    The real answer redirects to another site; the browser must not go there in a test
    (the page fixture fails on any request to another host).
    """
    hops: list[tuple[str, int, str | None]] = []

    def follow_one_hop(route):
        response = route.fetch(max_redirects=0)
        hops.append((urlsplit(route.request.url).path, response.status, response.headers.get("location")))
        route.fulfill(status=200, content_type="text/html", body="<title>Weather</title><h1>Weather</h1>")

    page.route("**/exit/", follow_one_hop)  # a page route wins over the fixture's context-wide guard
    return hops


@pytest.mark.urls("saferwork.core.tests.exit_urls")
@pytest.mark.parametrize("how", ["click", "tab-enter", "shift-three-times", "phone"])
def test_exit_this_page_leaves_at_once(page, settings, exit_hops, how):
    if how == "phone":
        page.set_viewport_size(PHONE)
    page.goto("/test-only/sensitive/")
    button = page.get_by_role("button", name="Emergency Exit this page")
    expect(button).to_be_visible()
    if how == "click":
        # The button sits below the header and leaves the header's layout alone.
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        logo = page.locator(".govuk-header__logo").bounding_box()
        heading = page.get_by_role("heading", level=1).bounding_box()
        assert logo["x"] == heading["x"]
        assert button.bounding_box()["y"] >= page.locator("header").bounding_box()["height"]
        assert_accessible(page, "exit-this-page")
        button.click()
    elif how == "tab-enter":
        # Early in the tab order: after the skip link and the header's home link.
        for _ in range(3):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent").strip().endswith("Exit this page"):
                break
        else:
            pytest.fail("Three presses of Tab do not reach Exit this page")
        page.keyboard.press("Enter")
    elif how == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert_accessible(page, "phone-exit-this-page")
        # It stays on screen as the person scrolls down the page.
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        assert page.evaluate("window.scrollY") > 0
        box = button.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]
        button.click()
    else:
        page.get_by_label("What happened").click()
        for _ in range(3):
            page.keyboard.press("Shift")
    page.wait_for_url("**/exit/")
    assert page.title() == "Weather"
    assert exit_hops == [("/exit/", 302, settings.EXIT_PAGE_URL)]
