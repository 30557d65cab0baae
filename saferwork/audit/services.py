from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from typing import Any

from django.db import models, transaction

from saferwork.audit.models import AuditEntry, PendingReporterEntry


def record(
    *,
    action: str,
    actor: Any = None,
    organisation: Any = None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one audit entry inside the caller's transaction.

    Call it from the service that makes the change, so that the change and its entry
    commit or roll back together. ``data`` must never hold report content or secrets.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the transaction that makes the change.")
    return AuditEntry.objects.create(
        action=action,
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        organisation=organisation,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        data=data or {},
    )


def record_reporter_action(
    *, action: str, organisation: Any, target: models.Model, day: dt.date, data: dict[str, Any] | None = None
) -> PendingReporterEntry:
    """Audit something a reporter did: held, with the day only, until the daily fold.

    Written in the caller's transaction like :func:`record`, but into
    :class:`PendingReporterEntry`, never straight into the log (see its docstring).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record_reporter_action must run inside the transaction that makes the change.")
    return PendingReporterEntry.objects.create(
        day=day,
        action=action,
        organisation=organisation,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_label=str(target)[:200],
        data=data or {},
    )


@transaction.atomic
def fold_reporter_actions(*, through: dt.date) -> int:
    """Move every pending reporter entry dated ``through`` or earlier into the audit log.

    One transaction writes them all, in shuffled order, each dated to midnight of its
    day in its organisation's time zone, then deletes the pending rows. In the log they
    sort after every entry of their day (ids and physical order are those of the fold,
    shared by the whole batch; PostgreSQL's ``xmin`` is the fold's), so neither their
    position nor their time orders them against what handlers did, nor against each other:
    the two entries of a share land in random order among all that day's reporter
    actions. Run it daily, after midnight (``manage.py fold_reporter_audit``).

    Residual risk, by design: until the fold a pending row's system columns are those of
    the reporter's transaction, and deleted tuples stay on disk until PostgreSQL vacuums
    them; entries of one day with only one reporter action are as dated as that day.
    """
    pending = list(
        PendingReporterEntry.objects.select_for_update(of=("self",))
        .filter(day__lte=through)
        .select_related("organisation")
    )
    random.SystemRandom().shuffle(pending)
    AuditEntry.objects.bulk_create(
        AuditEntry(
            created_at=dt.datetime.combine(
                p.day, dt.time.min, tzinfo=zoneinfo.ZoneInfo(p.organisation.time_zone if p.organisation else "UTC")
            ),
            action=p.action,
            organisation=p.organisation,
            target_type=p.target_type,
            target_id=p.target_id,
            target_label=p.target_label,
            data={**p.data, "dated": "day only"},
        )
        for p in pending
    )
    PendingReporterEntry.objects.filter(pk__in=[p.pk for p in pending]).delete()
    return len(pending)
