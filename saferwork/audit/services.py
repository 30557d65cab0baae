from __future__ import annotations

from typing import Any

from django.db import models, transaction

from saferwork.audit.models import AuditEntry


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
