"""Delivery's emails, rendered in the worker from ids (see ``saferwork.lib.email``)."""

from __future__ import annotations

import random
from collections.abc import Iterable

from django.conf import settings

from saferwork.delivery.models import BadgeClaimToken, EvaluationFormVersion, EvaluationToken, hash_token, new_token
from saferwork.lib.email import Email, renderer
from saferwork.training.models import Participant, Session


@renderer("delivery.after_session")
def after_session(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    """One email per attendee with their evaluation link and their badge claim link.

    The links are minted here, in the worker, so no task argument ever pairs a person with
    a token. Evaluation tokens are made in a shuffled order and stored without the
    person, so the table cannot say whose link is whose; the plain token exists only in
    the email.
    """
    session = Session.objects.select_related("organisation").get(pk=ids[0])
    participants = list(Participant.objects.filter(session=session, pk__in=[int(pk) for pk in ids[1:]]))
    if not participants:
        return []
    evaluation_tokens = [new_token() for _ in participants]
    EvaluationToken.objects.bulk_create(
        [
            EvaluationToken(session=session, token_hash=hash_token(t))
            for t in random.sample(evaluation_tokens, k=len(evaluation_tokens))
        ]
    )
    support_text = EvaluationFormVersion.current().support_text
    emails = []
    for person, evaluation_token in zip(participants, evaluation_tokens, strict=True):
        claim_token = new_token()
        BadgeClaimToken.objects.update_or_create(
            participant=person, defaults={"session": session, "token_hash": hash_token(claim_token)}
        )
        emails.append(
            Email(
                to=[person.email],
                template="delivery/email/after_session",
                context={
                    "participant": person,
                    "session": session,
                    "evaluation_url": f"{settings.SITE_URL}/evaluation/{evaluation_token}/",
                    "claim_url": f"{settings.SITE_URL}/badge/claim/{claim_token}/",
                    "my_data_url": f"{settings.SITE_URL}/my-data/",
                    "support_text": support_text,
                },
            )
        )
    return emails


@renderer("delivery.claim_link")
def claim_link(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    """A new badge claim link the attendee asked for from their own page."""
    claim = BadgeClaimToken.objects.select_related("participant", "session__organisation").get(pk=ids[0])
    return [
        Email(
            to=[claim.participant.email],
            template="delivery/email/claim_link",
            context={
                "participant": claim.participant,
                "session": claim.session,
                "claim_url": f"{settings.SITE_URL}/badge/claim/{secrets['token']}/",
            },
        )
    ]
