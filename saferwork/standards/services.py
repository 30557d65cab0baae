"""Writes for behavioural standards: publish a version, ask people, acknowledge, remind.

Each function is one use case, keyword-only, in one transaction with its audit entry.
Emails go through the one email task from thin tasks queued on commit; they carry a
version's id and a day or moment, and the worker looks the people up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from saferwork.accounts.models import User
from saferwork.actions.selectors import today_for
from saferwork.audit import services as audit
from saferwork.lib import filecleaning, markdown
from saferwork.organisations.models import Organisation
from saferwork.standards import tasks
from saferwork.standards.models import Document, DocumentVersion, Placement, Request
from saferwork.surveys.models import Department

MAX_FILE_BYTES = 10 * 1024 * 1024
# The scheduled reminder: a week after asking, then weekly, at most this many times.
REMIND_EVERY_DAYS = 7
MAX_SCHEDULED_REMINDERS = 4


class StandardsError(Exception):
    """Something the person can put right; the message is written for them."""


@dataclass(frozen=True)
class Audience:
    """Who is asked: everyone in the organisation, the people of chosen departments, or
    chosen people (``departments`` and ``people`` add up: a department and a few others)."""

    everyone: bool = False
    departments: tuple[int, ...] = field(default=())
    people: tuple[int, ...] = field(default=())
    # For a new version: everyone asked to acknowledge the version it replaces.
    previous: bool = False

    @property
    def empty(self) -> bool:
        return not (self.everyone or self.departments or self.people or self.previous)


def _members(organisation: Organisation) -> Any:
    return User.objects.filter(memberships__organisation=organisation, is_active=True)


def audience_user_ids(*, organisation: Organisation, audience: Audience, document: Document | None = None) -> set[int]:
    """The ids of the active members ``audience`` names (never anyone outside the organisation)."""
    members = _members(organisation)
    if audience.everyone:
        return set(members.values_list("pk", flat=True))
    wanted = Q(pk__in=list(audience.people))
    if audience.departments:
        placed = Placement.objects.for_organisation(organisation).filter(department_id__in=list(audience.departments))
        wanted |= Q(pk__in=placed.values("user_id"))
    if audience.previous and document is not None and document.current_version_id:
        wanted |= Q(pk__in=Request.objects.filter(version_id=document.current_version_id).values("user_id"))
    return set(members.filter(wanted).values_list("pk", flat=True))


def _clean_pdf(upload: UploadedFile) -> filecleaning.CleanFile:
    if upload.size is None or upload.size > MAX_FILE_BYTES:
        raise StandardsError(f"The selected file must be smaller than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    try:
        return filecleaning.clean_file(upload.name or "document.pdf", upload.read(), allowed={"pdf"})
    except filecleaning.UploadRefused as exc:
        raise StandardsError(str(exc)) from exc


def _check_content(*, body: str, upload: UploadedFile | None, keeps_file: bool = False) -> None:
    if not body.strip() and upload is None and not keeps_file:
        raise StandardsError("Write the text of the document or choose a PDF")
    if body.strip() and upload is not None:
        raise StandardsError("Write the text or choose a PDF, not both")


def _new_document(*, organisation: Organisation, actor: Any, kind: str, title: str) -> Document:
    if kind not in Document.Kind.values:
        raise StandardsError("Select what kind of document it is")
    return Document.objects.create(organisation=organisation, kind=kind, title=title.strip(), created_by=actor)


def _check_label(document: Document, label: str, *, exclude: int | None = None) -> str:
    label = label.strip()
    taken = document.versions.filter(label=label)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.filter(published_at__isnull=False).exists():
        raise StandardsError(f"Version {label} of this document has already been published: give it a new label")
    if taken.exists():
        raise StandardsError(f"There is already a draft of version {label}: change that draft or give it a new label")
    return label


def _set_content(version: DocumentVersion, *, body: str, upload: UploadedFile | None) -> None:
    """Put the text (rendered and sanitised now) or a cleaned PDF into ``version``."""
    if upload is not None:
        clean = _clean_pdf(upload)
        old = version.file.name if version.file else ""
        version.body, version.body_html = "", ""
        version.file_name = clean.name[:200]
        version.file.save(clean.name, ContentFile(clean.data), save=False)
        if old:
            transaction.on_commit(partial(version.file.storage.delete, old))
    elif body.strip():
        if version.file:
            transaction.on_commit(partial(version.file.storage.delete, version.file.name))
        version.file = None  # type: ignore[assignment]
        version.file_name = ""
        version.body, version.body_html = body, markdown.render(body)


def _save_new(version: DocumentVersion) -> None:
    try:
        version.save(force_insert=True)
    except Exception:
        if version.file:
            version.file.storage.delete(version.file.name)  # no row, no file
        raise


@transaction.atomic
def save_draft(
    *,
    organisation: Organisation,
    actor: Any,
    label: str,
    document: Document | None = None,
    kind: str = "",
    title: str = "",
    summary: str = "",
    body: str = "",
    upload: UploadedFile | None = None,
) -> DocumentVersion:
    """Save a version as a draft (of a new document when ``document`` is None).

    A draft is shown only to coordinators, as a preview; nobody is asked to read it and it
    is in no report until it is published (``publish_draft``)."""
    _check_content(body=body, upload=upload)
    if document is None:
        document = _new_document(organisation=organisation, actor=actor, kind=kind, title=title)
    elif document.organisation_id != organisation.pk:
        raise StandardsError("That document belongs to another organisation")
    version = DocumentVersion(
        organisation=organisation,
        document=document,
        label=_check_label(document, label),
        summary=summary.strip(),
        saved_at=timezone.now(),
    )
    _set_content(version, body=body, upload=upload)
    _save_new(version)
    audit.record(
        action="saferwork.standards.draft_saved",
        actor=actor,
        organisation=organisation,
        target=version,
        data={"document": document.pk, "version": version.label, "new": True},
    )
    return version


@transaction.atomic
def update_draft(
    *, version: DocumentVersion, actor: Any, label: str, summary: str = "", body: str = "", upload: UploadedFile | None
) -> DocumentVersion:
    """Change a draft (its label, summary, text or PDF). A published version is refused."""
    version = DocumentVersion.objects.select_for_update(of=("self",)).select_related("document").get(pk=version.pk)
    if not version.is_draft:
        raise StandardsError("This version has been published: it cannot be changed. Publish a new version.")
    _check_content(body=body, upload=upload, keeps_file=bool(version.file))
    version.label = _check_label(version.document, label, exclude=version.pk)
    version.summary = summary.strip()
    version.saved_at = timezone.now()
    _set_content(version, body=body, upload=upload)
    version.save()
    audit.record(
        action="saferwork.standards.draft_saved",
        actor=actor,
        organisation=version.organisation,
        target=version,
        data={"document": version.document_id, "version": version.label, "new": False},
    )
    return version


@transaction.atomic
def delete_draft(*, version: DocumentVersion, actor: Any) -> bool:
    """Throw a draft away (a document with nothing else in it goes with it). Returns whether
    the document is still there."""
    version = DocumentVersion.objects.select_for_update(of=("self",)).select_related("document").get(pk=version.pk)
    if not version.is_draft:
        raise StandardsError("This version has been published: it cannot be deleted.")
    document = version.document
    audit.record(
        action="saferwork.standards.draft_deleted",
        actor=actor,
        organisation=version.organisation,
        target=document,
        data={"document": document.pk, "version": version.label},
    )
    if version.file:
        transaction.on_commit(partial(version.file.storage.delete, version.file.name))
    version.delete()
    if not document.versions.exists():
        document.delete()
        return False
    return True


@transaction.atomic
def publish_draft(*, version: DocumentVersion, audience: Audience, actor: Any) -> DocumentVersion:
    """Publish a draft and ask ``audience``: from now on the version never changes.

    The version replaces the document's current one, whose outstanding requests are no
    longer reminded; everyone in ``audience`` is asked afresh. Published for everyone, it
    is also asked of whoever joins the organisation later (``ask_new_member``)."""
    version = (
        DocumentVersion.objects.select_for_update(of=("self",))
        .select_related("document", "organisation")
        .get(pk=version.pk)
    )
    if not version.is_draft:
        raise StandardsError("This version has already been published")
    if audience.empty:
        raise StandardsError("Choose who is asked to read and acknowledge it")
    document = (
        Document.objects.select_for_update(of=("self",)).select_related("current_version").get(pk=version.document_id)
    )
    organisation = version.organisation
    user_ids = audience_user_ids(organisation=organisation, audience=audience, document=document)
    if not user_ids:
        raise StandardsError("Nobody is in the group you chose: choose another or add people first")
    previous = document.current_version
    version.published_at = timezone.now()
    version.published_by = actor
    version.asks_everyone = audience.everyone or bool(
        audience.previous and previous is not None and previous.asks_everyone
    )
    if not version.file:
        version.body_html = markdown.render(version.body)  # exactly what people acknowledge
    version.save()
    Document.objects.filter(pk=document.pk).update(current_version=version)
    version.document.current_version = version
    audit.record(
        action="saferwork.standards.published",
        actor=actor,
        organisation=organisation,
        target=version,
        data={"document": document.pk, "version": version.label, "kind": document.kind},
    )
    _ask(version=version, user_ids=user_ids)
    return version


@transaction.atomic
def publish_version(
    *,
    organisation: Organisation,
    actor: Any,
    label: str,
    audience: Audience,
    document: Document | None = None,
    kind: str = "",
    title: str = "",
    summary: str = "",
    body: str = "",
    upload: UploadedFile | None = None,
) -> DocumentVersion:
    """Publish a version straight away (a draft saved and published in one transaction):
    see ``save_draft`` and ``publish_draft``. A PDF is cleaned of its metadata and kept in
    the default storage under a random name."""
    if audience.empty:
        raise StandardsError("Choose who is asked to read and acknowledge it")
    draft = save_draft(
        organisation=organisation,
        actor=actor,
        label=label,
        document=document,
        kind=kind,
        title=title,
        summary=summary,
        body=body,
        upload=upload,
    )
    return publish_draft(version=draft, audience=audience, actor=actor)


@transaction.atomic
def withdraw(*, version: DocumentVersion, actor: Any, reason: str) -> DocumentVersion:
    """Withdraw the document's current version: it leaves everyone's documents to read and
    the report, nobody is asked or reminded any more, and people who join are not asked.
    Its requests are kept (who was asked, who acknowledged and when): the history stays."""
    version = (
        DocumentVersion.objects.select_for_update(of=("self",))
        .select_related("document", "organisation")
        .get(pk=version.pk)
    )
    if version.is_draft or version.is_withdrawn:
        raise StandardsError("Only a published version can be withdrawn")
    if version.document.current_version_id != version.pk:
        raise StandardsError("This version has been replaced: only the current version can be withdrawn")
    if not reason.strip():
        raise StandardsError("Say why it is being withdrawn")
    now = timezone.now()
    # Only the withdrawal columns change: the text people acknowledged stays as it was.
    DocumentVersion.objects.filter(pk=version.pk).update(
        withdrawn_at=now, withdrawn_by=actor, withdrawal_reason=reason.strip()[:500]
    )
    Document.objects.filter(pk=version.document_id).update(current_version=None)
    audit.record(
        action="saferwork.standards.withdrawn",
        actor=actor,
        organisation=version.organisation,
        target=version,
        data={"document": version.document_id, "version": version.label, "reason": reason.strip()[:500]},
    )
    version.withdrawn_at, version.withdrawn_by, version.withdrawal_reason = now, actor, reason.strip()[:500]
    return version


@transaction.atomic
def ask_new_member(*, organisation_id: int, user_id: int) -> int:
    """Someone has just joined the organisation: ask them to read every current version that
    was published for everyone (not drafts, not withdrawn or replaced versions, not those
    for chosen departments or people). Called from the one place memberships are created
    (a ``post_save`` receiver, see ``apps.py``), inside the joining transaction."""
    versions = DocumentVersion.objects.filter(
        organisation_id=organisation_id,
        asks_everyone=True,
        withdrawn_at__isnull=True,
        published_at__isnull=False,
        document__current_version=F("pk"),
    ).select_related("organisation")
    if not User.objects.filter(pk=user_id, is_active=True).exists():
        return 0
    return sum(_ask(version=version, user_ids=[user_id]) for version in versions)


def _ask(*, version: DocumentVersion, user_ids: Iterable[int]) -> int:
    """Make the missing requests for ``user_ids`` (each with the department they are placed
    in now, kept from then on) and email those people; returns how many were asked."""
    already = set(Request.objects.filter(version=version).values_list("user_id", flat=True))
    new = sorted(set(user_ids) - already)
    if not new:
        return 0
    placed = dict(
        Placement.objects.for_organisation(version.organisation)
        .filter(user_id__in=new)
        .values_list("user_id", "department_id")
    )
    moment = timezone.now()
    Request.objects.bulk_create(
        [
            Request(
                organisation=version.organisation,
                version=version,
                user_id=user_id,
                department_id=placed.get(user_id),
                asked_at=moment,
            )
            for user_id in new
        ],
        batch_size=1000,
    )
    transaction.on_commit(partial(tasks.send_asked.enqueue, version_id=version.pk, moment=moment.isoformat()))
    return len(new)


@transaction.atomic
def ask_more(*, version: DocumentVersion, audience: Audience, actor: Any) -> int:
    """Ask more people to acknowledge the current version (people who joined since, another
    department); people already asked are not asked twice. Returns how many were added."""
    if version.document.current_version_id != version.pk:
        raise StandardsError("This version has been replaced: ask people to read the current one")
    if audience.empty:
        raise StandardsError("Choose who is asked to read and acknowledge it")
    user_ids = audience_user_ids(organisation=version.organisation, audience=audience, document=version.document)
    added = _ask(version=version, user_ids=user_ids)
    if audience.everyone and not version.asks_everyone:
        # Now asked of everyone: whoever joins from now on is asked too.
        DocumentVersion.objects.filter(pk=version.pk).update(asks_everyone=True)
        version.asks_everyone = True
    audit.record(
        action="saferwork.standards.asked_more",
        actor=actor,
        organisation=version.organisation,
        target=version,
        data={"everyone": audience.everyone, "departments": sorted(audience.departments)},
    )
    return added


@transaction.atomic
def record_read(*, request: Request) -> None:
    """The first time the person opens the version they were asked to read."""
    if request.read_at is None:
        request.read_at = timezone.now()
        Request.objects.filter(pk=request.pk, read_at__isnull=True).update(read_at=request.read_at)


@transaction.atomic
def acknowledge(*, request: Request, actor: Any) -> Request:
    """The person confirms they have read this version and that it applies to them."""
    if request.user_id != getattr(actor, "pk", None):
        raise StandardsError("Only the person asked can acknowledge a document")
    locked = Request.objects.select_for_update().get(pk=request.pk)
    if locked.acknowledged_at is not None:
        return locked
    now = timezone.now()
    locked.read_at = locked.read_at or now
    locked.acknowledged_at = now
    locked.save(update_fields=["read_at", "acknowledged_at"])
    audit.record(
        action="saferwork.standards.acknowledged",
        actor=actor,
        organisation=locked.organisation,
        target=request.version,
        data={"version": request.version.label},
    )
    return locked


def _outstanding(version_ids: Iterable[int]) -> Any:
    return Request.objects.filter(version_id__in=list(version_ids), acknowledged_at__isnull=True)


@transaction.atomic
def queue_reminders(*, version: DocumentVersion, actor: Any) -> None:
    """Remind, now, everyone who has not acknowledged the current version (each person at
    most once a day). The coordinator is not told how many: that is a count about people."""
    if version.document.current_version_id != version.pk:
        raise StandardsError("This version has been replaced: only the current version is reminded")
    day = today_for(version.organisation)
    due = _outstanding([version.pk]).exclude(last_reminded_on=day)

    marked = due.update(last_reminded_on=day, reminders=F("reminders") + 1)
    audit.record(
        action="saferwork.standards.reminders_queued",
        actor=actor,
        organisation=version.organisation,
        target=version,
        data={"day": day.isoformat(), "scheduled": False},
    )
    if marked:
        transaction.on_commit(partial(tasks.send_reminders.enqueue, version_id=version.pk, day=day.isoformat()))


@transaction.atomic
def send_due_reminders(*, today: dt.date | None = None) -> int:
    """The scheduled reminder (``manage.py send_standards_reminders``, daily): everyone who
    has not acknowledged a current version a week after being asked, then weekly, up to
    ``MAX_SCHEDULED_REMINDERS`` times. Returns how many versions had reminders queued."""

    queued = 0
    current = Document.objects.filter(current_version__isnull=False).select_related("organisation")
    for document in current.order_by("organisation_id", "id"):
        day = today or today_for(document.organisation)
        cutoff = day - dt.timedelta(days=REMIND_EVERY_DAYS)
        due = (
            _outstanding([document.current_version_id])  # type: ignore[list-item]
            .filter(asked_at__date__lte=cutoff, reminders__lt=MAX_SCHEDULED_REMINDERS)
            .filter(Q(last_reminded_on__isnull=True) | Q(last_reminded_on__lte=cutoff))
        )
        if not due.update(last_reminded_on=day, reminders=F("reminders") + 1):
            continue
        audit.record(
            action="saferwork.standards.reminders_queued",
            organisation=document.organisation,
            target=document,
            data={"day": day.isoformat(), "scheduled": True, "version": document.current_version_id},
        )
        transaction.on_commit(
            partial(tasks.send_reminders.enqueue, version_id=document.current_version_id, day=day.isoformat())
        )
        queued += 1
    return queued


@dataclass
class PlacementResult:
    placed: int = 0
    not_members: list[str] = field(default_factory=list)


@transaction.atomic
def place_people(*, organisation: Organisation, rows: Iterable[tuple[str, int]], actor: Any) -> PlacementResult:
    """Record the department each listed member is counted in (rows of email, department id,
    from a checked staff list). Addresses that are not members here are reported, not
    invited. Requests already made keep the department they were made with: moving
    someone later never rewrites a figure already published (it could be subtracted)."""
    rows = list(rows)
    departments = set(Department.objects.for_organisation(organisation).values_list("pk", flat=True))
    by_email = {email.lower(): pk for pk, email in _members(organisation).values_list("pk", "email")}
    result = PlacementResult()
    wanted: dict[int, int] = {}
    for email, department_id in rows:
        if department_id not in departments:
            raise StandardsError("A department on the list belongs to another organisation")
        user_id = by_email.get(email.lower())
        if user_id is None:
            result.not_members.append(email)
        else:
            wanted[user_id] = department_id
    existing = {p.user_id: p for p in Placement.objects.for_organisation(organisation).filter(user_id__in=wanted)}
    changed = []
    for user_id, department_id in wanted.items():
        found = existing.get(user_id)
        if found is None:
            continue
        if found.department_id != department_id:
            found.department_id = department_id
            changed.append(found)
    Placement.objects.bulk_update(changed, ["department"], batch_size=1000)
    Placement.objects.bulk_create(
        [
            Placement(organisation=organisation, user_id=user_id, department_id=department_id)
            for user_id, department_id in wanted.items()
            if user_id not in existing
        ],
        batch_size=1000,
    )
    result.placed = len(wanted)
    audit.record(
        action="saferwork.standards.departments_recorded",
        actor=actor,
        organisation=organisation,
        data={"rows": len(rows)},
    )
    return result


@transaction.atomic
def add_department(*, organisation: Organisation, name: str, actor: Any) -> Department:
    """A department for reports, shared with surveys (the same names in both)."""
    name = " ".join(name.split())
    if not name:
        raise StandardsError("Enter the department's name")
    found, created = Department.objects.get_or_create(organisation=organisation, name=name)
    if created:
        audit.record(
            action="saferwork.standards.department_added",
            actor=actor,
            organisation=organisation,
            target=found,
            data={"name": name},
        )
    return found
