"""What the encryption promises: wrong keys open nothing, exclusions hold, a dump is opaque."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.urls import reverse
from PIL import Image

from saferwork.reporting import crypto, keys, services
from saferwork.reporting.models import HandlerKey, Report, ReportKey
from saferwork.reporting.tests.conftest import make_handler
from saferwork.reporting.tests.helpers import SECRETS_IN_ANSWERS, follow_up, sign_in_handler, submit
from saferwork.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Camberwick Camera Co"  # Make
    exif[0x0131] = "SecretPhoneEditor 9"  # Software
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 12.0), 3: "W", 4: (0.0, 7.0, 39.0)}  # GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), comment=b"Taken by Pemberton-Quill")
    return out.getvalue()


def test_wrong_receipt_opens_nothing_and_right_one_does(client, reporting_org, handler):
    receipt = submit(client, reporting_org.slug)
    report = Report.objects.get()
    wrong = f"{(int(receipt) + 1) % 10**16:016d}"
    key = crypto.derive_key(
        wrong, bytes(reporting_org_settings(reporting_org).receipt_salt), crypto.KdfParams.current()
    )
    assert services.find_report_by_receipt_key(reporting_org, key) is None
    with pytest.raises(crypto.DecryptionError):
        crypto.secretbox_decrypt(key, bytes(report.receipt_wrapped_private_key))
    right = crypto.derive_key(
        receipt, bytes(reporting_org_settings(reporting_org).receipt_salt), crypto.KdfParams.current()
    )
    found = services.find_report_by_receipt_key(reporting_org, right)
    assert found is not None and found[0] == report
    assert crypto.public_of(found[1]) == bytes(report.public_key)
    # A wrong receipt on the page says the same as for an organisation with no reports at all.
    response = follow_up(client, reporting_org.slug, wrong)
    assert response.status_code == 200
    assert "The receipt is not right" in response.content.decode()


def reporting_org_settings(org):
    from saferwork.reporting.models import ReportingSettings

    return ReportingSettings.objects.get(organisation=org)


def test_wrong_password_does_not_unwrap_handler_key(handler):
    key = HandlerKey.objects.get(user=handler)
    with pytest.raises(crypto.DecryptionError):
        keys.unwrap_with_password(key, "not the password at all")
    private = keys.unwrap_with_password(key, PASSWORD)
    assert crypto.public_of(private) == bytes(key.public_key)
    # Parameters are stored with the wrapped key, so they can be raised later.
    assert key.password_kdf == {"alg": "argon2id13", "opslimit": 1, "memlimit_kib": 64}


def _request_for(client):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.session = client.session
    request.COOKIES = {name: morsel.value for name, morsel in client.cookies.items()}
    return request


def test_session_holds_only_ciphertext_and_cookie_alone_is_useless(client, reporting_org, handler):
    sign_in_handler(client, handler)
    request = _request_for(client)
    private = keys.Vault(request, keys.HANDLER).get()
    assert private is not None and crypto.public_of(private) == bytes(handler.reporting_key.public_key)
    # The session row never holds the key itself...
    from django.contrib.sessions.models import Session

    raw_session = Session.objects.get(session_key=client.session.session_key).session_data
    assert private.hex() not in raw_session and private not in raw_session.encode()
    # ...and without the session's ciphertext the cookie opens nothing.
    request.session = {}
    assert keys.Vault(request, keys.HANDLER).get() is None


def test_excluded_handler_never_gets_a_key(client, reporting_org, handler, second_handler):
    receipt = submit(client, reporting_org.slug, answers={"who-can-see": {"excluded": [str(second_handler.pk)]}})
    assert receipt
    report = Report.objects.get()
    assert set(ReportKey.objects.filter(report=report).values_list("user_id", flat=True)) == {handler.pk}
    # When a handler gives access to a newcomer, the excluded one is not given it either.
    newcomer = make_handler(reporting_org, email="newcomer@example.org", granted=False)
    private = keys.unwrap_with_password(HandlerKey.objects.get(user=handler), PASSWORD)
    services.grant_access(organisation=reporting_org, granter=handler, granter_private=private, user=newcomer)
    holders = set(ReportKey.objects.filter(report=report).values_list("user_id", flat=True))
    assert holders == {handler.pk, newcomer.pk}
    # Nor with the recovery key.
    recovery = crypto.parse_recovery_key(reporting_org.recovery_key)
    assert (
        services.grant_with_recovery_key(organisation=reporting_org, recovery_private=recovery, user=second_handler)
        == 0
    )
    second_private = keys.unwrap_with_password(HandlerKey.objects.get(user=second_handler), PASSWORD)
    with pytest.raises(crypto.DecryptionError):
        services.report_private_key(report=report, user=second_handler, handler_private=second_private)


def test_handler_who_steps_aside_loses_their_key_for_good(client, reporting_org, handler, second_handler):
    submit(client, reporting_org.slug)
    report = Report.objects.get()
    services.step_aside(report=report, user=second_handler)
    assert not ReportKey.objects.filter(report=report, user=second_handler).exists()
    private = keys.unwrap_with_password(HandlerKey.objects.get(user=handler), PASSWORD)
    services.open_case(report=report, user=handler, handler_private=private)
    assert not ReportKey.objects.filter(report=report, user=second_handler).exists()


def test_recovery_key_brings_back_a_handler_key_after_password_reset(client, reporting_org, handler):
    submit(client, reporting_org.slug)
    report = Report.objects.get()
    # A reset sets a new password without the old one: the wrapped key no longer opens.
    handler.set_password("a brand new long password")
    handler.save()
    sign_in_handler(client, handler, password="a brand new long password")
    assert client.session.get(keys.LOCKED_FLAG) is True
    assert client.get(reverse("reporting:case_detail", args=[report.pk])).status_code == 403
    wrong = client.post(
        reverse("reporting:recover"),
        {"recovery_key": crypto.format_recovery_key(crypto.new_keypair()[1]), "password": "a brand new long password"},
    )
    assert "The recovery key is not right" in wrong.content.decode()
    response = client.post(
        reverse("reporting:recover"),
        {"recovery_key": reporting_org.recovery_key, "password": "a brand new long password"},
    )
    assert response.status_code == 302
    page = client.get(reverse("reporting:case_detail", args=[report.pk]))
    assert page.status_code == 200 and "Quartzberry" in page.content.decode()
    # The key is now wrapped under the new password.
    keys.unwrap_with_password(HandlerKey.objects.get(user=handler), "a brand new long password")


def test_password_change_rewraps_the_handler_key(client, reporting_org, handler):
    sign_in_handler(client, handler)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "violet lantern harbour 42",
            "new_password2": "violet lantern harbour 42",
        },
    )
    assert response.status_code == 302
    key = HandlerKey.objects.get(user=handler)
    with pytest.raises(crypto.DecryptionError):
        keys.unwrap_with_password(key, PASSWORD)
    keys.unwrap_with_password(key, "violet lantern harbour 42")


def test_image_metadata_is_gone_after_decryption(client, reporting_org, handler):
    original = jpeg_with_exif()
    assert Image.open(io.BytesIO(original)).getexif()  # the fixture really carries EXIF
    submit(client, reporting_org.slug, files=[("IMG_0001.jpg", original)])
    report = Report.objects.get()
    attachment = report.attachments.get()
    sign_in_handler(client, handler)
    response = client.get(reverse("reporting:case_attachment", args=[report.pk, attachment.pk]))
    assert response.status_code == 200
    data = response.content
    assert response["Content-Type"] == "image/jpeg"
    image = Image.open(io.BytesIO(data))
    assert image.size == (64, 48)
    assert not image.getexif()
    assert "exif" not in image.info and "comment" not in image.info
    for marker in (b"Camberwick", b"SecretPhoneEditor", b"Pemberton-Quill", b"Exif"):
        assert marker not in data


def _dump_everything() -> bytes:
    """Every text and binary value of every table, as a database dump would hold them."""
    chunks: list[bytes] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - table names from introspection
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | bytearray | memoryview):
                        chunks.append(bytes(value))
                    elif value is not None:
                        chunks.append(str(value).encode())
    if connection.vendor == "sqlite":
        chunks.extend(line.encode() for line in connection.connection.iterdump())
    return b"\n".join(chunks)


def test_database_dump_holds_no_fragment_of_the_report(client, reporting_org, handler, tmp_path):
    picture = jpeg_with_exif()
    submit(
        client,
        reporting_org.slug,
        answers={"your-name": {"named": "yes", "name": "Ottoline Fairweather-Banks", "contact": "07700 900461"}},
    )
    receipt = submit(client, reporting_org.slug, files=[("Harbourview-evidence.jpg", picture)])
    follow_up(client, reporting_org.slug, receipt)
    client.post(
        reverse("reporting:follow_up_case", args=[reporting_org.slug]), {"body": "Nightjar incident again today"}
    )
    dump = _dump_everything()
    # The dump really covers the reporting tables: the clear metadata is there.
    report = Report.objects.filter(is_named=False).get()
    assert report.reference.encode() in dump and bytes(report.public_key) in dump
    assert Report.objects.filter(is_named=True).count() == 1
    for secret in [
        *SECRETS_IN_ANSWERS,
        "Ottoline Fairweather-Banks",
        "07700 900461",
        "Nightjar incident",
        "Harbourview-evidence",
        receipt,
    ]:
        for fragment in {secret, secret[:12], secret[-12:]}:
            assert fragment.encode() not in dump, fragment
    # The stored file is sealed too: no run of its bytes survives on disk.
    stored = b"".join(p.read_bytes() for p in tmp_path.rglob("*.bin"))
    assert stored and picture[200:232] not in stored


def test_lost_key_without_recovery_wrap_is_replaced_and_reports_regranted(client, reporting_org, handler):
    from saferwork.reporting.models import RecoveryWrap

    submit(client, reporting_org.slug)
    report = Report.objects.get()
    RecoveryWrap.objects.filter(handler_key__user=handler).delete()  # never wrapped for this organisation
    old_public = bytes(HandlerKey.objects.get(user=handler).public_key)
    handler.set_password("another long new password")
    handler.save()
    client.cookies.clear()
    sign_in_handler(client, handler, password="another long new password")
    response = client.post(
        reverse("reporting:recover"),
        {"recovery_key": reporting_org.recovery_key, "password": "another long new password"},
    )
    assert response.status_code == 302
    assert bytes(HandlerKey.objects.get(user=handler).public_key) != old_public
    assert "Quartzberry" in client.get(reverse("reporting:case_detail", args=[report.pk])).content.decode()


def test_document_author_and_company_are_removed(client, reporting_org, handler):
    import docx

    document = docx.Document()
    document.add_paragraph("Notes made on the day")
    document.core_properties.author = "Perpetua Quenby-Ashe"
    document.core_properties.last_modified_by = "Perpetua Quenby-Ashe"
    buffer = io.BytesIO()
    document.save(buffer)
    submit(client, reporting_org.slug, files=[("notes.docx", buffer.getvalue())])
    report = Report.objects.get()
    sign_in_handler(client, handler)
    response = client.get(reverse("reporting:case_attachment", args=[report.pk, report.attachments.get().pk]))
    cleaned = docx.Document(io.BytesIO(response.content))
    assert cleaned.paragraphs[0].text == "Notes made on the day"
    assert cleaned.core_properties.author == "" and cleaned.core_properties.last_modified_by == ""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert all(b"Quenby" not in archive.read(name) for name in archive.namelist())


def test_sign_in_still_works_if_the_reporting_key_cannot_be_unlocked(client, reporting_org, handler, monkeypatch):
    from django.db import OperationalError

    def broken(**kwargs):
        raise OperationalError("storage down")

    monkeypatch.setattr(keys, "_unlock_or_create", broken)
    sign_in_handler(client, handler)
    assert client.get(reverse("reporting:case_list")).status_code == 200
    assert client.session.get(keys.LOCKED_FLAG) is True
