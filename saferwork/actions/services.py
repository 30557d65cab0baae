"""Writes for actions. Each change and its audit entry commit together (audit target: the action)."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from saferwork.actions import selectors, sources, tasks
from saferwork.actions.models import Action, Evidence, ReadAccess
from saferwork.audit import services as audit
from saferwork.lib import filecleaning
from saferwork.organisations.models import Organisation

EVIDENCE_TYPES = {"pdf", "docx", "odt", "txt", "jpg", "jpeg", "png"}
MAX_EVIDENCE_BYTES = settings.MAX_UPLOAD_FILE_BYTES
MAX_EVIDENCE_PER_ACTION = 20


class ActionError(Exception):
    """A change that cannot be made, in words for the person who asked."""


def _check_owner(organisation: Organisation, owner: Any) -> None:
    if owner is None or not selectors.is_member(organisation, owner):
        raise ActionError("The owner must be a member of this organisation")


def _record(action: Action, what: str, actor: Any, data: dict[str, Any] | None = None) -> None:
    audit.record(
        action=f"saferwork.action.{what}", actor=actor, organisation=action.organisation, target=action, data=data
    )


@transaction.atomic
def create_action(
    *,
    organisation: Organisation,
    title: str,
    due_on: dt.date,
    owner: Any,
    actor: Any,
    description: str = "",
    department: str = "",
    source_kind: str = sources.MANUAL,
    source_ref: str = "",
) -> Action:
    """A new action, not started. ``source_kind``/``source_ref`` are checked against the
    registry for this organisation (raises ``ActionError``); the source's label is kept."""
    _check_owner(organisation, owner)
    try:
        source = sources.resolve(organisation, source_kind, source_ref)
    except sources.UnknownSource as exc:
        raise ActionError(str(exc)) from exc
    action = Action.objects.create(
        organisation=organisation,
        title=title,
        description=description,
        department=department,
        owner=owner,
        due_on=due_on,
        source_kind=source_kind,
        source_ref=source_ref,
        source_label=source.label[:200],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _record(
        action,
        "created",
        actor,
        {"due_on": due_on.isoformat(), "owner": owner.pk, "source_kind": source_kind, "source_ref": source_ref},
    )
    return action


EDITABLE = ("title", "description", "department", "owner", "due_on")


@transaction.atomic
def update_action(
    *, action: Action, actor: Any, title: str, description: str, department: str, owner: Any, due_on: dt.date
) -> Action:
    """Change what the action says, who owns it and when it is due. The audit entry names
    the fields that changed (with the old and new owner and due date)."""
    _check_owner(action.organisation, owner)
    new = {"title": title, "description": description, "department": department, "owner": owner, "due_on": due_on}
    changed = [name for name in EDITABLE if getattr(action, name) != new[name]]
    if not changed:
        return action
    data: dict[str, Any] = {"fields": changed}
    if "owner" in changed:
        data["owner"] = [action.owner_id, owner.pk]
    if "due_on" in changed:
        data["due_on"] = [action.due_on.isoformat(), due_on.isoformat()]
        action.last_reminded_on = None  # a new date starts a new reminder cycle
    for name in changed:
        setattr(action, name, new[name])
    action.save(update_fields=[*changed, "last_reminded_on", "updated_at"])
    _record(action, "changed", actor, data)
    return action


@transaction.atomic
def change_status(*, action: Action, status: str, actor: Any, note: str = "") -> Action:
    """Move the action to ``status``; done and cancelled record the day it closed."""
    if status not in Action.Status.values:
        raise ActionError("Select a status")
    if status == action.status:
        return action
    before = action.status
    action.status = status
    action.closed_on = None if action.is_open else selectors.today_for(action.organisation)
    action.save(update_fields=["status", "closed_on", "updated_at"])
    data: dict[str, Any] = {"from": before, "to": status}
    if note:
        data["note"] = note[:500]
    _record(action, "status_changed", actor, data)
    return action


def _check_room(action: Action) -> None:
    if action.evidence.count() >= MAX_EVIDENCE_PER_ACTION:
        raise ActionError(f"An action can hold up to {MAX_EVIDENCE_PER_ACTION} pieces of evidence")


@transaction.atomic
def add_evidence_file(*, action: Action, upload: UploadedFile, actor: Any, label: str = "") -> Evidence:
    """Keep an uploaded file as evidence, once cleaned of what it says about its author
    (the same cleaning as report evidence: EXIF, PDF and document properties go)."""
    _check_room(action)
    if upload.size is None or upload.size > MAX_EVIDENCE_BYTES:
        raise ActionError(f"The selected file must be smaller than {MAX_EVIDENCE_BYTES // (1024 * 1024)} MB")
    try:
        clean = filecleaning.clean_file(upload.name or "evidence", upload.read(), allowed=EVIDENCE_TYPES)
    except filecleaning.UploadRefused as exc:
        raise ActionError(str(exc)) from exc
    evidence = Evidence(
        organisation=action.organisation,
        action=action,
        kind=Evidence.Kind.FILE,
        label=label,
        file_name=clean.name[:200],
        content_type=clean.content_type,
        added_by=actor,
        added_on=selectors.today_for(action.organisation),
    )
    evidence.file.save(clean.name, ContentFile(clean.data), save=False)
    try:
        evidence.save()
        _record(action, "evidence_added", actor, {"kind": "file", "evidence": evidence.pk, "name": evidence.file_name})
    except Exception:
        evidence.file.storage.delete(evidence.file.name)  # no row, no file
        raise
    return evidence


def check_evidence_url(url: str) -> str:
    """An address people can follow: http(s) on a named host, or a path on SaferWork ("/...")."""
    url = url.strip()
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    parts = urlsplit(url)
    if parts.scheme in {"http", "https"} and parts.hostname and "\\" not in url and " " not in url:
        return url
    raise ActionError("Enter a link that starts with https:// or with / for a page on SaferWork")


@transaction.atomic
def add_evidence_link(*, action: Action, url: str, actor: Any, label: str = "") -> Evidence:
    _check_room(action)
    url = check_evidence_url(url)
    if len(url) > 500:
        raise ActionError("The link must be 500 characters or fewer")
    evidence = Evidence.objects.create(
        organisation=action.organisation,
        action=action,
        kind=Evidence.Kind.LINK,
        label=label,
        url=url,
        added_by=actor,
        added_on=selectors.today_for(action.organisation),
    )
    _record(action, "evidence_added", actor, {"kind": "link", "evidence": evidence.pk, "url": url})
    return evidence


@transaction.atomic
def remove_evidence(*, evidence: Evidence, actor: Any) -> None:
    action = evidence.action
    data = {"kind": evidence.kind, "evidence": evidence.pk, "name": evidence.file_name or evidence.url}
    if evidence.file:
        stored, storage = evidence.file.name, evidence.file.storage
        transaction.on_commit(lambda: storage.delete(stored))
    evidence.delete()
    _record(action, "evidence_removed", actor, data)


@transaction.atomic
def delete_action(*, action: Action, actor: Any) -> None:
    """Delete the action and its evidence files. The audit entry keeps what it was."""
    files = [(e.file.storage, e.file.name) for e in action.evidence.all() if e.file]
    _record(
        action,
        "deleted",
        actor,
        {
            "title": action.title,
            "status": action.status,
            "due_on": action.due_on.isoformat(),
            "source_kind": action.source_kind,
            "source_ref": action.source_ref,
        },
    )
    action.delete()
    for storage, name in files:
        transaction.on_commit(partial(storage.delete, name))


@transaction.atomic
def record_export(*, organisation: Organisation, actor: Any, filters: dict[str, Any]) -> None:
    """The hub leaves SaferWork only through this audited export."""
    audit.record(action="saferwork.actions.exported", actor=actor, organisation=organisation, data={"filters": filters})


# ---------------------------------------------------------------- read access


@transaction.atomic
def grant_read_access(*, organisation: Organisation, user: Any, actor: Any, reason: str = "") -> ReadAccess:
    """Let a member read the whole hub without managing it (a union safety representative)."""
    _check_owner(organisation, user)
    grant, created = ReadAccess.objects.get_or_create(
        organisation=organisation,
        user=user,
        defaults={
            "reason": reason or "Union safety representative",
            "granted_by": actor,
            "granted_on": selectors.today_for(organisation),
        },
    )
    if created:
        audit.record(
            action="saferwork.actions.read_access_granted",
            actor=actor,
            organisation=organisation,
            target=grant,
            data={"user": user.pk, "reason": grant.reason},
        )
    return grant


@transaction.atomic
def revoke_read_access(*, grant: ReadAccess, actor: Any) -> None:
    audit.record(
        action="saferwork.actions.read_access_removed",
        actor=actor,
        organisation=grant.organisation,
        target=grant,
        data={"user": grant.user_id},
    )
    grant.delete()


# ---------------------------------------------------------------- reminders


@transaction.atomic
def queue_overdue_reminders(*, today: dt.date | None = None) -> int:
    """Remind each owner of their overdue actions: one email per owner and organisation,
    listing every open action past its due date. An action is in at most one reminder a
    day (its organisation's day), never once done or cancelled, and never to someone who
    has left the organisation. Run daily (``manage.py send_action_reminders``); returns the
    number of actions reminded about."""
    # The widest "today" on Earth bounds the query; each organisation's own day decides.
    horizon = today or (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).date()
    candidates = (
        Action.objects.select_for_update(of=("self",))
        .filter(status__in=Action.OPEN, due_on__lt=horizon, owner__isnull=False)
        .select_related("organisation")
        .order_by("organisation_id", "owner_id", "id")
    )
    days: dict[int, dt.date] = {}
    members: dict[int, set[int]] = {}
    to_send: set[tuple[int, int, str]] = set()
    count = 0
    for action in candidates:
        org = action.organisation
        day = today or days.setdefault(org.pk, selectors.today_for(org))
        if action.due_on >= day or action.last_reminded_on == day:
            continue
        if org.pk not in members:
            members[org.pk] = set(org.memberships.values_list("user_id", flat=True))
        if action.owner_id not in members[org.pk]:
            continue
        action.last_reminded_on = day
        action.save(update_fields=["last_reminded_on"])
        audit.record(
            action="saferwork.action.reminder_queued",
            organisation=org,
            target=action,
            data={"owner": action.owner_id, "day": day.isoformat()},
        )
        to_send.add((org.pk, action.owner_id, day.isoformat()))  # type: ignore[arg-type]
        count += 1
    for org_id, owner_id, iso_day in sorted(to_send):
        transaction.on_commit(
            partial(tasks.send_overdue_reminder.enqueue, organisation_id=org_id, owner_id=owner_id, day=iso_day)
        )
    return count
