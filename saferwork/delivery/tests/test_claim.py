from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from saferwork.badges.models import Credential
from saferwork.delivery.models import BadgeClaimToken
from saferwork.delivery.tests.factories import links_in_outbox, record_all_attended
from saferwork.training.models import Participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim_links(trainer: Any, session: Any, programme_host: Any, django_capture_on_commit_callbacks: Any) -> list[str]:
    with django_capture_on_commit_callbacks(execute=True):
        record_all_attended(session, trainer.user, absent=1)
    found = links_in_outbox("claim")
    mail.outbox.clear()
    return found


def test_attendee_claims_a_badge_by_choice_with_neutral_wording(client: Any, claim_links: list[str]) -> None:
    url = reverse("delivery:claim", args=[claim_links[0]])
    page = client.get(url).content.decode()
    assert "Claiming is your choice" in page
    assert not Credential.objects.exists()
    missing = client.post(url, {})
    assert "Choose how your badge should describe the training" in missing.content.decode()
    response = client.post(url, {"wording": "neutral"})
    assert response.status_code == 302
    credential = Credential.objects.get()
    assert credential.show_topic is False
    claim = BadgeClaimToken.objects.get(credential_id=credential.pk)
    assert claim.participant.email not in str(credential.document)
    done = client.get(url).content.decode()
    assert reverse("badges:detail", args=[credential.pk]) in done
    assert client.post(url, {"wording": "topic"}).status_code == 200
    assert Credential.objects.count() == 1


def test_badge_names_the_topic_only_when_chosen(client: Any, claim_links: list[str]) -> None:
    client.post(reverse("delivery:claim", args=[claim_links[0]]), {"wording": "topic"})
    assert Credential.objects.get().show_topic is True


def test_someone_marked_absent_later_cannot_claim(
    client: Any, claim_links: list[str], trainer: Any, session: Any
) -> None:
    claimant = BadgeClaimToken.objects.order_by("pk").first().participant
    marks = {p.pk: p.pk != claimant.pk for p in Participant.objects.filter(session=session)}
    from saferwork.delivery import services

    services.record_attendance(session=session, marks=marks, actor=trainer.user)
    tokens = {BadgeClaimToken.objects.get(participant=claimant).token_hash}
    from saferwork.delivery.models import hash_token

    link = next(t for t in claim_links if hash_token(t) in tokens)
    assert client.get(reverse("delivery:claim", args=[link])).status_code == 404
    assert client.post(reverse("delivery:claim", args=[link]), {"wording": "topic"}).status_code == 404
    assert not Credential.objects.exists()


def test_unknown_claim_link_is_refused_and_rate_limited(client: Any, settings: Any) -> None:
    settings.RATE_LIMIT_BADGE_CLAIM = (2, 3600)
    assert client.get(reverse("delivery:claim", args=["nope"])).status_code == 404
    assert client.get(reverse("delivery:claim", args=["nope"])).status_code == 404
    assert client.get(reverse("delivery:claim", args=["nope"])).status_code == 429
