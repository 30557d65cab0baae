"""Bursts through the cluster's proxy, and the rows counted afterwards.

A burst is many requests in flight at once from a pool of threads, each with its own
keep-alive TLS connection to nginx (as many browsers would have): 1,000 evaluation
answers (one-time links spread over 40 sessions), 200 whole reports with receipt keys
made the way the reporting page's JavaScript makes them (derived here, in the load
generator, from the salt and parameters the check page publishes), and the bench's
one-INSERT floor app (``bench/floor``) behind the same nginx, loaded the same way in the
same run. Afterwards the database says how many were stored: every request that got a
success answer must be there exactly once.
"""

from __future__ import annotations

import http.client
import re
import ssl
import statistics
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from cluster.common import fail, say

if TYPE_CHECKING:
    from cluster.run import Cluster

CSRF = "clustercsrfsecretclustercsrfsec0"  # any 32 letters: cookie and form field agree
SESSIONS = 40


def evaluation_body() -> str:
    answers: dict[str, Any] = {"overall": 4, "relevance": 5, "trainers": 4, "free_text": "Speak up sooner."}
    for name in ("recognising", "responding", "leading"):
        answers[f"{name}_before"] = 2
        answers[f"{name}_after"] = 4
    return urlencode({**answers, "csrfmiddlewaretoken": CSRF})


class Connection:
    """One keep-alive HTTPS connection to the proxy, with its own cookies; reconnects
    after a broken connection (the next request, not the failed one: that is counted)."""

    def __init__(self, cluster: Cluster) -> None:
        self.port = cluster.proxy_port
        self.context = ssl.create_default_context(cafile=str(cluster.cert))
        self.conn: http.client.HTTPSConnection | None = None
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str, str]:
        """(status, body, upstream) or raises OSError / http.client errors."""
        if self.conn is None:
            self.conn = http.client.HTTPSConnection("localhost", self.port, context=self.context, timeout=120)
        headers = {"Origin": f"https://localhost:{self.port}", "Referer": f"https://localhost:{self.port}{path}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode(errors="replace")
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            raise
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value in ('""', "") or "max-age=0" in header.lower():
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        return response.status, text, response.getheader("X-Upstream", "")

    def form(self, path: str, data: dict[str, Any]) -> tuple[int, str, str]:
        token = self.cookies.get("__Host-csrftoken", "")
        return self.request("POST", path, urlencode({**data, "csrfmiddlewaretoken": token}, doseq=True))


@dataclass
class Outcome:
    ok: bool
    seconds: float
    detail: str = ""
    item: Any = None


@dataclass
class Burst:
    name: str
    outcomes: list[Outcome] = field(default_factory=list)
    wall: float = 0.0

    @property
    def succeeded(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.ok]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def rate(self) -> float:
        return len(self.succeeded) / self.wall if self.wall else 0.0

    def percentile(self, p: float) -> float:
        times = sorted(o.seconds for o in self.outcomes)
        if not times:
            return 0.0
        return times[min(len(times) - 1, round(p / 100 * (len(times) - 1)))] * 1000

    def failures(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for outcome in self.failed:
            counts[outcome.detail] = counts.get(outcome.detail, 0) + 1
        return counts

    def line(self) -> str:
        return (
            f"{self.name}: {len(self.succeeded)}/{len(self.outcomes)} in {self.wall:.1f} s = {self.rate:.0f}/s, "
            f"p50 {self.percentile(50):.0f} ms, p95 {self.percentile(95):.0f} ms"
            + (f", failures {self.failures()}" if self.failed else "")
        )


def run_burst(
    cluster: Cluster,
    name: str,
    items: Iterable[Any],
    job: Callable[[Connection, Any], Outcome],
    *,
    concurrency: int,
    during: Callable[[Burst], None] | None = None,
) -> Burst:
    """Every item through ``job`` from ``concurrency`` threads at once (each thread keeps
    its own connection); ``during`` runs beside it (a fault) and sees the outcomes so far."""
    burst = Burst(name)
    local = threading.local()
    lock = threading.Lock()
    start = threading.Barrier(concurrency + 1)
    pending = list(items)
    pending.reverse()

    def worker() -> None:
        local.conn = Connection(cluster)
        start.wait()
        while True:
            with lock:
                if not pending:
                    return
                item = pending.pop()
            outcome = job(local.conn, item)
            outcome.item = item
            with lock:
                burst.outcomes.append(outcome)

    with ThreadPoolExecutor(max_workers=concurrency + 1) as pool:
        threads = [pool.submit(worker) for _ in range(concurrency)]
        start.wait()
        began = time.perf_counter()
        fault = pool.submit(during, burst) if during else None
        for thread in threads:
            thread.result()
        burst.wall = time.perf_counter() - began
        if fault is not None:
            fault.result()
    return burst


def timed(call: Callable[[], tuple[bool, str]]) -> Outcome:
    began = time.perf_counter()
    try:
        ok, detail = call()
    except (OSError, http.client.HTTPException) as exc:
        ok, detail = False, type(exc).__name__
    return Outcome(ok, time.perf_counter() - began, detail)


# ---------------------------------------------------------------------- the floor


def floor_job(conn: Connection, n: int) -> Outcome:
    def call() -> tuple[bool, str]:
        status, _, _ = conn.request("POST", "/floor/insert/", urlencode({"value": f"burst {n}"}))
        return status == 201, str(status)

    return timed(call)


# ---------------------------------------------------------------------- evaluation answers


def mint_links(cluster: Cluster, count: int) -> list[str]:
    """``count`` one-time links on ``SESSIONS`` sessions (copies of a demo session), made in
    the database as a trainer's "send evaluations" makes them; returned in the clear."""
    out = cluster.work / f"links-{count}-{time.monotonic_ns()}.txt"
    script = f"""
import uuid
from saferwork.delivery.models import EvaluationToken, hash_token, new_token
from saferwork.training.models import Session
sessions = list(Session.objects.filter(venue="cluster burst").values_list("pk", flat=True))
if not sessions:
    model = Session.objects.order_by("pk").first()
    for _ in range({SESSIONS}):
        model.pk = None
        model.venue = "cluster burst"
        model.registration_token = new_token()
        model.ics_uid = f"{{uuid.uuid4()}}@saferwork"
        model.save(force_insert=True)
        sessions.append(model.pk)
tokens = [new_token() for _ in range({count})]
EvaluationToken.objects.bulk_create(
    [EvaluationToken(session_id=sessions[n % len(sessions)], token_hash=hash_token(t)) for n, t in enumerate(tokens)]
)
open({str(out)!r}, "w").write("\\n".join(tokens))
"""
    cluster.manage("shell", "-c", script)
    return out.read_text().split()


def evaluation_job(body: str) -> Callable[[Connection, str], Outcome]:
    def job(conn: Connection, token: str) -> Outcome:
        conn.cookies["__Host-csrftoken"] = CSRF

        def call() -> tuple[bool, str]:
            status, _, _ = conn.request("POST", f"/evaluation/{token}/", body)
            return status == 302, str(status)

        return timed(call)

    return job


def answers_and_links(cluster: Cluster) -> tuple[int, int]:
    """Answers stored and links left on the burst's sessions."""
    (row,) = cluster.sql(
        "SELECT (SELECT count(*) FROM delivery_evaluationanswer a JOIN training_session s ON s.id = a.session_id"
        "        WHERE s.venue = 'cluster burst'),"
        "       (SELECT count(*) FROM delivery_evaluationtoken t JOIN training_session s ON s.id = t.session_id"
        "        WHERE s.venue = 'cluster burst')"
    )
    return int(row[0]), int(row[1])


def links_left(cluster: Cluster, tokens: list[str]) -> int:
    import hashlib

    hashes = [hashlib.sha256(t.encode()).hexdigest() for t in tokens]
    (row,) = cluster.sql("SELECT count(*) FROM delivery_evaluationtoken WHERE token_hash = ANY(%s)", hashes)
    return int(row[0])


# ---------------------------------------------------------------------- reports


def report_job(slug: str) -> Callable[[Connection, int], Outcome]:
    """A whole report through the form (12 requests), then sent with a receipt and its key
    made here as the page's script makes them (Argon2id over the published salt)."""
    import secrets

    import nacl.pwhash

    from saferwork.reporting.tests.answers import ANSWERS

    def job(conn: Connection, n: int) -> Outcome:
        conn.cookies.clear()

        def call() -> tuple[bool, str]:
            status, _, _ = conn.request("GET", f"/report/{slug}/about-you/")
            if status != 200:
                return False, f"first page {status}"
            for step, data in ANSWERS.items():
                status, _, _ = conn.form(f"/report/{slug}/{step}/", data)
                if status != 302:
                    return False, f"{step} {status}"
            status, page, _ = conn.request("GET", f"/report/{slug}/check/")
            found = re.search(r'data-salt="([0-9a-f]+)" data-opslimit="(\d+)" data-memlimit="(\d+)"', page)
            if status != 200 or not found:
                return False, f"check page {status}"
            salt, ops, mem = bytes.fromhex(found.group(1)), int(found.group(2)), int(found.group(3))
            receipt = f"{secrets.randbelow(10**16):016d}"
            key = nacl.pwhash.argon2id.kdf(32, receipt.encode(), salt, opslimit=ops, memlimit=mem * 1024)
            status, page, _ = conn.form(f"/report/{slug}/check/", {"receipt": receipt, "receipt_key": key.hex()})
            shown = re.search(r"data-receipt>([\d ]+)<", page)
            if status != 200 or not shown or shown.group(1).replace(" ", "") != receipt:
                return False, f"send {status}"
            return True, receipt

        return timed(call)

    return job


def reports_stored(cluster: Cluster, slug: str) -> int:
    (row,) = cluster.sql(
        "SELECT count(*) FROM reporting_report r JOIN organisations_organisation o ON o.id = r.organisation_id"
        " WHERE o.slug = %s",
        slug,
    )
    return int(row[0])


def floor_rows(cluster: Cluster) -> int:
    import psycopg

    with psycopg.connect(f"{cluster.pg.url}/floor", autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM floor_row").fetchone()
    return int(row[0]) if row else 0


# ---------------------------------------------------------------------- the measured bursts

EVALUATIONS = 1000
REPORTS = 200
CONCURRENCY = 200


def measured_bursts(cluster: Cluster, slug: str) -> dict[str, Burst]:
    """The floor, then 1,000 answers, then 200 reports (the floor again between them, so a
    busy moment on the machine shows up in both); each checked against the rows stored."""
    tokens = mint_links(cluster, EVALUATIONS)
    results: dict[str, Burst] = {}
    floor_before = floor_rows(cluster)
    warm = run_burst(cluster, "warm-up", range(100), floor_job, concurrency=20)
    results["floor"] = run_burst(cluster, "floor (one INSERT)", range(EVALUATIONS), floor_job, concurrency=CONCURRENCY)
    stored, left = answers_and_links(cluster)
    burst = run_burst(cluster, "evaluation answers", tokens, evaluation_job(evaluation_body()), concurrency=CONCURRENCY)
    results["evaluations"] = burst
    stored_after, left_after = answers_and_links(cluster)
    if stored_after - stored != len(burst.succeeded) or left - left_after != len(burst.succeeded):
        fail(
            f"evaluations: {len(burst.succeeded)} answered 302 but {stored_after - stored} answers were stored"
            f" and {left - left_after} links spent"
        )
    if links_left(cluster, [o.item for o in burst.succeeded]):
        fail("a link whose answer was accepted is still unspent")
    if burst.failed:
        fail(f"evaluations failed: {burst.failures()}")
    results["floor-2"] = run_burst(cluster, "floor again", range(EVALUATIONS), floor_job, concurrency=CONCURRENCY)
    before = reports_stored(cluster, slug)
    reports = run_burst(cluster, "reports", range(REPORTS), report_job(slug), concurrency=CONCURRENCY)
    results["reports"] = reports
    after = reports_stored(cluster, slug)
    if after - before != len(reports.succeeded):
        fail(f"reports: {len(reports.succeeded)} receipts shown but {after - before} reports stored")
    if reports.failed:
        fail(f"reports failed: {reports.failures()}")
    expected_floor = len(warm.succeeded) + len(results["floor"].succeeded) + len(results["floor-2"].succeeded)
    if floor_rows(cluster) - floor_before != expected_floor:
        fail("the floor lost or doubled a row")
    for result in results.values():
        say(result.line())
    return results


def summary(results: dict[str, Burst]) -> list[str]:
    floor_rate = statistics.mean([results["floor"].rate, results["floor-2"].rate])
    lines = [f"floor (mean of the two runs): {floor_rate:.0f}/s"]
    evaluations, reports = results["evaluations"], results["reports"]
    lines.append(f"evaluation answers: {evaluations.rate:.0f}/s = x{evaluations.rate / floor_rate:.2f} of the floor")
    requests_per_report = 13
    lines.append(
        f"reports: {reports.rate:.1f} reports/s ({reports.rate * requests_per_report:.0f} requests/s)"
        f" = x{reports.rate * requests_per_report / floor_rate:.2f} of the floor in requests"
    )
    return lines
