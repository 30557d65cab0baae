"""A participant's own training page: bounded queries, and nobody else's places reach it."""

from __future__ import annotations

import pytest
from django.test import TestCase
from django.urls import reverse

from saferwork.delivery.models import BadgeClaimToken
from saferwork.delivery.tests.factories import record_all_attended
from saferwork.tests import factories
from saferwork.training.models import Participant
from saferwork.training.tests import factories as tf

pytestmark = pytest.mark.django_db


def _places(organisation, trainer, email, n):
    booking = tf.booking(organisation, [trainer])
    made = []
    for i in range(n):
        session = tf.session(booking, days=-2 - i if i % 2 else 10 + i)
        made.append(
            Participant.objects.create(
                organisation=organisation, session=session, name="Pip", email=email, position="staff"
            )
        )
        if i % 2:
            # The links are minted by the email worker, after the commit.
            with TestCase.captureOnCommitCallbacks(execute=True):
                record_all_attended(session)
    return made


def test_my_training_page_makes_the_same_few_queries_however_many_places(
    client, organisation, trainer, django_assert_max_num_queries
):
    pip = factories.member(organisation, email="pip@example.org", with_device=False)
    factories.sign_in_verified(client, pip)
    _places(organisation, trainer, "pip@example.org", 2)
    with django_assert_max_num_queries(12) as few:
        assert client.get(reverse("training:my_training")).status_code == 200
    _places(organisation, trainer, "pip@example.org", 8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(reverse("training:my_training")).content.decode()
    assert html.count("Email me a new claim link") == 5


def test_outsider_and_other_participant_cannot_reach_someone_elses_places(
    client, organisation, other_organisation, trainer, outsider
):
    (place,) = _places(organisation, trainer, "pip@example.org", 1)
    (past,) = _places(organisation, trainer, "pip@example.org", 2)[1:]
    claim = BadgeClaimToken.objects.get(participant=past)
    before = claim.token_hash
    other = factories.member(organisation, email="other@example.org", with_device=False)
    for person in (other, outsider):
        client.logout()
        factories.sign_in_verified(client, person)
        page = client.get(reverse("training:my_training")).content.decode()
        assert "Pip" not in page and "Union House" not in page
        assert client.get(reverse("training:my_session_invite", args=[place.pk])).status_code == 404
        assert client.get(reverse("training:my_briefing", args=[place.pk])).status_code == 404
        assert client.post(reverse("training:my_claim_link", args=[past.pk])).status_code == 404
    claim.refresh_from_db()
    assert claim.token_hash == before


def test_same_address_in_an_organisation_the_person_does_not_belong_to_stays_hidden(
    client, organisation, other_organisation, programme_host
):
    """Places are matched by the signed-in address within the person's own organisations only."""
    trainer = tf.trainer(programme_host, email="t2@example.org")
    _places(other_organisation, trainer, "pip@example.org", 1)
    pip = factories.member(organisation, email="pip@example.org", with_device=False)
    factories.sign_in_verified(client, pip)
    assert "You do not have a place" in client.get(reverse("training:my_training")).content.decode()


def test_signed_out_visitor_is_sent_to_sign_in(client, db):
    response = client.get(reverse("training:my_training"))
    assert response.status_code == 302 and "/account/sign-in/" in response["Location"]
