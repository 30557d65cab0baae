"""The cluster test (``make cluster-test``): SaferWork as it runs on several machines.

nginx from Debian terminates TLS in front of two gunicorn "hosts" (separate processes,
each with its own working folder and collected static files), one database task worker,
PostgreSQL, Redis and an S3 protocol server (moto, in its own process). Everything runs
under ``saferwork.settings_production``. Through the proxy only, it checks that:

* a report with an attachment submitted through one host is opened by a handler on the
  other, and its attachment downloads from either host;
* the reporter follows up with their receipt;
* the email task a host queues is sent by the worker;
* a sign-in holds on both hosts, and the sign-in rate limit counts across both.

Then bursts (``cluster/bursts.py``: 1,000 evaluation answers and 200 reports at once,
beside the bench's one-INSERT floor app behind the same nginx, every success counted in
the database) and faults (``cluster/faults.py``: a web host killed mid-burst, the task
worker killed mid-send, PostgreSQL stopped for ten seconds).

PostgreSQL is the cluster's own (``PrivatePostgres``: initdb in a temporary folder, a free
port, run as the postgres user when we are root), so stopping it harms no other database.
Every request's serving host is known from the ``X-Upstream`` header that this test's
proxy adds, so "the other host" is checked, not assumed. With ``CI=true`` a missing
nginx, PostgreSQL (initdb, pg_ctl) or Redis fails the run.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cluster.common import fail, say  # noqa: E402 - after the path that finds it

PY = str(ROOT / ".venv" / "bin" / "python")
NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
PG_BIN = os.environ.get("CLUSTER_PG_BIN", "")
REDIS = os.environ.get("CLUSTER_REDIS", "redis://127.0.0.1:6379/13")
IN_CI = os.environ.get("CI", "").lower() == "true"

DEMO_PASSWORD = "saferwork-demo-password"  # noqa: S105 - the published demo password
DEMO_TOTP = "KNQWMZLSK5XXE22EMVWW6VDPORYEWZLZ"
HANDLER = "handler@saferwork.test"
SLUG = "northfield-council"
EVIDENCE = b"Notes written the same evening, about the loading bay. " * 40


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def totp_now(secret: str = DEMO_TOTP, *, at: float | None = None) -> str:
    key = base64.b32decode(secret)
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def wait_for(check: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.3)
    fail(f"timed out waiting for {what}")


def pg_bin() -> Path | None:
    """Debian's PostgreSQL programs (initdb, pg_ctl), newest version first."""
    if PG_BIN:
        return Path(PG_BIN)
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    return found[-1].parent if found else None


class PrivatePostgres:
    """A PostgreSQL server of the cluster's own: a temporary data folder on a free port,
    started and stopped with pg_ctl, removed at the end. The fault checks stop it; no
    other database on the machine is touched. As root it runs as the postgres user."""

    def __init__(self) -> None:
        self.bin = pg_bin()
        self.port = free_port()
        self.data = Path(tempfile.mkdtemp(prefix="saferwork-cluster-pg-"))
        self.url = f"postgres://postgres@127.0.0.1:{self.port}"

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        assert self.bin is not None
        argv = [str(self.bin / command[0]), *command[1:]]
        if os.geteuid() == 0:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        result = subprocess.run(argv, capture_output=True, text=True, cwd="/")  # noqa: S603 - fixed commands
        if check and result.returncode != 0:
            fail(f"{command[0]}: {result.stdout[-1500:]}{result.stderr[-1500:]}")
        return result

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.data, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data / "db"), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        with (self.data / "db" / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.data}'\n"
                "max_connections = 200\nshared_buffers = 64MB\n"
            )
        self.start()

    def start(self) -> None:
        log = str(self.data / "postgres.log")
        self._run("pg_ctl", "-D", str(self.data / "db"), "-l", log, "-w", "-t", "60", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data / "db"), "-m", "fast", "-w", "-t", "60", "stop", check=False)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.data, ignore_errors=True)

    def log(self) -> str:
        path = self.data / "postgres.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


class Cluster:
    def __init__(self, work: Path, pg: PrivatePostgres) -> None:
        self.work = work
        self.pg = pg
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.database = f"saferwork_cluster_{secrets.token_hex(4)}"
        self.bucket = f"saferwork-cluster-{secrets.token_hex(4)}"
        self.proxy_port = free_port()
        self.host_ports = [free_port(), free_port()]
        self.floor_port = free_port()
        self.s3_port = free_port()
        # The worker sends email with the file backend into its own var/mail folder.
        self.mail = work / "worker" / "var" / "mail"
        self.url = f"https://localhost:{self.proxy_port}"

    # ------------------------------------------------------------------ environment

    def env(self, host: Path | None = None, **extra: str) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "saferwork.settings_production",
            "SECRET_KEY": self.secret_key,
            "ALLOWED_HOSTS": "localhost",
            "SITE_URL": self.url,
            "DATABASE_URL": f"{self.pg.url}/{self.database}",
            "REDIS_URL": REDIS,
            "TASK_BACKEND": "database",
            "STORAGE_BUCKET": self.bucket,
            "STORAGE_ENDPOINT_URL": f"http://127.0.0.1:{self.s3_port}",
            "STORAGE_REGION": "eu-west-2",
            "STORAGE_ACCESS_KEY_ID": "cluster",
            "STORAGE_SECRET_ACCESS_KEY": "cluster-secret",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "CLIENT_IP_HEADER": "HTTP_X_FORWARDED_FOR",
            "SECURE_HSTS_SECONDS": "0",
            # The bursts send hundreds of reports and answers from one address (the load
            # generator's): the per-address limits are raised for them, as the tests do.
            "RATE_LIMIT_REPORT_SUBMIT": "100000",
            "RATE_LIMIT_EVALUATION_LINK": "100000",
            "RATE_LIMIT_ANONYMOUS_FORM": "100000",
            # Argon2id is cut down to almost nothing (the settings allow it through the
            # environment; the test suite does the same): the bursts measure the request
            # path, not 200 derivations of 128 MiB on a shared two-core machine.
            "REPORTING_ARGON2_OPSLIMIT": "1",
            "REPORTING_ARGON2_MEMLIMIT_KIB": "1024",
        }
        if host is not None:
            env["SAFERWORK_VAR_DIR"] = str(host / "var")
        env.update(extra)
        return env

    secret_key = secrets.token_urlsafe(50)

    def manage(self, *args: str, host: Path | None = None, **extra: str) -> None:
        result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [PY, str(ROOT / "manage.py"), *args],
            env=self.env(host, **extra),
            cwd=host or self.work,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            fail(f"manage.py {' '.join(args)}:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")

    def start(self, name: str, command: list[str], *, cwd: Path, env: dict[str, str]) -> None:
        log = (self.work / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(  # noqa: S603 - fixed commands
            command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def log(self, name: str) -> str:
        return (self.work / f"{name}.log").read_text(errors="replace")[-3000:]

    # ------------------------------------------------------------------ parts

    def create_database(self) -> None:
        import psycopg

        with psycopg.connect(f"{self.pg.url}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.database}"')
            conn.execute('CREATE DATABASE "floor"')

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        """A query on the cluster's database, straight to PostgreSQL (no host in between)."""
        import psycopg

        with psycopg.connect(f"{self.pg.url}/{self.database}", autocommit=True) as conn:
            cursor = conn.execute(query, params)  # type: ignore[call-overload]
            return list(cursor.fetchall()) if cursor.description else []

    def start_s3(self) -> None:
        self.start(
            "s3",
            [PY, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.s3_port)],
            cwd=self.work,
            env=self.env(),
        )
        import urllib.request

        wait_for(
            lambda: urllib.request.urlopen(f"http://127.0.0.1:{self.s3_port}/moto-api/", timeout=1).status == 200,  # noqa: S310
            "the S3 server",
        )
        import boto3

        boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{self.s3_port}",
            region_name="eu-west-2",
            aws_access_key_id="cluster",
            aws_secret_access_key="cluster-secret",  # noqa: S106 - the test server's own
        ).create_bucket(Bucket=self.bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})

    def prepare_database(self) -> None:
        self.manage("migrate", "--noinput")
        # The demo data (a reporting organisation with a handler) is made under the
        # development settings, which seed_demo insists on; the same database and bucket.
        self.manage("seed_demo", DJANGO_SETTINGS_MODULE="saferwork.settings", DEBUG="true", TASK_BACKEND="immediate")

    def start_hosts(self) -> None:
        for number, port in enumerate(self.host_ports, start=1):
            host = self.work / f"host{number}"
            (host / "var").mkdir(parents=True)
            self.manage("collectstatic", "--noinput", host=host)
            self.start(
                f"host{number}",
                [
                    PY,
                    "-m",
                    "gunicorn",
                    "saferwork.wsgi",
                    "--config",
                    str(ROOT / "gunicorn.conf.py"),
                    "--control-socket",
                    str(host / "gunicorn.ctl"),
                ],  # fmt: skip
                cwd=host,
                env=self.env(host, BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="2"),
            )
        import urllib.request

        for port in self.host_ports:
            # A load balancer's probe names the site's host, as ALLOWED_HOSTS requires.
            probe = urllib.request.Request(f"http://127.0.0.1:{port}/healthz/", headers={"Host": "localhost"})
            wait_for(
                lambda probe=probe: urllib.request.urlopen(probe, timeout=2).status == 200,  # noqa: S310
                f"the web host on port {port}",
            )

    def start_floor(self) -> None:
        """The bench's floor (bench/floor: a bare Django app with a one-INSERT POST) on the
        same PostgreSQL, with as many gunicorn workers as the two hosts together."""
        floor = self.work / "floor"
        floor.mkdir()
        env = self.env(
            floor,
            DJANGO_SETTINGS_MODULE="bench.floor.settings",
            DATABASE_URL=f"{self.pg.url}/floor",
            BIND=f"127.0.0.1:{self.floor_port}",
            WEB_CONCURRENCY=str(2 * len(self.host_ports)),
        )
        result = subprocess.run(  # noqa: S603 - our own interpreter
            [PY, "-m", "django", "migrate", "--noinput"], env=env, cwd=floor, capture_output=True, text=True
        )
        if result.returncode != 0:
            fail(f"the floor's migrate: {result.stderr[-2000:]}")
        command = [PY, "-m", "gunicorn", "bench.floor.wsgi", "--config", str(ROOT / "gunicorn.conf.py")]
        self.start("floor", command, cwd=floor, env=env)

    def start_worker(self, name: str = "worker", **extra: str) -> None:
        worker = self.work / "worker"
        (worker / "var").mkdir(parents=True, exist_ok=True)
        self.start(name, [PY, str(ROOT / "manage.py"), "db_worker"], cwd=worker, env=self.env(worker, **extra))

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Signal a part's whole process group (a gunicorn host: its master and workers)."""
        process = self.processes[name]
        os.killpg(process.pid, sig)
        process.wait(timeout=30)

    def start_proxy(self) -> None:
        cert, key = self.work / "localhost.pem", self.work / "localhost.key"
        subprocess.run(  # noqa: S603 - fixed command
            [
                shutil.which("openssl") or "/usr/bin/openssl",
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                "-keyout", str(key), "-out", str(cert),
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        self.cert = cert
        template = (ROOT / "cluster" / "nginx.conf").read_text()
        config = self.work / "nginx.conf"
        config.write_text(
            template.replace("@WORK@", str(self.work))
            .replace("@PORT@", str(self.proxy_port))
            .replace("@HOST1@", f"127.0.0.1:{self.host_ports[0]}")
            .replace("@HOST2@", f"127.0.0.1:{self.host_ports[1]}")
            .replace("@FLOOR@", f"127.0.0.1:{self.floor_port}")
            .replace("@STATIC@", str(ROOT / "saferwork" / "templates"))
            .replace("@CERT@", str(cert))
            .replace("@KEY@", str(key))
            .replace("@PROXY@", str(ROOT / "deploy" / "nginx-saferwork-proxy.conf"))
        )
        (self.work / "nginx-tmp").mkdir()
        self.start("nginx", [NGINX, "-c", str(config), "-p", str(self.work)], cwd=self.work, env=self.env())
        import requests

        wait_for(lambda: requests.get(f"{self.url}/healthz/", verify=str(cert), timeout=2).ok, "the proxy")

    def stop(self) -> None:
        for process in reversed(list(self.processes.values())):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            if process.returncode is not None:
                continue
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


# ---------------------------------------------------------------------- a browser's part


class Visitor:
    """One person's browser: cookies, CSRF, and a note of which host served each request."""

    def __init__(self, cluster: Cluster) -> None:
        import requests

        self.cluster = cluster
        self.http = requests.Session()
        # Per request: a session-wide setting loses to REQUESTS_CA_BUNDLE from the environment.
        self.verify = str(cluster.cert)
        self.hosts: list[str] = []

    def _note(self, response: Any) -> Any:
        for hop in [*response.history, response]:
            upstream = hop.headers.get("X-Upstream")
            if upstream:
                self.hosts.append(upstream.split(",")[-1].strip())
        return response

    def get(self, path: str, **kwargs: Any) -> Any:
        return self._note(self.http.get(self.cluster.url + path, timeout=60, verify=self.verify, **kwargs))

    def post(self, path: str, data: Any = None, files: Any = None, **kwargs: Any) -> Any:
        token = self.http.cookies.get("__Host-csrftoken")
        if token is None:
            self.get(path)  # as a browser would have: the form's page sets the cookie
            token = self.http.cookies.get("__Host-csrftoken")
        payload = list(data.items()) if isinstance(data, dict) else list(data or [])
        flat = [(k, v) for k, vs in payload for v in (vs if isinstance(vs, list) else [vs])]
        flat.append(("csrfmiddlewaretoken", token or ""))
        headers = {"Referer": self.cluster.url + path}
        return self._note(
            self.http.post(
                self.cluster.url + path,
                data=flat,
                files=files,
                headers=headers,
                timeout=120,
                verify=self.verify,
                **kwargs,
            )
        )


def expect(response: Any, status: int, what: str) -> Any:
    if response.status_code != status:
        fail(f"{what}: expected {status}, got {response.status_code} at {response.url}\n{response.text[:1500]}")
    return response


# ---------------------------------------------------------------------- the checks


def report_with_attachment(cluster: Cluster) -> tuple[str, set[str]]:
    sys.path.insert(0, str(ROOT))
    from saferwork.reporting.tests.answers import ANSWERS

    reporter = Visitor(cluster)
    expect(reporter.get(f"/report/{SLUG}/"), 200, "the reporting route")
    for step, data in ANSWERS.items():
        expect(reporter.post(f"/report/{SLUG}/{step}/", data, allow_redirects=False), 302, f"question {step}")
    expect(
        reporter.post(f"/report/{SLUG}/evidence/", {}, files={"file": ("notes.txt", EVIDENCE, "text/plain")}),
        200,
        "adding evidence",
    )
    expect(reporter.get(f"/report/{SLUG}/check/"), 200, "the check page")
    sent = expect(reporter.post(f"/report/{SLUG}/check/", {}), 200, "sending the report (no JavaScript)")
    match = re.search(r"data-receipt>([\d ]+)<", sent.text)
    if not match:
        fail(f"no receipt on the page:\n{sent.text[:2000]}")
    return match.group(1).replace(" ", ""), set(reporter.hosts)


def handler_opens_it(cluster: Cluster) -> tuple[list[str], set[str]]:
    handler = Visitor(cluster)
    expect(
        handler.post("/account/sign-in/", {"email": HANDLER, "password": DEMO_PASSWORD}, allow_redirects=False),
        302,
        "the handler's password",
    )
    signed_at = time.time()
    expect(handler.post("/account/sign-in/code/", {"code": totp_now()}, allow_redirects=False), 302, "the code")
    cases = expect(handler.get("/reporting/"), 200, "the case list")
    case = re.search(r'href="(/reporting/cases/\d+/)"', cases.text)
    if not case:
        fail("the new report is not in the handler's case list")
    page = handler.get(case.group(1))
    if "/account/confirm/" in page.url:
        # Opening a case asks for a fresh code: one of the next 30-second step.
        time.sleep(max(0.0, 30 - (signed_at % 30)) + 1)
        expect(handler.post(f"/account/confirm/?next={case.group(1)}", {"code": totp_now()}), 200, "sudo")
        page = handler.get(case.group(1))
    expect(page, 200, "the case page")
    links = sorted(set(re.findall(r'href="(/reporting/cases/\d+/attachments/\d+/)"', page.text)))
    if len(links) != 1:
        fail(f"expected one attachment link on the case page, found {links}")
    downloads = []
    for _ in range(4):  # round robin: both hosts serve it
        response = expect(handler.get(links[0]), 200, "the attachment")
        downloads.append((response.headers.get("X-Upstream", ""), response.content))
    if any(content != EVIDENCE for _, content in downloads):
        fail("an attachment download differs from what the reporter uploaded")
    served_by = {upstream for upstream, _ in downloads}
    if len(served_by) < 2:
        fail(f"the attachment was served by {served_by} only")
    return handler.hosts, served_by


def follow_up(cluster: Cluster, receipt: str) -> None:
    reporter = Visitor(cluster)
    page = expect(reporter.post(f"/report/{SLUG}/follow-up/", {"receipt": receipt}), 200, "following up")
    if "follow-up/case" not in page.url and "Your report" not in page.text:
        fail(f"the receipt did not open the report:\n{page.text[:1500]}")


def worker_sent_the_alert(cluster: Cluster) -> None:
    def sent() -> bool:
        return any(HANDLER in path.read_text(errors="replace") for path in cluster.mail.glob("*.log"))

    wait_for(sent, "the worker to send the handler's alert", timeout=90)


def rate_limit_across_hosts(cluster: Cluster) -> set[str]:
    attacker = Visitor(cluster)
    limit = 5  # RATE_LIMIT_SIGN_IN_ACCOUNT's default
    for attempt in range(limit):
        response = attacker.post("/account/sign-in/", {"email": HANDLER, "password": f"wrong-{attempt}"})
        if response.status_code not in (200, 429) or "Too many" in response.text:
            fail(f"attempt {attempt + 1} was refused before the limit: {response.status_code}")
    hosts = set(attacker.hosts)
    blocked = attacker.post("/account/sign-in/", {"email": HANDLER, "password": DEMO_PASSWORD})
    if blocked.status_code != 429 and "Too many" not in blocked.text:
        fail(f"the {limit + 1}th sign-in was not refused (status {blocked.status_code})")
    return hosts


@contextmanager
def cluster_running() -> Iterator[Cluster]:
    work = Path(tempfile.mkdtemp(prefix="saferwork-cluster-"))
    pg = PrivatePostgres()
    cluster = Cluster(work, pg)
    try:
        pg.init()
        cluster.create_database()
        cluster.start_s3()
        say("database and bucket ready; migrating and seeding")
        cluster.prepare_database()
        cluster.start_hosts()
        cluster.start_worker()
        cluster.start_floor()
        cluster.start_proxy()
        say(f"two hosts {cluster.host_ports}, a worker and nginx on {cluster.proxy_port} are up")
        yield cluster
    except SystemExit:
        for name in cluster.processes:
            sys.stderr.write(f"--- {name} log (end)\n{cluster.log(name)}\n")
        sys.stderr.write(f"--- postgres log (end)\n{pg.log()}\n")
        raise
    finally:
        cluster.stop()
        pg.remove()
        shutil.rmtree(work, ignore_errors=True)


def preflight() -> bool:
    problems = []
    if not Path(NGINX).exists():
        problems.append(f"nginx is not installed at {NGINX} (Debian: apt-get install nginx-light)")
    binaries = pg_bin()
    if binaries is None or not (binaries / "pg_ctl").exists():
        problems.append("PostgreSQL's initdb and pg_ctl are not installed (Debian: apt-get install postgresql)")
    elif os.geteuid() == 0 and not shutil.which("runuser"):
        problems.append("running as root, but runuser is missing to run PostgreSQL as its own user")
    try:
        import redis

        redis.Redis.from_url(REDIS, socket_connect_timeout=3).ping()
    except Exception as exc:  # noqa: BLE001
        problems.append(f"Redis is not reachable at {REDIS}: {exc}")
    if problems:
        for problem in problems:
            say(problem)
        if IN_CI:
            raise SystemExit("cluster test FAILED: CI=true and a part of the cluster is missing")
        say("skipped (set CI=true to make this a failure)")
        return False
    return True


def bursts_and_faults(cluster: Cluster) -> None:
    from cluster import bursts, faults

    load = os.getloadavg()
    results = bursts.measured_bursts(cluster, SLUG)
    for line in bursts.summary(results):
        say(line)
    one_report = bursts.report_job(SLUG)

    def send_report() -> None:
        outcome = one_report(bursts.Connection(cluster), 0)
        if not outcome.ok:
            fail(f"a report for the worker test was not sent: {outcome.detail}")

    smtp = faults.worker_killed_mid_task(cluster, send_report)
    killed = faults.host_killed_mid_burst(cluster)
    faults.database_stopped(cluster, SLUG)
    faults.worker_after_outage(cluster, smtp)
    say(
        f"load average {load[0]:.1f} before the bursts, {os.getloadavg()[0]:.1f} after the faults"
        f" (the machine is shared); host kill: {len(killed.failed)} of {len(killed.outcomes)} failed, {killed.name}"
    )


def main() -> None:
    if not preflight():
        return
    started = time.monotonic()
    import redis

    redis.Redis.from_url(REDIS).flushdb()
    with cluster_running() as cluster:
        receipt, reporter_hosts = report_with_attachment(cluster)
        say(f"report sent with an attachment; the reporter's requests went to {sorted(reporter_hosts)}")
        if len(reporter_hosts) < 2:
            fail("the reporter's pages were all served by one host")
        handler_hosts, served_by = handler_opens_it(cluster)
        say(f"the handler (signed in once) was served by {sorted(set(handler_hosts))}; the file by {sorted(served_by)}")
        follow_up(cluster, receipt)
        say("the reporter followed up with the receipt")
        worker_sent_the_alert(cluster)
        say("the worker sent the alert that a host queued")
        hosts = rate_limit_across_hosts(cluster)
        say(f"the sign-in limit held across {sorted(hosts)}")
        bursts_and_faults(cluster)
    redis.Redis.from_url(REDIS).flushdb()
    say(f"passed in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
