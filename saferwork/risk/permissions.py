"""Who may see and change which assessments.

Leaders and coordinators manage the register: they see every assessment, create them and
decide suggestions. Any other member sees only the assessments they own or that are shared
with them; an owner may change their own assessment (hazards, ratings, controls, reviews);
someone it is shared with may only read it.
"""

from __future__ import annotations

from typing import Any

from saferwork.organisations.models import Membership
from saferwork.organisations.permissions import membership_has, role_required

MANAGE_RISK_ROLES = ("is_leader", "is_coordinator")

manage_risk_required = role_required(*MANAGE_RISK_ROLES)


def can_manage_risk(membership: Membership | None) -> bool:
    return any(membership_has(membership, flag) for flag in MANAGE_RISK_ROLES)


def can_change(membership: Membership | None, assessment: Any) -> bool:
    if membership is None or assessment.organisation_id != membership.organisation_id:
        return False
    return can_manage_risk(membership) or (
        assessment.owner_id is not None and assessment.owner_id == membership.user_id
    )
