from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import pypdf
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from saferwork.delivery.tests.factories import record_all_attended
from saferwork.fees import services
from saferwork.fees.models import FeeDocument, FeeLine, pounds
from saferwork.lib.tests.samples import PDF_SECRETS, jpeg_with_gps, pdf_with_author
from saferwork.training.tests import factories as tf

pytestmark = pytest.mark.django_db

PDF = pdf_with_author("Train ticket, return")


@pytest.fixture
def estimate(trainer: Any, booking: Any, session: Any) -> FeeDocument:
    return services.start_document(enquiry=booking, trainer=trainer, kind="estimate", actor=trainer.user)


def test_pounds_formats_integer_pence() -> None:
    assert pounds(45000) == "£450.00"
    assert pounds(123456) == "£1,234.56"
    assert pounds(5) == "£0.05"


def test_trainer_starts_an_estimate_at_their_day_rate(
    verified_client: Any, trainer: Any, booking: Any, session: Any
) -> None:
    trainer.day_rate_pence = 50000
    trainer.save()
    client = verified_client(trainer.user)
    page = client.get(reverse("fees:index")).content.decode()
    assert "The programme never pays trainers" in page
    response = client.post(reverse("fees:start", args=[booking.pk, "estimate"]))
    document = FeeDocument.objects.get()
    assert response["Location"] == reverse("fees:detail", args=[document.pk])
    assert (document.kind, document.state, document.days, document.day_rate_pence) == ("estimate", "draft", 1, 50000)
    assert document.organisation == booking.organisation


def test_statement_only_after_delivery(trainer: Any, booking: Any, session: Any) -> None:
    with pytest.raises(services.FeeError, match="attendance has been recorded"):
        services.start_document(enquiry=booking, trainer=trainer, kind="statement", actor=None)
    record_all_attended(session, trainer.user)
    statement = services.start_document(enquiry=booking, trainer=trainer, kind="statement", actor=None)
    assert statement.kind == "statement"


def test_lines_and_total_in_pence(verified_client: Any, trainer: Any, estimate: FeeDocument) -> None:
    client = verified_client(trainer.user)
    url = reverse("fees:detail", args=[estimate.pk])
    client.post(url, {"save_document": "1", "days": "2", "day_rate": "450", "notes": "Bank transfer please"})
    client.post(url, {"add_line": "1", "kind": "preparation", "description": "Half a day", "amount": "225.00"})
    upload = SimpleUploadedFile("train.pdf", PDF, content_type="application/pdf")
    client.post(
        url, {"add_line": "1", "kind": "travel", "description": "Train", "amount": "£1,012.35", "receipt": upload}
    )
    estimate.refresh_from_db()
    assert estimate.total_pence() == 2 * 45000 + 22500 + 101235
    page = client.get(url).content.decode()
    assert "£2,137.35" in page
    line = estimate.lines.get(kind="travel")
    assert line.receipt_name == "train.pdf"
    assert not line.receipt.name.endswith("train.pdf")  # stored under a random name
    receipt = client.get(reverse("fees:receipt", args=[estimate.pk, line.pk]))
    stored = b"".join(receipt.streaming_content)
    assert "Train ticket, return" in pypdf.PdfReader(io.BytesIO(stored)).pages[0].extract_text()


def _add_receipt(client: Any, estimate: FeeDocument, name: str, content: bytes) -> Any:
    return client.post(
        reverse("fees:detail", args=[estimate.pk]),
        {
            "add_line": "1",
            "kind": "travel",
            "description": "Taxi",
            "amount": "12",
            "receipt": SimpleUploadedFile(name, content),
        },
    )


def test_receipt_photo_loses_its_gps_location(verified_client: Any, trainer: Any, estimate: FeeDocument) -> None:
    from PIL import Image

    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the photo really says where
    _add_receipt(verified_client(trainer.user), estimate, "taxi.jpg", original)
    line = estimate.lines.get()
    stored = line.receipt.open("rb").read()
    assert not Image.open(io.BytesIO(stored)).getexif()
    assert b"Camberwick" not in stored and b"Exif" not in stored


def test_receipt_pdf_loses_its_author_and_xmp_creator(
    verified_client: Any, trainer: Any, estimate: FeeDocument
) -> None:
    assert all(secret in PDF for secret in PDF_SECRETS)
    _add_receipt(verified_client(trainer.user), estimate, "train.pdf", PDF)
    stored = estimate.lines.get().receipt.open("rb").read()
    assert stored.startswith(b"%PDF-")
    for secret in PDF_SECRETS:
        assert secret not in stored


def test_receipt_pdf_that_cannot_be_read_is_refused(verified_client: Any, trainer: Any, estimate: FeeDocument) -> None:
    response = _add_receipt(verified_client(trainer.user), estimate, "train.pdf", b"%PDF-1.4\n%receipt\n")
    assert "could not be read" in response.content.decode()
    assert not FeeLine.objects.exists()


def test_stored_receipt_carries_only_the_day_it_was_added(
    verified_client: Any, trainer: Any, estimate: FeeDocument, settings: Any, tmp_path: Path
) -> None:
    from saferwork import settings as project

    # The project's own default storage (the fees tests otherwise keep files in memory), on a real disk.
    default = {**project.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}}
    settings.STORAGES = {**settings.STORAGES, "default": default}
    written = time.time()
    _add_receipt(verified_client(trainer.user), estimate, "train.pdf", PDF)
    path = Path(estimate.lines.get().receipt.path)
    stamp = path.stat()
    assert stamp.st_mtime % 86400 == 0 and stamp.st_atime % 86400 == 0  # midnight, not the second
    assert 0 <= written - stamp.st_mtime < 86400


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("receipt.exe", b"MZ", "The receipt must be a PDF, PNG, JPG, JPEG file"),
        ("receipt.pdf", b"not a pdf at all", "The receipt is not a real PDF file"),
        ("receipt.png", b"%PDF-1.4", "The receipt is not a real PNG file"),
    ],
)
def test_receipts_are_limited_by_type(
    verified_client: Any, trainer: Any, estimate: FeeDocument, name: str, content: bytes, message: str
) -> None:
    client = verified_client(trainer.user)
    upload = SimpleUploadedFile(name, content)
    response = client.post(
        reverse("fees:detail", args=[estimate.pk]),
        {"add_line": "1", "kind": "other", "description": "Thing", "amount": "10", "receipt": upload},
    )
    assert message in response.content.decode()
    assert not FeeLine.objects.exists()


def test_receipts_are_limited_by_size(verified_client: Any, trainer: Any, estimate: FeeDocument, settings: Any) -> None:
    settings.FEES_RECEIPT_MAX_BYTES = 1024
    upload = SimpleUploadedFile("big.pdf", PDF + b"0" * 2000)
    response = verified_client(trainer.user).post(
        reverse("fees:detail", args=[estimate.pk]),
        {"add_line": "1", "kind": "other", "description": "Thing", "amount": "10", "receipt": upload},
    )
    assert "The receipt must be smaller than" in response.content.decode()
    assert not FeeLine.objects.exists()


def test_bad_amount_is_explained(verified_client: Any, trainer: Any, estimate: FeeDocument) -> None:
    response = verified_client(trainer.user).post(
        reverse("fees:detail", args=[estimate.pk]),
        {"add_line": "1", "kind": "other", "description": "Thing", "amount": "ten pounds"},
    )
    assert "Enter amount in pounds, like 45.50" in response.content.decode()


def test_send_then_paid_and_the_organisation_sees_it(
    verified_client: Any,
    client: Any,
    trainer: Any,
    coordinator: Any,
    booking: Any,
    session: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    record_all_attended(session, trainer.user)
    statement = services.start_document(enquiry=booking, trainer=trainer, kind="statement", actor=None)
    url = reverse("fees:detail", args=[statement.pk])
    trainer_client = verified_client(trainer.user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        trainer_client.post(reverse("fees:send", args=[statement.pk]))
    statement.refresh_from_db()
    assert statement.state == "sent"
    assert mail.outbox[0].to[0] in {booking.contact_email, booking.contact_point_email}
    assert "£450.00" in mail.outbox[0].body
    # Sent documents cannot change.
    trainer_client.post(url, {"add_line": "1", "kind": "other", "description": "Late", "amount": "5"})
    assert not FeeLine.objects.exists()
    trainer_client.post(reverse("fees:paid", args=[statement.pk]))
    statement.refresh_from_db()
    assert statement.state == "paid"
    client.logout()
    coordinator_client = verified_client(coordinator)
    assert "Paid" in coordinator_client.get(url).content.decode()
    assert coordinator_client.post(reverse("fees:paid", args=[statement.pk])).status_code == 404


def test_coordinator_does_not_see_drafts(verified_client: Any, coordinator: Any, estimate: FeeDocument) -> None:
    client = verified_client(coordinator)
    assert client.get(reverse("fees:detail", args=[estimate.pk])).status_code == 404
    assert estimate.reference not in client.get(reverse("fees:index")).content.decode()


def test_outsider_and_other_trainer_cannot_open(
    verified_client: Any, client: Any, outsider: Any, other_trainer: Any, programme_admin: Any, estimate: FeeDocument
) -> None:
    services.send_document(document=estimate, actor=None)
    for user in (outsider, other_trainer.user, programme_admin):
        client.logout()
        c = verified_client(user)
        assert c.get(reverse("fees:detail", args=[estimate.pk])).status_code == 404
        assert c.get(reverse("fees:pdf", args=[estimate.pk])).status_code == 404


def test_other_trainer_cannot_start_a_document_on_a_booking_they_do_not_train(
    verified_client: Any, other_trainer: Any, booking: Any
) -> None:
    response = verified_client(other_trainer.user).post(reverse("fees:start", args=[booking.pk, "estimate"]))
    assert response.status_code == 404
    assert not FeeDocument.objects.exists()


def test_docx_and_pdf_downloads(verified_client: Any, trainer: Any, estimate: FeeDocument) -> None:
    services.add_line(
        document=estimate,
        kind="travel",
        description="Return train – London",
        amount_pence=8550,
        receipt=None,
        actor=None,
    )
    client = verified_client(trainer.user)
    docx = client.get(reverse("fees:docx", args=[estimate.pk]))
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    cells = [c.text for t in Document(io.BytesIO(docx.content)).tables for r in t.rows for c in r.cells]
    assert "The programme does not pay trainers" in text
    assert "£535.50" in cells
    pdf = client.get(reverse("fees:pdf", args=[estimate.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_co_tutor_days_count_only_their_sessions(programme_host: Any, organisation: Any) -> None:
    first = tf.trainer(programme_host)
    second = tf.trainer(programme_host)
    booking = tf.booking(organisation, [first, second])
    tf.session(booking, days=10)
    only_first = tf.session(booking, days=11)
    only_first.trainers.set([first])
    assert services.trainer_days(booking, first) == 2
    assert services.trainer_days(booking, second) == 1


def test_statement_bills_delivered_days_not_booked_ones(programme_host: Any, organisation: Any) -> None:
    trainer = tf.trainer(programme_host)
    booking = tf.booking(organisation, [trainer])
    held = tf.session(booking, days=-3)
    tf.participant(held, 0)
    tf.session(booking, days=20)  # booked, still to come
    record_all_attended(held, trainer.user)
    estimate = services.start_document(enquiry=booking, trainer=trainer, kind="estimate", actor=None)
    statement = services.start_document(enquiry=booking, trainer=trainer, kind="statement", actor=None)
    assert estimate.days == 2
    assert statement.days == 1
