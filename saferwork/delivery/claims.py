"""Badge claims: an attendee chooses to claim their Open Badges 3.0 credential."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from saferwork.audit import services as audit
from saferwork.badges import services as badges
from saferwork.badges.models import Credential
from saferwork.delivery.models import Attendance, BadgeClaimToken, hash_token, new_token
from saferwork.delivery.services import DeliveryError
from saferwork.lib.email import queue_email


def find_claim(token: str) -> BadgeClaimToken | None:
    return (
        BadgeClaimToken.objects.select_related("participant", "session", "participant__attendance")
        .filter(token_hash=hash_token(token))
        .first()
    )


@transaction.atomic
def claim_badge(*, claim: BadgeClaimToken, show_topic: bool) -> Any:
    """Issue the attendee's badge, by their choice; only attendees hold a claim link."""

    claim = BadgeClaimToken.objects.select_for_update().select_related("participant", "session").get(pk=claim.pk)
    if claim.credential_id:
        raise DeliveryError("You have already claimed your badge.")
    attendance = Attendance.objects.filter(participant=claim.participant).first()
    if attendance is None or not attendance.attended:
        raise DeliveryError("Only people who attended the session can claim its badge.")
    credential = badges.issue_badge(
        recipient_email=claim.participant.email,
        achievement=badges.default_achievement(),
        show_topic=show_topic,
        session_date=claim.session.date,
        issued_by=None,
    )
    claim.credential_id = credential.pk
    claim.claimed_at = timezone.now()
    claim.topic_named = show_topic
    claim.save(update_fields=["credential_id", "claimed_at", "topic_named"])
    audit.record(
        action="saferwork.delivery.badge_claimed",
        organisation=claim.session.organisation,
        target=credential,
        data={"session": claim.session_id},
    )
    return credential


@transaction.atomic
def send_new_claim_link(*, participant: Any, actor: Any) -> None:
    """Email an attendee a fresh badge claim link, for a lost email; the old link stops working.

    The claim token is personal and stored hashed, so a new one is made (never the old
    one re-sent) and travels sealed to the worker (see ``saferwork.lib.email``). The
    evaluation link is never re-sent: nothing knows whose it was.
    """
    claim = (
        BadgeClaimToken.objects.select_for_update().select_related("session").filter(participant=participant).first()
    )
    if claim is None:
        raise DeliveryError("Your badge claim link has not been sent yet.")
    if claim.credential_id:
        raise DeliveryError("You have already claimed your badge.")
    attendance = Attendance.objects.filter(participant=participant).first()
    if attendance is None or not attendance.attended:
        raise DeliveryError("Only people who attended the session can claim its badge.")
    token = new_token()
    claim.token_hash = hash_token(token)
    claim.save(update_fields=["token_hash"])
    audit.record(
        action="saferwork.delivery.claim_link_resent",
        actor=actor,
        organisation=claim.session.organisation,
        target=claim,
        data={"session": claim.session_id},
    )
    queue_email("delivery.claim_link", ids=[claim.pk], secrets={"token": token})


@transaction.atomic
def revoke_claimed_badge(*, claim: BadgeClaimToken, reason: str, actor: Any = None) -> None:

    if claim.credential_id is None:
        return
    credential = Credential.objects.filter(pk=claim.credential_id, revoked_at__isnull=True).first()
    if credential is not None:
        badges.revoke_badge(credential=credential, reason=reason, actor=actor)
