"""Report files in an S3 bucket, against a real S3 protocol server: sealed before they are
written, opened by a handler on another web host, purged and restamped by the daily job."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from saferwork.lib.tests.test_s3_storage import objects
from saferwork.reporting import crypto
from saferwork.reporting.models import Report
from saferwork.reporting.tests.helpers import follow_up, sign_in_handler, submit

pytestmark = pytest.mark.django_db

NOTE = b"What he said by the lockers, written down the same evening." * 20


def test_a_report_with_evidence_is_sealed_in_the_bucket_and_opened_by_the_handler(
    s3_storage, client, reporting_org, handler
):
    receipt = submit(client, reporting_org.slug, files=[("notes.txt", NOTE)])
    (stored,) = objects(s3_storage)
    body = s3_storage.get_object(Bucket=s3_storage.saferwork_bucket, Key=stored["Key"])["Body"].read()
    assert body.startswith(crypto.PADDED) and NOTE[:40] not in body

    report = Report.objects.get()
    attachment = report.attachments.get()
    # Another web host: a new client, the same bucket.
    other_host = Client()
    sign_in_handler(other_host, handler)
    response = other_host.get(reverse("reporting:case_attachment", args=[report.pk, attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content]) == NOTE
    assert "no-store" in response["Cache-Control"]
    # And the reporter still follows up with their receipt.
    assert follow_up(Client(), reporting_org.slug, receipt).status_code in (200, 302)


def test_the_daily_purge_works_on_the_bucket_and_gives_kept_objects_one_time(
    s3_storage, client, reporting_org, handler
):
    submit(client, reporting_org.slug, files=[("a.txt", NOTE)])
    submit(Client(), reporting_org.slug, files=[("b.txt", NOTE)])
    abandoned = default_storage.save("reporting/abandoned.bin", ContentFile(b"left behind"))
    # Written three days ago, as far as the day stamp says.
    key = abandoned
    s3_storage.copy_object(
        Bucket=s3_storage.saferwork_bucket,
        Key=key,
        CopySource={"Bucket": s3_storage.saferwork_bucket, "Key": key},
        Metadata={"day": str(int((dt.datetime.now(dt.UTC) - dt.timedelta(days=3)).timestamp()) // 86400 * 86400)},
        MetadataDirective="REPLACE",
    )
    uploaded = {o["Key"]: o["LastModified"] for o in objects(s3_storage) if o["Key"] != abandoned}
    time.sleep(1.1)  # LastModified counts whole seconds
    call_command("purge_abandoned_report_files")
    kept = objects(s3_storage)
    assert abandoned not in [o["Key"] for o in kept] and len(kept) == 2
    # Both kept objects were rewritten by the purge, so their LastModified is the purge's,
    # not their upload's; each still says only its day.
    assert all(o["LastModified"] > uploaded[o["Key"]] for o in kept)
    for o in kept:
        head = s3_storage.head_object(Bucket=s3_storage.saferwork_bucket, Key=o["Key"])
        assert int(head["Metadata"]["day"]) % 86400 == 0
