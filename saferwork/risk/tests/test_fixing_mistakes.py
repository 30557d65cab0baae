"""Fixing mistakes: deleting an assessment, changing and deleting a control, and stopping
sharing an assessment. Each is audited; each refuses people from another organisation, a
manager who does not own the assessment, and someone it is only shared with."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from django.urls import reverse

from saferwork.accounts.decorators import SUDO_SESSION_KEY
from saferwork.actions import services as actions
from saferwork.actions.models import Action
from saferwork.audit.models import AuditEntry
from saferwork.risk import services
from saferwork.risk.models import Assessment, Control, Hazard, Review
from saferwork.tests import factories

pytestmark = pytest.mark.django_db


def main(response: Any) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def sudo(client: Any) -> Any:
    session = client.session
    session[SUDO_SESSION_KEY] = int(time.time()) + 600
    session.save()
    return client


def date_fields(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


@pytest.fixture
def full(make_assessment, make_hazard, make_control, done_with_evidence, leader, today):
    """An assessment with two hazards, three controls (one done with evidence, one open action,
    one with no action yet) and a review."""
    assessment = make_assessment()
    first = make_hazard(assessment)
    second = make_hazard(assessment, title="Customers harass staff at the counter")
    done = done_with_evidence(make_control(first))
    open_control = make_control(second, description="Screens at the counter")
    still_open = services.control_to_action(control=open_control, actor=leader)
    spare = make_control(second, description="Panic button")
    services.record_review(assessment=assessment, next_review_on=today + dt.timedelta(days=90), actor=leader)
    return {"assessment": assessment, "done": done, "open": still_open, "spare": spare, "open_control": open_control}


# ---------------------------------------------------------------- deleting an assessment


def test_deleting_an_assessment_asks_for_sudo_lists_what_goes_and_what_stays(verified_client, full, leader):
    assessment = full["assessment"]
    client = verified_client(leader)
    url = reverse("risk:assessment_delete", args=[assessment.pk])
    assert client.post(url, {"open_actions": "keep"})["Location"].startswith(reverse("accounts:sudo"))
    assert Assessment.objects.filter(pk=assessment.pk).exists()
    page = main(sudo(client).get(url))
    goes = page[page.index('id="what-goes"') : page.index('id="what-stays"')]
    assert "2 hazards" in goes and "3 controls" in goes and "1 recorded review" in goes
    stays = page[page.index('id="what-stays"') :]
    assert "The 2 actions made from its controls stay in the actions hub" in stays and "1 done" in stays
    assert "1 of them is still open." in page and "They will no longer link back" in page and "Cancel them" in page
    # The choice about open actions is required: no choice, nothing deleted.
    errors = main(client.post(url))
    assert "Select what should happen to its open actions" in errors
    assert Assessment.objects.filter(pk=assessment.pk).exists()
    assert not AuditEntry.objects.filter(action="saferwork.risk.assessment_deleted").exists()


def test_deleting_an_assessment_keeping_open_actions_leaves_every_action_as_it_was(verified_client, full, leader):
    assessment = full["assessment"]
    client = sudo(verified_client(leader))
    response = client.post(reverse("risk:assessment_delete", args=[assessment.pk]), {"open_actions": "keep"})
    assert response["Location"] == reverse("risk:register")
    assert not Assessment.objects.filter(pk=assessment.pk).exists()
    assert not Hazard.objects.exists() and not Control.objects.exists() and not Review.objects.exists()
    assert Action.objects.get(pk=full["done"].pk).status == "done"
    assert Action.objects.get(pk=full["open"].pk).status == "not_started"
    entry = AuditEntry.objects.get(action="saferwork.risk.assessment_deleted")
    assert entry.actor == leader and entry.target_id == str(assessment.pk)
    assert entry.data["title"] == "Housing officers' home visits" and len(entry.data["reviews"]) == 1
    titles = [h["title"] for h in entry.data["hazards"]]
    assert titles == ["Tenants harass officers on lone visits", "Customers harass staff at the counter"]
    second = entry.data["hazards"][1]["controls"]
    assert [c["description"] for c in second] == ["Screens at the counter", "Panic button"]
    assert second[0]["actions"] == [full["open"].pk] and entry.data["cancelled_actions"] == []
    # The hub still shows where the actions came from, without a broken link.
    detail = main(client.get(reverse("actions:detail", args=[full["open"].pk])))
    assert "Screens at the counter" in detail


def test_deleting_an_assessment_can_cancel_its_open_actions_each_audited(verified_client, full, leader):
    client = sudo(verified_client(leader))
    client.post(reverse("risk:assessment_delete", args=[full["assessment"].pk]), {"open_actions": "cancel"})
    cancelled = Action.objects.get(pk=full["open"].pk)
    assert cancelled.status == "cancelled" and cancelled.closed_on is not None
    assert Action.objects.get(pk=full["done"].pk).status == "done"  # done work is never undone
    change = AuditEntry.objects.get(action="saferwork.action.status_changed", target_id=str(cancelled.pk))
    assert change.data["to"] == "cancelled" and "was deleted" in change.data["note"]
    entry = AuditEntry.objects.get(action="saferwork.risk.assessment_deleted")
    assert entry.data["cancelled_actions"] == [cancelled.pk] and entry.data["open_actions"] == "cancel"


def test_an_assessment_without_open_actions_is_deleted_without_the_question(verified_client, make_assessment, leader):
    assessment = make_assessment()
    client = sudo(verified_client(leader))
    page = main(client.get(reverse("risk:assessment_delete", args=[assessment.pk])))
    assert "open_actions" not in page
    client.post(reverse("risk:assessment_delete", args=[assessment.pk]))
    assert not Assessment.objects.filter(pk=assessment.pk).exists()


def test_an_owner_may_delete_their_own_assessment_but_not_anothers(
    verified_client, make_assessment, manager, organisation
):
    own = make_assessment()
    other_owner = factories.member(organisation, email="other-owner@example.org")
    theirs = make_assessment(owner=other_owner, title="Someone else's")
    client = sudo(verified_client(manager))
    assert client.get(reverse("risk:assessment_delete", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("risk:assessment_delete", args=[theirs.pk])).status_code == 404
    client.post(reverse("risk:assessment_delete", args=[own.pk]))
    assert not Assessment.objects.filter(pk=own.pk).exists() and Assessment.objects.filter(pk=theirs.pk).exists()


def test_assessment_delete_page_queries_do_not_grow(
    verified_client, make_assessment, make_hazard, make_control, leader, django_assert_max_num_queries
):
    def build(n: int) -> Assessment:
        assessment = make_assessment(title=f"Size {n}")
        for k in range(n):
            hazard = make_hazard(assessment, title=f"H{k}")
            for _ in range(2):
                services.control_to_action(control=make_control(hazard), actor=leader)
        return assessment

    small, large = build(1), build(8)
    client = sudo(verified_client(leader))
    client.get(reverse("risk:register"))  # the session's first request does a little more
    counts = []
    for assessment in (small, large):
        with django_assert_max_num_queries(20) as captured:
            client.get(reverse("risk:assessment_delete", args=[assessment.pk]))
        counts.append(len(captured))
    assert counts[0] == counts[1]


# ---------------------------------------------------------------- changing and deleting a control


def test_owner_changes_a_control_and_the_audit_log_keeps_before_and_after(
    verified_client, full, manager, organisation, today
):
    control = full["open_control"]
    deputy = factories.member(organisation, email="deputy@example.org")
    client = verified_client(manager)
    url = reverse("risk:control_edit", args=[control.pk])
    page = main(client.get(url))
    assert "Change the control" in page and 'value="Screens at the counter"' in page
    assert reverse("actions:detail", args=[full["open"].pk]) in page  # its action keeps its own date
    assert "Enter the control" in main(client.post(url, {"description": "", "owner": deputy.pk}))
    new_due = today + dt.timedelta(days=30)
    response = client.post(
        url, {"description": "Fixed screens at the counter", "owner": deputy.pk, **date_fields("due_on", new_due)}
    )
    assert response["Location"].endswith(f"#control-{control.pk}")
    control.refresh_from_db()
    assert control.description == "Fixed screens at the counter" and control.owner == deputy
    assert control.due_on == new_due
    entry = AuditEntry.objects.get(action="saferwork.risk.control_changed")
    assert entry.actor == manager
    assert entry.data["changed"]["description"] == ["Screens at the counter", "Fixed screens at the counter"]
    assert entry.data["changed"]["owner_id"] == [manager.pk, deputy.pk]
    assert entry.data["changed"]["due_on"][1] == new_due.isoformat()
    assert Action.objects.get(pk=full["open"].pk).owner == manager  # the action is changed on its own page


def test_deleting_a_control_asks_for_sudo_and_keeps_its_action(verified_client, full, manager):
    control = full["open_control"]
    client = verified_client(manager)
    url = reverse("risk:control_delete", args=[control.pk])
    assert client.post(url)["Location"].startswith(reverse("accounts:sudo"))
    page = main(sudo(client).get(url))
    assert "Are you sure you want to delete this control?" in page and "Screens at the counter" in page
    assert "no longer count towards re-rating" in page
    assert Control.objects.filter(pk=control.pk).exists()
    response = client.post(url)
    assert response["Location"].endswith(f"#hazard-{control.hazard_id}")
    assert not Control.objects.filter(pk=control.pk).exists()
    assert Action.objects.get(pk=full["open"].pk).status == "not_started"
    entry = AuditEntry.objects.get(action="saferwork.risk.control_deleted")
    assert entry.target_id == str(control.hazard_id) and entry.actor == manager
    assert entry.data["description"] == "Screens at the counter" and entry.data["actions"] == [full["open"].pk]


def test_the_assessment_page_offers_change_and_delete_only_to_those_who_may(
    verified_client, full, manager, leader, organisation
):
    control = full["spare"]
    reader = factories.member(organisation, email="reader@example.org")
    services.share_assessment(assessment=full["assessment"], user=reader, actor=leader)
    url = reverse("risk:assessment", args=[full["assessment"].pk])
    owner_page = main(verified_client(manager).get(url))
    for name in ("risk:control_edit", "risk:control_delete"):
        assert reverse(name, args=[control.pk]) in owner_page
    assert reverse("risk:assessment_delete", args=[full["assessment"].pk]) in owner_page
    reader_page = main(verified_client(reader).get(url))
    for name in ("risk:control_edit", "risk:control_delete"):
        assert reverse(name, args=[control.pk]) not in reader_page
    assert reverse("risk:assessment_delete", args=[full["assessment"].pk]) not in reader_page
    assert reverse("risk:unshare", args=[full["assessment"].pk, reader.pk]) not in reader_page


# ---------------------------------------------------------------- stopping sharing


def test_owner_stops_sharing_from_the_assessment_page(verified_client, make_assessment, manager, leader, organisation):
    assessment = make_assessment()
    reader = factories.member(organisation, email="reader@example.org")
    reader.full_name = "Rita Reader"
    reader.save(update_fields=["full_name"])
    services.share_assessment(assessment=assessment, user=reader, actor=leader)
    assert verified_client(reader).get(reverse("risk:assessment", args=[assessment.pk])).status_code == 200
    client = verified_client(manager)
    page = main(client.get(reverse("risk:assessment", args=[assessment.pk])))
    stop = reverse("risk:unshare", args=[assessment.pk, reader.pk])
    assert stop in page and "Stop sharing" in page
    response = client.post(stop)
    assert response["Location"].endswith("#shared-with")
    assert not assessment.shared_with.filter(pk=reader.pk).exists()
    entry = AuditEntry.objects.get(action="saferwork.risk.assessment_unshared")
    assert entry.actor == manager and entry.data == {"with": reader.pk}
    assert "Nobody else." in main(client.get(reverse("risk:assessment", args=[assessment.pk])))
    assert verified_client(reader).get(reverse("risk:assessment", args=[assessment.pk])).status_code == 404
    # Stopping again for someone it is not shared with is a 404, and audits nothing.
    assert verified_client(manager).post(stop).status_code == 404
    assert AuditEntry.objects.filter(action="saferwork.risk.assessment_unshared").count() == 1


def test_someone_it_is_shared_with_cannot_stop_sharing(verified_client, make_assessment, leader, organisation):
    assessment = make_assessment()
    reader = factories.member(organisation, email="reader@example.org")
    other = factories.member(organisation, email="other@example.org")
    for person in (reader, other):
        services.share_assessment(assessment=assessment, user=person, actor=leader)
    client = verified_client(reader)
    assert client.post(reverse("risk:unshare", args=[assessment.pk, other.pk])).status_code == 403
    assert client.post(reverse("risk:unshare", args=[assessment.pk, reader.pk])).status_code == 403
    assert assessment.shared_with.count() == 2


# ---------------------------------------------------------------- outsiders and readers


def new_urls(full: dict[str, Any], person: Any) -> list[tuple[str, str, dict[str, Any]]]:
    a, c = full["assessment"].pk, full["spare"].pk
    return [
        ("get", reverse("risk:assessment_delete", args=[a]), {}),
        ("post", reverse("risk:assessment_delete", args=[a]), {"open_actions": "cancel"}),
        ("get", reverse("risk:control_edit", args=[c]), {}),
        ("post", reverse("risk:control_edit", args=[c]), {"description": "Hijacked", "owner": person.pk}),
        ("get", reverse("risk:control_delete", args=[c]), {}),
        ("post", reverse("risk:control_delete", args=[c]), {}),
        ("post", reverse("risk:unshare", args=[a, person.pk]), {}),
    ]


def test_outsider_and_reader_are_refused_every_new_view_and_change_nothing(
    verified_client, full, outsider, organisation, leader
):
    reader = factories.member(organisation, email="reader@example.org")
    services.share_assessment(assessment=full["assessment"], user=reader, actor=leader)
    plain = factories.member(organisation, email="plain@example.org")
    entries = AuditEntry.objects.count()
    for person, allowed in ((outsider, {404}), (reader, {403}), (plain, {404})):
        client = sudo(verified_client(person))
        for method, url, data in new_urls(full, reader):
            status = getattr(client, method)(url, data).status_code
            assert status in allowed, (str(person), method, url, status)
    assert Assessment.objects.filter(pk=full["assessment"].pk).exists()
    assert Control.objects.get(pk=full["spare"].pk).description == "Panic button"
    assert full["assessment"].shared_with.filter(pk=reader.pk).exists()
    assert Action.objects.get(pk=full["open"].pk).status == "not_started"
    assert AuditEntry.objects.count() == entries


def test_control_pages_queries_do_not_grow(
    verified_client, make_assessment, make_hazard, make_control, leader, django_assert_max_num_queries
):
    assessment = make_assessment()
    hazard = make_hazard(assessment)
    small = make_control(hazard)
    services.control_to_action(control=small, actor=leader)
    large = make_control(hazard, description="Busy control")
    for _ in range(6):
        action = actions.create_action(
            organisation=assessment.organisation,
            title="Another",
            owner=leader,
            due_on=large.due_on,
            source_kind="risk_control",
            source_ref=str(large.pk),
            actor=leader,
        )
        actions.change_status(action=action, status="cancelled", actor=leader)
    client = sudo(verified_client(leader))
    client.get(reverse("risk:register"))  # the session's first request does a little more
    for name in ("risk:control_edit", "risk:control_delete"):
        counts = []
        for control in (small, large):
            with django_assert_max_num_queries(20) as captured:
                assert client.get(reverse(name, args=[control.pk])).status_code == 200
            counts.append(len(captured))
        assert counts[0] == counts[1], name


def test_register_is_paginated_and_its_queries_do_not_grow(
    verified_client, leader, make_assessment, make_hazard, django_assert_max_num_queries
):
    for n in range(3):
        make_hazard(make_assessment(title=f"Assessment {n:03d}"))
    client = verified_client(leader)
    client.get(reverse("actions:hub"))  # the session's first request does a little more
    with django_assert_max_num_queries(20) as few:
        page = main(client.get(reverse("risk:register")))
    assert "3 assessments" in page and "Page 1 of" not in page
    for n in range(3, 55):
        make_assessment(title=f"Assessment {n:03d}")
    with django_assert_max_num_queries(20) as many:
        page = main(client.get(reverse("risk:register")))
    assert len(many) == len(few)
    assert "55 assessments" in page and "page 1 of 2" in page and "Assessment 049" in page
    assert "Assessment 050" not in page and "?page=2" in page
    second = main(client.get(reverse("risk:register") + "?page=2"))
    assert "Assessment 054" in second and "Assessment 049" not in second
