"""In a real browser: a member reports to their union, the rep replies, the member
previews and shares part of it with the employer, whose handler sees only that part."""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import expect

from saferwork.conftest import assert_accessible, current_code, screenshot
from saferwork.reporting import services
from saferwork.reporting.models import Report
from saferwork.reporting.tests.conftest import make_handler
from saferwork.reporting.tests.helpers import submit
from saferwork.tests import factories
from saferwork.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _code(user):
    device = user.totpdevice_set.get()
    device.last_t = -1
    device.save(update_fields=["last_t"])
    return current_code(device)


def test_member_shares_part_of_a_union_report_with_the_employer(page, reporting_org, handler):
    employer = factories.OrganisationFactory(kind="employer", name="Vellum Borough Council", slug="vellum-council")
    employer.recovery_key = services.enable_reporting(
        organisation=employer, actor=factories.member(employer, is_coordinator=True), handler_private=None
    )
    employer_handler = make_handler(employer, email="hr@vellum.example")
    receipt = submit(Client(), reporting_org.slug)
    union_report = Report.objects.get(organisation=reporting_org)
    services.reply(report=union_report, user=handler, body="Your rep here: we can raise it with them if you want")

    slug = reporting_org.slug
    page.goto(f"/report/{slug}/follow-up/")
    page.get_by_label("Your receipt").fill(receipt)
    page.get_by_role("button", name="Open my report").click()
    page.wait_for_url(f"**/report/{slug}/follow-up/case/")
    expect(page.get_by_text("Your rep here")).to_be_visible()
    page.get_by_role("link", name="Choose what to share with your employer").click()
    page.get_by_label("Your employer").select_option(label="Vellum Borough Council")
    page.get_by_label("What happened").check()
    page.get_by_label("Where", exact=True).check()
    assert_accessible(page, "share-01-choose")
    page.get_by_role("button", name="Preview what my employer will see").click()
    expect(page.get_by_text("Quartzberry the delivery driver grabbed my colleague")).to_be_visible()
    assert page.get_by_text("Oluwaseun Marchetti-Blyth").count() == 0
    assert_accessible(page, "share-02-preview")
    screenshot(page, "share-02-preview")
    assert not Report.objects.filter(organisation=employer).exists()
    page.get_by_role("button", name="Send to Vellum Borough Council").click()
    page.wait_for_selector("[data-receipt]")
    assert_accessible(page, "share-03-shared")
    new = Report.objects.get(organisation=employer)

    # The employer's handler signs in and sees only the shared part.
    handler_page = page.context.browser.new_context(base_url=page.url.split("/report/")[0]).new_page()
    handler_page.goto(f"/account/sign-in/?next=/reporting/cases/{new.pk}/")
    handler_page.get_by_label("Email address").fill(employer_handler.email)
    handler_page.get_by_label("Password").fill(PASSWORD)
    handler_page.get_by_role("button", name="Continue").click()
    handler_page.get_by_label("Code").fill(_code(employer_handler))
    handler_page.get_by_role("button", name="Sign in").click()
    handler_page.wait_for_url("**/account/confirm/**")
    handler_page.get_by_label("Code").fill(_code(employer_handler))
    handler_page.get_by_role("button", name="Confirm").click()
    handler_page.wait_for_url(f"**/reporting/cases/{new.pk}/")
    expect(handler_page.get_by_text("Quartzberry the delivery driver grabbed my colleague")).to_be_visible()
    content = handler_page.content()
    for hidden in ["Oluwaseun Marchetti-Blyth", "avoids the loading bay", "Your rep here"]:
        assert hidden not in content
    assert_accessible(handler_page, "share-04-employer-case")
    screenshot(handler_page, "share-04-employer-case")
    handler_page.context.close()
