"""A real S3 protocol server for tests: moto's standalone server in its own process on a
loopback port, and a fresh bucket per test wired in as the default storage."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

ACCESS_KEY = "saferwork-test"
SECRET_KEY = "saferwork-test-secret"  # noqa: S105 - the test server's own credentials


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """The endpoint of a moto S3 server started for this test session."""
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)  # noqa: S310 - loopback
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("The moto S3 server did not start")
            time.sleep(0.2)
    try:
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


def s3_options(endpoint: str, bucket: str) -> dict[str, Any]:
    return {
        "bucket_name": bucket,
        "endpoint_url": endpoint,
        "region_name": "eu-west-2",
        "access_key": ACCESS_KEY,
        "secret_key": SECRET_KEY,
        "default_acl": "private",
        "file_overwrite": False,
        "addressing_style": "path",
    }


def make_bucket(endpoint: str, bucket: str) -> Any:
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="eu-west-2",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    return client


@pytest.fixture
def s3_storage(settings: Any, s3_server: str) -> Any:
    """Make a fresh bucket the default storage, as STORAGE_BUCKET does in production;
    return a boto3 client to look inside it."""
    bucket = f"saferwork-{uuid.uuid4().hex[:12]}"
    client = make_bucket(s3_server, bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "saferwork.lib.s3storage.DayStampedS3Storage", "OPTIONS": s3_options(s3_server, bucket)},
    }
    client.saferwork_bucket = bucket
    return client
