from __future__ import annotations

import csv
import datetime as dt
import io
import time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from saferwork.accounts.decorators import SUDO_SESSION_KEY
from saferwork.actions import services
from saferwork.actions.models import Action, Evidence
from saferwork.audit.models import AuditEntry
from saferwork.tests import factories

pytestmark = pytest.mark.django_db


def sudo(client: Any) -> Any:
    session = client.session
    session[SUDO_SESSION_KEY] = int(time.time()) + 600
    session.save()
    return client


def main(response: Any) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def date_fields(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


# ---------------------------------------------------------------- the hub


def test_leader_sees_every_action_with_overdue_tagged(verified_client, leader, make_action, today):
    make_action(title="Train the line managers")
    make_action(title="Review the lone-working risk", due_on=today - dt.timedelta(days=2))
    make_action(title="Old and done", due_on=today - dt.timedelta(days=9), status="done")
    page = main(verified_client(leader).get(reverse("actions:hub")))
    assert "Train the line managers" in page and "Review the lone-working risk" in page and "Old and done" in page
    assert page.count(">Overdue</strong>") == 1
    assert "3 actions" in page


def test_overdue_status_owner_and_source_filters(
    verified_client, leader, make_action, organisation, today, survey_source
):
    other_owner = factories.member(organisation, email="second@example.org")
    make_action(title="Late one", due_on=today - dt.timedelta(days=1))
    make_action(title="Late but cancelled", due_on=today - dt.timedelta(days=1), status="cancelled")
    make_action(title="Someone else's", owner=other_owner)
    make_action(title="From the survey", source_kind=survey_source, source_ref="2")
    client = verified_client(leader)
    overdue = main(client.get(reverse("actions:hub"), {"overdue": "on"}))
    assert "Late one" in overdue and "Late but cancelled" not in overdue and "From the survey" not in overdue
    by_owner = main(client.get(reverse("actions:hub"), {"owner": other_owner.pk}))
    assert "Someone else&#x27;s" in by_owner and "Late one" not in by_owner
    cancelled = main(client.get(reverse("actions:hub"), {"status": ["cancelled"]}))
    assert "Late but cancelled" in cancelled and "Late one" not in cancelled
    from_survey = main(client.get(reverse("actions:hub"), {"source_kind": survey_source}))
    assert "From the survey" in from_survey and "Staff survey 2026, Housing: item 2" in from_survey
    assert "Late one" not in from_survey


def test_hub_queries_do_not_grow_with_the_actions(
    verified_client, leader, make_action, organisation, django_assert_max_num_queries, today
):
    owners = [factories.member(organisation, with_device=False) for _ in range(5)]
    for n in range(60):
        action = make_action(title=f"Action {n}", owner=owners[n % 5], due_on=today + dt.timedelta(days=n - 10))
        if n % 3 == 0:
            services.add_evidence_link(action=action, url="/x/", actor=leader)
    client = verified_client(leader)
    with django_assert_max_num_queries(11):
        response = client.get(reverse("actions:hub"), {"page": "2"})
    assert response.status_code == 200 and "Page 2 of 3" in main(response)


def test_an_owner_without_a_role_sees_only_their_own_actions(verified_client, owner, make_action, organisation):
    make_action(title="Mine")
    make_action(title="Not mine", owner=factories.member(organisation))
    response = verified_client(owner).get(reverse("actions:hub"))
    page = main(response)
    assert response.status_code == 200 and "Your actions" in page
    assert "Mine" in page and "Not mine" not in page
    assert reverse("actions:export") not in page and reverse("actions:create") not in page


def test_outsider_sees_none_of_this_organisations_actions_in_their_hub(verified_client, outsider, make_action):
    make_action(title="Home union action")
    response = verified_client(outsider).get(reverse("actions:hub"))
    assert response.status_code == 200 and "Home union action" not in main(response)


def test_someone_with_no_organisation_cannot_open_the_hub(verified_client):
    lonely = factories.UserFactory()
    factories.add_totp(lonely)
    assert verified_client(lonely).get(reverse("actions:hub")).status_code == 403


# ---------------------------------------------------------------- create and edit


def test_leader_adds_an_action_with_a_govuk_date(verified_client, leader, owner, today):
    due = today + dt.timedelta(days=30)
    response = verified_client(leader).post(
        reverse("actions:create"),
        {"title": "Brief the SLT on results", "owner": owner.pk, **date_fields("due_on", due)},
    )
    action = Action.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("actions:detail", args=[action.pk])
    assert action.due_on == due and action.owner == owner and action.created_by == leader


def test_form_errors_name_their_fields_and_return_200(verified_client, leader):
    response = verified_client(leader).post(
        reverse("actions:create"),
        {"title": "", "owner": "", "due_on_day": "31", "due_on_month": "2", "due_on_year": "2027"},
    )
    page = main(response)
    assert response.status_code == 200
    assert 'href="#id_title">Enter what needs to be done' in page
    assert 'href="#id_owner">Select who owns this action' in page
    assert 'href="#id_due_on_day">Due date must be a real date' in page
    assert not Action.objects.exists()


def test_an_owner_from_another_organisation_cannot_be_chosen(verified_client, leader, outsider, today):
    response = verified_client(leader).post(
        reverse("actions:create"), {"title": "X", "owner": outsider.pk, **date_fields("due_on", today)}
    )
    assert response.status_code == 200 and "Select an owner from the list" in main(response)


def test_new_action_from_a_registered_source_is_prefilled_and_kept(
    verified_client, leader, owner, today, survey_source
):
    client = verified_client(leader)
    url = f"{reverse('actions:create')}?source_kind={survey_source}&source_ref=4"
    page = main(client.get(url))
    assert "This action answers" in page and "Staff survey 2026, Housing: item 4" in page
    assert 'href="/surveys/results/4/"' in page
    client.post(url, {"title": "Act on item 4", "owner": owner.pk, **date_fields("due_on", today)})
    action = Action.objects.get()
    assert (action.source_kind, action.source_ref, action.source_label) == (
        survey_source,
        "4",
        "Staff survey 2026, Housing: item 4",
    )


@pytest.mark.parametrize(
    "query", ["source_kind=nobody_registered_this&source_ref=1", "source_kind=test_survey&source_ref=x"]
)
def test_new_action_from_an_unknown_source_is_not_found(verified_client, leader, owner, today, survey_source, query):
    client = verified_client(leader)
    url = f"{reverse('actions:create')}?{query}"
    assert client.get(url).status_code == 404
    assert client.post(url, {"title": "X", "owner": owner.pk, **date_fields("due_on", today)}).status_code == 404
    assert not Action.objects.exists()


def test_owner_without_a_role_cannot_add_or_edit_actions(verified_client, owner, make_action):
    action = make_action()
    client = verified_client(owner)
    assert client.get(reverse("actions:create")).status_code == 403
    assert client.get(reverse("actions:edit", args=[action.pk])).status_code == 403


def test_leader_edits_an_action(verified_client, leader, make_action, owner, today):
    action = make_action()
    due = today + dt.timedelta(days=60)
    client = verified_client(leader)
    page = main(client.get(reverse("actions:edit", args=[action.pk])))
    assert 'value="Publish the harassment policy on the intranet"' in page
    response = client.post(
        reverse("actions:edit", args=[action.pk]),
        {"title": "Publish the policy", "owner": owner.pk, "department": "HR", **date_fields("due_on", due)},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.title == "Publish the policy" and action.due_on == due and action.department == "HR"


# ---------------------------------------------------------------- detail, status, evidence


def test_detail_shows_the_history_from_the_audit_log(verified_client, leader, make_action):
    action = make_action()
    services.change_status(action=action, status="in_progress", actor=leader, note="Draft with HR")
    services.add_evidence_link(action=action, url="https://intranet.example.org/policy", actor=leader)
    page = main(verified_client(leader).get(reverse("actions:detail", args=[action.pk])))
    assert "Action added" in page
    assert "Status changed from not started to in progress" in page and "Draft with HR" in page
    assert "Evidence added: https://intranet.example.org/policy" in page
    assert 'rel="noopener noreferrer"' in page


def test_owner_changes_the_status_and_adds_evidence(verified_client, owner, make_action):
    action = make_action()
    client = verified_client(owner)
    response = client.post(reverse("actions:status", args=[action.pk]), {"status": "done", "note": "Published"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "done"
    upload = SimpleUploadedFile("poster.txt", b"Poster text", content_type="text/plain")
    response = client.post(
        reverse("actions:add_evidence", args=[action.pk, "file"]), {"file": upload, "file_label": "Poster"}
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    download = client.get(reverse("actions:evidence_file", args=[action.pk, evidence.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"Poster text"
    assert AuditEntry.objects.filter(action="saferwork.action.evidence_added", actor=owner).exists()


def test_status_and_evidence_errors_show_on_the_action_page_with_200(verified_client, leader, make_action):
    action = make_action()
    client = verified_client(leader)
    response = client.post(reverse("actions:status", args=[action.pk]), {"status": ""})
    assert response.status_code == 200 and 'href="#id_status_0">Select a status' in main(response)
    response = client.post(reverse("actions:add_evidence", args=[action.pk, "link"]), {"url": "javascript:alert(1)"})
    assert response.status_code == 200 and 'href="#id_url">Enter a link that starts with https://' in main(response)
    bad = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(reverse("actions:add_evidence", args=[action.pk, "file"]), {"file": bad})
    assert response.status_code == 200 and 'href="#id_file">The selected file must be a' in main(response)
    assert not Evidence.objects.exists()


def test_a_member_who_does_not_own_it_cannot_open_it(verified_client, make_action, organisation):
    action = make_action()
    bystander = factories.member(organisation)
    client = verified_client(bystander)
    assert client.get(reverse("actions:detail", args=[action.pk])).status_code == 404
    assert client.post(reverse("actions:status", args=[action.pk]), {"status": "done"}).status_code == 404


def test_remove_evidence(verified_client, leader, make_action):
    action = make_action()
    link = services.add_evidence_link(action=action, url="/reporting/statistics/", actor=leader)
    response = verified_client(leader).post(reverse("actions:remove_evidence", args=[action.pk, link.pk]))
    assert response.status_code == 302 and not Evidence.objects.exists()


# ---------------------------------------------------------------- delete and export


def test_delete_asks_for_sudo_then_confirmation(verified_client, leader, make_action):
    action = make_action()
    client = verified_client(leader)
    url = reverse("actions:delete", args=[action.pk])
    assert client.post(url).status_code == 302 and Action.objects.exists()  # to the sudo page first
    sudo(client)
    assert "Are you sure you want to delete this action?" in main(client.get(url))
    assert client.post(url)["Location"] == reverse("actions:hub")
    assert not Action.objects.exists()


def test_export_is_audited_follows_the_filters_and_neutralises_formulas(verified_client, leader, make_action, today):
    make_action(title='=HYPERLINK("http://evil.example")', due_on=today - dt.timedelta(days=1))
    make_action(title="Not overdue")
    client = sudo(verified_client(leader))
    response = client.get(reverse("actions:export"), {"overdue": "on"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["id", "title", "department"]
    assert len(rows) == 2
    assert rows[1][1] == '\'=HYPERLINK("http://evil.example")' and rows[1][7] == "yes"
    entry = AuditEntry.objects.get(action="saferwork.actions.exported")
    assert entry.actor == leader and entry.data["filters"] == {"overdue": ["on"]}


def test_export_needs_sudo_and_the_manage_permission(verified_client, owner, leader):
    assert verified_client(leader).get(reverse("actions:export")).status_code == 302
    assert sudo(verified_client(owner)).get(reverse("actions:export")).status_code == 403


# ---------------------------------------------------------------- outsiders, every view


def _urls(action: Action, evidence: Evidence) -> list[tuple[str, str]]:
    pk = action.pk
    return [
        ("get", reverse("actions:detail", args=[pk])),
        ("get", reverse("actions:edit", args=[pk])),
        ("post", reverse("actions:edit", args=[pk])),
        ("post", reverse("actions:status", args=[pk])),
        ("post", reverse("actions:add_evidence", args=[pk, "link"])),
        ("post", reverse("actions:add_evidence", args=[pk, "file"])),
        ("post", reverse("actions:remove_evidence", args=[pk, evidence.pk])),
        ("get", reverse("actions:evidence_file", args=[pk, evidence.pk])),
        ("get", reverse("actions:delete", args=[pk])),
        ("post", reverse("actions:delete", args=[pk])),
    ]


def test_outsider_gets_404_on_every_page_of_an_action(verified_client, outsider, leader, make_action):
    action = make_action()
    upload = SimpleUploadedFile("notes.txt", b"Minutes", content_type="text/plain")
    evidence = services.add_evidence_file(action=action, upload=upload, actor=leader)
    client = sudo(verified_client(outsider))
    for method, url in _urls(action, evidence):
        data = {"status": "done", "url": "/x/", "title": "Hijacked"} if method == "post" else None
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (method, url, response.status_code)
    action.refresh_from_db()
    assert action.status == "not_started" and action.title != "Hijacked" and Evidence.objects.count() == 1


def test_outsider_export_holds_only_their_own_organisations_actions(verified_client, outsider, make_action):
    make_action(title="Home union action")
    response = sudo(verified_client(outsider)).get(reverse("actions:export"))
    assert b"Home union action" not in b"".join(response.streaming_content)


def test_dashboard_links_the_hub_for_leaders_and_owners_but_not_others(
    verified_client, leader, owner, make_action, organisation
):
    make_action()
    assert reverse("actions:hub") in main(verified_client(leader).get(reverse("core:dashboard")))
    assert "Your actions" in main(verified_client(owner).get(reverse("core:dashboard")))
    bystander = factories.member(organisation)
    assert reverse("actions:hub") not in main(verified_client(bystander).get(reverse("core:dashboard")))


def test_detail_queries_do_not_grow_with_evidence_and_history(
    verified_client, leader, make_action, django_assert_max_num_queries
):
    action = make_action()
    for n in range(15):
        services.add_evidence_link(action=action, url=f"/evidence/{n}/", actor=leader)
        services.change_status(action=action, status="in_progress" if n % 2 == 0 else "not_started", actor=leader)
    client = verified_client(leader)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("actions:detail", args=[action.pk]))
    assert main(response).count("Evidence added: /evidence/") == 15


def test_other_apps_link_to_the_prefilled_form_and_list_a_sources_actions(make_action, organisation, survey_source):
    from saferwork.actions.selectors import actions_for_source
    from saferwork.actions.views import new_action_url

    assert new_action_url(survey_source, "7") == f"{reverse('actions:create')}?source_kind=test_survey&source_ref=7"
    answering = make_action(title="Answers item 7", source_kind=survey_source, source_ref="7")
    make_action(title="Answers item 8", source_kind=survey_source, source_ref="8")
    make_action(title="By hand")
    assert list(actions_for_source(organisation, survey_source, "7")) == [answering]
