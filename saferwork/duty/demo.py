"""Demo policy audit for Northfield Borough Council (``seed_demo`` calls :func:`seed_duty_demo`).

DEBUG only, through ``seed_demo``; idempotent: once the council has an audit nothing is added.
Loads the checklists, answers the EHRC eight steps (a few gaps), turns each gap into an
action, closes one with evidence and completes the audit a month ago, so the duty record
for the last year has steps to show and download.
"""

from __future__ import annotations

import datetime as dt

from saferwork.accounts.models import User
from saferwork.actions import selectors as action_selectors
from saferwork.actions import services as action_services
from saferwork.duty import loader, services
from saferwork.duty.models import AuditAnswer, Checklist, PolicyAudit
from saferwork.organisations.models import Organisation

GAPS = {
    "risk.2": ("not_met", "Only Housing has an activity risk assessment that names sexual harassment."),
    "third.1": ("partly", "Signs in the customer centre; nothing yet for contractors."),
    "engage.3": ("partly", "The unions saw the policy; not the risk assessment."),
    "monitor.2": ("not_met", "No anonymised data goes to the leadership team yet."),
}
EVIDENCE = {
    "policy.1": "https://intranet.northfield.example/policies/sexual-harassment",
    "train.1": "/delivery/sessions/",
    "report.1": "/reporting/settings/",
}


def seed_duty_demo() -> int:
    """Add the demo audit if the council has none; returns the number of actions made."""
    loader.load_directory()
    organisation = Organisation.objects.get(slug="northfield-council")
    if PolicyAudit.objects.for_organisation(organisation).exists():
        return 0
    leader = User.objects.get(email="leader@saferwork.test")
    checklist = Checklist.objects.filter(key="ehrc-eight-steps").order_by("-version").first()
    assert checklist is not None
    audit = services.start_audit(organisation=organisation, checklist=checklist, size="large", actor=leader)
    for item in checklist.items.all():
        status, note = GAPS.get(item.item_id, ("met", ""))
        services.answer_item(
            audit=audit,
            item=item,
            status=status,
            note=note,
            evidence_url=EVIDENCE.get(item.item_id, ""),
            actor=leader,
        )
    made = 0
    for answer in audit.answers.filter(status__in=AuditAnswer.GAPS).select_related("item", "audit"):
        action = services.gap_to_action(answer=answer, actor=leader)
        made += 1
        if answer.item.item_id == "engage.3":
            action_services.add_evidence_link(
                action=action,
                url="https://intranet.northfield.example/jcc/minutes-risk-assessment",
                label="Joint consultative committee minutes",
                actor=leader,
            )
            action_services.change_status(action=action, status="done", actor=leader)
    services.complete_audit(audit=audit, actor=leader)
    # Dated as if held last month, so the record for the past year shows it in order.
    today = action_selectors.today_for(organisation)
    PolicyAudit.objects.filter(pk=audit.pk).update(
        started_on=today - dt.timedelta(days=40), completed_on=today - dt.timedelta(days=30)
    )
    return made
