"""Backup and restore, end to end: deploy/backup.sh, then deploy/restore.sh into a fresh
PostgreSQL database and a fresh bucket, after which a handler opens an old report with its
attachment and the reporter follows up with their receipt.

Everything runs as an operator would run it: ``manage.py`` and the scripts in
subprocesses, with the variables of the service's environment file. The source database
and bucket are gone before the restored copy is checked, so nothing can be read from them.
PostgreSQL only (the scripts refuse SQLite): skipped on SQLite, a failure under CI=true
when PostgreSQL cannot be reached.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from saferwork.lib.tests.s3 import ACCESS_KEY, SECRET_KEY, make_bucket

ROOT = Path(__file__).resolve().parents[3]
IN_CI = os.environ.get("CI", "").lower() == "true"
NOTE = b"Written down the evening it happened, by the lockers on level two. " * 8

SEED = """
import json
import os
from django.test import Client
from saferwork.reporting import services
from saferwork.reporting.models import Report
from saferwork.reporting.tests.conftest import make_handler
from saferwork.reporting.tests.helpers import submit
from saferwork.tests import factories

org = factories.OrganisationFactory(kind="union", name="Restored Union", slug="restored-union")
coordinator = factories.member(org, is_coordinator=True, email="coordinator@example.org")
org.recovery_key = services.enable_reporting(organisation=org, actor=coordinator, handler_private=None)
handler = make_handler(org, email="handler@example.org")
receipt = submit(Client(), org.slug, files=[("notes.txt", bytes.fromhex(os.environ["NOTE_HEX"]))])
report = Report.objects.get()
print(json.dumps({"receipt": receipt, "report": report.pk, "attachment": report.attachments.get().pk}))
"""

CHECK = """
import json
import os
from django.test import Client
from django.urls import reverse
from saferwork.accounts.models import User
from saferwork.reporting.tests.helpers import follow_up, sign_in_handler

seeded = json.loads(os.environ["SEEDED"])
handler_client = sign_in_handler(Client(), User.objects.get(email="handler@example.org"))
case = handler_client.get(reverse("reporting:case_detail", args=[seeded["report"]]))
assert case.status_code == 200, case.status_code
assert "Quartzberry the delivery driver" in case.content.decode()
download = handler_client.get(reverse("reporting:case_attachment", args=[seeded["report"], seeded["attachment"]]))
assert download.status_code == 200, download.status_code
body = b"".join(download.streaming_content) if download.streaming else download.content
assert body == bytes.fromhex(os.environ["NOTE_HEX"]), body[:80]

reporter = Client()
answer = follow_up(reporter, "restored-union", seeded["receipt"])
assert answer.status_code == 302, (answer.status_code, answer.content.decode()[:2000])
page = reporter.get(answer["Location"])
assert page.status_code == 200 and "Quartzberry the delivery driver" in page.content.decode()
sent = reporter.post(
    reverse("reporting:follow_up_case", args=["restored-union"]), {"body": "Still happening after the restore"}
)
assert sent.status_code in (200, 302), sent.status_code
print("restored report opened and followed up")
"""


def cannot_run(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true but the backup and restore test cannot run: {reason}")
    pytest.skip(reason)


@pytest.fixture
def postgres() -> Iterator[Any]:
    """A function making throwaway PostgreSQL databases beside DATABASE_URL's; all dropped after."""
    configured = os.environ.get("DATABASE_URL", "")
    if not configured.startswith(("postgres://", "postgresql://")):
        pytest.skip("backup and restore are for PostgreSQL (DATABASE_URL is not PostgreSQL)")
    for tool in ("pg_dump", "pg_restore", "psql"):
        if shutil.which(tool) is None:
            cannot_run(f"{tool} is not installed")
    import psycopg

    parts = urllib.parse.urlsplit(configured)
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    made: list[str] = []

    def create(role: str) -> str:
        name = f"saferwork_backup_{role}_{secrets.token_hex(4)}"
        try:
            with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
        except psycopg.Error as exc:
            cannot_run(f"cannot create a PostgreSQL database: {exc}")
        made.append(name)
        return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))

    def drop(url: str) -> None:
        name = urllib.parse.urlsplit(url).path.lstrip("/")
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    create.drop = drop  # type: ignore[attr-defined]
    try:
        yield create
    finally:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
            for name in made:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(command: list[str], env: dict[str, str], what: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own scripts and interpreter
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False
    )
    if done.returncode != 0:
        pytest.fail(f"{what} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def empty_and_delete(client: Any, bucket: str) -> None:
    for item in client.list_objects_v2(Bucket=bucket).get("Contents", []):
        client.delete_object(Bucket=bucket, Key=item["Key"])
    client.delete_bucket(Bucket=bucket)


def test_a_restored_backup_opens_the_old_report_and_answers_its_receipt(
    postgres: Any, s3_server: str, tmp_path: Path
) -> None:
    source_db, restored_db = postgres("src"), postgres("restored")
    source_bucket = f"saferwork-src-{secrets.token_hex(4)}"
    restored_bucket = f"saferwork-restored-{secrets.token_hex(4)}"
    s3 = make_bucket(s3_server, source_bucket)
    make_bucket(s3_server, restored_bucket)

    def environment(database_url: str, bucket: str, var: str) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "saferwork.settings",
            "SAFERWORK_TESTING": "true",  # cheap Argon2 and the development badge key
            "SECRET_KEY": "the same secret before and after the restore",  # noqa: S105
            "ALLOWED_HOSTS": "testserver",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "TASK_BACKEND": "immediate",
            "SAFERWORK_VAR_DIR": str(tmp_path / var),
            "DATABASE_URL": database_url,
            "STORAGE_BUCKET": bucket,
            "STORAGE_ENDPOINT_URL": s3_server,
            "STORAGE_REGION": "eu-west-2",
            "STORAGE_ACCESS_KEY_ID": ACCESS_KEY,
            "STORAGE_SECRET_ACCESS_KEY": SECRET_KEY,
            "SAFERWORK_PYTHON": sys.executable,
            "NOTE_HEX": NOTE.hex(),
        }

    manage = [sys.executable, "manage.py"]
    source = environment(source_db, source_bucket, "source-var")
    run([*manage, "migrate", "--noinput", "-v", "0"], source, "manage.py migrate")
    seeded = run([*manage, "shell", "-c", SEED], source, "seeding a report").strip().splitlines()[-1]
    assert len(s3.list_objects_v2(Bucket=source_bucket)["Contents"]) == 1  # the sealed attachment

    backup = Path(run(["deploy/backup.sh", str(tmp_path / "backups")], source, "deploy/backup.sh").strip())
    assert (backup / "database.dump").stat().st_size > 0
    assert len(json.loads((backup / "bucket" / "manifest.json").read_text())) == 1
    assert NOTE[:40] not in b"".join(p.read_bytes() for p in (backup / "bucket" / "objects").rglob("*") if p.is_file())

    # The old system is gone: only the backup remains.
    postgres.drop(source_db)
    empty_and_delete(s3, source_bucket)

    restored = environment(restored_db, restored_bucket, "restored-var")
    run(["deploy/restore.sh", str(backup)], restored, "deploy/restore.sh")
    stored = s3.list_objects_v2(Bucket=restored_bucket)["Contents"]
    assert len(stored) == 1
    assert "day" in s3.head_object(Bucket=restored_bucket, Key=stored[0]["Key"])["Metadata"]
    # A second restore over the restored copy is refused and changes nothing.
    again = subprocess.run(  # noqa: S603
        ["deploy/restore.sh", str(backup)], cwd=ROOT, env=restored, capture_output=True, text=True, check=False
    )
    assert again.returncode != 0 and "restore into an empty one" in again.stderr

    restored["SEEDED"] = seeded
    assert "followed up" in run([*manage, "shell", "-c", CHECK], restored, "using the restored copy")
