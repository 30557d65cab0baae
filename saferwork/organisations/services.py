"""Writes for memberships: every change of role goes through here, audited.

The case-handler flag never gives report access by itself (access is granted by someone
who can already read the reports, see ``reporting.services.grant_access``), but taking the
flag away, removing the membership or deactivating the account takes the reports away at
once, in the same transaction, in every organisation concerned.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from saferwork.audit import services as audit
from saferwork.organisations.models import ROLE_FLAGS, Membership, Organisation

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
