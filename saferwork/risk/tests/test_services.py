from __future__ import annotations

import json

import pytest

from saferwork.actions import services as actions
from saferwork.actions import sources
from saferwork.actions.models import Action
from saferwork.audit.models import AuditEntry
from saferwork.risk import library, services
from saferwork.risk.models import Hazard
from saferwork.tests import factories

pytestmark = pytest.mark.django_db


def test_the_matrix_is_fixed_per_assessment(make_assessment, make_hazard, monkeypatch):
    old = make_assessment(title="Made under the first matrix")
    hazard = make_hazard(old, current=(3, 4))
    assert old.matrix_version == "2026-1"
    assert old.the_matrix.band(3, 4).label == "High"
    # A new version of the matrix file: wider bands and new words.
    newer = json.loads(json.dumps(library._read("matrix.json")))
    newer["version"] = "2027-1"
    newer["severity"][3] = "Grave"
    newer["bands"][2]["up_to"] = 12
    newer["bands"][1]["up_to"] = 12
    monkeypatch.setattr(library, "current_matrix_data", lambda: json.loads(json.dumps(newer)))
    new = make_assessment(title="Made under the second matrix")
    old.refresh_from_db()
    assert new.matrix_version == "2027-1" and new.the_matrix.band(3, 4).label == "Medium"
    assert old.matrix_version == "2026-1" and old.the_matrix.band(3, 4).label == "High"
    assert "severity major" in old.the_matrix.describe(hazard.current_likelihood, hazard.current_severity)


def test_owner_must_be_a_member(make_assessment, other_organisation):
    stranger = factories.member(other_organisation)
    with pytest.raises(services.RiskError):
        make_assessment(owner=stranger)


def test_ratings_and_choices_are_checked(make_assessment, make_hazard):
    assessment = make_assessment()
    with pytest.raises(services.RiskError):
        make_hazard(assessment, inherent=(6, 1))
    with pytest.raises(services.RiskError):
        make_hazard(assessment, factors=["made_up"])
    with pytest.raises(services.RiskError):
        make_hazard(assessment, who=["everyone"])
    assert not Hazard.objects.exists()


def test_residual_rerating_refused_until_actions_are_done_with_evidence(
    make_assessment, make_hazard, make_control, leader
):
    hazard = make_hazard(make_assessment(), current=(4, 4))
    control = make_control(hazard)
    # No action yet.
    with pytest.raises(services.RiskError, match="Turn at least one control into an action"):
        services.rerate_residual(hazard=hazard, likelihood=2, severity=3, actor=leader)
    action = services.control_to_action(control=control, actor=leader)
    # Not done.
    with pytest.raises(services.RiskError, match="is not done yet"):
        services.rerate_residual(hazard=hazard, likelihood=2, severity=3, actor=leader)
    # Done, but without evidence.
    actions.change_status(action=action, status="done", actor=leader)
    with pytest.raises(services.RiskError, match="has no evidence"):
        services.rerate_residual(hazard=hazard, likelihood=2, severity=3, actor=leader)
    hazard.refresh_from_db()
    assert (hazard.current_likelihood, hazard.current_severity, hazard.rerated_on) == (4, 4, None)
    # Done with evidence: now it can.
    actions.add_evidence_link(action=action, url="https://intranet.example.org/rota", actor=leader)
    services.rerate_residual(hazard=hazard, likelihood=2, severity=3, actor=leader, note="Pairs on every visit")
    hazard.refresh_from_db()
    assert (hazard.current_likelihood, hazard.current_severity) == (2, 3) and hazard.rerated_on is not None
    entry = AuditEntry.objects.get(action="saferwork.risk.residual_rerated")
    assert entry.data["from"] == [4, 4] and entry.data["to"] == [2, 3]


def test_every_open_action_of_every_control_must_be_done(
    make_assessment, make_hazard, make_control, leader, done_with_evidence
):
    hazard = make_hazard(make_assessment())
    done_with_evidence(make_control(hazard))
    second = services.control_to_action(control=make_control(hazard, description="Panic alarms"), actor=leader)
    with pytest.raises(services.RiskError, match="Panic alarms"):
        services.rerate_residual(hazard=hazard, likelihood=2, severity=3, actor=leader)
    actions.change_status(action=second, status="cancelled", actor=leader)  # cancelled ones do not count
    services.rerate_residual(hazard=hazard, likelihood=2, severity=3, actor=leader)


def test_control_becomes_one_action_in_the_hub(make_assessment, make_hazard, make_control, leader, manager):
    control = make_control(make_hazard(make_assessment()))
    action = services.control_to_action(control=control, actor=leader)
    assert services.control_to_action(control=control, actor=leader) == action  # a second click: the same one
    assert Action.objects.count() == 1
    assert action.source_kind == "risk_control" and action.source_ref == str(control.pk)
    assert action.owner == manager and action.due_on == control.due_on and action.department == "Housing"
    assert "Housing officers' home visits" in action.source_label
    assert sources.resolve(control.organisation, "risk_control", str(control.pk)).url.startswith("/risk/")


def test_another_organisations_control_makes_no_action(make_assessment, make_hazard, make_control, other_organisation):
    control = make_control(make_hazard(make_assessment()))
    other_leader = factories.member(other_organisation, is_leader=True)
    with pytest.raises(actions.ActionError):
        actions.create_action(
            organisation=other_organisation,
            title="Stolen",
            due_on=control.due_on,
            owner=other_leader,
            actor=other_leader,
            source_kind="risk_control",
            source_ref=str(control.pk),
        )


def test_review_moves_the_date_and_is_audited(make_assessment, leader, today):
    import datetime as dt

    assessment = make_assessment(review_on=today - dt.timedelta(days=3))
    with pytest.raises(services.RiskError):
        services.record_review(assessment=assessment, next_review_on=today, actor=leader)
    services.record_review(assessment=assessment, next_review_on=today + dt.timedelta(days=180), actor=leader)
    assessment.refresh_from_db()
    assert assessment.last_reviewed_on == today and assessment.review_on == today + dt.timedelta(days=180)
    assert AuditEntry.objects.filter(action="saferwork.risk.assessment_reviewed").count() == 1
