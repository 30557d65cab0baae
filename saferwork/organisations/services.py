"""Writes for organisations and memberships, each audited.

Every change of role goes through here. The case-handler flag never gives report access by
itself (access is granted by someone who can already read the reports, see
``reporting.services.grant_access``), but taking the flag away, removing the membership or
deactivating the account takes the reports away at once, in the same transaction, in every
organisation concerned. Nobody joins an existing organisation on their own say-so: a join
request waits for a coordinator of that organisation (or a programme admin, with a reason).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from saferwork.audit import services as audit
from saferwork.lib.email import queue_email
from saferwork.organisations.models import ROLE_FLAGS, JoinRequest, Membership, Organisation

# Flags whose grant needs a fresh second-factor check by the person giving them.
SUDO_FLAGS = frozenset({"is_programme_admin", "is_coordinator", "is_case_handler", "is_leader"})


def _revoke_reports(*, organisation: Organisation, user: Any, actor: Any, reason: str) -> None:
    from saferwork.reporting import services as reporting

    reporting.revoke_access(organisation=organisation, user=user, actor=actor, reason=reason)


@transaction.atomic
def set_roles(
    *, membership: Membership, flags: set[str] | list[str], actor: Any, reason: str = "changed"
) -> Membership:
    """Give ``membership`` exactly ``flags``. Audited with what was added and removed.

    Removing the case-handler flag deletes the person's keys to this organisation's reports
    in the same transaction. Giving it gives no report access. Callers giving any of
    ``SUDO_FLAGS`` must have checked sudo mode."""
    wanted = set(flags)
    unknown = wanted - set(ROLE_FLAGS)
    if unknown:
        raise ValueError(f"Unknown role flags: {sorted(unknown)}")
    membership = Membership.objects.select_for_update().select_related("organisation", "user").get(pk=membership.pk)
    before = set(membership.role_flags)
    for flag in ROLE_FLAGS:
        setattr(membership, flag, flag in wanted)
    membership.full_clean()
    membership.save()
    added, removed = sorted(wanted - before), sorted(before - wanted)
    if added or removed:
        audit.record(
            action="saferwork.membership.roles_changed",
            actor=actor,
            organisation=membership.organisation,
            target=membership,
            data={"user": membership.user_id, "added": added, "removed": removed, "reason": reason},
        )
    if "is_case_handler" in removed:
        _revoke_reports(
            organisation=membership.organisation, user=membership.user, actor=actor, reason="handler_flag_removed"
        )
    return membership


@transaction.atomic
def add_roles(*, user: Any, organisation: Organisation, flags: list[str], actor: Any, reason: str) -> Membership:
    """Join ``user`` to ``organisation`` (if not yet a member) with ``flags`` added to any
    they hold. Used when an invitation is accepted."""
    membership, created = Membership.objects.get_or_create(user=user, organisation=organisation)
    if created:
        audit.record(
            action="saferwork.membership.created",
            actor=actor,
            organisation=organisation,
            target=membership,
            data={"user": user.pk, "reason": reason},
        )
    return set_roles(membership=membership, flags=set(membership.role_flags) | set(flags), actor=actor, reason=reason)


@transaction.atomic
def remove_membership(*, membership: Membership, actor: Any) -> None:
    """Remove a person from an organisation: their report keys there go first."""
    membership = Membership.objects.select_for_update().select_related("organisation", "user").get(pk=membership.pk)
    _revoke_reports(
        organisation=membership.organisation, user=membership.user, actor=actor, reason="membership_removed"
    )
    audit.record(
        action="saferwork.membership.removed",
        actor=actor,
        organisation=membership.organisation,
        target=membership,
        data={"user": membership.user_id, "roles": membership.role_flags},
    )
    membership.delete()


@transaction.atomic
def deactivate_user(*, user: Any, actor: Any) -> None:
    """Switch an account off: it can no longer sign in, and its keys to the reports of every
    organisation it belonged to are deleted now."""
    from saferwork.reporting.models import HandlerAccess, RecoveryWrap, ReportKey

    org_ids = set(user.memberships.values_list("organisation_id", flat=True))
    # Keys held anywhere, even where the membership is already gone.
    org_ids |= set(ReportKey.objects.filter(user=user).values_list("organisation_id", flat=True))
    org_ids |= set(HandlerAccess.objects.filter(user=user).values_list("organisation_id", flat=True))
    org_ids |= set(RecoveryWrap.objects.filter(handler_key__user=user).values_list("organisation_id", flat=True))
    for organisation in Organisation.objects.filter(pk__in=org_ids).order_by("pk"):
        _revoke_reports(organisation=organisation, user=user, actor=actor, reason="account_deactivated")
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit.record(action="saferwork.account.deactivated", actor=actor, target=user, data={"user": user.pk})


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
    # The worker looks up the coordinators and renders: the task holds the request's id only.
    queue_email("organisations.join_request", ids=[join_request.pk])
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
    queue_email("organisations.join_refused", ids=[join_request.pk])
    return join_request
