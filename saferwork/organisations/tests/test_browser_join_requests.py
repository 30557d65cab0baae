"""In a browser: the admin is told the organisation exists; its coordinator refuses the stranger."""

from __future__ import annotations

import pytest

from saferwork.conftest import assert_accessible, current_code
from saferwork.organisations import services
from saferwork.organisations.models import JoinRequest
from saferwork.tests import factories
from saferwork.training.tests import factories as tf
from saferwork.training.tests.test_browser_journey import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_refuses_a_stranger_who_named_their_organisation(page, live_server, programme_admin):
    council = factories.OrganisationFactory(kind="employer", name="Northfield Borough Council", slug="northfield")
    coordinator = factories.member(council, is_coordinator=True, email="real@northfield.example")
    enquiry = tf.enquiry(
        council, contact_email="stranger@elsewhere.example", organisation_name="northfield borough council"
    )
    join_request = services.request_to_join(
        organisation=council,
        email="stranger@elsewhere.example",
        full_name="A Stranger",
        role="Chief executive",
        flags=["is_coordinator"],
        source=f"training enquiry {enquiry.reference}",
    )
    enquiry.join_request = join_request
    enquiry.save()

    sign_in_as(page, live_server, programme_admin)
    page.goto(f"/programme/enquiries/{enquiry.pk}/")
    page.get_by_text(
        "This organisation already exists on SaferWork; stranger@elsewhere.example is not a member"
    ).wait_for()
    assert_accessible(page, "join-01-enquiry-existing-organisation")

    sign_in_as(page, live_server, coordinator)
    page.goto("/dashboard/")
    page.get_by_role("link", name="Requests to join (1 waiting)").click()
    page.wait_for_url("**/join-requests/")
    assert_accessible(page, "join-02-requests")
    page.get_by_role("link", name="Decide on stranger@elsewhere.example").click()
    page.get_by_label("Code").fill(current_code(coordinator.totpdevice_set.get()))
    page.get_by_role("button", name="Confirm").click()
    page.get_by_text("Not a member of Northfield Borough Council").wait_for()
    assert_accessible(page, "join-03-decide")
    page.get_by_role("button", name="Refuse").click()
    page.get_by_text("Refused. stranger@elsewhere.example has not been added.").wait_for()
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.REFUSED
