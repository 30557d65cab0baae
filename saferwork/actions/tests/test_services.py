from __future__ import annotations

import datetime as dt
import io

import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from saferwork.actions import services, sources
from saferwork.actions.models import Action, Evidence
from saferwork.audit.models import AuditEntry
from saferwork.lib.tests.samples import jpeg_with_gps, pdf_with_author
from saferwork.tests import factories

pytestmark = pytest.mark.django_db


def entries(action: Action) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(target_type="actions.action", target_id=str(action.pk)).order_by("created_at", "id")
    )


def test_creating_an_action_writes_an_audit_entry_with_who_and_when_it_is_due(make_action, leader, owner, today):
    action = make_action()
    (entry,) = entries(action)
    assert entry.action == "saferwork.action.created"
    assert entry.actor == leader and entry.organisation == action.organisation
    assert entry.data["owner"] == owner.pk and entry.data["due_on"] == action.due_on.isoformat()
    assert action.status == Action.Status.NOT_STARTED and action.source_kind == sources.MANUAL


def test_owner_must_belong_to_the_organisation(make_action, other_organisation):
    stranger = factories.member(other_organisation)
    with pytest.raises(services.ActionError, match="member of this organisation"):
        make_action(owner=stranger)
    assert not Action.objects.exists() and not AuditEntry.objects.exists()


def test_editing_records_the_fields_changed_and_the_old_and_new_due_date(make_action, leader, organisation):
    action = make_action()
    new_owner = factories.member(organisation)
    new_due = action.due_on + dt.timedelta(days=7)
    services.update_action(
        action=action,
        actor=leader,
        title=action.title,
        description="Link it from the staff home page",
        department="Housing",
        owner=new_owner,
        due_on=new_due,
    )
    entry = entries(action)[-1]
    assert entry.action == "saferwork.action.changed"
    assert entry.data["fields"] == ["description", "department", "owner", "due_on"]
    assert entry.data["due_on"] == [(new_due - dt.timedelta(days=7)).isoformat(), new_due.isoformat()]
    assert entry.data["owner"][1] == new_owner.pk
    action.refresh_from_db()
    assert action.department == "Housing" and action.owner == new_owner


def test_saving_without_changes_writes_nothing(make_action, leader):
    action = make_action()
    services.update_action(
        action=action,
        actor=leader,
        **{n: getattr(action, n) for n in services.EDITABLE},
    )
    assert len(entries(action)) == 1


def test_status_change_is_audited_with_its_note_and_closing_records_the_day(make_action, leader, today):
    action = make_action()
    services.change_status(action=action, status="in_progress", actor=leader)
    assert action.closed_on is None
    services.change_status(action=action, status="done", actor=leader, note="Published on 3 March")
    action.refresh_from_db()
    assert action.closed_on == today
    entry = entries(action)[-1]
    assert entry.action == "saferwork.action.status_changed"
    assert entry.data == {"from": "in_progress", "to": "done", "note": "Published on 3 March"}
    services.change_status(action=action, status="in_progress", actor=leader)
    action.refresh_from_db()
    assert action.closed_on is None  # reopened


def test_an_unknown_status_is_refused(make_action, leader):
    with pytest.raises(services.ActionError):
        services.change_status(action=make_action(), status="finished", actor=leader)


def test_evidence_file_is_cleaned_of_its_author_and_audited(make_action, leader):
    action = make_action()
    upload = SimpleUploadedFile("minutes.pdf", pdf_with_author("Minutes"), content_type="application/pdf")
    evidence = services.add_evidence_file(action=action, upload=upload, actor=leader, label="Board minutes")
    kept = pypdf.PdfReader(io.BytesIO(evidence.file.read()))
    assert kept.metadata is None or "/Author" not in kept.metadata
    assert evidence.file_name == "minutes.pdf" and "minutes" not in evidence.file.name  # a random stored name
    entry = entries(action)[-1]
    assert entry.action == "saferwork.action.evidence_added"
    assert entry.data == {"kind": "file", "evidence": evidence.pk, "name": "minutes.pdf"}


def test_an_image_loses_its_gps_position(make_action, leader):
    upload = SimpleUploadedFile("poster.jpg", jpeg_with_gps(), content_type="image/jpeg")
    evidence = services.add_evidence_file(action=make_action(), upload=upload, actor=leader)
    assert b"Exif" not in evidence.file.read()


def test_a_file_that_is_not_what_it_says_is_refused_and_nothing_is_kept(make_action, leader):
    action = make_action()
    upload = SimpleUploadedFile("minutes.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(services.ActionError, match="not a PDF"):
        services.add_evidence_file(action=action, upload=upload, actor=leader)
    assert not Evidence.objects.exists() and len(entries(action)) == 1


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "//evil.example/x", "ftp://example.org/file", "https://", "data:text/html,hi"]
)
def test_evidence_links_must_be_web_addresses_or_saferwork_paths(make_action, leader, url):
    with pytest.raises(services.ActionError):
        services.add_evidence_link(action=make_action(), url=url, actor=leader)


def test_evidence_link_and_removal_are_audited_and_the_file_is_deleted(
    make_action, leader, django_capture_on_commit_callbacks
):
    action = make_action()
    link = services.add_evidence_link(action=action, url="/reporting/statistics/", actor=leader, label="Statistics")
    upload = SimpleUploadedFile("notes.txt", b"Staff briefing held", content_type="text/plain")
    evidence = services.add_evidence_file(action=action, upload=upload, actor=leader)
    storage, name = evidence.file.storage, evidence.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_evidence(evidence=evidence, actor=leader)
    services.remove_evidence(evidence=link, actor=leader)
    assert not storage.exists(name)
    actions = [e.action.rsplit(".", 1)[-1] for e in entries(action)]
    assert actions == ["created", "evidence_added", "evidence_added", "evidence_removed", "evidence_removed"]


def test_deleting_keeps_what_the_action_was_in_the_audit_log(make_action, leader, django_capture_on_commit_callbacks):
    action = make_action()
    upload = SimpleUploadedFile("notes.txt", b"Staff briefing held", content_type="text/plain")
    evidence = services.add_evidence_file(action=action, upload=upload, actor=leader)
    storage, name, pk = evidence.file.storage, evidence.file.name, action.pk
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_action(action=action, actor=leader)
    assert not Action.objects.filter(pk=pk).exists() and not storage.exists(name)
    entry = AuditEntry.objects.get(action="saferwork.action.deleted")
    assert entry.target_id == str(pk) and entry.data["title"] == "Publish the harassment policy on the intranet"


def test_a_source_is_checked_against_the_registry_and_its_label_kept(make_action, survey_source):
    action = make_action(source_kind=survey_source, source_ref="3")
    assert action.source_label == "Staff survey 2026, Housing: item 3"
    assert entries(action)[0].data["source_ref"] == "3"


@pytest.mark.parametrize(
    ("kind", "ref"),
    [("nobody_registered_this", "1"), ("test_survey", ""), ("test_survey", "not-there"), ("manual", "5")],
)
def test_unknown_sources_and_references_are_refused(make_action, survey_source, kind, ref):
    with pytest.raises(services.ActionError):
        make_action(source_kind=kind, source_ref=ref)
    assert not Action.objects.exists()


def test_a_kind_other_than_manual_must_say_how_to_check_its_references():
    with pytest.raises(ValueError, match="describe"):
        sources.register("risk_assessment", "Risk assessment")
    with pytest.raises(ValueError, match="lower-case"):
        sources.register("Risk Assessment", "Risk assessment", describe=lambda org, ref: None)
