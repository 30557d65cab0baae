"""Peak memory of a real web process: one gunicorn worker serving the benchmarked pages.

Runs after the other benchmarks have seeded the bench database (it uses whatever is
there), starts `gunicorn saferwork.wsgi` with one worker on a loopback port, signs a
programme admin in through a database session, requests each page 10 times and the
60,000-row audit export once, then reads the worker's peak resident memory (VmHWM).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    "/programme/enquiries/",
    "/programme/trainers/",
    "/programme/reach/",
    "/programme/audit/",
    "/programme/audit/export.csv?action=saferwork.bench.large-export",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _session_cookie() -> str:
    from django.conf import settings
    from django.test import Client

    from bench.bench_audit_export import _seed
    from saferwork.organisations.middleware import SESSION_KEY
    from saferwork.organisations.models import Organisation
    from saferwork.tests.factories import sign_in_verified

    admin = _seed()
    client = Client()
    sign_in_verified(client, admin)
    session = client.session
    session["sudo_until"] = int(time.time()) + 3600
    session[SESSION_KEY] = Organisation.objects.get(slug="bench-export-host").pk
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def main() -> None:
    cookie = _session_cookie()
    port = _free_port()
    env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1", "SAFERWORK_TESTING": "true"}
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "saferwork.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/healthz/", timeout=5).read()  # noqa: S310
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.3)
        worker = int(
            subprocess.run(  # noqa: S603
                ["pgrep", "-P", str(process.pid)], capture_output=True, text=True, check=True
            ).stdout.split()[0]
        )
        after_start = _peak_kib(worker)
        for path in PAGES:
            for _ in range(1 if path.endswith(".csv") or ".csv?" in path else 10):
                request = urllib.request.Request(base + path, headers={"Cookie": cookie})
                with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
                    while response.read(65536):
                        pass
                    if response.status != 200:
                        raise RuntimeError(f"{path} answered {response.status}")
        peak = _peak_kib(worker)
        print("| gunicorn worker | peak resident memory (MiB) |\n|---|---|")
        print(f"| after start-up | {after_start / 1024:.0f} |")
        print(f"| after serving {', '.join(p.split('?')[0] for p in PAGES)} | {peak / 1024:.0f} |")
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
