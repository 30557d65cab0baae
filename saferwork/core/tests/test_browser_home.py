"""A visitor without an account finds every way in from the home page, and the home page
says what is built and what is not (issue 11, findings 7 and 12)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from saferwork.conftest import assert_accessible
from saferwork.reporting import services as reporting
from saferwork.tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_finds_the_course_enquiry_trainer_call_and_reporting_route_from_the_home_page(page, live_server):
    council = factories.OrganisationFactory(kind="employer", name="Riverside Council")
    reporting.enable_reporting(
        organisation=council, actor=factories.member(council, is_coordinator=True), handler_private=None
    )
    factories.OrganisationFactory(kind="union", name="Quiet Union")  # reporting not enabled: not listed

    page.goto("/")
    assert_accessible(page, "home-visitor")
    page.get_by_text("Organisations that take reports here").click()
    routes = page.locator("details").inner_text()
    assert "Riverside Council" in routes and "Quiet Union" not in routes
    page.get_by_role("link", name="Riverside Council").click()
    page.wait_for_url(f"**/report/{council.slug}/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page, "home-visitor-reporting-route")

    page.goto("/")
    page.get_by_role("link", name="Make an enquiry about training").click()
    page.wait_for_url("**/training/enquire/")
    page.goto("/")
    page.get_by_role("link", name="Become a trainer").click()
    page.wait_for_url("**/training/become-a-trainer/")
    page.goto("/")
    page.get_by_role("link", name="About the training day for leaders").click()
    page.wait_for_url("**/training/")
    # The course page leads on to becoming a trainer too.
    page.get_by_role("link", name=re.compile("becoming a trainer")).click()
    page.wait_for_url("**/training/become-a-trainer/")


def test_home_page_names_what_is_built_and_only_what_is_not_as_not_built(page, live_server):
    page.goto("/")
    text = page.locator("main").inner_text()
    # Surveys, risk, the policy audit, actions, dialogue, learning, standards and the duty record are on main.
    built_parts = ("climate surveys", "assess the risk", "audit their policy", "actions", "leadership dialogue")
    for built in (*built_parts, "self-paced learning modules", "behavioural standards"):
        assert built in text, built
    assert "every reasonable step" in text
    not_yet = page.locator("#not-built-yet").inner_text()
    assert "passkey" in not_yet and "behavioural standards" not in not_yet
    # Nothing that is built is called unbuilt or unavailable anywhere on the page.
    for sentence in re.split(r"(?<=\.)\s+", text):
        if re.search(r"not (built|available) yet|being built", sentence):
            assert not re.search(r"survey|risk|audit|action|dialogue|record|standards", sentence, re.I), sentence
