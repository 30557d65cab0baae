"""The demo gives Northfield a closed and an open wave, a wave being built, and two action plans."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from saferwork.accounts.models import User
from saferwork.actions.models import Action
from saferwork.organisations.models import Organisation
from saferwork.surveys import results
from saferwork.surveys.demo import DEPARTMENTS, PLANS, seed_surveys_demo
from saferwork.surveys.models import Answer, ReleasedCut, Response, Survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)


def _waves() -> dict[str, Survey]:
    northfield = Organisation.objects.get(slug="northfield-council")
    return {s.wave: s for s in Survey.objects.for_organisation(northfield)}


def test_seed_demo_adds_a_closed_an_open_and_a_draft_wave_once(seeded):
    assert seed_surveys_demo() == 0  # run again: nothing added
    waves = _waves()
    assert {w: s.status for w, s in waves.items()} == {
        "Spring 2025": "closed",
        "Spring 2026": "live",
        "Autumn 2026": "draft",
    }
    closed, live = waves["Spring 2025"], waves["Spring 2026"]
    assert live.previous == closed and waves["Autumn 2026"].previous == closed
    assert closed.departments.count() == live.departments.count() == 6
    assert Response.objects.filter(survey=closed, release=1).count() == sum(p.answered[0] for p in DEPARTMENTS)
    # The open wave: full groups published, the rest waiting for their group.
    assert Response.objects.filter(survey=live, release__isnull=True).exists()
    assert Response.objects.filter(survey=live, release__isnull=False).count() % live.score_threshold == 0
    assert live.invitations.filter(sent=True).count() > 0


def test_demo_results_suppress_the_small_departments(seeded):
    closed = _waves()["Spring 2025"]
    found = results.survey_results(closed)
    rates = {row.name: row for row in found.rates}
    assert rates["Human resources"].responses is not None and rates["Human resources"].responses.hidden
    assert not rates["Housing"].responses.hidden  # type: ignore[union-attr]
    hidden = [c for t in found.items for _label, cells, _total in t.rows() for c in cells if c.hidden]
    shown = [c for t in found.items for _label, cells, _total in t.rows() for c in cells if not c.hidden]
    assert hidden and shown
    assert all(c.value is not None and c.value >= closed.score_threshold for c in shown)
    # Comments: some cleared for leaders, one left out, some waiting for the redaction pass.
    comments = Answer.objects.filter(response__survey=closed, question__item__code="TXT-IMPROVE")
    assert comments.filter(reviewed=True, left_out=False).exists()
    assert comments.filter(left_out=True).exists() and comments.filter(reviewed=False).exists()
    assert any(group.texts for group in found.comments)


def test_demo_action_plans_answer_results_a_leader_was_shown(seeded):
    closed = _waves()["Spring 2025"]
    made = Action.objects.filter(source_kind="survey_result")
    assert made.count() == sum(len(steps) for _department, steps in PLANS)
    assert set(made.values_list("department", flat=True)) == {"Housing", "Waste and recycling"}
    keys = set(ReleasedCut.objects.filter(survey=closed).values_list("filter_key", flat=True))
    for action in made:
        wave, key, _code = action.source_ref.split(":")
        assert int(wave) == closed.pk and key in keys
        assert action.department in action.source_label


def test_the_demo_answers_are_inserted_in_bulk(db):
    # Hundreds of answers in a handful of statements, not one INSERT each (a time would
    # depend on the machine; the statements do not).
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        call_command("seed_demo", force=True, verbosity=0)
    answers = Answer.objects.count()
    inserts = [q for q in ctx.captured_queries if q["sql"].startswith('INSERT INTO "surveys_answer"')]
    assert answers > 200 and 0 < len(inserts) < answers / 50, (answers, len(inserts))


def test_demo_survey_pages_open_for_the_leader(seeded, verified_client):
    client = verified_client(User.objects.get(email="leader@saferwork.test"))
    waves = _waves()
    closed, live, draft = waves["Spring 2025"], waves["Spring 2026"], waves["Autumn 2026"]
    for url in (
        reverse("surveys:results", args=[closed.pk]),
        reverse("surveys:results", args=[live.pk]),
        reverse("surveys:comments", args=[closed.pk]),
        reverse("surveys:builder", args=[draft.pk]),
        reverse("surveys:distribution", args=[live.pk]),
    ):
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("surveys:results", args=[closed.pk])).content.decode()
    assert "Make an action from this result" in page and "hidden" in page
