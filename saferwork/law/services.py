from __future__ import annotations

from typing import Any

from django.db import transaction

from saferwork.audit import services as audit
from saferwork.law.models import LegalRule


@transaction.atomic
def correct_rule(*, rule_id: int, actor: Any, changes: dict[str, Any]) -> LegalRule:
    """Correct one dated rule (value, date, source, confirmation) and audit what changed."""
    rule = LegalRule.objects.select_for_update().get(pk=rule_id)
    before = {field: str(getattr(rule, field)) for field in changes}
    for field, value in changes.items():
        setattr(rule, field, value)
    rule.updated_by = actor
    rule.full_clean()
    rule.save()
    audit.record(
        action="saferwork.law.rule_corrected",
        actor=actor,
        target=rule,
        data={"before": before, "after": {field: str(value) for field, value in changes.items()}},
    )
    return rule
