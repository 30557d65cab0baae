"""Writes for fees: drafts, lines with receipts, sending and marking as paid."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from saferwork.audit import services as audit
from saferwork.delivery.models import SessionAttendance
from saferwork.fees.models import FeeDocument, FeeLine
from saferwork.lib import filecleaning
from saferwork.lib.email import queue_email
from saferwork.training.models import Enquiry, TrainerProfile


class FeeError(Exception):
    """A fee action that cannot be done, in words a person can read."""


def delivered(enquiry: Enquiry) -> bool:
    return SessionAttendance.objects.filter(session__enquiry=enquiry).exists()


def trainer_days(enquiry: Enquiry, trainer: TrainerProfile, *, delivered_only: bool = False) -> int:
    """Days this trainer is booked for on this booking (cancelled sessions excluded).

    A statement bills what happened: with ``delivered_only`` only the days whose attendance
    was recorded count, so a booked day still to come (or never held) is not billed.
    """
    sessions = enquiry.sessions.filter(trainers=trainer).exclude(status="cancelled")
    if delivered_only:
        sessions = sessions.filter(attendance_record__isnull=False)
    return sessions.count()


@transaction.atomic
def start_document(*, enquiry: Enquiry, trainer: TrainerProfile, kind: str, actor: Any) -> FeeDocument:
    """A draft estimate (before confirmation) or statement (after delivery), at the trainer's day rate."""
    if enquiry.organisation_id is None:
        raise FeeError("This enquiry has no organisation yet.")
    if kind == FeeDocument.Kind.STATEMENT and not delivered(enquiry):
        raise FeeError("A statement can be written once attendance has been recorded for a session of this booking.")
    document = FeeDocument.objects.create(
        organisation_id=enquiry.organisation_id,
        enquiry=enquiry,
        trainer=trainer,
        kind=kind,
        days=max(1, trainer_days(enquiry, trainer, delivered_only=kind == FeeDocument.Kind.STATEMENT)),
        day_rate_pence=trainer.day_rate_pence,
    )
    audit.record(
        action=f"fees.{kind}_started",
        actor=actor,
        organisation=document.organisation,
        target=document,
        data={"day_rate_pence": document.day_rate_pence, "days": document.days},
    )
    return document


def _require_draft(document: FeeDocument) -> None:
    if not document.is_draft:
        raise FeeError("Only a draft can be changed. This one has been sent.")


@transaction.atomic
def update_document(*, document: FeeDocument, days: int, day_rate_pence: int, notes: str, actor: Any) -> FeeDocument:
    _require_draft(document)
    document.days, document.day_rate_pence, document.notes = days, day_rate_pence, notes
    document.save(update_fields=["days", "day_rate_pence", "notes"])
    audit.record(
        action="saferwork.fees.document_changed",
        actor=actor,
        organisation=document.organisation,
        target=document,
        data={"days": days, "day_rate_pence": day_rate_pence},
    )
    return document


RECEIPT_SIGNATURES = {
    "pdf": [b"%PDF-"],
    "png": [b"\x89PNG\r\n\x1a\n"],
    "jpg": [b"\xff\xd8\xff"],
    "jpeg": [b"\xff\xd8\xff"],
}


def _receipt_types() -> set[str]:
    return {t.lower() for t in settings.FEES_RECEIPT_TYPES}


def check_receipt(upload: UploadedFile) -> str | None:
    """Why an uploaded receipt is refused, or None. Checks the size, the name and the bytes."""
    allowed = [t.lower() for t in settings.FEES_RECEIPT_TYPES]
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in allowed:
        return f"The receipt must be a {', '.join(t.upper() for t in allowed)} file"
    if upload.size is None or upload.size > settings.FEES_RECEIPT_MAX_BYTES:
        return f"The receipt must be smaller than {settings.FEES_RECEIPT_MAX_BYTES // (1024 * 1024)} MB"
    head = upload.read(16)
    upload.seek(0)
    signatures = RECEIPT_SIGNATURES.get(extension)
    if signatures and not any(head.startswith(sig) for sig in signatures):
        return f"The receipt is not a real {extension.upper()} file"
    return None


@transaction.atomic
def add_line(
    *,
    document: FeeDocument,
    kind: str,
    description: str,
    amount_pence: int,
    receipt: UploadedFile | None,
    actor: Any,
) -> FeeLine:
    _require_draft(document)
    clean = None
    if receipt is not None:
        problem = check_receipt(receipt)
        if problem:
            raise FeeError(problem)
        # The same cleaning as reporting evidence: EXIF (GPS included) and PDF metadata go.
        try:
            clean = filecleaning.clean_file(receipt.name or "receipt", receipt.read(), allowed=_receipt_types())
        except filecleaning.UploadRefused as exc:
            raise FeeError(str(exc)) from exc
    line = FeeLine(document=document, kind=kind, description=description, amount_pence=amount_pence)
    if clean is not None:
        line.receipt_name = clean.name[:200]
        line.receipt.save(clean.name, ContentFile(clean.data), save=False)
    line.save()
    audit.record(
        action="saferwork.fees.line_added",
        actor=actor,
        organisation=document.organisation,
        target=document,
        data={"kind": kind, "amount_pence": amount_pence, "receipt": bool(receipt)},
    )
    return line


@transaction.atomic
def remove_line(*, line: FeeLine, actor: Any) -> None:
    document = line.document
    _require_draft(document)
    if line.receipt:
        stored = line.receipt.name
        transaction.on_commit(lambda: line.receipt.storage.delete(stored))
    line.delete()
    audit.record(
        action="saferwork.fees.line_removed", actor=actor, organisation=document.organisation, target=document, data={}
    )


@transaction.atomic
def send_document(*, document: FeeDocument, actor: Any) -> FeeDocument:
    """Send the document to the organisation's contact; from now on it cannot change."""
    _require_draft(document)
    document.state = FeeDocument.State.SENT
    document.sent_at = timezone.now()
    document.save(update_fields=["state", "sent_at"])
    queue_email("fees.sent", ids=[document.pk])
    audit.record(
        action="saferwork.fees.document_sent",
        actor=actor,
        organisation=document.organisation,
        target=document,
        data={"total_pence": document.total_pence()},
    )
    return document


@transaction.atomic
def mark_paid(*, document: FeeDocument, actor: Any) -> FeeDocument:
    if document.state != FeeDocument.State.SENT or document.kind != FeeDocument.Kind.STATEMENT:
        raise FeeError("Only a statement that has been sent can be marked as paid.")
    document.state = FeeDocument.State.PAID
    document.paid_at = timezone.now()
    document.save(update_fields=["state", "paid_at"])
    audit.record(
        action="saferwork.fees.document_paid", actor=actor, organisation=document.organisation, target=document, data={}
    )
    return document
