from __future__ import annotations

import pytest
from django.core.management import call_command

from saferwork.actions.models import Action
from saferwork.organisations.models import Organisation
from saferwork.risk.demo import DEMO, seed_risk_demo
from saferwork.risk.models import Assessment

pytestmark = pytest.mark.django_db


def test_seed_demo_gives_northfield_a_corporate_and_three_activity_assessments_once(settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    assert seed_risk_demo() == 0  # run again: nothing added
    northfield = Organisation.objects.get(slug="northfield-council")
    found = Assessment.objects.for_organisation(northfield)
    assert found.count() == len(DEMO) == 4
    assert sorted(found.values_list("kind", flat=True)) == ["activity", "activity", "activity", "corporate"]
    made = Action.objects.for_organisation(northfield).filter(source_kind="risk_control")
    assert made.count() == 3 and made.filter(status="done").count() == 1
    assert found.filter(hazards__rerated_on__isnull=False).count() == 1
