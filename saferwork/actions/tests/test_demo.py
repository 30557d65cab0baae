from __future__ import annotations

import pytest
from django.core.management import call_command

from saferwork.actions import selectors
from saferwork.actions.demo import DEMO_ACTIONS, seed_actions_demo
from saferwork.actions.models import Action
from saferwork.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def test_seed_demo_gives_northfield_actions_in_every_state_once(settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    assert seed_actions_demo() == 0  # run again: nothing added
    northfield = Organisation.objects.get(slug="northfield-council")
    # The policy audit's and the risk register's demos add actions of their own.
    actions = Action.objects.for_organisation(northfield).filter(source_kind="manual")
    from_risk = Action.objects.for_organisation(northfield).exclude(source_kind="manual")
    assert actions.count() == len(DEMO_ACTIONS)
    assert set(actions.values_list("status", flat=True)) == {"not_started", "in_progress", "done", "cancelled"}
    counts = selectors.counts_for(northfield, today=selectors.today_for(northfield))
    assert (
        counts["overdue"]
        == 2 + from_risk.filter(status__in=Action.OPEN, due_on__lt=selectors.today_for(northfield)).count()
    )
    assert counts["done"] == 1 + from_risk.filter(status="done").count()
    assert actions.get(status="done").evidence.count() == 1
