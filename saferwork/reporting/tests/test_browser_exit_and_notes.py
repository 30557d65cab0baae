"""In a real browser: Exit this page leaves nothing Back can show; a private note stays private."""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import expect

from saferwork.conftest import assert_accessible
from saferwork.reporting.models import Report
from saferwork.reporting.tests.helpers import sign_in_handler, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DRAFT_TEXT = "Quillon from accounts keeps standing too close to me at the printer"
NEUTRAL = "/accessibility/"  # stands in for the neutral site: tests may not leave our server


@pytest.fixture
def neutral_exit(settings, live_server):
    settings.EXIT_PAGE_URL = f"{live_server.url}{NEUTRAL}"


def _write_a_draft(page, slug):
    page.goto(f"/report/{slug}/")
    page.get_by_role("button", name="Start now").click()
    page.get_by_label("It happened to me").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Comments, jokes or questions of a sexual nature").check()
    page.get_by_label("Tell us what happened").fill(DRAFT_TEXT)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/when/")


def _exit_by_click(page):
    page.wait_for_selector("[data-module=govuk-exit-this-page][data-govuk-exit-this-page-init]", state="attached")
    page.get_by_role("button", name="Emergency Exit this page").click()
    page.wait_for_url(f"**{NEUTRAL}")


def _follow_up(page, slug, receipt):
    page.goto(f"/report/{slug}/follow-up/")
    page.get_by_label("Your receipt").fill(receipt)
    page.get_by_role("button", name="Open my report").click()
    page.wait_for_url(f"**/report/{slug}/follow-up/case/")


def test_after_exit_back_shows_neither_the_draft_nor_its_text(page, reporting_org, handler, neutral_exit):
    slug = reporting_org.slug
    _write_a_draft(page, slug)
    # Back before Exit shows the draft (the test would notice if it did not)...
    page.go_back()
    assert page.get_by_label("Tell us what happened").input_value() == DRAFT_TEXT
    page.go_forward()
    page.wait_for_url("**/when/")

    _exit_by_click(page)
    assert not [c for c in page.context.cookies() if c["name"].startswith(("sw_", "saferwork_session"))]
    page.go_back()  # the "when" page
    page.go_back()  # the page where the text was written
    assert page.get_by_label("Tell us what happened").input_value() == ""
    assert DRAFT_TEXT not in page.content()
    page.goto(f"/report/{slug}/check/")
    assert DRAFT_TEXT not in page.content()


def test_after_exit_back_does_not_show_the_follow_up_messages(page, reporting_org, handler, neutral_exit):
    slug = reporting_org.slug
    receipt = submit(Client(), slug)
    _follow_up(page, slug, receipt)
    page.get_by_label("Add information or reply").fill("It happened again in the lift on Monday")
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_text("It happened again in the lift on Monday")).to_be_visible()

    _exit_by_click(page)
    page.go_back()
    assert "It happened again in the lift on Monday" not in page.content()
    assert "Quartzberry" not in page.content()
    expect(page.get_by_label("Your receipt")).to_be_visible()  # asked for the receipt again


def test_exit_works_without_javascript(browser, live_server, reporting_org, handler, neutral_exit):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    _write_a_draft(page, reporting_org.slug)
    page.get_by_role("button", name="Emergency Exit this page").click()
    page.wait_for_url(f"**{NEUTRAL}")
    assert not [c for c in context.cookies() if c["name"].startswith(("sw_", "saferwork_session"))]
    page.goto(f"/report/{reporting_org.slug}/what-happened/")
    assert page.get_by_label("Tell us what happened").input_value() == ""
    context.close()


def _handler_tab(page, live_server, handler):
    """A second browser signed in as ``handler`` through the real forms (so their key opens)."""
    client = sign_in_handler(Client(), handler)
    context = page.context.browser.new_context(base_url=live_server.url)
    context.add_cookies([{"name": n, "value": m.value, "url": live_server.url} for n, m in client.cookies.items()])
    return context.new_page()


def test_a_private_note_has_its_own_box_and_the_reporter_never_sees_it(page, live_server, reporting_org, handler):
    slug = reporting_org.slug
    receipt = submit(Client(), slug)
    report = Report.objects.get()

    handler_page = _handler_tab(page, live_server, handler)
    handler_page.goto(f"/reporting/cases/{report.pk}/")
    assert_accessible(handler_page, "case-private-note")  # no duplicate ids either
    # The label of each box puts the cursor in that box, not in the other one.
    handler_page.get_by_text("Private note for handlers", exact=True).click()
    assert handler_page.evaluate("document.activeElement.name") == "note-body"
    handler_page.get_by_text("Write to the reporter", exact=True).click()
    assert handler_page.evaluate("document.activeElement.name") == "reply-body"
    section = handler_page.get_by_role("region", name="Private notes Handlers only")
    expect(section.get_by_text("Only handlers can read this").first).to_be_visible()
    section.get_by_label("Private note for handlers").fill("Ring HR about the Ashdown rota before replying")
    handler_page.get_by_role("button", name="Save private note").click()
    expect(handler_page.get_by_text("Note saved")).to_be_visible()
    expect(section.get_by_text("Ring HR about the Ashdown rota before replying")).to_be_visible()
    handler_page.get_by_label("Write to the reporter").fill("Thank you. We are looking into it.")
    handler_page.get_by_role("button", name="Send to the reporter").click()
    handler_page.context.close()

    _follow_up(page, slug, receipt)
    expect(page.get_by_text("Thank you. We are looking into it.")).to_be_visible()
    assert "Ashdown rota" not in page.content()
    assert_accessible(page, "follow-up-without-note")
