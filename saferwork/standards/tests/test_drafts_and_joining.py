"""Drafts are previewed by coordinators and never shown to members or asked; a published
version can be withdrawn (asking and reminding stop, the history stays); whoever joins
after a version was published for everyone is asked to read it, whichever way they join."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from saferwork.accounts import services as accounts
from saferwork.accounts.models import User
from saferwork.audit.models import AuditEntry
from saferwork.lib.tests.samples import pdf_with_author
from saferwork.organisations import services as organisations
from saferwork.organisations.models import Membership, Organisation
from saferwork.standards import demo, duty, services
from saferwork.standards.models import Document, DocumentVersion, PublishedVersionChanged, Request
from saferwork.standards.tests.conftest import place
from saferwork.tests import factories

pytestmark = pytest.mark.django_db


def _draft(organisation: Any, coordinator: Any, **kw: Any) -> DocumentVersion:
    return services.save_draft(
        organisation=organisation,
        actor=coordinator,
        kind=kw.pop("kind", "standards"),
        title=kw.pop("title", "Our standards"),
        label=kw.pop("label", "1"),
        body=kw.pop("body", "DRAFT-TEXT: be respectful."),
        **kw,
    )


# ---------------------------------------------------------------- drafts


def test_a_coordinator_saves_a_draft_previews_changes_and_publishes_it(
    verified_client: Any,
    coordinator: Any,
    participant: Any,
    organisation: Any,
    world: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = verified_client(coordinator)
    # A draft needs no answer to "who is asked".
    response = client.post(
        reverse("standards:document_new"),
        {"kind": "standards", "title": "Our standards", "label": "1", "body": "DRAFT-TEXT *one*", "action": "draft"},
    )
    draft = DocumentVersion.objects.get(document__title="Our standards")
    assert response.status_code == 302 and response["Location"] == reverse("standards:draft", args=[draft.pk])
    assert draft.is_draft and draft.document.current_version_id is None
    assert not Request.objects.filter(version=draft).exists()
    preview = client.get(response["Location"]).content.decode()
    assert 'id="draft-banner"' in preview and "<em>one</em>" in preview
    assert "Nobody has been asked to read it" in preview
    manage = client.get(reverse("standards:manage")).content.decode()
    assert "Drafts and withdrawn documents" in manage and "Our standards" in manage
    # Changed, then the preview shows the change.
    edit = client.get(reverse("standards:draft_edit", args=[draft.pk])).content.decode()
    assert "DRAFT-TEXT *one*" in edit
    client.post(
        reverse("standards:draft_edit", args=[draft.pk]), {"label": "1.0", "summary": "", "body": "DRAFT-TEXT *two*"}
    )
    assert "<em>two</em>" in client.get(reverse("standards:draft", args=[draft.pk])).content.decode()
    # Publishing is a confirmation step that chooses who is asked.
    page = client.get(reverse("standards:draft_publish", args=[draft.pk])).content.decode()
    assert "Once published, this version cannot be changed" in page
    refused = client.post(reverse("standards:draft_publish", args=[draft.pk]), {})
    assert refused.status_code == 200 and not Request.objects.filter(version=draft).exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("standards:draft_publish", args=[draft.pk]), {"who": "everyone"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.published_at is not None and draft.label == "1.0" and draft.asks_everyone
    assert draft.document.current_version_id == draft.pk
    assert Request.objects.filter(version=draft, user=participant).exists()
    assert participant.email in {m.to[0] for m in mail.outbox}
    # Published: no longer a draft anywhere.
    assert client.get(reverse("standards:draft", args=[draft.pk])).status_code == 404
    assert client.get(reverse("standards:draft_edit", args=[draft.pk])).status_code == 404
    with pytest.raises(services.StandardsError):
        services.update_draft(version=draft, actor=coordinator, label="9", body="changed", upload=None)
    with pytest.raises(PublishedVersionChanged):
        draft.save()
    actions = set(AuditEntry.objects.filter(target_id=str(draft.pk)).values_list("action", flat=True))
    assert {"saferwork.standards.draft_saved", "saferwork.standards.published"} <= actions


def test_a_draft_is_never_shown_to_members_or_leaders_nor_asked(
    client: Any,
    verified_client: Any,
    coordinator: Any,
    participant: Any,
    leader: Any,
    organisation: Any,
    world: dict[str, Any],
) -> None:
    policy = world["policy"]
    draft = _draft(organisation, coordinator, document=policy.document, label="2.0", kind="", title="")
    assert not Request.objects.filter(version=draft).exists()
    assert policy.document.current_version_id == policy.pk  # the draft replaces nothing yet
    for who in (participant, leader):
        signed_in = verified_client(who)
        for name in ("standards:read", "standards:version_file", "standards:draft", "standards:draft_publish"):
            assert signed_in.get(reverse(name, args=[draft.pk])).status_code in {403, 404}, (who, name)
        assert signed_in.post(reverse("standards:read", args=[draft.pk]), {"confirm": "on"}).status_code == 404
        home = signed_in.get(reverse("standards:home")).content.decode()
        assert "DRAFT-TEXT" not in home and "2.0" not in home
        signed_in.logout()
    leader_page = verified_client(leader).get(reverse("standards:document", args=[policy.document_id]))
    assert "Draft of version" not in leader_page.content.decode()
    # Nor reminded, nor in the report.
    services.send_due_reminders()
    assert not Request.objects.filter(version=draft).exists()
    assert all(d.version.pk != draft.pk for d in services_report(organisation).documents)


def services_report(organisation: Any) -> Any:
    from saferwork.standards import selectors

    return selectors.report(organisation)


def test_a_pdf_draft_is_previewed_by_the_coordinator_only(
    verified_client: Any, coordinator: Any, participant: Any, organisation: Any, world: dict[str, Any]
) -> None:
    upload = SimpleUploadedFile("draft.pdf", pdf_with_author(), content_type="application/pdf")
    draft = _draft(organisation, coordinator, body="", upload=upload)
    client = verified_client(coordinator)
    response = client.get(reverse("standards:version_file", args=[draft.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]
    # Kept as a PDF when the edit leaves the file field empty; a text replaces it.
    client.post(reverse("standards:draft_edit", args=[draft.pk]), {"label": "1", "summary": "x", "body": ""})
    draft.refresh_from_db()
    assert draft.is_pdf and draft.summary == "x"
    client.post(reverse("standards:draft_edit", args=[draft.pk]), {"label": "1", "body": "Now *text*"})
    draft.refresh_from_db()
    assert not draft.is_pdf and "<em>text</em>" in draft.body_html
    client.logout()
    assert verified_client(participant).get(reverse("standards:version_file", args=[draft.pk])).status_code == 404


def test_a_draft_can_be_deleted_and_a_published_version_cannot(
    verified_client: Any, coordinator: Any, organisation: Any, world: dict[str, Any]
) -> None:
    client = verified_client(coordinator)
    draft = _draft(organisation, coordinator)
    response = client.post(reverse("standards:draft_delete", args=[draft.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("standards:manage")
    assert not Document.objects.filter(title="Our standards").exists()
    second = _draft(organisation, coordinator, document=world["policy"].document, label="2", kind="", title="")
    response = client.post(reverse("standards:draft_delete", args=[second.pk]))
    assert response["Location"] == reverse("standards:document", args=[world["policy"].document_id])
    assert client.post(reverse("standards:draft_delete", args=[world["policy"].pk])).status_code == 404
    with pytest.raises(PublishedVersionChanged):
        world["policy"].delete()
    assert AuditEntry.objects.filter(action="saferwork.standards.draft_deleted").count() == 2


def test_a_draft_label_cannot_repeat_a_published_one(
    organisation: Any, coordinator: Any, world: dict[str, Any]
) -> None:
    with pytest.raises(services.StandardsError, match="already been published"):
        _draft(organisation, coordinator, document=world["policy"].document, label="1.0", kind="", title="")


# ---------------------------------------------------------------- withdrawal


def test_withdrawing_stops_asking_and_reminding_and_keeps_the_history(
    verified_client: Any,
    coordinator: Any,
    participant: Any,
    colleague: Any,
    organisation: Any,
    world: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    policy = world["policy"]
    services.acknowledge(request=Request.objects.get(version=policy, user=colleague), actor=colleague)
    asked = Request.objects.filter(version=policy).count()
    client = verified_client(coordinator)
    page = client.get(reverse("standards:withdraw", args=[policy.document_id])).content.decode()
    assert "Withdraw version 1.0" in page and "who acknowledged it, and when, is kept" in page
    refused = client.post(reverse("standards:withdraw", args=[policy.document_id]), {"reason": ""})
    assert refused.status_code == 200 and "Say why it is being withdrawn" in refused.content.decode()
    response = client.post(reverse("standards:withdraw", args=[policy.document_id]), {"reason": "Superseded by law"})
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.is_withdrawn and policy.withdrawal_reason == "Superseded by law"
    assert Document.objects.get(pk=policy.document_id).current_version_id is None
    entry = AuditEntry.objects.get(action="saferwork.standards.withdrawn")
    assert entry.data["reason"] == "Superseded by law"
    # The history is kept: every request, the acknowledgement and its date.
    assert asked > 10 and Request.objects.filter(version=policy).count() == asked
    assert Request.objects.get(version=policy, user=colleague).acknowledged_at is not None
    document_page = client.get(reverse("standards:document", args=[policy.document_id])).content.decode()
    assert 'id="withdrawn-progress"' in document_page and "Superseded by law" in document_page
    # Nobody is reminded, by the schedule or by hand.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_due_reminders(today=policy.published_at.date().replace(year=2100))  # type: ignore[union-attr]
    assert not Request.objects.filter(version=policy, reminders__gt=0).exists()
    assert mail.outbox and not any("Sexual harassment policy" in m.subject for m in mail.outbox)  # the handbook only
    assert client.post(reverse("standards:remind", args=[policy.document_id])).status_code == 404
    with pytest.raises(services.StandardsError):
        services.queue_reminders(version=policy, actor=coordinator)
    # The member no longer has it to read and cannot acknowledge it.
    client.logout()
    member = verified_client(participant)
    assert "Sexual harassment policy" not in member.get(reverse("standards:home")).content.decode()
    reading = member.get(reverse("standards:read", args=[policy.pk])).content.decode()
    assert 'id="withdrawn"' in reading and "Acknowledge that you have read it" not in reading
    assert member.post(reverse("standards:read", args=[policy.pk]), {"confirm": "on"}).status_code == 404
    assert Request.objects.get(version=policy, user=participant).acknowledged_at is None
    # The duty record shows the withdrawal as a dated step.
    day = policy.withdrawn_at.date()  # type: ignore[union-attr]
    section = duty.section(organisation, day.replace(year=day.year - 1), day.replace(year=day.year + 1))
    assert section is not None and any("withdrawn" in s.title for s in section.steps)


def test_only_a_current_published_version_can_be_withdrawn(
    organisation: Any, coordinator: Any, world: dict[str, Any]
) -> None:
    policy = world["policy"]
    draft = _draft(organisation, coordinator, document=policy.document, label="2", kind="", title="")
    with pytest.raises(services.StandardsError):
        services.withdraw(version=draft, actor=coordinator, reason="no")
    second = services.publish_draft(version=draft, audience=services.Audience(previous=True), actor=coordinator)
    assert second.asks_everyone  # asked of everyone asked for version 1.0, which was for everyone
    with pytest.raises(services.StandardsError, match="replaced"):
        services.withdraw(version=policy, actor=coordinator, reason="old")
    services.withdraw(version=second, actor=coordinator, reason="wrong")
    with pytest.raises(services.StandardsError):
        services.withdraw(version=second, actor=coordinator, reason="again")


# ---------------------------------------------------------------- people who join later


def _published_for_everyone(organisation: Any, coordinator: Any) -> DocumentVersion:
    return services.publish_version(
        organisation=organisation,
        actor=coordinator,
        kind="policy",
        title="Policy for all",
        label="1",
        body="For all.",
        audience=services.Audience(everyone=True),
    )


def _asked(user: Any) -> set[str]:
    return set(Request.objects.filter(user=user).values_list("version__document__title", flat=True))


def test_a_person_who_accepts_an_invitation_is_asked_what_was_published_for_everyone(
    organisation: Any, coordinator: Any, world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    invitation, _token = accounts.invite(
        organisation=organisation, email="newcomer@example.org", full_name="New", flags=[], invited_by=coordinator
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        user = accounts.accept_invitation(invitation=invitation, user=None, full_name="New Comer", password="x" * 16)
    # The policy was for everyone; the handbook only for Housing.
    assert _asked(user) == {"Sexual harassment policy"}
    assert "Sexual harassment policy" in " ".join(m.subject for m in mail.outbox if m.to == [user.email])


def test_a_person_a_coordinator_adds_is_asked_once(
    organisation: Any, coordinator: Any, other_organisation: Any, world: dict[str, Any]
) -> None:
    # Someone who already has an account elsewhere, added here by a coordinator's invitation.
    existing = factories.member(other_organisation, email="existing@example.org", with_device=False)
    assert _asked(existing) == set()
    invitation, _token = accounts.invite(
        organisation=organisation, email=existing.email, full_name="", flags=["is_leader"], invited_by=coordinator
    )
    accounts.accept_invitation(invitation=invitation, user=existing, full_name="", password=None)
    assert _asked(existing) == {"Sexual harassment policy"}
    # A change of role later is not a new joining: nobody is asked twice.
    membership = Membership.objects.get(user=existing, organisation=organisation)
    organisations.set_roles(membership=membership, flags=[], actor=coordinator)
    organisations.add_roles(
        user=existing, organisation=organisation, flags=["is_leader"], actor=coordinator, reason="r"
    )
    assert Request.objects.filter(user=existing).count() == 1
    # Their department is the one they are placed in when asked (none yet).
    assert Request.objects.get(user=existing).department_id is None


def test_a_person_the_demo_adds_is_asked(organisation: Any, coordinator: Any) -> None:
    northfield = Organisation.objects.create(name="Northfield test", slug="northfield-test", kind="employer")
    boss = factories.member(northfield, is_coordinator=True, email="boss@example.org")
    _published_for_everyone(northfield, boss)
    staff = demo._staff(northfield)  # memberships made as seed_demo makes them: get_or_create
    assert staff and all(_asked(user) == {"Policy for all"} for user in staff)


def test_a_newcomer_is_not_asked_drafts_withdrawn_replaced_or_targeted_versions(
    organisation: Any, coordinator: Any, world: dict[str, Any]
) -> None:
    _draft(organisation, coordinator, title="Only a draft")
    withdrawn = _published_for_everyone(organisation, coordinator)
    services.withdraw(version=withdrawn, actor=coordinator, reason="wrong")
    policy = world["policy"]
    services.publish_version(
        organisation=organisation,
        document=policy.document,
        actor=coordinator,
        label="2",
        body="Only the participant.",
        audience=services.Audience(people=(world["others"][0].pk,)),
    )
    newcomer = factories.member(organisation, email="late@example.org", with_device=False)
    assert _asked(newcomer) == set()
    # An inactive account joining is not asked either.
    inactive = User.objects.create_user("off@example.org", None, full_name="Off", is_active=False)
    version = services.publish_version(
        organisation=organisation,
        actor=coordinator,
        kind="other",
        title="Code",
        label="1",
        body="x",
        audience=services.Audience(everyone=True),
    )
    Membership.objects.create(user=inactive, organisation=organisation)
    assert not Request.objects.filter(version=version, user=inactive).exists()
    newer = factories.member(organisation, email="later@example.org", with_device=False)
    assert _asked(newer) == {"Code"}


def test_asking_everyone_more_makes_a_version_asked_of_newcomers(
    organisation: Any, coordinator: Any, world: dict[str, Any]
) -> None:
    handbook = world["handbook"]
    assert not handbook.asks_everyone
    services.ask_more(version=handbook, audience=services.Audience(everyone=True), actor=coordinator)
    newcomer = factories.member(organisation, email="late@example.org", with_device=False)
    place(organisation, [newcomer], world["housing"])
    assert _asked(newcomer) == {"Sexual harassment policy", "Managers' handbook"}


# ---------------------------------------------------------------- refusals and queries


def test_outsider_and_members_reach_no_draft_or_withdrawal_page(
    verified_client: Any, outsider: Any, participant: Any, leader: Any, coordinator: Any, organisation: Any, world: Any
) -> None:
    draft = _draft(organisation, coordinator)
    urls = [
        ("get", reverse("standards:draft", args=[draft.pk])),
        ("get", reverse("standards:draft_edit", args=[draft.pk])),
        ("post", reverse("standards:draft_edit", args=[draft.pk])),
        ("get", reverse("standards:draft_publish", args=[draft.pk])),
        ("post", reverse("standards:draft_publish", args=[draft.pk])),
        ("post", reverse("standards:draft_delete", args=[draft.pk])),
        ("get", reverse("standards:withdraw", args=[world["policy"].document_id])),
        ("post", reverse("standards:withdraw", args=[world["policy"].document_id])),
    ]
    for who in (outsider, participant, leader):
        client = verified_client(who)
        for method, url in urls:
            data = {"who": "everyone", "reason": "x", "label": "z", "body": "z"}
            assert getattr(client, method)(url, data).status_code in {403, 404}, (who.email, url)
        client.logout()
    draft.refresh_from_db()
    assert draft.is_draft and draft.label == "1"
    assert not DocumentVersion.objects.filter(withdrawn_at__isnull=False).exists()


def test_draft_and_withdrawal_pages_queries_do_not_grow(
    verified_client: Any, coordinator: Any, organisation: Any, world: dict[str, Any]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = verified_client(coordinator)
    draft = _draft(organisation, coordinator)
    urls = [
        reverse("standards:draft", args=[draft.pk]),
        reverse("standards:draft_edit", args=[draft.pk]),
        reverse("standards:draft_publish", args=[draft.pk]),
        reverse("standards:withdraw", args=[world["policy"].document_id]),
        reverse("standards:document", args=[world["policy"].document_id]),
        reverse("standards:manage"),
    ]

    def counts() -> list[int]:
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200, url
            found.append(len(ctx.captured_queries))
        return found

    counts()
    before = counts()
    department = world["housing"]
    people = [factories.member(organisation, email=f"more{n}@example.org", with_device=False) for n in range(20)]
    place(organisation, people, department)
    for n in range(3):
        _draft(organisation, coordinator, title=f"Another {n}")
    _draft(organisation, coordinator, document=world["policy"].document, label="3", kind="", title="")
    after = counts()
    assert after == before, list(zip(urls, before, after, strict=True))
