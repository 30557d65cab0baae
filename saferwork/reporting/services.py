"""Writes for safe reporting. Each one commits with its audit entry, or not at all.

Audit entries name the report by its reference and never carry what anyone wrote.
"""

from __future__ import annotations

import functools
import json
import secrets
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from saferwork.audit import services as audit
from saferwork.lib.email import queue_email
from saferwork.organisations.models import Organisation
from saferwork.reporting import crypto, keys, selectors, statistics
from saferwork.reporting.models import (
    Attachment,
    Exclusion,
    HandlerAccess,
    HandlerKey,
    Message,
    Note,
    PrivateRecord,
    PrivateRecordEntry,
    PrivateRecordFile,
    RecoveryWrap,
    Report,
    ReportingSettings,
    ReportKey,
    ReportShare,
    ReportTally,
)

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class NobodyCouldRead(ValueError):
    """A report would be sealed to nobody: every handler who reads reports is excluded (or
    none has been given access yet). It is refused rather than stored unread."""


def _audit_reporter_action(*, action: str, report: Report, data: dict[str, Any] | None = None) -> None:
    """Audit something a reporter did, dated to the day only and folded into the log later.

    See ``audit.services.record_reporter_action``: the entry must not sit between
    handlers' entries, nor beside the other entry of a share.
    """
    audit.record_reporter_action(
        action=action,
        organisation=report.organisation,
        target=report,
        day=selectors.today_for(report.organisation),
        data=data,
    )


def _reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def _alert_handlers(*, organisation: Organisation, kind: str, exclude: set[int]) -> None:
    """Tell the organisation's handlers a reporter did something, with no detail of the report.

    The task carries the organisation and the handlers to tell, not the report (see
    ``reporting/emails.py``).
    """
    recipients = [u.pk for u in selectors.readers(organisation) if u.pk not in exclude]
    if recipients:
        queue_email(kind, ids=[organisation.pk, *sorted(recipients)])


# ---------------------------------------------------------------- organisation set-up


@transaction.atomic
def enable_reporting(*, organisation: Organisation, actor: Any, handler_private: bytes | None) -> str:
    """Turn the reporting route on and return the recovery key, to be shown once.

    The actor's own handler key (if unlocked in their session) is sealed to the recovery
    key now; other handlers' keys are sealed at their next sign-in. An actor who handles
    reports here reads them from the start (they hold the recovery key anyway); every
    other handler is given access by a handler who reads them, or with the recovery key.
    """
    if ReportingSettings.objects.filter(organisation=organisation).exists():
        raise ValueError("Reporting is already enabled for this organisation.")
    public, private = crypto.new_keypair()
    org_settings = ReportingSettings.objects.create(
        organisation=organisation,
        enabled_on=selectors.today_for(organisation),
        recovery_public_key=public,
        receipt_salt=crypto.new_salt(),
    )
    key = HandlerKey.objects.filter(user=actor).first()
    if key is not None and handler_private is not None:
        keys.ensure_recovery_wraps(key=key, private=handler_private)
        if selectors.handlers(organisation).filter(pk=actor.pk).exists():
            HandlerAccess.objects.create(
                organisation=organisation, user=actor, granted_by=actor, granted_on=org_settings.enabled_on
            )
    audit.record(action="saferwork.reporting.enabled", actor=actor, organisation=organisation, target=org_settings)
    return crypto.format_recovery_key(private)


@transaction.atomic
def update_support_pages(
    *,
    org_settings: ReportingSettings,
    actor: Any,
    who_to_talk_to: str,
    employee_assistance: str,
    helplines: str,
    recovery_key_holders: str | None = None,
) -> None:
    """Save the support pages that every reporting page links to, and who keeps the
    recovery key (reporters are told these people can open every report)."""
    org_settings.who_to_talk_to = who_to_talk_to
    org_settings.employee_assistance = employee_assistance
    org_settings.helplines = helplines
    if recovery_key_holders is not None:
        org_settings.recovery_key_holders = recovery_key_holders
    org_settings.save(update_fields=["who_to_talk_to", "employee_assistance", "helplines", "recovery_key_holders"])
    audit.record(
        action="saferwork.reporting.support_updated",
        actor=actor,
        organisation=org_settings.organisation,
        target=org_settings,
    )


@transaction.atomic
def recover_handler_key(*, user: Any, organisation: Organisation, recovery_private: bytes, password: str) -> bytes:
    """Bring back a handler's key after a password reset, with the organisation's recovery
    key, and wrap it under their current password. Raises DecryptionError."""
    org_settings = ReportingSettings.objects.get(organisation=organisation)
    if crypto.public_of(recovery_private) != bytes(org_settings.recovery_public_key):
        raise crypto.DecryptionError("Not this organisation's recovery key.")
    wrap = RecoveryWrap.objects.filter(organisation=organisation, handler_key__user=user).first()
    if wrap is None:
        # The key was never sealed to this organisation's recovery key (the handler had not
        # signed in since reporting was enabled): it is lost. Give them a new one; the
        # caller then re-grants this organisation's reports with the recovery key.
        public, private = crypto.new_keypair()
        key = HandlerKey.objects.select_for_update().get(user=user)
        key.public_key = public
        key.save(update_fields=["public_key"])
        ReportKey.objects.filter(user=user).delete()  # sealed to the lost key: useless now
        key.recovery_wraps.all().delete()
        keys.rewrap_for_new_password(user=user, private=private, password=password)
        keys.ensure_recovery_wraps(key=key, private=private)
        audit.record(
            action="saferwork.reporting.handler_key_replaced", actor=user, organisation=organisation, target=key
        )
        return private
    private = crypto.unseal(recovery_private, bytes(wrap.sealed_private_key))
    keys.rewrap_for_new_password(user=user, private=private, password=password)
    audit.record(action="saferwork.reporting.handler_key_recovered", actor=user, organisation=organisation, target=wrap)
    return private


def _check_recovery_key(organisation: Organisation, recovery_private: bytes) -> ReportingSettings:
    org_settings = ReportingSettings.objects.select_for_update().get(organisation=organisation)
    if crypto.public_of(recovery_private) != bytes(org_settings.recovery_public_key):
        raise crypto.DecryptionError("Not this organisation's recovery key.")
    return org_settings


def _grantee_key(organisation: Organisation, user: Any) -> HandlerKey:
    """The reporting key of a handler who may be given this organisation's reports."""
    if not selectors.handlers(organisation).filter(pk=user.pk).exists():
        raise PermissionError("Only a case handler of this organisation can be given its reports.")
    key = HandlerKey.objects.filter(user=user).first()
    if key is None:
        raise PermissionError("This handler has no reporting key yet: they get one when they next sign in.")
    return key


def _seal_reports_to(
    *, organisation: Organisation, user: Any, key: HandlerKey, opened: list[tuple[Report, bytes]]
) -> int:
    excluded = set(Exclusion.objects.filter(organisation=organisation, user=user).values_list("report_id", flat=True))
    have = set(ReportKey.objects.filter(organisation=organisation, user=user).values_list("report_id", flat=True))
    created = ReportKey.objects.bulk_create(
        ReportKey(
            organisation=organisation,
            report=report,
            user=user,
            sealed_private_key=crypto.seal(bytes(key.public_key), report_private),
        )
        for report, report_private in opened
        if report.pk not in excluded and report.pk not in have
    )
    return len(created)


def _record_access(*, organisation: Organisation, user: Any, granted_by: Any) -> None:
    HandlerAccess.objects.get_or_create(
        organisation=organisation,
        user=user,
        defaults={"granted_by": granted_by, "granted_on": selectors.today_for(organisation)},
    )


@transaction.atomic
def grant_with_recovery_key(
    *, organisation: Organisation, recovery_private: bytes, user: Any, actor: Any = None
) -> int:
    """The holder of the recovery key gives ``user`` (a case handler here) this
    organisation's reports: every one they lack a key for, never one they are excluded
    from, opened with the recovery key; new reports are sealed to them from now on.
    ``actor`` is whoever typed the key (the handler themselves by default). Returns how
    many reports were newly opened to them. Raises DecryptionError or PermissionError."""
    actor = actor if actor is not None else user
    _check_recovery_key(organisation, recovery_private)
    handler_key = _grantee_key(organisation, user)
    missing = (
        Report.objects.filter(organisation=organisation)
        .exclude(keys__user=user)
        .exclude(exclusions__user=user)
        .only("pk", "organisation_id", "recovery_wrapped_private_key")
    )
    opened = [(r, crypto.unseal(recovery_private, bytes(r.recovery_wrapped_private_key))) for r in missing]
    count = _seal_reports_to(organisation=organisation, user=user, key=handler_key, opened=opened)
    _record_access(organisation=organisation, user=user, granted_by=actor)
    audit.record(
        action="saferwork.reporting.access_granted_with_recovery_key",
        actor=actor,
        organisation=organisation,
        target=handler_key,
        data={"handler": user.pk, "reports": count},
    )
    return count


@transaction.atomic
def grant_access(*, organisation: Organisation, granter: Any, granter_private: bytes, user: Any) -> tuple[int, int]:
    """A handler who reads this organisation's reports gives them to another handler: each
    report key the granter can open is re-sealed to the newcomer (never a report the
    newcomer is excluded from), and new reports are sealed to them from now on.

    Returns (reports given, reports the granter could not open): those need the recovery
    key. Raises PermissionError when the granter does not read reports here or the
    newcomer may not be given them, DecryptionError when the granter's key is not theirs.
    Call it in sudo mode: the view checks."""
    if user.pk == granter.pk:
        raise PermissionError("Nobody can give reports to themselves.")
    if not selectors.readers(organisation).filter(pk=granter.pk).exists():
        raise PermissionError("Only a handler who reads this organisation's reports can give them to someone.")
    granter_key = HandlerKey.objects.get(user=granter)
    if crypto.public_of(granter_private) != bytes(granter_key.public_key):
        raise crypto.DecryptionError("This is not the granter's key.")
    handler_key = _grantee_key(organisation, user)
    wrapped = ReportKey.objects.filter(organisation=organisation, user=granter).select_related("report")
    opened = [(w.report, crypto.unseal(granter_private, bytes(w.sealed_private_key))) for w in wrapped]
    count = _seal_reports_to(organisation=organisation, user=user, key=handler_key, opened=opened)
    unreachable = (
        Report.objects.filter(organisation=organisation).exclude(keys__user=user).exclude(exclusions__user=user).count()
    )
    _record_access(organisation=organisation, user=user, granted_by=granter)
    audit.record(
        action="saferwork.reporting.access_granted",
        actor=granter,
        organisation=organisation,
        target=handler_key,
        data={"handler": user.pk, "reports": count, "not_opened": unreachable},
    )
    return count, unreachable


@transaction.atomic
def revoke_access(*, organisation: Organisation, user: Any, actor: Any, reason: str) -> int:
    """Take this organisation's reports away from ``user`` at once: their key to every
    report here, their key sealed to this organisation's recovery key and their grant are
    deleted, and cases assigned to them are unassigned. Returns how many report keys went.

    Called by the membership services (flag removed, membership removed, account
    deactivated) in the same transaction as the change."""
    deleted, _ = ReportKey.objects.filter(organisation=organisation, user=user).delete()
    RecoveryWrap.objects.filter(organisation=organisation, handler_key__user=user).delete()
    had_access, _ = HandlerAccess.objects.filter(organisation=organisation, user=user).delete()
    Report.objects.filter(organisation=organisation, assigned_to=user).update(assigned_to=None)
    if deleted or had_access:
        audit.record(
            action="saferwork.reporting.access_revoked",
            actor=actor,
            organisation=organisation,
            target=user,
            data={"handler": user.pk, "report_keys": deleted, "reason": reason},
        )
    return deleted


@transaction.atomic
def rotate_recovery_key(*, organisation: Organisation, actor: Any, recovery_private: bytes) -> str:
    """Replace the organisation's recovery key: a new key pair is made, everything sealed to
    the old public key (every report key and every handler key wrapped for recovery) is
    re-sealed to the new one, and the old wraps are overwritten, in one transaction.
    Returns the new recovery key, to be shown once. Raises DecryptionError."""
    org_settings = _check_recovery_key(organisation, recovery_private)
    public, private = crypto.new_keypair()
    reports = list(
        Report.objects.select_for_update()
        .filter(organisation=organisation)
        .only("pk", "organisation_id", "recovery_wrapped_private_key")
    )
    for report in reports:
        report_private = crypto.unseal(recovery_private, bytes(report.recovery_wrapped_private_key))
        report.recovery_wrapped_private_key = crypto.seal(public, report_private)
    Report.objects.bulk_update(reports, ["recovery_wrapped_private_key"], batch_size=500)
    wraps = list(RecoveryWrap.objects.select_for_update().filter(organisation=organisation))
    for wrap in wraps:
        wrap.sealed_private_key = crypto.seal(public, crypto.unseal(recovery_private, bytes(wrap.sealed_private_key)))
    RecoveryWrap.objects.bulk_update(wraps, ["sealed_private_key"], batch_size=500)
    org_settings.recovery_public_key = public
    org_settings.recovery_key_rotated_on = selectors.today_for(organisation)
    org_settings.save(update_fields=["recovery_public_key", "recovery_key_rotated_on"])
    audit.record(
        action="saferwork.reporting.recovery_key_rotated",
        actor=actor,
        organisation=organisation,
        target=org_settings,
        data={"reports": len(reports), "handler_keys": len(wraps)},
    )
    return crypto.format_recovery_key(private)


# ---------------------------------------------------------------- the reporter


@dataclass
class Submission:
    """Everything the reporter's browser session gathered, ready to be sent."""

    answers: dict[str, Any]
    public_key: bytes
    private_key: bytes
    attachments: list[tuple[str, bytes]] = field(default_factory=list)  # (storage name, sealed meta)
    excluded_user_ids: list[int] = field(default_factory=list)
    notify_email: str = ""
    is_named: bool = False


def _seal_json(public_key: bytes, data: dict[str, Any]) -> bytes:
    return crypto.seal(public_key, json.dumps(data, separators=(",", ":")).encode())


def open_json(private_key: bytes, sealed: bytes) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(crypto.unseal(private_key, sealed))
    return data


def _seal_email(email: str) -> bytes | None:
    if not email:
        return None
    return crypto.secretbox_encrypt(crypto.server_key("notify-email"), email.encode())


def notify_email_of(report: Report) -> str:
    if not report.notify_email:
        return ""
    try:
        return crypto.secretbox_decrypt(crypto.server_key("notify-email"), bytes(report.notify_email)).decode()
    except crypto.DecryptionError:
        return ""


@sensitive_variables()
@transaction.atomic
def submit_report(
    *,
    organisation: Organisation,
    submission: Submission,
    receipt_key: bytes,
    receipt_kdf: crypto.KdfParams,
) -> Report:
    """Store a new report, sealed, and alert the handlers without any detail.

    ``receipt_key`` is the Argon2id key derived from the receipt (in the browser, or on
    the server without JavaScript); only a hash of it is stored. No address, browser or
    time of day is recorded: the date only.
    """
    # Locked so that a recovery-key rotation cannot slip between reading the public key and
    # storing what was sealed to it.
    org_settings = ReportingSettings.objects.select_for_update().get(organisation=organisation, enabled=True)
    today = selectors.today_for(organisation)
    if crypto.public_of(submission.private_key) != submission.public_key:
        raise ValueError("The draft's key pair does not match.")
    report = Report.objects.create(
        organisation=organisation,
        reference=_reference(),
        submitted_on=today,
        acknowledge_by=selectors.add_working_days(today, settings.REPORTING_ACK_WORKING_DAYS),
        is_named=submission.is_named,
        public_key=submission.public_key,
        content=_seal_json(submission.public_key, submission.answers),
        receipt_lookup=crypto.receipt_lookup(receipt_key),
        receipt_kdf=receipt_kdf.as_dict(),
        receipt_wrapped_private_key=crypto.secretbox_encrypt(receipt_key, submission.private_key),
        recovery_wrapped_private_key=crypto.seal(bytes(org_settings.recovery_public_key), submission.private_key),
        notify_email=_seal_email(submission.notify_email),
    )
    handler_ids = set(selectors.handlers(organisation).values_list("pk", flat=True))
    excluded = set(submission.excluded_user_ids) & handler_ids
    # Sealed to the handlers who already read this organisation's reports (a grant made
    # by someone who could read them), never to everyone who holds the flag.
    reader_ids = set(selectors.readers(organisation).values_list("pk", flat=True)) - excluded
    reader_keys = list(HandlerKey.objects.filter(user_id__in=reader_ids))
    if not reader_keys:
        raise NobodyCouldRead("Nobody who reads reports here could read this one.")
    Exclusion.objects.bulk_create(
        Exclusion(
            organisation=organisation,
            report=report,
            user_id=uid,
            reason=Exclusion.Reason.EXCLUDED_BY_REPORTER,
            created_on=today,
        )
        for uid in sorted(excluded)
    )
    # An excluded handler gets no wrapped key: not now, not ever (grants skip exclusions).
    ReportKey.objects.bulk_create(
        ReportKey(
            organisation=organisation,
            report=report,
            user_id=key.user_id,
            sealed_private_key=crypto.seal(bytes(key.public_key), submission.private_key),
        )
        for key in reader_keys
    )
    Attachment.objects.bulk_create(
        Attachment(organisation=organisation, report=report, storage_name=name, sealed_meta=meta)
        for name, meta in submission.attachments
    )
    # Category counters for statistics: fixed choices and the month only, no link to the report.
    month = statistics.month_of(today)
    statistics.add_to_tallies(
        organisation_id=organisation.pk,
        increments=[(month, dimension, value) for dimension, value in statistics.categories(submission.answers)],
    )
    _audit_reporter_action(
        action="saferwork.report.submitted",
        report=report,
        data={"excluded_handlers": len(excluded), "attachments": len(submission.attachments)},
    )
    _alert_handlers(organisation=organisation, kind="reporting.new_report", exclude=excluded)
    return report


@sensitive_variables()
def find_report_by_receipt_key(organisation: Organisation, receipt_key: bytes) -> tuple[Report, bytes] | None:
    """The report this receipt key opens, with its private key; None for any wrong key.

    The lookup hash is compared in constant time after the indexed fetch.
    """
    lookup = crypto.receipt_lookup(receipt_key)
    report = Report.objects.filter(organisation=organisation, receipt_lookup=lookup).first()
    if report is None or not crypto.lookups_match(report.receipt_lookup, lookup):
        return None
    try:
        private = crypto.secretbox_decrypt(receipt_key, bytes(report.receipt_wrapped_private_key))
    except crypto.DecryptionError:
        return None
    return report, private


@transaction.atomic
def rewrap_receipt(*, item: Report | PrivateRecord, private: bytes, receipt_key: bytes) -> None:
    """Re-wrap a report's or record's private key under a receipt key derived with today's
    Argon2id parameters (the caller derived it from the receipt itself), once an older key
    opened it: raising the parameters then protects old material too, and the list of
    parameter sets to try stays short. Not audited: a reporter's action, and the entry
    would tell when a receipt was used."""
    model = type(item)
    locked = model.objects.select_for_update().get(pk=item.pk)
    if crypto.public_of(private) != bytes(locked.public_key):
        raise crypto.DecryptionError("This is not the key of this report or record.")
    locked.receipt_lookup = crypto.receipt_lookup(receipt_key)
    locked.receipt_kdf = crypto.KdfParams.current().as_dict()
    locked.receipt_wrapped_private_key = crypto.secretbox_encrypt(receipt_key, private)
    locked.save(update_fields=["receipt_lookup", "receipt_kdf", "receipt_wrapped_private_key"])


@transaction.atomic
def add_reporter_message(*, report: Report, body: str, attachments: list[tuple[str, bytes]] | None = None) -> Message:
    """The reporter adds information or answers; handlers are alerted without detail."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.is_closed:
        raise ValueError("This case is closed.")
    message = Message.objects.create(
        organisation_id=report.organisation_id,
        report=report,
        author_kind=Message.Author.REPORTER,
        body=crypto.seal(bytes(report.public_key), body.encode()),
        sent_on=selectors.today_for(report.organisation),
    )
    Attachment.objects.bulk_create(
        Attachment(
            organisation_id=report.organisation_id, report=report, message=message, storage_name=n, sealed_meta=m
        )
        for n, m in attachments or []
    )
    report.awaiting_handler = True
    report.save(update_fields=["awaiting_handler"])
    _audit_reporter_action(
        action="saferwork.report.reporter_message", report=report, data={"attachments": len(attachments or [])}
    )
    _alert_handlers(
        organisation=report.organisation, kind="reporting.new_message", exclude=selectors.excluded_user_ids(report)
    )
    return message


# ---------------------------------------------------------------- handlers


def report_private_key(*, report: Report, user: Any, handler_private: bytes) -> bytes:
    """Open the report key with the handler's key. Raises DecryptionError if they have none."""
    wrapped = ReportKey.objects.filter(report=report, user=user).values_list("sealed_private_key", flat=True).first()
    if wrapped is None:
        raise crypto.DecryptionError("No key for this handler.")
    return crypto.unseal(handler_private, bytes(wrapped))


@transaction.atomic
def open_case(*, report: Report, user: Any, handler_private: bytes) -> bytes:
    """A handler opens (reads) a case. Audited every time. Returns the report private key.

    Opening gives nobody else a key: access is granted explicitly (``grant_access``)."""
    report_private = report_private_key(report=report, user=user, handler_private=handler_private)
    audit.record(action="saferwork.case.opened", actor=user, organisation=report.organisation, target=report)
    return report_private


@transaction.atomic
def record_attachment_read(*, report: Report, user: Any, attachment: Attachment) -> None:
    audit.record(
        action="saferwork.case.attachment_read",
        actor=user,
        organisation=report.organisation,
        target=report,
        data={"attachment": attachment.pk},
    )


@transaction.atomic
def change_status(*, report: Report, user: Any, status: str, outcome: str = "") -> Report:
    """Move a case along: received → acknowledged → assessing → resolving → closed (with an
    outcome). Closing erases the reporter's notification email."""
    if status not in Report.Status.values:
        raise ValueError("Unknown status")
    if status == Report.Status.CLOSED and outcome not in Report.Outcome.values:
        raise ValueError("A closed case needs an outcome")
    report = Report.objects.select_for_update().get(pk=report.pk)
    previous = report.status
    today = selectors.today_for(report.organisation)
    report.status = status
    if status != Report.Status.RECEIVED and report.acknowledged_on is None:
        report.acknowledged_on = today
        statistics.add_to_tally(
            organisation_id=report.organisation_id,
            month=statistics.month_of(report.submitted_on),
            dimension=ReportTally.Dimension.ACKNOWLEDGED,
            value=statistics.ack_bucket((today - report.submitted_on).days),
        )
    if status == Report.Status.CLOSED:
        report.outcome = outcome
        report.closed_on = today
        report.notify_email = None
    else:
        report.outcome = ""
        report.closed_on = None
    report.save()
    audit.record(
        action="saferwork.case.status_changed",
        actor=user,
        organisation=report.organisation,
        target=report,
        data={"from": previous, "to": status, "outcome": report.outcome},
    )
    return report


@transaction.atomic
def assign(*, report: Report, user: Any, assignee: Any | None) -> Report:
    """Give the case to a handler who may read it (or to nobody)."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if assignee is not None:
        allowed = selectors.readers(report.organisation).filter(pk=assignee.pk).exists()
        if not allowed or assignee.pk in selectors.excluded_user_ids(report):
            raise ValueError("This person cannot handle this case.")
    report.assigned_to = assignee
    report.save(update_fields=["assigned_to"])
    audit.record(
        action="saferwork.case.assigned",
        actor=user,
        organisation=report.organisation,
        target=report,
        data={"assignee": assignee.pk if assignee else None},
    )
    return report


@transaction.atomic
def reply(*, report: Report, user: Any, body: str) -> Message:
    """A handler writes to the reporter; the reporter's email (if any) gets a bare alert."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    message = Message.objects.create(
        organisation_id=report.organisation_id,
        report=report,
        author_kind=Message.Author.HANDLER,
        author=user,
        body=crypto.seal(bytes(report.public_key), body.encode()),
        sent_on=selectors.today_for(report.organisation),
    )
    report.awaiting_handler = False
    report.save(update_fields=["awaiting_handler"])
    audit.record(action="saferwork.case.replied", actor=user, organisation=report.organisation, target=report)
    if report.notify_email:
        # Only the id: the worker unseals the address from the report row.
        queue_email("reporting.reporter_new_message", ids=[report.pk])
    return message


@transaction.atomic
def add_note(*, report: Report, user: Any, body: str) -> Note:
    """A private handler note, sealed to the report key, never shown to the reporter."""
    note = Note.objects.create(
        organisation_id=report.organisation_id,
        report=report,
        author=user,
        body=crypto.seal(bytes(report.public_key), body.encode()),
    )
    audit.record(action="saferwork.case.note_added", actor=user, organisation=report.organisation, target=report)
    return note


@transaction.atomic
def step_aside(*, report: Report, user: Any) -> None:
    """A handler with a conflict of interest gives up the case: their key for it is
    destroyed and they are never given another."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    ReportKey.objects.filter(report=report, user=user).delete()
    Exclusion.objects.get_or_create(
        organisation_id=report.organisation_id,
        report=report,
        user=user,
        defaults={"reason": Exclusion.Reason.STEPPED_ASIDE, "created_on": selectors.today_for(report.organisation)},
    )
    if report.assigned_to_id == user.pk:
        report.assigned_to = None
        report.save(update_fields=["assigned_to"])
    audit.record(action="saferwork.case.stepped_aside", actor=user, organisation=report.organisation, target=report)


@transaction.atomic
def escalate_overdue(*, today: date | None = None) -> int:
    """Escalate every report not acknowledged by its due date: assign it to the next handler
    who may read it and alert the organisation's handlers. At most once a day per report."""
    count = 0
    overdue = (
        Report.objects.select_for_update(of=("self",))
        .filter(status=Report.Status.RECEIVED)
        .select_related("organisation")
        .order_by("pk")
    )
    for report in overdue:
        day = today or selectors.today_for(report.organisation)
        if report.acknowledge_by >= day or report.last_escalated_on == day:
            continue
        excluded = selectors.excluded_user_ids(report)
        candidates = [u for u in selectors.readers(report.organisation) if u.pk not in excluded]
        if candidates:
            ids = [u.pk for u in candidates]
            position = ids.index(report.assigned_to_id) + 1 if report.assigned_to_id in ids else 0
            report.assigned_to = candidates[position % len(candidates)]
        report.escalation_level += 1
        report.last_escalated_on = day
        report.save(update_fields=["assigned_to", "escalation_level", "last_escalated_on"])
        audit.record(
            action="saferwork.case.escalated",
            organisation=report.organisation,
            target=report,
            data={"level": report.escalation_level, "assignee": report.assigned_to_id},
        )
        if candidates:
            queue_email("reporting.overdue", ids=[report.pk])
        count += 1
    return count


@transaction.atomic
def record_statistics_export(*, organisation: Organisation, user: Any) -> None:
    """Statistics leave the system only through this audited export."""
    audit.record(action="saferwork.reporting.statistics_exported", actor=user, organisation=organisation)


# ---------------------------------------------------------------- retention


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier, or that month's last day if it has none."""
    import calendar

    years, month_index = divmod(day.month - 1 - months, 12)
    year, month = day.year + years, month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@transaction.atomic
def erase_closed_reports(*, months: int, today: date | None = None) -> int:
    """Erase every case closed at least ``months`` months ago: the report, its keys,
    messages, notes, exclusions and files. The statistics counters (``ReportTally``) were
    written when the report came in and when it was acknowledged, carry no link to it and
    stay, so statistics do not change. Returns how many reports were erased.
    """
    if months < 1:
        raise ValueError("Keep closed cases for at least one month.")
    count = 0
    expired = (
        Report.objects.select_for_update(of=("self",))
        .filter(status=Report.Status.CLOSED, closed_on__isnull=False)
        .select_related("organisation")
        .only("pk", "reference", "closed_on", "organisation")
        .order_by("pk")
    )
    for report in expired:
        day = today or selectors.today_for(report.organisation)
        if report.closed_on is None or report.closed_on > months_before(day, months):
            continue
        names = list(Attachment.objects.filter(report=report).values_list("storage_name", flat=True))
        audit.record(
            action="saferwork.report.erased",
            organisation=report.organisation,
            target=report,
            data={"closed_on": report.closed_on.isoformat(), "retention_months": months, "files": len(names)},
        )
        report.delete()
        for name in names:
            # Files go once the rows are gone; a failed commit leaves sealed files only.
            transaction.on_commit(functools.partial(_delete_file, name))
        count += 1
    return count


def _delete_file(name: str) -> None:
    from saferwork.reporting import attachments

    attachments.delete_stored(name)


# ---------------------------------------------------------------- private records


def _record_entry(public_key: bytes, text: str, happened_on: date | None) -> bytes:
    return _seal_json(public_key, {"text": text, "date": happened_on.isoformat() if happened_on else ""})


@transaction.atomic
def start_record(
    *,
    organisation: Organisation,
    text: str,
    happened_on: date | None,
    receipt_key: bytes,
    receipt_kdf: crypto.KdfParams,
) -> tuple[PrivateRecord, bytes]:
    """Save a private record under a receipt; returns it with its private key.

    Nobody is told, nothing is counted and no audit entry is written: an entry would name
    the organisation and so tell its handlers' auditors that a record exists."""
    public, private = crypto.new_keypair()
    today = selectors.today_for(organisation)
    record = PrivateRecord.objects.create(
        public_key=public,
        receipt_lookup=crypto.receipt_lookup(receipt_key),
        receipt_kdf=receipt_kdf.as_dict(),
        receipt_wrapped_private_key=crypto.secretbox_encrypt(receipt_key, private),
        last_activity_on=today,
    )
    PrivateRecordEntry.objects.create(record=record, body=_record_entry(public, text, happened_on), added_on=today)
    return record, private


@sensitive_variables()
def find_record_by_receipt_key(receipt_key: bytes) -> tuple[PrivateRecord, bytes] | None:
    lookup = crypto.receipt_lookup(receipt_key)
    record = PrivateRecord.objects.filter(receipt_lookup=lookup).first()
    if record is None or not crypto.lookups_match(record.receipt_lookup, lookup):
        return None
    try:
        private = crypto.secretbox_decrypt(receipt_key, bytes(record.receipt_wrapped_private_key))
    except crypto.DecryptionError:
        return None
    return record, private


@transaction.atomic
def add_to_record(*, record: PrivateRecord, text: str, happened_on: date | None, today: date) -> PrivateRecordEntry:
    record = PrivateRecord.objects.select_for_update().get(pk=record.pk)
    record.last_activity_on = today
    record.save(update_fields=["last_activity_on"])
    return PrivateRecordEntry.objects.create(
        record=record, body=_record_entry(bytes(record.public_key), text, happened_on), added_on=today
    )


def open_record(record: PrivateRecord, private: bytes) -> list[dict[str, Any]]:
    """The record's entries, opened: ``text``, ``added_on`` and ``date`` (the day it
    happened, a ``date`` or None)."""
    entries = []
    for entry in record.entries.all():
        data = open_json(private, bytes(entry.body))
        try:
            happened_on = date.fromisoformat(str(data.get("date") or "")) if data.get("date") else None
        except ValueError:
            happened_on = None
        entries.append({"added_on": entry.added_on, "text": str(data.get("text", "")), "date": happened_on})
    return entries


def add_file_to_record(*, record: PrivateRecord, clean: Any, today: date) -> PrivateRecordFile:
    """Seal a cleaned upload (``attachments.clean_upload``) to the record's key and store it,
    through the same functions as a report's attachments."""
    from saferwork.reporting import attachments

    with transaction.atomic():
        locked = PrivateRecord.objects.select_for_update().get(pk=record.pk)
        name, meta = attachments.seal_and_store(clean, bytes(locked.public_key))
        locked.last_activity_on = today
        locked.save(update_fields=["last_activity_on"])
        return PrivateRecordFile.objects.create(record=locked, storage_name=name, sealed_meta=meta)


def record_files(record: PrivateRecord, private: bytes) -> list[dict[str, Any]]:
    """The record's files with their opened names, types and sizes."""
    from saferwork.reporting import attachments

    return [{"pk": f.pk, **attachments.open_meta(private, bytes(f.sealed_meta))} for f in record.files.all()]


def reseal_record_files(record: PrivateRecord, private: bytes, public_key: bytes) -> list[tuple[str, bytes, str, int]]:
    """Copies of the record's files sealed to another key (a new report's): returns
    (storage name, sealed metadata, file name, size) for each. The record keeps its own."""
    from saferwork.reporting import attachments

    copies = []
    for stored in record.files.all():
        meta = attachments.open_meta(private, bytes(stored.sealed_meta))
        data = attachments.open_file(private, stored.storage_name)
        clean = attachments.CleanFile(str(meta["name"]), str(meta["content_type"]), data)
        name, sealed_meta = attachments.seal_and_store(clean, public_key)
        copies.append((name, sealed_meta, clean.name, len(data)))
    return copies


def _delete_records(records: Any) -> None:
    names = list(PrivateRecordFile.objects.filter(record__in=records).values_list("storage_name", flat=True))
    PrivateRecord.objects.filter(pk__in=list(records.values_list("pk", flat=True))).delete()
    for name in names:
        # Files go once the rows are gone; a failed commit leaves sealed files only.
        transaction.on_commit(functools.partial(_delete_file, name))


@transaction.atomic
def delete_record(*, record: PrivateRecord) -> None:
    """Delete a private record for good: its entries and files go with it."""
    _delete_records(PrivateRecord.objects.filter(pk=record.pk))


@transaction.atomic
def erase_abandoned_records(*, months: int, today: date) -> int:
    """Erase private records nobody has added to for ``months`` months. Returns how many."""
    if months < 1:
        raise ValueError("Keep records for at least one month.")
    expired = PrivateRecord.objects.filter(last_activity_on__lte=months_before(today, months))
    count = expired.count()
    _delete_records(expired)
    return count


# ---------------------------------------------------------------- union-held reports


@transaction.atomic
def share_with_employer(
    *,
    report: Report,
    employer: Organisation,
    parts: list[str],
    submission: Submission,
    receipt_key: bytes,
    receipt_kdf: crypto.KdfParams,
) -> Report:
    """The reporter shares chosen parts of a union-held report with their employer.

    The employer gets a new report with its own keys (``submission`` carries the new key
    pair and only the chosen answers) and its handlers are alerted as for any report. The
    union keeps a ``ReportShare`` that says it was shared, with no link to the new report.
    """
    if report.organisation.kind != Organisation.Kind.UNION:
        raise ValueError("Only a report held by a union can be shared with an employer.")
    if employer.kind != Organisation.Kind.EMPLOYER or employer.pk == report.organisation_id:
        raise ValueError("Reports are shared with an employer.")
    new_report = submit_report(
        organisation=employer, submission=submission, receipt_key=receipt_key, receipt_kdf=receipt_kdf
    )
    ReportShare.objects.create(
        organisation_id=report.organisation_id,
        report=report,
        employer=employer,
        parts=sorted(parts),
        shared_on=selectors.today_for(report.organisation),
    )
    _audit_reporter_action(
        action="saferwork.report.shared_with_employer", report=report, data={"employer": employer.pk, "parts": parts}
    )
    return new_report
