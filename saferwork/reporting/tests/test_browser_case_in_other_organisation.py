"""In a real browser: a handler of two organisations follows a link to a case of the one
that is not current, is offered the switch, takes it and reads the case; then switches
away from the case and lands on the other organisation's home page, not on an error."""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import expect

from saferwork.conftest import assert_accessible
from saferwork.reporting import crypto, services
from saferwork.reporting.models import Report
from saferwork.reporting.tests.conftest import make_handler
from saferwork.reporting.tests.helpers import sign_in_handler, submit
from saferwork.tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_link_to_a_case_of_my_other_organisation_offers_the_switch_then_opens_the_case(
    page, live_server, reporting_org, handler, other_organisation, outsider
):
    other_organisation.recovery_key = services.enable_reporting(
        organisation=other_organisation, actor=outsider, handler_private=None
    )
    make_handler(other_organisation, email="their.handler@example.org")
    factories.MembershipFactory(user=handler, organisation=other_organisation, is_case_handler=True)
    services.grant_with_recovery_key(
        organisation=other_organisation,
        recovery_private=crypto.parse_recovery_key(other_organisation.recovery_key),
        user=handler,
    )
    submit(Client(), other_organisation.slug)
    case = Report.objects.get(organisation=other_organisation)

    # Signed in through the real forms, so the handler's key opens reports; Home Union is current.
    client = sign_in_handler(Client(), handler)
    page.context.add_cookies([{"name": n, "value": m.value, "url": live_server.url} for n, m in client.cookies.items()])
    page.goto(f"/reporting/cases/{case.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "This is in Other Employer"
    assert case.reference not in page.content()
    assert_accessible(page, "deep-link-01-offer-to-switch")

    page.get_by_role("button", name="Switch to Other Employer and go on").click()
    page.wait_for_url(f"**/reporting/cases/{case.pk}/")
    assert case.reference in page.inner_text("main")
    expect(page.get_by_text("Quartzberry the delivery driver grabbed my colleague")).to_be_visible()
    assert page.locator("#organisation-switcher").input_value() == str(other_organisation.pk)
    assert_accessible(page, "deep-link-02-case-after-switch")

    # This case is not in Home Union: switching there from it lands on Home Union's home page.
    page.select_option("#organisation-switcher", str(reporting_org.pk))
    page.get_by_role("button", name="Switch", exact=True).click()
    page.wait_for_url("**/dashboard/")
    assert page.get_by_role("heading", level=1).inner_text() == "Home Union"
    expect(
        page.get_by_text("The page you were on is not part of Home Union, so here is its home page.")
    ).to_be_visible()
    assert_accessible(page, "deep-link-03-switched-away-lands-on-dashboard")
