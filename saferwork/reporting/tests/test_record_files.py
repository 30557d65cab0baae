"""Evidence files on a private record: cleaned and sealed like a report's attachments,
opened only with the receipt, carried into the report it becomes, deleted with it."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from PIL import Image

from saferwork.audit.models import AuditEntry
from saferwork.reporting import services
from saferwork.reporting.models import Attachment, PrivateRecord, PrivateRecordFile, Report
from saferwork.reporting.tests.helpers import ANSWERS, follow_up, sign_in_handler
from saferwork.reporting.tests.test_crypto import _dump_everything, jpeg_with_exif
from saferwork.reporting.tests.test_records import start_record

pytestmark = pytest.mark.django_db

NOTE = b"Notes written on the night: Brindlecombe cornered me by the lockers."


def _add_file(client, slug, name, content):
    return client.post(reverse("reporting:record_file", args=[slug]), {"file": SimpleUploadedFile(name, content)})


def test_reporter_adds_a_file_and_downloads_it_with_the_receipt(client, reporting_org, handler):
    receipt = start_record(client, reporting_org.slug)
    audit_before = AuditEntry.objects.count()
    response = _add_file(client, reporting_org.slug, "night-notes.txt", NOTE)
    assert response["Location"] == reverse("reporting:record", args=[reporting_org.slug])
    stored = PrivateRecordFile.objects.get()
    assert AuditEntry.objects.count() == audit_before  # a record leaves no trace
    # Later, in a new session: the receipt opens the record and its file.
    client.cookies.clear()
    follow_up(client, reporting_org.slug, receipt)
    page = client.get(reverse("reporting:record", args=[reporting_org.slug])).content.decode()
    assert "night-notes.txt" in page
    url = reverse("reporting:record_file_download", args=[reporting_org.slug, stored.pk])
    download = client.get(url)
    assert download.status_code == 200 and download.content == NOTE
    assert download["Content-Type"] == "text/plain" and "no-store" in download["Cache-Control"]
    # Without the receipt, nothing.
    stranger = Client()
    assert stranger.get(url)["Location"] == reverse("reporting:follow_up", args=[reporting_org.slug])
    response = _add_file(stranger, reporting_org.slug, "x.txt", b"x")
    assert response["Location"] == reverse("reporting:follow_up", args=[reporting_org.slug])
    assert PrivateRecordFile.objects.count() == 1


def test_outsiders_cannot_reach_a_record_file(client, reporting_org, handler):
    start_record(client, reporting_org.slug)
    _add_file(client, reporting_org.slug, "night-notes.txt", NOTE)
    stored = PrivateRecordFile.objects.get()
    url = reverse("reporting:record_file_download", args=[reporting_org.slug, stored.pk])
    # A signed-in handler of the organisation, with no receipt: sent to the follow-up page.
    handler_client = sign_in_handler(Client(), handler)
    assert handler_client.get(url)["Location"] == reverse("reporting:follow_up", args=[reporting_org.slug])
    # Another reporter's record cannot reach it by its number.
    other = Client()
    start_record(other, reporting_org.slug)
    assert other.get(url).status_code == 404


def test_record_files_follow_the_attachment_rules(client, reporting_org, settings):
    start_record(client, reporting_org.slug)
    response = _add_file(client, reporting_org.slug, "tool.exe", b"MZ\x90\x00")
    assert response.status_code == 200 and "The selected file must be a" in response.content.decode()
    assert 'class="govuk-error-summary"' in response.content.decode()
    settings.REPORTING_MAX_ATTACHMENT_BYTES = 1024
    response = _add_file(client, reporting_org.slug, "big.txt", b"a" * 2048)
    assert "The selected file must be smaller than 1 MB" in response.content.decode()
    settings.REPORTING_MAX_ATTACHMENT_BYTES = 1024 * 1024
    settings.REPORTING_MAX_ATTACHMENTS = 1
    assert _add_file(client, reporting_org.slug, "a.txt", b"one").status_code == 302
    response = _add_file(client, reporting_org.slug, "b.txt", b"two")
    assert "You can add up to 1 files" in response.content.decode()
    assert PrivateRecordFile.objects.count() == 1


def test_image_metadata_is_stripped_and_nothing_is_stored_in_the_clear(client, reporting_org, tmp_path):
    picture = jpeg_with_exif()
    start_record(client, reporting_org.slug)
    _add_file(client, reporting_org.slug, "Harbourview-lockers.jpg", picture)
    _add_file(client, reporting_org.slug, "night-notes.txt", NOTE)
    first = PrivateRecordFile.objects.order_by("pk").first()
    data = client.get(reverse("reporting:record_file_download", args=[reporting_org.slug, first.pk])).content
    image = Image.open(io.BytesIO(data))
    assert not image.getexif() and "comment" not in image.info
    for marker in (b"Camberwick", b"SecretPhoneEditor", b"Pemberton-Quill", b"Exif"):
        assert marker not in data
    dump = _dump_everything()
    for fragment in (b"Harbourview", b"night-notes", b"Brindlecombe", NOTE[:16]):
        assert fragment not in dump
    stored = b"".join(p.read_bytes() for p in tmp_path.rglob("*.bin"))
    assert stored and picture[200:232] not in stored and b"Brindlecombe" not in stored
    assert b"Harbourview" not in stored


def test_files_go_with_the_report_and_a_handler_can_open_them(
    client, reporting_org, handler, django_capture_on_commit_callbacks
):
    start_record(client, reporting_org.slug)
    _add_file(client, reporting_org.slug, "night-notes.txt", NOTE)
    record_file = PrivateRecordFile.objects.get()
    client.post(reverse("reporting:record_send", args=[reporting_org.slug]), {"send_to": str(reporting_org.pk)})
    evidence = client.get(reverse("reporting:evidence", args=[reporting_org.slug])).content.decode()
    assert "night-notes.txt" in evidence
    for step, data in ANSWERS.items():
        client.post(reverse("reporting:question", args=[reporting_org.slug, step]), data)
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(reverse("reporting:check", args=[reporting_org.slug]))
    assert "data-receipt" in sent.content.decode()
    report = Report.objects.get()
    attachment = Attachment.objects.get(report=report)
    assert attachment.storage_name != record_file.storage_name
    # The record and its own sealed copy are gone; the report's copy stays.
    assert not PrivateRecord.objects.exists() and not PrivateRecordFile.objects.exists()
    assert not default_storage.exists(record_file.storage_name)
    assert default_storage.exists(attachment.storage_name)
    handler_client = sign_in_handler(Client(), handler)
    response = handler_client.get(reverse("reporting:case_attachment", args=[report.pk, attachment.pk]))
    assert response.status_code == 200 and response.content == NOTE


def test_deleting_the_record_deletes_its_files(client, reporting_org, django_capture_on_commit_callbacks):
    start_record(client, reporting_org.slug)
    _add_file(client, reporting_org.slug, "night-notes.txt", NOTE)
    name = PrivateRecordFile.objects.get().storage_name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reporting:record_delete", args=[reporting_org.slug]), {"confirm": "on"})
    assert not PrivateRecord.objects.exists() and not PrivateRecordFile.objects.exists()
    assert not default_storage.exists(name)


def test_retention_erases_a_records_files(client, reporting_org, django_capture_on_commit_callbacks):
    start_record(client, reporting_org.slug)
    _add_file(client, reporting_org.slug, "night-notes.txt", NOTE)
    name = PrivateRecordFile.objects.get().storage_name
    PrivateRecord.objects.update(last_activity_on=date(2025, 11, 20))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.erase_abandoned_records(months=12, today=date(2026, 11, 20)) == 1
    assert not PrivateRecordFile.objects.exists()
    assert not default_storage.exists(name)


def test_purging_abandoned_draft_files_keeps_record_files(client, reporting_org, capsys):
    start_record(client, reporting_org.slug)
    _add_file(client, reporting_org.slug, "night-notes.txt", NOTE)
    name = PrivateRecordFile.objects.get().storage_name
    call_command("purge_abandoned_report_files", "--hours", "-1")
    assert "Deleted 0 abandoned files." in capsys.readouterr().out
    assert default_storage.exists(name)
