"""``make serve``'s gunicorn (the real binary, the repo's config) logs no reporter."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
GUNICORN = Path(sys.executable).with_name("gunicorn")
AGENT = "Mozilla/5.0 (ReporterPhone; Distinctive-Agent-4242)"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": AGENT})
    with contextlib.suppress(urllib.error.HTTPError, ConnectionError):  # any status: the log is what matters
        urllib.request.urlopen(request, timeout=20).read()  # noqa: S310 - loopback only


@pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed")
def test_gunicorn_logs_no_address_agent_or_path_for_reporting_pages(tmp_path: Path) -> None:
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": "access-log-test-" + "k" * 40,
    }
    env.pop("SAFERWORK_TESTING", None)
    with log.open("w") as out:
        server = subprocess.Popen(  # noqa: S603
            [str(GUNICORN), "saferwork.wsgi", "--config", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.2)
            _get(f"{base}/healthz/")
            _get(f"{base}/report/northfield-council/")
            _get(f"{base}/report/northfield-council/follow-up/?receipt=1234567890123456")
            _get(f"{base}/evaluation/secret-token-abc/")
            _get(f"{base}/healthz/?marker=done")
            time.sleep(1)
        finally:
            server.terminate()
            server.wait(timeout=20)
    text = log.read_text()
    assert "/healthz/" in text, text  # the log works: public lines are written
    assert "127.0.0.1 -" not in text and AGENT not in text and "Distinctive-Agent" not in text
    for secret in ("/report/", "northfield-council", "1234567890123456", "/evaluation/", "secret-token-abc"):
        assert secret not in text, text
