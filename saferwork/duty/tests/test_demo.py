from __future__ import annotations

import pytest
from django.core.management import call_command

from saferwork.actions.models import Action
from saferwork.duty.demo import seed_duty_demo
from saferwork.duty.models import PolicyAudit
from saferwork.duty.record import duty_record
from saferwork.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def test_seed_demo_gives_northfield_a_completed_audit_with_gaps_as_actions_once(settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    assert seed_duty_demo() == 0  # run again: nothing added
    northfield = Organisation.objects.get(slug="northfield-council")
    audit = PolicyAudit.objects.for_organisation(northfield).get()
    assert audit.completed_on is not None
    gaps = Action.objects.for_organisation(northfield).filter(source_kind="policy_audit_gap")
    assert gaps.count() == 4 and gaps.filter(status="done").count() == 1
    record = duty_record(northfield, audit.started_on, audit.completed_on)
    duty = next(s for s in record.sections if s.key == "duty")
    assert any(step.title.startswith("Policy audit completed") for step in duty.steps)
