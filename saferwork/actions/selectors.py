"""Reads of actions that pages, exports and other apps share. Every one is scoped to an organisation."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from saferwork.accounts.models import User
from saferwork.actions.models import Action, Evidence
from saferwork.audit.models import AuditEntry
from saferwork.organisations.models import Organisation

HISTORY_LIMIT = 200


def today_for(organisation: Organisation) -> dt.date:
    """Today in the organisation's time zone: "overdue" means past the day there."""
    return timezone.now().astimezone(zoneinfo.ZoneInfo(organisation.time_zone)).date()


@dataclass
class ActionFilters:
    statuses: list[str] = field(default_factory=list)
    owner_id: int | None = None
    overdue: bool = False
    source_kind: str = ""
    department: str = ""


def overdue_q(today: dt.date) -> Q:
    return Q(status__in=Action.OPEN, due_on__lt=today)


def actions_for(
    organisation: Organisation, *, filters: ActionFilters | None = None, today: dt.date, owner: Any = None
) -> QuerySet[Action]:
    """The organisation's actions matching ``filters`` (only ``owner``'s when given), with
    their owner and evidence count: one query however many rows a page shows."""
    filters = filters or ActionFilters()
    found = Action.objects.for_organisation(organisation).select_related("owner")
    if owner is not None:
        found = found.filter(owner=owner)
    if filters.statuses:
        found = found.filter(status__in=filters.statuses)
    if filters.owner_id:
        found = found.filter(owner_id=filters.owner_id)
    if filters.overdue:
        found = found.filter(overdue_q(today))
    if filters.source_kind:
        found = found.filter(source_kind=filters.source_kind)
    if filters.department:
        found = found.filter(department__iexact=filters.department)
    # A correlated count, not a join and GROUP BY: the database then counts evidence for the
    # page's rows only, and the paginator's count() leaves it out.
    return found.annotate(evidence_count=evidence_count()).order_by("due_on", "id")


def evidence_count() -> Coalesce:
    counted = Evidence.objects.filter(action=OuterRef("pk")).order_by().values("action").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n"), output_field=IntegerField()), Value(0))


def actions_for_source(organisation: Organisation, source_kind: str, source_ref: str) -> QuerySet[Action]:
    """The actions that answer one source (for the owning app's own pages)."""
    return (
        Action.objects.for_organisation(organisation)
        .filter(source_kind=source_kind, source_ref=source_ref)
        .select_related("owner")
        .order_by("due_on", "id")
    )


def counts_for(organisation: Organisation, *, today: dt.date, owner: Any = None) -> dict[str, int]:
    """Open, overdue and done counts, in one query."""
    found = Action.objects.for_organisation(organisation)
    if owner is not None:
        found = found.filter(owner=owner)
    return found.aggregate(
        open=Count("id", filter=Q(status__in=Action.OPEN)),
        overdue=Count("id", filter=overdue_q(today)),
        done=Count("id", filter=Q(status=Action.Status.DONE)),
    )


def possible_owners(organisation: Organisation) -> QuerySet[User]:
    """Everyone with a membership of the organisation, by name."""
    return User.objects.filter(memberships__organisation=organisation).order_by("full_name", "email").distinct()


def owners_of_actions(organisation: Organisation) -> QuerySet[User]:
    owner_ids = Action.objects.for_organisation(organisation).filter(owner__isnull=False).values("owner_id")
    return User.objects.filter(pk__in=owner_ids).order_by("full_name", "email")


def is_member(organisation: Organisation, user: Any) -> bool:
    return user is not None and user.memberships.filter(organisation=organisation).exists()


def departments(organisation: Organisation) -> list[str]:
    return sorted(
        {
            d
            for d in Action.objects.for_organisation(organisation)
            .exclude(department="")
            .values_list("department", flat=True)
            .distinct()[:200]
        },
        key=str.casefold,
    )


def history(action: Action) -> list[AuditEntry]:
    """What happened to the action, newest first, from the audit log."""
    return list(
        AuditEntry.objects.filter(
            organisation_id=action.organisation_id, target_type="actions.action", target_id=str(action.pk)
        )
        .select_related("actor")
        .order_by("-created_at", "-id")[:HISTORY_LIMIT]
    )
