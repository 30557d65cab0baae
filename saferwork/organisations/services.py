"""Writes for organisations: asking to join one that exists, and deciding on it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from saferwork.audit import services as audit
from saferwork.lib.email import send_templated_email
from saferwork.organisations import selectors
from saferwork.organisations.models import ROLE_FLAGS, JoinRequest, Membership, Organisation


@transaction.atomic
def request_to_join(
    *,
    organisation: Organisation,
    email: str,
    full_name: str,
    role: str,
    flags: list[str],
    source: str,
    requested_by: Any = None,
) -> JoinRequest:
    """Record that ``email`` asks for ``flags`` in an existing organisation; grant nothing.

    The organisation's coordinators are told and decide. A second request from the same
    address while one is waiting returns the waiting one.
    """
    unknown = set(flags) - set(ROLE_FLAGS)
    if unknown:
        raise ValueError(f"Unknown role flags: {sorted(unknown)}")
    email = email.strip().lower()
    waiting = organisation.join_requests.select_for_update().filter(email=email, status=JoinRequest.Status.PENDING)
    existing = waiting.first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            join_request = JoinRequest.objects.create(
                organisation=organisation,
                email=email,
                full_name=full_name,
                role=role,
                flags=flags,
                source=source,
            )
    except IntegrityError:  # the same request arrived at the same moment
        return organisation.join_requests.get(email=email, status=JoinRequest.Status.PENDING)
    audit.record(
        action="saferwork.organisation.join_requested",
        actor=requested_by,
        organisation=organisation,
        target=join_request,
        data={"flags": flags, "source": source},
    )
    coordinators = selectors.coordinator_emails(organisation)
    if coordinators:
        send_templated_email(
            to=coordinators,
            template="organisations/email/join_request",
            context={
                "join_request": join_request,
                "url": f"{settings.SITE_URL}/organisation/join-requests/{join_request.pk}/",
            },
        )
    return join_request


def can_decide(*, join_request: JoinRequest, actor: Any) -> str:
    """How ``actor`` may decide: "coordinator", "programme_admin", or "" if not at all."""
    memberships = Membership.objects.filter(user=actor).select_related("organisation")
    if any(m.organisation_id == join_request.organisation_id and m.is_coordinator for m in memberships):
        return "coordinator"
    if any(m.is_programme_admin and m.organisation.is_programme_host for m in memberships):
        return "programme_admin"
    return ""


def _decide(join_request: JoinRequest, actor: Any, reason: str) -> tuple[JoinRequest, str]:
    join_request = JoinRequest.objects.select_for_update().select_related("organisation").get(pk=join_request.pk)
    if not join_request.is_pending:
        raise ValidationError("Someone has already decided on this request.")
    capacity = can_decide(join_request=join_request, actor=actor)
    if not capacity:
        raise PermissionDenied("Only a coordinator of this organisation or a programme admin can decide.")
    if capacity == "programme_admin" and not reason.strip():
        raise ValidationError("Say how you checked that this person should have this role.")
    return join_request, capacity


@transaction.atomic
def approve_join_request(*, join_request: JoinRequest, actor: Any, reason: str = "") -> JoinRequest:
    """Approve: invite the address asked for into the organisation with the role asked for.

    A programme admin who is not the organisation's coordinator must give ``reason``
    (how they checked): it is kept in the audit entry.
    """
    from saferwork.accounts import services as accounts

    join_request, capacity = _decide(join_request, actor, reason)
    join_request.status = JoinRequest.Status.APPROVED
    join_request.decided_at = timezone.now()
    join_request.decided_by = actor
    join_request.save(update_fields=["status", "decided_at", "decided_by"])
    invitation, _token = accounts.invite(
        organisation=join_request.organisation,
        email=join_request.email,
        full_name=join_request.full_name,
        flags=list(join_request.flags),
        invited_by=actor,
    )
    audit.record(
        action="saferwork.organisation.join_approved",
        actor=actor,
        organisation=join_request.organisation,
        target=join_request,
        data={"flags": join_request.flags, "as": capacity, "reason": reason.strip(), "invitation": invitation.pk},
    )
    return join_request


@transaction.atomic
def refuse_join_request(*, join_request: JoinRequest, actor: Any, reason: str = "") -> JoinRequest:
    """Refuse: nothing is granted; the person is told, without saying who decided."""
    join_request, capacity = _decide(join_request, actor, reason or "refused")
    join_request.status = JoinRequest.Status.REFUSED
    join_request.decided_at = timezone.now()
    join_request.decided_by = actor
    join_request.save(update_fields=["status", "decided_at", "decided_by"])
    audit.record(
        action="saferwork.organisation.join_refused",
        actor=actor,
        organisation=join_request.organisation,
        target=join_request,
        data={"as": capacity, "reason": reason.strip()},
    )
    send_templated_email(
        to=[join_request.email], template="organisations/email/join_refused", context={"join_request": join_request}
    )
    return join_request
