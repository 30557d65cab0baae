"""Two web processes side by side on one database: limits and sign-ins hold across both.

DESIGN.md ("Running on more than one machine") promises that nothing that matters lives
in one process's memory. These tests start two real gunicorn processes on two loopback
ports, sharing one database (a temporary SQLite file, or a throwaway PostgreSQL database
when ``DATABASE_URL`` points at PostgreSQL), and talk to them over plain HTTP, the way a
browser behind a load balancer would.
"""

from __future__ import annotations

import binascii
import http.cookiejar
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django_otp.oath import totp

ROOT = Path(__file__).resolve().parents[3]
IN_CI = os.environ.get("CI", "").lower() == "true"
PASSWORD = "two processes share one database"
START_SECONDS = 30
REQUEST_SECONDS = 15

SEED = """
import os
from django_otp.plugins.otp_totp.models import TOTPDevice
from saferwork.accounts.models import User
from saferwork.organisations.models import Membership, Organisation

org = Organisation.objects.create(name="Shared Union", slug="shared-union", kind="union", region="London")
for email in ("limited@example.org", "guessed@example.org", "roaming@example.org"):
    user = User.objects.create_user(email, os.environ["SEED_PASSWORD"], full_name="Two Processes")
    Membership.objects.create(user=user, organisation=org, is_coordinator=True)
    TOTPDevice.objects.create(user=user, name="Phone", confirmed=True, key=os.environ["SEED_TOTP_KEY"])
"""


def cannot_run(reason: str) -> None:
    # CI must prove the promise, so there a missing piece is a failure, never a skip.
    if IN_CI:
        pytest.fail(f"CI=true but the two-process test cannot run: {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of their own for the two processes: never the test database or the demo one."""
    configured = os.environ.get("DATABASE_URL", "")
    if not configured.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path_factory.mktemp('two-processes') / 'shared.sqlite3'}"
        return
    try:
        import psycopg
    except ImportError:
        cannot_run("psycopg is not installed")
    parts = urllib.parse.urlsplit(configured)
    name = f"saferwork_multiproc_{secrets.token_hex(4)}"
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        cannot_run(f"cannot create a PostgreSQL database: {exc}")
    try:
        yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Site:
    a: str
    b: str
    totp_key: bytes

    def code(self) -> str:
        return f"{totp(self.totp_key, step=30, t0=0, digits=6):06d}"


@pytest.fixture(scope="module")
def two_processes(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        cannot_run("gunicorn is not installed")
    var = tmp_path_factory.mktemp("two-processes-var")
    key_hex = secrets.token_hex(20)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "saferwork.settings",
        "DATABASE_URL": database_url,
        "SAFERWORK_TESTING": "true",
        # Rate-limit keys are derived from the secret key: a fresh one keeps a shared Redis
        # (REDIS_URL) from carrying counters over from an earlier run.
        "SECRET_KEY": secrets.token_urlsafe(40),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SAFERWORK_VAR_DIR": str(var),
        "SEED_PASSWORD": PASSWORD,
        "SEED_TOTP_KEY": key_hex,
        "PYTHONUNBUFFERED": "1",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate", "--noinput", "-v", "0"], ["shell", "-c", SEED]):
        done = subprocess.run(  # noqa: S603
            manage + command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
        )
        if done.returncode != 0:
            pytest.fail(f"manage.py {command[0]} failed:\n{done.stdout}\n{done.stderr}")

    processes: list[tuple[subprocess.Popen[bytes], Path]] = []
    urls = []
    try:
        for name in ("a", "b"):
            port = free_port()
            log = var / f"gunicorn-{name}.log"
            with log.open("wb") as out:
                process = subprocess.Popen(  # noqa: S603
                    [sys.executable, "-m", "gunicorn", "saferwork.wsgi", "--bind", f"127.0.0.1:{port}"]
                    + ["--workers", "1", "--timeout", "60", "--log-level", "warning"],
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            processes.append((process, log))
            urls.append(f"http://127.0.0.1:{port}")
        for (process, log), url in zip(processes, urls, strict=True):
            wait_until_serving(process, log, url)
        yield Site(a=urls[0], b=urls[1], totp_key=binascii.unhexlify(key_hex))
    finally:
        for process, _log in processes:
            process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        for process, _log in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def wait_until_serving(process: subprocess.Popen[bytes], log: Path, url: str) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn at {url} exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{url}/healthz/", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"gunicorn at {url} did not answer within {START_SECONDS} s:\n{log.read_text(errors='replace')}")


@dataclass
class Page:
    status: int
    url: str
    html: str

    def csrf(self) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.html)
        assert match, f"no CSRF token on {self.url}"
        return match.group(1)


class Visitor:
    """One browser: one cookie jar for both processes, as behind a proxy on one host name.

    (Cookies are scoped by host, not port, so the jar sends the same session cookie to
    process A and process B.)
    """

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, url: str) -> Page:
        return self._open(urllib.request.Request(url))  # noqa: S310

    def post(self, url: str, form: Page, **fields: str) -> Page:
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": form.csrf(), **fields}).encode()
        return self._open(urllib.request.Request(url, data=data, method="POST"))  # noqa: S310

    def _open(self, request: urllib.request.Request) -> Page:
        try:
            with self.opener.open(request, timeout=REQUEST_SECONDS) as response:
                return Page(response.status, response.url, response.read().decode())
        except urllib.error.HTTPError as error:
            return Page(error.code, error.url, error.read().decode())

    def session_cookie(self) -> str | None:
        return next((c.value for c in self.jar if c.name == "saferwork_session"), None)


def test_wrong_passwords_on_both_processes_share_one_account_limit(two_processes: Site) -> None:
    site = two_processes
    visitor = Visitor()
    # Five wrong passwords (the default per-account limit), alternating between processes.
    for attempt, base in enumerate([site.a, site.b, site.a, site.b, site.a], start=1):
        form = visitor.get(f"{base}/account/sign-in/")
        page = visitor.post(form.url, form, email="limited@example.org", password=f"wrong guess {attempt}")
        assert page.status == 200, (attempt, base, page.status)
        assert "The email address or password is not right" in page.html, (attempt, base)

    # Neither process lets the right password in now: they count in the same place.
    for base in (site.b, site.a):
        form = visitor.get(f"{base}/account/sign-in/")
        page = visitor.post(form.url, form, email="limited@example.org", password=PASSWORD)
        assert page.status == 429, (base, page.status)
        assert "paused for 15 minutes" in page.html
        assert "/account/sign-in/code/" not in page.url

    # A fresh visitor (another browser) is refused too: the limit is the account's.
    stranger = Visitor()
    form = stranger.get(f"{site.b}/account/sign-in/")
    assert stranger.post(form.url, form, email="limited@example.org", password=PASSWORD).status == 429


def test_wrong_codes_on_both_processes_share_one_second_factor_limit(two_processes: Site) -> None:
    site = two_processes
    visitor = Visitor()
    form = visitor.get(f"{site.a}/account/sign-in/")
    page = visitor.post(form.url, form, email="guessed@example.org", password=PASSWORD)
    assert page.url == f"{site.a}/account/sign-in/code/", page.url

    right = site.code()
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"
    for attempt, base in enumerate([site.b, site.a, site.b, site.a, site.b], start=1):
        form = visitor.get(f"{base}/account/sign-in/code/")
        page = visitor.post(form.url, form, code=wrong)
        assert "The code is not right or has expired" in page.html, (attempt, base)
    assert page.status == 429 and "paused for 15 minutes" in page.html

    for base in (site.a, site.b):
        form = visitor.get(f"{base}/account/sign-in/code/")
        page = visitor.post(form.url, form, code=site.code())
        assert page.status == 429 and "paused for 15 minutes" in page.html, base
    assert visitor.get(f"{site.a}/dashboard/").url.startswith(f"{site.a}/account/sign-in/")


def test_sign_in_started_on_one_process_finishes_and_holds_on_the_other(two_processes: Site) -> None:
    site = two_processes
    visitor = Visitor()

    form = visitor.get(f"{site.a}/account/sign-in/")
    page = visitor.post(form.url, form, email="roaming@example.org", password=PASSWORD)
    assert page.url == f"{site.a}/account/sign-in/code/", page.url
    pending_session = visitor.session_cookie()
    assert pending_session

    # The second step goes to the other process, which knows the pending sign-in.
    form = visitor.get(f"{site.b}/account/sign-in/code/")
    assert form.status == 200 and form.url == f"{site.b}/account/sign-in/code/", form.url
    page = visitor.post(form.url, form, code=site.code())
    assert page.url == f"{site.b}/dashboard/", page.url
    assert "Shared Union" in page.html
    signed_in_session = visitor.session_cookie()
    assert signed_in_session and signed_in_session != pending_session  # the key changed at sign-in

    # Process A accepts the session process B finished, second factor included.
    page = visitor.get(f"{site.a}/account/")
    assert page.status == 200 and page.url == f"{site.a}/account/", page.url
    assert "roaming@example.org" in page.html

    # Signing out on A ends the session on B too.
    page = visitor.post(f"{site.a}/account/sign-out/", page)
    assert page.url == f"{site.a}/account/sign-in/"
    page = visitor.get(f"{site.b}/dashboard/")
    assert page.url.startswith(f"{site.b}/account/sign-in/"), page.url
    assert "Shared Union" not in page.html
