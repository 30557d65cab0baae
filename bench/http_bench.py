"""The benchmark through HTTP: gunicorn, PostgreSQL, Redis, production settings, beside a floor.

``make bench`` (``make bench-quick`` for a short run) seeds the large dataset once into the
PostgreSQL database ``bench_http`` (every other ``bench/bench_*.py`` seed: about 400
organisations, 10,000 sessions, 120,000 participants, 30,000 answers, 20,000 cases, 66,000
audit rows), serves the app with gunicorn (2 workers, ``saferwork.settings_production``,
plain HTTP with ``X-Forwarded-Proto: https`` as the README's proxy sets it) and a bare
Django "floor" (``bench/floor/``: a hello view and a one-INSERT POST) with the same
gunicorn settings, then loads both with ``wrk`` in interleaved rounds. Every figure is also
given as a ratio of the floor measured in the same run, so a busy machine shifts both.

Environment: ``BENCH_ROUNDS`` (3), ``BENCH_SECONDS`` (8), ``BENCH_ONLY`` (pages whose name
contains this, for development), ``BENCH_PG`` (the server URL
without a database, ``postgres://postgres@127.0.0.1:5432``), ``BENCH_REDIS``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/7")
APP_DB, FLOOR_DB = "bench_http", "bench_http_floor"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
QUICK = os.environ.get("BENCH_QUICK", "") == "1"
FLOOR_EVERY = 4  # the floor's GET is measured again before every fourth page (its POST before the app's POST)
HOST = "bench.saferwork.test"
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "Host": HOST}
# Needed by the production settings; nothing here is a real secret.
SERVER_ENV = {
    "SECRET_KEY": "bench-only-not-a-secret-3f9c0d1e7a5b4c2d8e6f",
    "ALLOWED_HOSTS": f"{HOST},127.0.0.1",
    "SITE_URL": f"https://{HOST}",
    "REDIS_URL": REDIS,
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "TASK_BACKEND": "database",
    "SECURE_HSTS_SECONDS": "0",
    "SAFERWORK_TESTING": "false",
    "DEBUG": "false",
    "WEB_CONCURRENCY": "2",
    "DB_CONN_MAX_AGE": "600",
}


def _env(db: str, settings: str = "saferwork.settings_production") -> dict[str, str]:
    return {**os.environ, **SERVER_ENV, "DATABASE_URL": f"{PG}/{db}", "DJANGO_SETTINGS_MODULE": settings}


def _psql(db: str, sql: str) -> str:
    return subprocess.run(  # noqa: S603
        ["psql", f"{PG}/{db}", "-XAtqc", sql], capture_output=True, text=True, check=True
    ).stdout


def _ensure_database(name: str) -> None:
    if not _psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{name}'").strip():
        _psql("postgres", f"CREATE DATABASE {name}")


# ---------------------------------------------------------------- data (runs in this process)


def setup_django() -> None:
    os.environ.update(_env(APP_DB))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed() -> dict[str, int]:
    """Seed the large dataset once (each seed skips what is already there); return its sizes."""
    from django.core.management import call_command

    from bench import bench_audit_export, bench_reach, bench_recruitment, bench_reporting, bench_training

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    bench_training.seed()
    bench_reach.seed()
    bench_audit_export._seed()
    bench_recruitment._world()
    org = bench_reporting._organisation()
    handler = bench_reporting._handler(org)
    bench_reporting.seed_cases(org, handler)
    bench_reporting._seed_tallies(org)
    _seed_reach_tallies()
    # Bulk inserts leave the planner's statistics behind (autovacuum catches up later):
    # measure with them current, as a database in service has them.
    _psql(APP_DB, "VACUUM ANALYZE")
    print(f"Data ready in {time.perf_counter() - started:.0f} s.")
    return sizes()


def _seed_reach_tallies() -> None:
    """Evaluation tallies for answers bulk-inserted before tallies existed."""
    from saferwork.delivery.models import EvaluationAnswer, EvaluationTally
    from saferwork.delivery.services import rebuild_evaluation_tallies

    released = EvaluationAnswer.objects.filter(release__isnull=False).count()
    if sum(EvaluationTally.objects.values_list("answers", flat=True)) != released:
        rebuild_evaluation_tallies()


def sizes() -> dict[str, int]:
    from saferwork.audit.models import AuditEntry
    from saferwork.delivery.models import EvaluationAnswer
    from saferwork.organisations.models import Organisation
    from saferwork.reporting.models import Report
    from saferwork.training.models import Participant, Session

    return {
        "organisations": Organisation.objects.count(),
        "sessions": Session.objects.count(),
        "participants": Participant.objects.count(),
        "evaluation answers": EvaluationAnswer.objects.count(),
        "cases": Report.objects.count(),
        "audit rows": AuditEntry.objects.count(),
    }


def session_cookie(email: str, *, organisation_slug: str | None = None, sudo: bool = False) -> str:
    """A signed-in, second-factor-verified session, made as the tests make one (no sign-in form)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from saferwork.accounts.decorators import SUDO_SESSION_KEY
    from saferwork.accounts.models import User
    from saferwork.organisations.middleware import SESSION_KEY as ORGANISATION_KEY
    from saferwork.organisations.models import Organisation

    user = User.objects.get(email=email)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    if organisation_slug:
        session[ORGANISATION_KEY] = Organisation.objects.get(slug=organisation_slug).pk
    if sudo:
        session[SUDO_SESSION_KEY] = int(time.time()) + 3 * 3600
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


@dataclass
class Page:
    name: str
    path: str
    cookie: str = ""
    post_tokens: bool = False  # POST the evaluation form with one-time links from a file


def pages() -> list[Page]:
    """bench/'s pages (training, reach, reporting, recruitment) plus the ones the old bench left out."""
    from bench import bench_reach, bench_recruitment
    from saferwork.organisations.models import Organisation
    from saferwork.recruitment.models import Round
    from saferwork.training.models import Session, TrainerProfile

    slug = bench_reach.SLUG
    admin = session_cookie("bench-admin@bench.test")
    coordinator = session_cookie("bench-coordinator@bench.test")
    reach_admin = session_cookie(f"{slug}-admin@bench.test")
    reach_coordinator = session_cookie(f"{slug}-coordinator@bench.test")
    trainer = TrainerProfile.objects.get(user__email=f"{slug}-trainer03@bench.test")
    trainer_cookie = session_cookie(trainer.user.email)
    handler = session_cookie("bench-handler@example.org")
    audit_admin = session_cookie("bench-export-admin@example.org", sudo=True)
    round_ = Round.objects.get(title="Bench round", organisation__slug="bench-recruitment-host")
    recruitment_admin = session_cookie("bench-recruitment-admin@example.org")
    panellist = session_cookie(round_.panellists.order_by("id").first().user.email)  # type: ignore[union-attr]
    session = Session.objects.filter(organisation__slug="bench-union-000").order_by("pk").first()
    delivered = Session.objects.filter(trainers=trainer).order_by("-date").first()
    org = Organisation.objects.get(slug=f"{slug}-007")
    start = (dt.date.today() - dt.timedelta(days=365)).strftime("%Y-%m")
    shortlist = f"/programme/recruitment/{round_.pk}/applications/"
    del bench_recruitment
    return [
        Page("evaluation answer (POST, one-time link)", "/evaluation/", post_tokens=True),
        Page("triage board (page 1)", "/programme/enquiries/", admin),
        Page("triage board (page 40)", "/programme/enquiries/?page=40", admin),
        Page("triage board (search + filter)", "/programme/enquiries/?q=Union+199&state=new", admin),
        Page("session page (12 participants)", f"/training/sessions/{session.pk}/", coordinator),  # type: ignore[union-attr]
        Page("trainer pool (40 trainers)", "/programme/trainers/", admin),
        Page("reach dashboard (everything)", "/programme/reach/", reach_admin),
        Page(
            "reach dashboard (period + region + trainer)",
            f"/programme/reach/?start={start}&region=London&trainer={trainer.pk}",
            reach_admin,
        ),
        Page("reach dashboard (one organisation)", f"/programme/reach/?organisation={org.pk}", reach_admin),
        Page("organisation reach page", "/reach/", reach_coordinator),
        Page("attendance page (12 people)", f"/delivery/sessions/{delivered.pk}/attendance/", trainer_cookie),  # type: ignore[union-attr]
        Page("a trainer's sessions (125, first page)", "/delivery/sessions/", trainer_cookie),
        Page("case list: open, page 1", "/reporting/", handler),
        Page("case list: all, page 200", "/reporting/?status=all&page=200", handler),
        Page("case list: overdue", "/reporting/?status=overdue", handler),
        Page("reporting statistics (12 months)", "/reporting/statistics/", handler),
        Page("audit log (66,000 rows, page 1)", "/programme/audit/", audit_admin),
        Page("audit log, filtered to one action", "/programme/audit/?action=saferwork.bench.small-export", audit_admin),
        Page("shortlisting: admin, first page", shortlist, recruitment_admin),
        Page("shortlisting: admin, by spread, flagged", shortlist + "?sort=spread&flagged=on", recruitment_admin),
        Page(
            "shortlisting: admin, region + background + search",
            shortlist + "?region=Wales&background=other&q=Applicant&sort=mean",
            recruitment_admin,
        ),
        Page("shortlisting: admin, page 30", shortlist + "?page=30", recruitment_admin),
        Page("shortlisting: panellist (blind)", shortlist, panellist),
    ]


def mint_evaluation_links(count: int, path: Path) -> list[int]:
    """One-time evaluation links on the training bench's sessions, written to ``path``; returns the sessions."""
    from saferwork.delivery.models import EvaluationToken, hash_token, new_token
    from saferwork.training.models import Session

    sessions = list(
        Session.objects.filter(organisation__slug__startswith="bench-union-")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    tokens = [new_token() for _ in range(count)]
    EvaluationToken.objects.bulk_create(
        [
            EvaluationToken(session_id=sessions[n // 12 % len(sessions)], token_hash=hash_token(t))
            for n, t in enumerate(tokens)
        ],
        batch_size=5000,
    )
    path.write_text("\n".join(tokens) + "\n")
    return sessions


def forget_benchmark_answers(sessions: list[int]) -> None:
    """Put the dataset back as it was: the answers and links this run made on the training bench's sessions."""
    from saferwork.delivery.models import EvaluationAnswer, EvaluationToken

    EvaluationToken.objects.filter(session_id__in=sessions).delete()
    EvaluationAnswer.objects.filter(session_id__in=sessions).delete()
    from saferwork.delivery.models import EvaluationTally

    EvaluationTally.objects.filter(session_id__in=sessions).delete()


# ---------------------------------------------------------------- servers


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    base: str

    def workers(self) -> list[int]:
        out = subprocess.run(  # noqa: S603
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True, check=False
        ).stdout
        return sorted(int(pid) for pid in out.split())

    def peak_mib(self) -> list[float]:
        """VmHWM of each worker: the most resident memory it has held since it started."""
        peaks = []
        for pid in self.workers():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return peaks


@contextmanager
def serve(name: str, wsgi: str, env: dict[str, str], health: str) -> Any:
    port = _free_port()
    log = open(ROOT / "var" / f"bench-{name}.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", wsgi, "--config", "gunicorn.conf.py", "--access-logfile", "/dev/null"],
        cwd=ROOT,
        env={**env, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2"},
        stdout=log,
        stderr=log,
    )
    server = Server(name, process, f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                request = urllib.request.Request(server.base + health, headers=PROXY_HEADERS)
                urllib.request.urlopen(request, timeout=5).read()  # noqa: S310
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"{name} did not start; see var/bench-{name}.log") from None
                time.sleep(0.3)
        while len(server.workers()) < 2:
            time.sleep(0.2)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


# ---------------------------------------------------------------- load


@dataclass
class Run:
    rps: float
    p50: float
    p95: float
    p99: float
    requests: int
    bad: int


@dataclass
class Result:
    name: str
    runs: list[Run] = field(default_factory=list)

    def median(self, attribute: str) -> float:
        return statistics.median(getattr(r, attribute) for r in self.runs)


CSRF = "benchcsrfsecretbenchcsrfsecret00"  # any 32 letters: the cookie and the form field agree


_SPENT = {"links": 0}


def wrk(url: str, *, cookie: str = "", seconds: int = SECONDS, post: str = "", tokens: Path | None = None) -> Run:
    """``wrk -t1 -c2`` against ``url``; the Lua script reports percentiles and counts non-2xx/3xx."""
    env = {**os.environ, "BENCH_POST": post, "BENCH_TOKENS": str(tokens or ""), "BENCH_HOST": HOST}
    env["BENCH_OFFSET"] = str(_SPENT["links"])
    command = ["wrk", "-t1", "-c2", f"-d{seconds}s", "--timeout", "10s", "-s", str(ROOT / "bench" / "wrk.lua")]
    command += ["-H", "X-Forwarded-Proto: https", "-H", f"Host: {HOST}"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, env=env, check=True).stdout  # noqa: S603
    match = re.search(r"^BENCH (\{.*\})$", out, re.M)
    if match is None:
        raise RuntimeError(f"wrk gave no summary:\n{out}")
    data = json.loads(match.group(1))
    if tokens:
        _SPENT["links"] += data["requests"] + 4  # and the ones still in flight when wrk stopped
    return Run(
        rps=data["requests"] / (data["duration_us"] / 1e6),
        p50=data["p50"] / 1000,
        p95=data["p95"] / 1000,
        p99=data["p99"] / 1000,
        requests=data["requests"],
        bad=data["bad"],
    )


def evaluation_body() -> str:
    from urllib.parse import urlencode

    answers = {"overall": 4, "relevance": 5, "trainers": 4, "free_text": "Speak up sooner."}
    for name in ("recognising", "responding", "leading"):
        answers[f"{name}_before"] = 2
        answers[f"{name}_after"] = 4
    return urlencode({**answers, "csrfmiddlewaretoken": CSRF})


# ---------------------------------------------------------------- a whole report through HTTP


class Browser:
    """Just enough of a browser for the reporting form: cookies, CSRF token, the proxy's headers."""

    def __init__(self, base: str) -> None:
        import http.client

        self.connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=120)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict[str, Any] | None = None) -> tuple[int, str]:
        from urllib.parse import urlencode

        headers = {**PROXY_HEADERS, "Origin": f"https://{HOST}", "Referer": f"https://{HOST}{path}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            token = self.cookies.get("__Host-csrftoken", "")
            body = urlencode({**data, "csrfmiddlewaretoken": token}, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value in ('""', "") or "max-age=0" in header.lower():
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response.status, text


def submit_report(base: str, slug: str, *, client_key: tuple[str, bytes] | None) -> float:
    from saferwork.reporting.tests.helpers import ANSWERS

    browser = Browser(base)
    started = time.perf_counter()
    status, _ = browser.request("GET", f"/report/{slug}/about-you/")
    if status != 200:
        raise RuntimeError(f"the first question answered {status}")
    for step, data in ANSWERS.items():
        status, text = browser.request("POST", f"/report/{slug}/{step}/", data)
        if status != 302:
            raise RuntimeError(f"{step} answered {status}: {text[:300]}")
    browser.request("GET", f"/report/{slug}/check/")
    data = {"receipt": client_key[0], "receipt_key": client_key[1].hex()} if client_key else {}
    status, text = browser.request("POST", f"/report/{slug}/check/", data)
    if status != 200 or "data-receipt" not in text:
        errors = re.findall(r'govuk-error-summary__list">(.*?)</ul>', text, re.S)
        raise RuntimeError(f"the report was not sent: {status} {' '.join(errors) or text[:300]}")
    return time.perf_counter() - started


def bare_kdf_seconds(runs: int) -> float:
    from saferwork.reporting import crypto

    params = crypto.KdfParams.current()
    salt = crypto.new_salt()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        crypto.derive_key(crypto.new_receipt(), salt, params)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


# ---------------------------------------------------------------- the reach dashboard's own SQL


def reach_sql_ms(query: str, runs: int = 15) -> float:
    """The median time of the SQL the reach selector sends for ``query``, run bare on a cursor."""
    from urllib.parse import parse_qs

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from saferwork.reach import forms, selectors

    form = forms.ProgrammeFiltersForm({k: v[0] for k, v in parse_qs(query).items()} or None)
    filters = form.filters()  # the form's own queries (validating a choice) are not the selector's
    with CaptureQueriesContext(connection) as ctx:
        selectors.reach_report(filters, with_trainers=True)
    statements = [q["sql"] for q in ctx.captured_queries]
    times = []
    with connection.cursor() as cursor:
        for _ in range(runs):
            started = time.perf_counter()
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()
            times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


# ---------------------------------------------------------------- the run


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    for name in (APP_DB, FLOOR_DB):
        _ensure_database(name)
    setup_django()
    data = seed()
    print("Data: " + ", ".join(f"{v:,} {k}" for k, v in data.items()))
    floor_env = {**_env(FLOOR_DB, "bench.floor.settings")}
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "django", "migrate", "--verbosity", "0"], cwd=ROOT, env=floor_env, check=True
    )
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=_env(APP_DB),
        check=True,
    )
    app_env = {
        **_env(APP_DB),
        # The benchmark submits hundreds of reports and answers from one address.
        "RATE_LIMIT_REPORT_SUBMIT": "1000000",
        "RATE_LIMIT_REPORT_DERIVE": "1000000",
        "RATE_LIMIT_ANONYMOUS_FORM": "1000000",
        "RATE_LIMIT_EVALUATION_LINK": "1000000",
    }
    listed = pages()
    only = os.environ.get("BENCH_ONLY", "")  # for development: the pages whose name contains this
    if only:
        listed = [p for p in listed if only in p.name]
    tokens = Path(tempfile.mkstemp(prefix="bench-links-", suffix=".txt")[1])
    sessions = mint_evaluation_links(400 * SECONDS * ROUNDS + 2000, tokens)
    results = {p.name: Result(p.name) for p in listed}
    floor_get, floor_post = Result("floor: hello (GET)"), Result("floor: one INSERT (POST)")
    memory: list[tuple[str, list[float]]] = []
    post_body = evaluation_body()
    csrf_cookie = f"__Host-csrftoken={CSRF}"
    reports: dict[str, Any] = {}
    try:
        with (
            serve("floor", "bench.floor.wsgi", floor_env, "/") as floor,
            serve("app", "saferwork.wsgi", app_env, "/healthz/") as app,
        ):
            memory.append(("after start-up", app.peak_mib()))
            for page in listed:  # warm every page once (templates, connections) before timing
                if page.post_tokens:
                    wrk(app.base + page.path, cookie=csrf_cookie, post=post_body, tokens=tokens, seconds=1)
                else:
                    wrk(app.base + page.path, cookie=page.cookie, seconds=1)
            wrk(floor.base + "/insert/", post="value=hello", seconds=1)
            memory.append(("after one second of each page", app.peak_mib()))
            for round_number in range(ROUNDS):
                print(f"Round {round_number + 1} of {ROUNDS}…", flush=True)
                if not any(p.post_tokens for p in listed):
                    floor_post.runs.append(wrk(floor.base + "/insert/", post="value=hello"))
                for number, page in enumerate(listed):
                    if number % FLOOR_EVERY == 0:
                        floor_get.runs.append(wrk(floor.base + "/"))
                    if page.post_tokens:
                        floor_post.runs.append(wrk(floor.base + "/insert/", post="value=hello"))
                        run = wrk(
                            app.base + page.path,
                            cookie=csrf_cookie,
                            post=post_body,
                            tokens=tokens,
                        )
                    else:
                        run = wrk(app.base + page.path, cookie=page.cookie)
                    results[page.name].runs.append(run)
            memory.append((f"after {ROUNDS} rounds of every page", app.peak_mib()))
            print_pages(results, floor_get, floor_post, data)
            if not only:
                reports = measure_reports(app)
                memory.append(("after the reports (no JavaScript: server-side Argon2id)", app.peak_mib()))
                measure_exports(app, memory)
    finally:
        forget_benchmark_answers(sessions)
        tokens.unlink()
    dashboards = {
        page.name: reach_sql_ms(page.path.partition("?")[2])
        for page in listed
        if page.name in ("reach dashboard (everything)", "reach dashboard (one organisation)")
    }
    if not only:
        from bench.browser_kdf import browser_seconds

        reports["browser"] = browser_seconds(2 if QUICK else 3)
        reports["browser_hash_wasm"] = browser_seconds(2 if QUICK else 3, library="hash-wasm")
    print_rest(results, memory, reports, dashboards)


def measure_reports(app: Server) -> dict[str, Any]:
    """Whole reports, one after another: the server derives the key (no JavaScript), or the
    browser did (JavaScript; the server still derives once to check the key matches the
    receipt). The browser's own derivation is done here beforehand and not timed."""
    from saferwork.reporting import crypto
    from saferwork.reporting.models import ReportingSettings

    runs = 2 if QUICK else 5
    slug = "bench-reporting"
    salt = bytes(ReportingSettings.objects.get(organisation__slug=slug).receipt_salt)
    params = crypto.KdfParams.current()

    def browser_pair() -> tuple[str, bytes]:
        receipt = crypto.new_receipt()
        return receipt, crypto.derive_key(receipt, salt, params)

    pairs = [browser_pair() for _ in range(runs + 1)]
    submit_report(app.base, slug, client_key=pairs.pop())  # warm
    js = [submit_report(app.base, slug, client_key=pair) for pair in pairs]
    # A bare derivation before each report: the machine's load shifts both alike.
    kdf, nojs = [], []
    for _ in range(runs):
        kdf.append(bare_kdf_seconds(1))
        nojs.append(submit_report(app.base, slug, client_key=None))
    return {"kdf": statistics.median(kdf), "js": statistics.median(js), "nojs": statistics.median(nojs)}


def measure_exports(app: Server, memory: list[tuple[str, list[float]]]) -> None:
    cookie = session_cookie("bench-export-admin@example.org", sudo=True)
    for action, rows in (("saferwork.bench.small-export", "6,000"), ("saferwork.bench.large-export", "60,000")):
        request = urllib.request.Request(
            f"{app.base}/programme/audit/export.csv?action={action}", headers={**PROXY_HEADERS, "Cookie": cookie}
        )
        # Both workers: a worker is chosen by the kernel, so ask a few times.
        for _ in range(4):
            with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310
                while response.read(65536):
                    pass
        memory.append((f"after streaming the {rows}-row audit export 4 times", app.peak_mib()))


def print_pages(results: dict[str, Result], floor_get: Result, floor_post: Result, data: dict[str, int]) -> None:
    from bench.lib import machine

    lines = [
        "",
        f"Run on {dt.date.today():%-d %B %Y}: {machine()}; wrk -t1 -c2, {ROUNDS} interleaved round(s) of "
        f"{SECONDS} s; gunicorn 2 workers, saferwork.settings_production, PostgreSQL, Redis.",
        "Data: " + ", ".join(f"{v:,} {k}" for k, v in data.items()) + ".",
        f"Medians over the rounds; the floor's GET was measured before every {FLOOR_EVERY}th page and its "
        "POST just before the app's POST; each page is read against the floor's median.",
        "",
        _row(["target", "req/s", "ratio to floor", "p50 ms", "p95 ms", "p99 ms", "non-2xx/3xx"]),
        _row(["---"] * 7),
    ]
    get_rps, post_rps = floor_get.median("rps"), floor_post.median("rps")
    for result in (floor_get, floor_post, *results.values()):
        floor_rps = post_rps if "POST" in result.name else get_rps
        lines.append(
            _row(
                [
                    result.name,
                    f"{result.median('rps'):.0f}",
                    f"{result.median('rps') / floor_rps:.2f}",
                    f"{result.median('p50'):.1f}",
                    f"{result.median('p95'):.1f}",
                    f"{result.median('p99'):.1f}",
                    str(sum(r.bad for r in result.runs)),
                ]
            )
        )
    print("\n".join(lines), flush=True)


def print_rest(
    results: dict[str, Result],
    memory: list[tuple[str, list[float]]],
    reports: dict[str, Any],
    dashboards: dict[str, float],
) -> None:
    lines: list[str] = []
    lines += ["", _row(["reach dashboard", "page p50 ms", "its SQL run bare, ms", "page ÷ SQL"]), _row(["---"] * 4)]
    for name, sql in dashboards.items():
        page = results[name].median("p50")
        lines.append(_row([name, f"{page:.1f}", f"{sql:.1f}", f"{page / sql:.1f}"]))
    if reports:
        kdf = reports["kdf"]
        lines += [
            "",
            _row(["whole report (12 requests)", "seconds each", "reports/s", "ratio to bare Argon2id rate"]),
            _row(["---"] * 4),
            _row(["bare Argon2id (PyNaCl, this process)", f"{kdf:.2f}", f"{1 / kdf:.2f}", "1.00"]),
            _row(
                [
                    "no JavaScript (server derives)",
                    f"{reports['nojs']:.2f}",
                    f"{1 / reports['nojs']:.2f}",
                    f"{kdf / reports['nojs']:.2f}",
                ]
            ),
            _row(
                [
                    "JavaScript (key from the browser, checked)",
                    f"{reports['js']:.2f}",
                    f"{1 / reports['js']:.2f}",
                    f"{kdf / reports['js']:.2f}",
                ]
            ),
            _row(["(the browser's own derivation: @phi-ag/argon2 in Chromium)", f"{reports['browser']:.2f}", "", ""]),
            _row(["(the same with hash-wasm, used before)", f"{reports['browser_hash_wasm']:.2f}", "", ""]),
        ]
    lines += [
        "",
        _row(["gunicorn workers' peak resident memory (VmHWM)", "worker 1 MiB", "worker 2 MiB"]),
        _row(["---"] * 3),
    ]
    for label, peaks in memory:
        lines.append(_row([label, *(f"{p:.0f}" for p in peaks)]))
    print("\n".join(lines))


if __name__ == "__main__":
    if sys.argv[1:] == ["seed"]:
        _ensure_database(APP_DB)
        setup_django()
        print(seed())
    else:
        main()
