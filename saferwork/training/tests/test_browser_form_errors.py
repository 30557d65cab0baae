"""Form errors as a person meets them (issue 11, finding 4): the page comes back (200) with
one error summary whose every line names its field and leads to it, and a phone number
that is not one is refused."""

from __future__ import annotations

import pytest

from saferwork.conftest import assert_accessible
from saferwork.tests.browser import sign_in_as
from saferwork.training.tests import factories as tf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _patient(page):
    page.set_default_timeout(30_000)  # a busy machine: give each step longer than the default
    page.set_default_navigation_timeout(30_000)


def test_empty_enquiry_lists_each_missing_field_by_name_and_each_line_leads_to_it(page, live_server):
    page.goto("/training/enquire/")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Send enquiry").click()
    assert posted.value.status == 200
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert_accessible(page, "form-errors-enquiry")
    links = summary.get_by_role("link")
    lines = links.all_inner_texts()
    assert len(lines) >= 5
    assert "This field is required." not in lines
    assert len(set(lines)) == len(lines), lines  # each line says which field
    for n in range(links.count()):
        target = links.nth(n).get_attribute("href")
        assert target and target.startswith("#")
        assert page.locator(target).count() == 1, f"{lines[n]} leads to {target}, which is not on the page"
    links.first.click()
    assert page.evaluate("document.activeElement.id") == links.first.get_attribute("href")[1:]


def test_point_of_contact_phone_abc_is_refused_and_leads_to_the_phone_box(
    page, live_server, coordinator, organisation, programme_host
):
    booking = tf.booking(organisation, [tf.trainer(programme_host, email="trainer@example.org")], ready=False)
    sign_in_as(page, live_server, coordinator)
    page.goto(f"/training/bookings/{booking.pk}/contact/")
    page.get_by_label("Name", exact=True).fill("Jo Point")
    page.get_by_label("Role").fill("Officer")
    page.get_by_label("Email address").fill("jo@example.org")
    page.get_by_label("Phone number").fill("abc")
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "Enter a phone number" in summary.inner_text()
    assert_accessible(page, "form-errors-phone")
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.value") == "abc"
    booking.refresh_from_db()
    assert booking.contact_point_phone == ""
