"""Who may do what with actions.

``can_manage_actions`` is a named permission held by an organisation's leaders and
coordinators: they see the whole hub, create, edit, delete and export. The owner of an
action (whatever their role) may open it, change its status and add or remove its
evidence, so that a manager named as owner can report progress without a wider role.
A member given read access (:class:`~saferwork.actions.models.ReadAccess`, typically a
union safety representative) sees the whole hub and every action, and changes nothing.
"""

from __future__ import annotations

from typing import Any

from saferwork.organisations.models import Membership
from saferwork.organisations.permissions import membership_has, role_required

# The membership role flags that give ``can_manage_actions``.
MANAGE_ACTIONS_ROLES = ("is_leader", "is_coordinator")

manage_actions_required = role_required(*MANAGE_ACTIONS_ROLES)


def can_manage_actions(membership: Membership | None) -> bool:
    return any(membership_has(membership, flag) for flag in MANAGE_ACTIONS_ROLES)


def has_read_access(membership: Membership | None) -> bool:
    """Given read access to the whole hub by a leader or coordinator (one query, then cached)."""
    if membership is None:
        return False
    cached = getattr(membership, "_actions_read_access", None)
    if cached is None:
        from saferwork.actions.models import ReadAccess

        cached = ReadAccess.objects.filter(
            organisation_id=membership.organisation_id, user_id=membership.user_id
        ).exists()
        membership._actions_read_access = cached  # type: ignore[attr-defined]
    return bool(cached)


def can_see_all_actions(membership: Membership | None) -> bool:
    """The whole hub: managers, and members given read access."""
    return can_manage_actions(membership) or has_read_access(membership)


def can_work_on(membership: Membership | None, action: Any) -> bool:
    """Change the status and evidence of ``action``: managers, and its owner."""
    if membership is None or action.organisation_id != membership.organisation_id:
        return False
    return can_manage_actions(membership) or (action.owner_id is not None and action.owner_id == membership.user_id)
