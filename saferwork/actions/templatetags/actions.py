"""The dashboard's panel of actions: the hub for leaders and coordinators, one's own actions for an owner."""

from __future__ import annotations

from typing import Any

from django import template

from saferwork.actions import selectors
from saferwork.actions.models import Action
from saferwork.actions.permissions import can_manage_actions, can_see_all_actions
from saferwork.organisations.permissions import membership_has

register = template.Library()


@register.inclusion_tag("actions/_dashboard_panel.html", takes_context=True)
def actions_panel(context: Any) -> dict[str, Any]:
    membership = context.get("current_membership")
    if membership is None:
        return {"show": False}
    manager = can_manage_actions(membership)
    sees_all = manager or can_see_all_actions(membership)
    owner = None if sees_all else membership.user
    # Programme admins produce their own organisation's duty record (saferwork.duty).
    record = manager or membership_has(membership, "is_programme_admin")
    if not sees_all and not Action.objects.for_organisation(membership.organisation).filter(owner=owner).exists():
        if record:
            return {"show": True, "manager": False, "sees_all": False, "record": True, "counts": None}
        return {"show": False}
    counts = selectors.counts_for(
        membership.organisation, today=selectors.today_for(membership.organisation), owner=owner
    )
    return {"show": True, "manager": manager, "sees_all": sees_all, "record": record, "counts": counts}
