"""A link into another of my organisations offers to switch; a switch lands somewhere real.

Nobody learns from the offer that something exists: only a person who could open it in one
of their own organisations is offered the switch, everyone else gets the usual 404.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from saferwork.fees import services as fee_services
from saferwork.tests import factories
from saferwork.training.tests import factories as tf

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer(programme_host: Any) -> Any:
    return tf.trainer(programme_host, email="trainer@example.org")


@pytest.fixture
def their_booking(other_organisation: Any, trainer: Any) -> Any:
    """A booking of Other Employer, the second organisation the coordinator belongs to."""
    return tf.booking(other_organisation, [trainer])


@pytest.fixture
def our_booking(organisation: Any, trainer: Any) -> Any:
    return tf.booking(organisation, [trainer])


@pytest.fixture
def two_hats(coordinator: Any, other_organisation: Any) -> Any:
    """Coordinator of Home Union (current: first by name) and of Other Employer."""
    factories.MembershipFactory(user=coordinator, organisation=other_organisation, is_coordinator=True)
    return coordinator


def _without_tokens(response: Any, pk: int) -> str:
    """The page without what differs between any two responses (the CSRF token, the address)."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return page.replace(f"/{pk}/", "/<pk>/")


def _offered(response: Any, organisation: Any, next_url: str) -> None:
    page = response.content.decode()
    assert response.status_code == 200
    assert f"This is in {organisation.name}</h1>" in page
    assert f'action="{reverse("organisations:switch")}"' in page
    assert f'name="organisation" value="{organisation.pk}"' in page
    assert f'name="next" value="{next_url}"' in page
    assert f"Switch to {organisation.name} and go on" in page


def test_link_to_a_booking_of_my_other_organisation_offers_to_switch_then_opens_it(
    verified_client: Any, two_hats: Any, other_organisation: Any, their_booking: Any
) -> None:
    client = verified_client(two_hats)
    url = reverse("training:booking", args=[their_booking.pk])
    _offered(client.get(url), other_organisation, url)
    # Following the link changed nothing: Home Union is still current.
    assert '<h1 class="govuk-heading-l">Home Union</h1>' in client.get(reverse("core:dashboard")).content.decode()

    response = client.post(reverse("organisations:switch"), {"organisation": other_organisation.pk, "next": url})
    assert response["Location"] == url
    opened = client.get(url)
    assert opened.status_code == 200
    assert "<title>Other Employer: training booking" in opened.content.decode()


def test_link_to_a_session_and_a_fee_statement_of_my_other_organisation_offers_to_switch(
    verified_client: Any, two_hats: Any, other_organisation: Any, their_booking: Any, trainer: Any
) -> None:
    session = tf.session(their_booking)
    document = fee_services.start_document(enquiry=their_booking, trainer=trainer, kind="estimate", actor=trainer.user)
    fee_services.send_document(document=document, actor=trainer.user)
    client = verified_client(two_hats)
    for url in [
        reverse("training:session", args=[session.pk]),
        reverse("delivery:attendance", args=[session.pk]),
        reverse("fees:detail", args=[document.pk]),
    ]:
        _offered(client.get(url), other_organisation, url)


def test_someone_who_could_not_open_it_anywhere_gets_the_same_404_as_for_nothing(
    verified_client: Any, organisation: Any, other_organisation: Any, their_booking: Any
) -> None:
    # Coordinator here, and a member of Other Employer without a role that opens bookings.
    user = factories.member(organisation, is_coordinator=True)
    factories.MembershipFactory(user=user, organisation=other_organisation)
    third = factories.OrganisationFactory(name="Third Council")
    factories.MembershipFactory(user=user, organisation=third, is_coordinator=True)
    client = verified_client(user)
    real = client.get(reverse("training:booking", args=[their_booking.pk]))
    missing = client.get(reverse("training:booking", args=[their_booking.pk + 1000]))
    assert real.status_code == missing.status_code == 404
    assert _without_tokens(real, their_booking.pk) == _without_tokens(missing, their_booking.pk + 1000)
    assert "Page not found" in real.content.decode()


def test_outsider_with_one_organisation_still_gets_a_404(
    verified_client: Any, outsider: Any, their_booking: Any, organisation: Any, trainer: Any
) -> None:
    mine = tf.booking(organisation, [trainer])
    client = verified_client(outsider)  # coordinator of Other Employer only
    assert client.get(reverse("training:booking", args=[mine.pk])).status_code == 404


def test_switching_from_a_page_the_new_organisation_does_not_have_lands_on_its_dashboard(
    verified_client: Any, two_hats: Any, other_organisation: Any, our_booking: Any
) -> None:
    client = verified_client(two_hats)
    url = reverse("training:booking", args=[our_booking.pk])
    assert client.get(url).status_code == 200
    response = client.post(reverse("organisations:switch"), {"organisation": other_organisation.pk, "next": url})
    assert response["Location"] == url
    landed = client.get(url, follow=True)
    assert landed.redirect_chain == [(reverse("core:dashboard"), 302)]
    page = landed.content.decode()
    assert '<h1 class="govuk-heading-l">Other Employer</h1>' in page
    assert "The page you were on is not part of Other Employer" in page
    # Only the landing right after the switch goes to the dashboard: the link itself, later,
    # offers to switch back as any link into Home Union does.
    assert "This is in Home Union</h1>" in client.get(url).content.decode()


def test_switching_from_a_page_both_organisations_have_stays_on_it(
    verified_client: Any, two_hats: Any, other_organisation: Any
) -> None:
    client = verified_client(two_hats)
    url = reverse("training:bookings")
    client.post(reverse("organisations:switch"), {"organisation": other_organisation.pk, "next": url})
    assert client.get(url).status_code == 200


def test_switching_to_an_organisation_where_my_role_does_not_open_the_page_lands_on_its_dashboard(
    verified_client: Any, coordinator: Any, other_organisation: Any
) -> None:
    factories.MembershipFactory(user=coordinator, organisation=other_organisation)  # a participant there
    client = verified_client(coordinator)
    url = reverse("accounts:people")
    assert client.get(url).status_code == 200
    client.post(reverse("organisations:switch"), {"organisation": other_organisation.pk, "next": url})
    landed = client.get(url, follow=True)
    assert landed.redirect_chain == [(reverse("core:dashboard"), 302)]
    assert '<h1 class="govuk-heading-l">Other Employer</h1>' in landed.content.decode()


def test_a_page_for_a_role_i_hold_in_my_other_organisation_offers_to_switch(
    verified_client: Any, organisation: Any, other_organisation: Any
) -> None:
    user = factories.member(organisation)  # a participant in Home Union, the current one
    factories.MembershipFactory(user=user, organisation=other_organisation, is_coordinator=True)
    client = verified_client(user)
    url = reverse("accounts:people")
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Switch organisation to open this page" in page
    assert "You have the Organisation coordinator role in Other Employer." in page
    assert f'name="organisation" value="{other_organisation.pk}"' in page
    client.post(reverse("organisations:switch"), {"organisation": other_organisation.pk, "next": url})
    assert client.get(url).status_code == 200


def test_a_page_for_a_role_i_hold_nowhere_is_still_refused(verified_client: Any, participant: Any) -> None:
    assert verified_client(participant).get(reverse("accounts:people")).status_code == 403


def test_a_form_posted_to_my_other_organisation_is_not_carried_out_and_offers_to_switch(
    verified_client: Any, two_hats: Any, other_organisation: Any, their_booking: Any
) -> None:
    client = verified_client(two_hats)
    page_url = reverse("training:booking", args=[their_booking.pk])
    response = client.post(
        reverse("training:contact_point", args=[their_booking.pk]),
        {"contact_point_name": "Someone Else"},
        HTTP_REFERER=f"http://testserver{page_url}",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "What you sent has not been saved" in page
    assert f'name="next" value="{page_url}"' in page
    their_booking.refresh_from_db()
    assert their_booking.contact_point_name == "Pat Point"


def test_a_referer_from_elsewhere_is_never_where_the_switch_goes_on_to(
    verified_client: Any, two_hats: Any, their_booking: Any
) -> None:
    client = verified_client(two_hats)
    response = client.post(
        reverse("training:contact_point", args=[their_booking.pk]),
        {"contact_point_name": "Someone Else"},
        HTTP_REFERER="https://evil.example/training/",
    )
    page = response.content.decode()
    assert response.status_code == 200 and "What you sent has not been saved" in page
    assert "evil.example" not in page
    # The offer's button goes on to the dashboard: the only ``next`` is the top switcher's.
    assert page.count('name="next"') == 1
