"""Uploads a stranger can make: cleaned like every kept file, limited per address and in
total, within a storage quota, and refused by size before the body is read."""

from __future__ import annotations

import io
import socket

import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import ImageFile

from saferwork.lib.tests.samples import PDF_SECRETS, blank_png, pdf_with_author
from saferwork.reporting.models import PrivateRecordFile, Report
from saferwork.reporting.tests.helpers import follow_up, sign_in_handler, submit
from saferwork.reporting.tests.test_records import start_record

NOTE = b"What he said by the lockers, written down the same evening." * 20


def _evidence(client, slug, name="notes.txt", content=NOTE, address="203.0.113.7"):
    url = reverse("reporting:evidence", args=[slug])
    return client.post(url, {"file": SimpleUploadedFile(name, content)}, REMOTE_ADDR=address)


def _stored_files(tmp_path):
    return list(tmp_path.rglob("*.bin"))


@pytest.mark.django_db
def test_a_64_megapixel_png_is_refused_on_the_evidence_step_before_it_is_decoded(
    client, reporting_org, monkeypatch, tmp_path
):
    def no_decoding(self):  # pragma: no cover - reached only if the header check is missing
        raise AssertionError("the pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    response = _evidence(client, reporting_org.slug, "screenshot.png", blank_png(8000, 8000))
    assert response.status_code == 200
    assert "The selected image must be 40 megapixels or fewer" in response.content.decode()
    assert _stored_files(tmp_path) == []


@pytest.mark.django_db
def test_a_pdf_sent_as_evidence_reaches_the_handler_without_its_author_or_xmp_creator(client, reporting_org, handler):
    original = pdf_with_author()
    assert all(secret in original for secret in PDF_SECRETS)
    submit(client, reporting_org.slug, files=[("rota.pdf", original)])
    report = Report.objects.get()
    attachment = report.attachments.get()
    sign_in_handler(client, handler)
    data = client.get(reverse("reporting:case_attachment", args=[report.pk, attachment.pk])).content
    for secret in PDF_SECRETS:
        assert secret not in data
    assert "Shift rota for the loading bay" in pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()


@pytest.mark.django_db
def test_a_pdf_that_cannot_be_cleaned_is_refused_with_a_way_forward(client, reporting_org, tmp_path):
    response = _evidence(client, reporting_org.slug, "statement.pdf", b"%PDF-1.7\n%truncated")
    assert "could not be read, so its hidden details cannot be removed" in response.content.decode()
    assert _stored_files(tmp_path) == []


@pytest.mark.django_db
def test_anonymous_uploads_are_limited_per_address_even_in_new_drafts(client, reporting_org, settings, tmp_path):
    settings.RATE_LIMIT_ANONYMOUS_UPLOAD = (3, 3600)
    for _ in range(3):
        assert _evidence(Client(), reporting_org.slug).status_code == 302  # a new draft each time
    response = _evidence(Client(), reporting_org.slug)
    assert response.status_code == 429
    assert "Too many files have been added from this connection" in response.content.decode()
    assert len(_stored_files(tmp_path)) == 3
    # Another address is not held back by this one.
    assert _evidence(Client(), reporting_org.slug, address="198.51.100.4").status_code == 302


@pytest.mark.django_db
def test_anonymous_uploads_have_a_ceiling_for_everybody_together(client, reporting_org, settings, tmp_path):
    settings.RATE_LIMIT_ANONYMOUS_UPLOAD_TOTAL = (4, 3600)
    for number in range(4):
        assert _evidence(Client(), reporting_org.slug, address=f"198.51.100.{number}").status_code == 302
    response = _evidence(Client(), reporting_org.slug, address="198.51.100.99")
    assert response.status_code == 429
    assert "You can send your report now and add the file later" in response.content.decode()
    assert len(_stored_files(tmp_path)) == 4


@pytest.mark.django_db
def test_a_draft_has_a_storage_quota(client, reporting_org, settings, tmp_path):
    settings.REPORTING_MAX_STORED_BYTES = 2 * len(NOTE) + 10
    assert _evidence(client, reporting_org.slug).status_code == 302
    assert _evidence(client, reporting_org.slug).status_code == 302
    response = _evidence(client, reporting_org.slug)
    assert response.status_code == 200 and 'class="govuk-error-summary"' in response.content.decode()
    assert "Your files together must be smaller than" in response.content.decode()
    assert len(_stored_files(tmp_path)) == 2


@pytest.mark.django_db
def test_a_private_record_has_a_storage_quota(client, reporting_org, handler, settings):
    settings.REPORTING_MAX_STORED_BYTES = len(NOTE) + 10
    start_record(client, reporting_org.slug)
    url = reverse("reporting:record_file", args=[reporting_org.slug])
    assert client.post(url, {"file": SimpleUploadedFile("a.txt", NOTE)}).status_code == 302
    response = client.post(url, {"file": SimpleUploadedFile("b.txt", NOTE)})
    assert response.status_code == 200 and 'class="govuk-error-summary"' in response.content.decode()
    assert "Your files together must be smaller than" in response.content.decode()
    assert PrivateRecordFile.objects.count() == 1


@pytest.mark.django_db
def test_files_added_to_a_report_later_count_against_its_quota(client, reporting_org, handler, settings):
    settings.REPORTING_MAX_STORED_BYTES = len(NOTE) + 10
    receipt = submit(client, reporting_org.slug, files=[("first.txt", NOTE)])
    follow_up(client, reporting_org.slug, receipt)
    url = reverse("reporting:follow_up_case", args=[reporting_org.slug])
    response = client.post(url, {"body": "One more", "file": SimpleUploadedFile("second.txt", NOTE)})
    assert "Your files together must be smaller than" in response.content.decode()
    report = Report.objects.get()
    assert report.attachments.count() == 1 and report.messages.count() == 0


@pytest.mark.django_db
def test_a_form_body_over_the_cap_is_refused_without_being_read(client, reporting_org, settings):
    class Unreadable(io.BytesIO):
        def read(self, *args):  # pragma: no cover - reached only if the cap is missing
            raise AssertionError("the body was read")

        readline = read

    response = client.generic(
        "POST",
        reverse("reporting:evidence", args=[reporting_org.slug]),
        b"",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
        **{"wsgi.input": Unreadable()},
    )
    assert response.status_code == 413
    assert "What you sent is too long" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_60_mb_upload_gets_a_413_before_its_body_is_sent(live_server, reporting_org):
    host, port = live_server.thread.host, live_server.thread.port
    path = reverse("reporting:evidence", args=[reporting_org.slug])
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        "Content-Type: multipart/form-data; boundary=xyz\r\n"
        f"Content-Length: {60 * 1024 * 1024}\r\n\r\n"
        '--xyz\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\n\r\n'
    ).encode()
    with socket.create_connection((host, port), timeout=20) as sock:
        sock.sendall(head + bytes(64 * 1024))  # a sliver of the 60 MB it announces
        reply = sock.recv(65536).decode(errors="replace")
        while "</html>" not in reply:
            more = sock.recv(65536).decode(errors="replace")
            if not more:
                break
            reply += more
    assert reply.startswith("HTTP/1.1 413"), reply[:200]
    assert "The file is too big" in reply and "Files must be smaller than 10 MB" in reply


@pytest.mark.django_db
def test_stored_evidence_is_padded_and_the_daily_purge_gives_kept_files_one_change_time(
    client, reporting_org, handler, tmp_path
):
    from django.core.management import call_command

    from saferwork.reporting import crypto

    submit(client, reporting_org.slug, files=[("a.txt", NOTE)])
    submit(Client(), reporting_org.slug, files=[("b.txt", NOTE)])
    files = _stored_files(tmp_path)
    assert len(files) == 2 and all(p.read_bytes().startswith(crypto.PADDED) for p in files)
    before = max(p.stat().st_ctime_ns for p in files)
    call_command("purge_abandoned_report_files")
    after = [p.stat() for p in files]
    # Both files' inode change times are now the purge's, later than either upload's.
    assert all(s.st_ctime_ns > before for s in after)
    assert all(s.st_mtime % 86400 == 0 for s in after)


@pytest.mark.django_db
def test_evidence_never_reaches_a_temporary_file_before_it_is_sealed(client, reporting_org, monkeypatch, tmp_path):
    from django.core.files import uploadedfile

    def no_temporary_file(*args, **kwargs):  # pragma: no cover - reached only if spooled to disk
        raise AssertionError("the plaintext was written to a temporary file")

    monkeypatch.setattr(uploadedfile.tempfile, "NamedTemporaryFile", no_temporary_file)
    big = b"Notes, page after page.\n" * (4 * 1024 * 1024 // 24)  # 4 MB: above Django's 2.5 MB default
    assert _evidence(client, reporting_org.slug, "notes.txt", big).status_code == 302
    assert len(_stored_files(tmp_path)) == 1
