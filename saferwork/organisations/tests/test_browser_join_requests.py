"""In a browser: the admin is told the organisation exists; its coordinator refuses the stranger."""

from __future__ import annotations

import pytest

from saferwork.conftest import assert_accessible, current_code
from saferwork.organisations import services
from saferwork.organisations.models import JoinRequest
from saferwork.tests import factories
from saferwork.training.models import EnquiryTrainer
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


def test_admin_matches_an_enquiry_under_a_near_name_and_the_coordinator_is_asked(
    page, live_server, programme_admin, programme_host
):
    council = factories.OrganisationFactory(kind="employer", name="Northfield Borough Council", slug="northfield")
    coordinator = factories.member(council, is_coordinator=True, email="real@northfield.example")
    # "Northfield Council" did not match by name: the enquiry made a second, pending organisation.
    pending = factories.OrganisationFactory(kind="employer", name="Northfield Council", status="pending")
    enquiry = tf.enquiry(
        pending, organisation_created=True, organisation_name="Northfield Council", contact_email="new@example.org"
    )
    trainer = tf.trainer(programme_host, email="trainer@example.org")

    sign_in_as(page, live_server, programme_admin)
    page.goto(f"/programme/enquiries/{enquiry.pk}/")
    page.get_by_role("heading", name="Is this an organisation already on SaferWork?").wait_for()
    assert_accessible(page, "join-04-enquiry-look-alike")
    page.get_by_role("button", name="It is Northfield Borough Council").click()
    page.get_by_text("This enquiry is now about Northfield Borough Council").wait_for()
    page.get_by_text("This organisation already exists on SaferWork; new@example.org is not a member").wait_for()
    assert page.get_by_role("heading", name="Is this an organisation already on SaferWork?").count() == 0
    assert_accessible(page, "join-05-enquiry-matched")
    enquiry.refresh_from_db()
    assert enquiry.organisation == council

    # The introduction asks the council's coordinator; nobody joins until they say so.
    EnquiryTrainer.objects.create(enquiry=enquiry, trainer=trainer)
    page.reload()
    page.get_by_role("button", name="Send introduction").click()
    page.get_by_text("Introduction sent").wait_for()
    sign_in_as(page, live_server, coordinator)
    page.goto("/dashboard/")
    page.get_by_role("link", name="Requests to join (1 waiting)").wait_for()
    assert JoinRequest.objects.get(organisation=council).email == "new@example.org"
