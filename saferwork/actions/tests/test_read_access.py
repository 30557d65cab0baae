from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from saferwork.actions import services
from saferwork.actions.models import Action, ReadAccess
from saferwork.audit.models import AuditEntry
from saferwork.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep(organisation):
    """A union safety representative: a member with no managing role."""
    return factories.member(organisation, email="rep@example.org")


def test_a_coordinator_gives_read_access_and_it_is_audited(verified_client, coordinator, rep, organisation):
    client = verified_client(coordinator)
    response = client.post(reverse("actions:readers"), {"user": rep.pk, "reason": "Union safety representative"})
    assert response.status_code == 302
    grant = ReadAccess.objects.get()
    assert grant.user == rep and grant.granted_by == coordinator
    entry = AuditEntry.objects.get(action="saferwork.actions.read_access_granted")
    assert entry.actor == coordinator and entry.organisation == organisation
    assert "rep@example.org" in client.get(reverse("actions:readers")).content.decode()
    client.post(reverse("actions:revoke_reader", args=[grant.pk]))
    assert not ReadAccess.objects.exists()
    assert AuditEntry.objects.filter(action="saferwork.actions.read_access_removed").exists()


def test_a_reader_sees_every_action_and_changes_none(verified_client, coordinator, rep, organisation, make_action):
    action = make_action(title="Brief the depot supervisors")
    services.grant_read_access(organisation=organisation, user=rep, actor=coordinator)
    client = verified_client(rep)
    hub = client.get(reverse("actions:hub")).content.decode()
    assert "Brief the depot supervisors" in hub and 'id="read-only"' in hub
    assert reverse("actions:create") not in hub and reverse("actions:export") not in hub
    detail = client.get(reverse("actions:detail", args=[action.pk]))
    assert detail.status_code == 200
    page = detail.content.decode()
    assert (
        reverse("actions:status", args=[action.pk]) not in page
        and reverse("actions:edit", args=[action.pk]) not in page
    )
    assert client.post(reverse("actions:status", args=[action.pk]), {"status": "done"}).status_code == 403
    assert client.post(reverse("actions:add_evidence", args=[action.pk, "link"]), {"url": "/x/"}).status_code == 403
    assert client.get(reverse("actions:edit", args=[action.pk])).status_code == 403
    assert client.get(reverse("actions:create")).status_code == 403
    assert client.get(reverse("actions:readers")).status_code == 403
    action.refresh_from_db()
    assert action.status == Action.Status.NOT_STARTED and not action.evidence.exists()


def test_without_a_grant_the_rep_sees_only_their_own(verified_client, rep, make_action):
    action = make_action(title="Someone else's action")
    assert "Someone else" not in verified_client(rep).get(reverse("actions:hub")).content.decode()
    assert verified_client(rep).get(reverse("actions:detail", args=[action.pk])).status_code == 404


def test_a_grant_in_one_organisation_reads_nothing_in_another(
    verified_client, coordinator, organisation, other_organisation, make_action
):
    rep = factories.member(other_organisation, email="rep-elsewhere@example.org")
    action = make_action(title="Home union action")
    with pytest.raises(services.ActionError):
        services.grant_read_access(organisation=organisation, user=rep, actor=coordinator)
    other_coordinator = factories.member(other_organisation, is_coordinator=True)
    services.grant_read_access(organisation=other_organisation, user=rep, actor=other_coordinator)
    client = verified_client(rep)
    assert "Home union action" not in client.get(reverse("actions:hub")).content.decode()
    assert client.get(reverse("actions:detail", args=[action.pk])).status_code == 404


def test_outsider_cannot_list_or_remove_this_organisations_readers(
    verified_client, outsider, coordinator, rep, organisation
):
    grant = services.grant_read_access(organisation=organisation, user=rep, actor=coordinator)
    client = verified_client(outsider)
    assert "rep@example.org" not in client.get(reverse("actions:readers")).content.decode()
    assert client.post(reverse("actions:revoke_reader", args=[grant.pk])).status_code == 404
    assert client.post(reverse("actions:readers"), {"user": rep.pk, "reason": "x"}).status_code == 200
    assert ReadAccess.objects.count() == 1


def test_the_actions_part_of_the_duty_record(organisation, make_action, leader, today):
    from saferwork.actions import duty

    done = make_action(title="Publish the policy")
    services.add_evidence_link(action=done, url="https://intranet.example/policy", label="The policy", actor=leader)
    services.change_status(action=done, status="done", actor=leader)
    make_action(title="Still open")
    section = duty.section(organisation, today - dt.timedelta(days=30), today)
    assert section is not None
    figures = {f.label: f.shown for f in section.figures}
    assert figures["Actions made in the period"] == "2" and figures["Actions done in the period"] == "1"
    (step,) = section.steps
    assert step.title == "Action done: Publish the policy" and step.evidence == ("The policy",)
