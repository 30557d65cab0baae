"""Publishing, asking, acknowledging and reminding: one row per person per version, immutable
versions, emails to the right people only, departments kept as they were when asked."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from saferwork.audit.models import AuditEntry
from saferwork.lib.tests.samples import pdf_with_author
from saferwork.standards import selectors, services
from saferwork.standards.models import Document, DocumentVersion, Placement, PublishedVersionChanged, Request
from saferwork.standards.tests.conftest import place
from saferwork.surveys import staff_list
from saferwork.tests import factories

pytestmark = pytest.mark.django_db


def test_publishing_asks_every_member_once_with_their_department(
    organisation: Any, world: dict[str, Any], participant: Any, outsider: Any
) -> None:
    policy = world["policy"]
    members = organisation.memberships.count()
    assert Request.objects.filter(version=policy).count() == members == 16
    mine = Request.objects.get(version=policy, user=participant)
    assert mine.department == world["housing"] and mine.acknowledged_at is None
    assert not Request.objects.filter(user=outsider).exists()
    # The handbook went to Housing only.
    asked = set(Request.objects.filter(version=world["handbook"]).values_list("department__name", flat=True))
    assert asked == {"Housing"} and Request.objects.filter(version=world["handbook"]).count() == 12
    assert AuditEntry.objects.filter(action="saferwork.standards.published", organisation=organisation).count() == 2


def test_an_audience_never_reaches_outside_the_organisation(
    organisation: Any, coordinator: Any, outsider: Any, world: dict[str, Any]
) -> None:
    ids = services.audience_user_ids(
        organisation=organisation, audience=services.Audience(people=(outsider.pk, coordinator.pk))
    )
    assert ids == {coordinator.pk}


def test_a_published_version_cannot_be_changed_or_deleted(world: dict[str, Any]) -> None:
    version = DocumentVersion.objects.get(pk=world["policy"].pk)
    version.body = "Something else"
    with pytest.raises(PublishedVersionChanged):
        version.save()
    with pytest.raises(PublishedVersionChanged):
        version.delete()
    assert DocumentVersion.objects.get(pk=version.pk).body.startswith("# Our policy")


def test_a_new_version_asks_everyone_again_and_replaces_the_old(
    organisation: Any, coordinator: Any, participant: Any, world: dict[str, Any]
) -> None:
    old = world["policy"]
    services.acknowledge(request=Request.objects.get(version=old, user=participant), actor=participant)
    new = services.publish_version(
        organisation=organisation,
        document=old.document,
        actor=coordinator,
        label="1.1",
        summary="Adds third parties",
        body="Now with third parties.",
        audience=services.Audience(previous=True),
    )
    assert Request.objects.filter(version=new).count() == Request.objects.filter(version=old).count()
    assert Request.objects.get(version=new, user=participant).acknowledged_at is None  # asked again
    document = Document.objects.get(pk=old.document_id)
    assert document.current_version == new
    with pytest.raises(services.StandardsError):
        services.publish_version(
            organisation=organisation,
            document=document,
            actor=coordinator,
            label="1.1",
            body="Again",
            audience=services.Audience(everyone=True),
        )


def test_only_the_person_asked_acknowledges_and_it_is_audited(
    participant: Any, colleague: Any, world: dict[str, Any]
) -> None:
    mine = Request.objects.get(version=world["policy"], user=participant)
    with pytest.raises(services.StandardsError):
        services.acknowledge(request=mine, actor=colleague)
    services.acknowledge(request=mine, actor=participant)
    mine.refresh_from_db()
    assert mine.acknowledged_at is not None and mine.read_at is not None
    entry = AuditEntry.objects.get(action="saferwork.standards.acknowledged")
    assert entry.actor == participant and entry.target_id == str(world["policy"].pk)
    first = mine.acknowledged_at
    services.acknowledge(request=mine, actor=participant)  # twice is once
    mine.refresh_from_db()
    assert mine.acknowledged_at == first
    assert AuditEntry.objects.filter(action="saferwork.standards.acknowledged").count() == 1


def test_asking_emails_each_person_separately(
    organisation: Any, coordinator: Any, django_capture_on_commit_callbacks: Any
) -> None:
    people = [factories.member(organisation, email=f"p{n}@example.org", with_device=False) for n in range(3)]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_version(
            organisation=organisation,
            actor=coordinator,
            kind="standards",
            title="Our behavioural standards",
            label="1",
            body="Respect.",
            audience=services.Audience(people=tuple(p.pk for p in people)),
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert all(len(m.to) == 1 and "Our behavioural standards" in m.subject for m in mail.outbox)
    assert all("/standards/versions/" in m.body for m in mail.outbox)


def test_reminders_go_to_those_who_have_not_acknowledged_once_a_day(
    organisation: Any, participant: Any, colleague: Any, world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    handbook = world["handbook"]
    services.acknowledge(request=Request.objects.get(version=handbook, user=participant), actor=participant)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.queue_reminders(version=handbook, actor=None)
    reminded = {m.to[0] for m in mail.outbox}
    assert colleague.email in reminded and participant.email not in reminded
    assert len(reminded) == 11 and all("Reminder" in m.subject for m in mail.outbox)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.queue_reminders(version=handbook, actor=None)  # the same day: nobody twice
    assert mail.outbox == []


def test_scheduled_reminders_wait_a_week_then_weekly_up_to_four(
    organisation: Any, colleague: Any, world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    today = selectors_today(organisation)
    assert services.send_due_reminders(today=today) == 0  # asked today: too soon
    Request.objects.update(asked_at=timezone.now() - dt.timedelta(days=8))
    sent = []
    for week in range(6):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.send_due_reminders(today=today + dt.timedelta(days=7 * week))
        sent.append(sum(1 for m in mail.outbox if m.to == [colleague.email]))
    # Two documents each week for four weeks, then nothing more.
    assert sent == [2, 2, 2, 2, 0, 0]
    assert services.send_due_reminders(today=today + dt.timedelta(days=3)) == 0


def selectors_today(organisation: Any) -> dt.date:
    from saferwork.actions.selectors import today_for

    return today_for(organisation)


def test_a_replaced_version_is_not_reminded(
    organisation: Any, coordinator: Any, world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    old = world["handbook"]
    services.publish_version(
        organisation=organisation,
        document=old.document,
        actor=coordinator,
        label="2028",
        body="Be kinder.",
        audience=services.Audience(previous=True),
    )
    old.document.refresh_from_db()
    old = DocumentVersion.objects.select_related("document").get(pk=old.pk)
    with pytest.raises(services.StandardsError):
        services.queue_reminders(version=old, actor=coordinator)


def test_moving_someone_keeps_the_department_they_were_asked_in(
    organisation: Any, participant: Any, world: dict[str, Any]
) -> None:
    place(organisation, [participant], world["parks"])
    assert Request.objects.get(version=world["policy"], user=participant).department == world["housing"]


def test_a_staff_list_places_members_and_skips_strangers(
    organisation: Any, coordinator: Any, participant: Any, world: dict[str, Any]
) -> None:
    names = {d.name.casefold(): d.pk for d in selectors.departments_of(organisation)}
    data = io.BytesIO(b"email,department\nparticipant@example.org,Parks\nstranger@example.org,Housing\n")
    checked = staff_list.check_staff_list(data, filename="list.csv", departments=names)
    assert checked.clean
    result = services.place_people(
        organisation=organisation, rows=[(r.email, r.department_id) for r in checked.rows], actor=coordinator
    )
    assert result.placed == 1 and result.not_members == ["stranger@example.org"]
    assert Placement.objects.get(user=participant).department == world["parks"]
    bad = staff_list.check_staff_list(
        io.BytesIO(b"email,department\nparticipant@example.org,Nowhere\n"),
        filename="list.csv",
        departments=names,
        unknown_department="is not one of the organisation's departments",
    )
    assert bad.errors == [(2, "“Nowhere” is not one of the organisation's departments.")]


def test_a_pdf_version_is_cleaned_and_stored(organisation: Any, coordinator: Any, world: dict[str, Any]) -> None:
    upload = SimpleUploadedFile("policy.pdf", pdf_with_author(), content_type="application/pdf")
    version = services.publish_version(
        organisation=organisation,
        actor=coordinator,
        kind="other",
        title="Code of conduct",
        label="1",
        upload=upload,
        audience=services.Audience(everyone=True),
    )
    stored = version.file.open("rb").read()
    assert stored.startswith(b"%PDF-") and b"Ottoline" not in stored
    assert version.file_name == "policy.pdf" and "policy" not in version.file.name
    with pytest.raises(services.StandardsError):
        services.publish_version(
            organisation=organisation,
            actor=coordinator,
            kind="other",
            title="Not a PDF",
            label="1",
            upload=SimpleUploadedFile("x.pdf", b"hello", content_type="application/pdf"),
            audience=services.Audience(everyone=True),
        )
