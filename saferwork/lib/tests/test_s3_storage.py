"""Uploaded files in an S3 bucket (``STORAGE_BUCKET``), against a real S3 protocol server:
every web host reads the same files, no object tells more than the day it was written,
and files come back through SaferWork's own views, never as links to the bucket."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

pytestmark = pytest.mark.django_db


def objects(client) -> list[dict]:
    return client.list_objects_v2(Bucket=client.saferwork_bucket).get("Contents", [])


def test_the_bucket_becomes_the_default_storage_and_keeps_only_the_day(s3_storage):
    name = default_storage.save("reporting/x.bin", ContentFile(b"sealed bytes"))
    assert [o["Key"] for o in objects(s3_storage)] == [name]
    with default_storage.open(name, "rb") as handle:
        assert handle.read() == b"sealed bytes"
    head = s3_storage.head_object(Bucket=s3_storage.saferwork_bucket, Key=name)
    day = int(head["Metadata"]["day"])
    assert day % 86400 == 0
    assert default_storage.get_modified_time(name) == dt.datetime.fromtimestamp(day, tz=dt.UTC)
    default_storage.delete(name)
    assert objects(s3_storage) == []


def test_stored_files_are_never_linked_to(s3_storage):
    name = default_storage.save("reporting/y.bin", ContentFile(b"sealed"))
    with pytest.raises(NotImplementedError):
        default_storage.url(name)
