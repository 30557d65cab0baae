"""Faults injected into the running cluster, and what must hold through each.

* A web host killed (SIGKILL, master and workers) in the middle of a burst of evaluation
  answers: nginx sends the rest to the other host; every answer that got its success
  answer is stored, the links spent and the answers stored agree one for one, and the
  failures (requests in flight on the killed host: nginx does not resend a POST) are
  counted and reported.
* The task worker killed (SIGKILL) while it is sending an email: a test SMTP server here
  holds the message before accepting it; ``manage.py requeue_stale_tasks`` returns the
  task to the queue, a new worker runs it, and each recipient gets the email once. Then
  the task is made to look abandoned again after it sent (as a worker killed between the
  send and marking the task done leaves it) and run a third time: nothing more is sent.
* PostgreSQL stopped for ten seconds: every page and form post answers the calm 503 page,
  nothing sent during the outage is stored, and once PostgreSQL is back the same hosts
  answer again without a restart; a report held up by the outage is then sent once.
"""

from __future__ import annotations

import socketserver
import threading
import time
from typing import TYPE_CHECKING, Any

from cluster import bursts
from cluster.common import fail, say

if TYPE_CHECKING:
    from cluster.run import Cluster

TASKS = "django_tasks_database_dbtaskresult"
CONCURRENCY = 100


def wait(check: Any, what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.25)
    fail(f"timed out waiting for {what}")


# ---------------------------------------------------------------------- a web host killed


def host_killed_mid_burst(cluster: Cluster, count: int = 400, kill_after: int = 150) -> bursts.Burst:
    tokens = bursts.mint_links(cluster, count)
    stored, left = bursts.answers_and_links(cluster)
    killed_at: list[int] = []

    def kill_host_one(burst: bursts.Burst) -> None:
        deadline = time.monotonic() + 120
        while len(burst.outcomes) < kill_after and time.monotonic() < deadline:
            time.sleep(0.01)
        killed_at.append(len(burst.outcomes))
        cluster.kill("host1")

    burst = bursts.run_burst(
        cluster,
        "evaluation answers, host 1 killed",
        tokens,
        bursts.evaluation_job(bursts.evaluation_body()),
        concurrency=CONCURRENCY,
        during=kill_host_one,
    )
    stored_after, left_after = bursts.answers_and_links(cluster)
    spent, answered = left - left_after, stored_after - stored
    if answered != spent:
        fail(f"host kill: {spent} links spent but {answered} answers stored")
    if bursts.links_left(cluster, [o.item for o in burst.succeeded]):
        fail("host kill: an answer that got its success page was not stored")
    # Requests already on host 1 when it died fail (POSTs are not retried: they are not
    # idempotent); the proxy has failed over when the requests that came after them succeed.
    later = burst.outcomes[killed_at[0] + CONCURRENCY :]
    if not later or sum(o.ok for o in later) < 0.9 * len(later):
        fail(f"host kill: the proxy did not fail over ({sum(o.ok for o in later)} of {len(later)} after the kill)")
    say(
        f"{burst.line()}; killed after {killed_at[0]} answers; {len(burst.failed)} failed"
        f" ({spent - len(burst.succeeded)} of them stored all the same), every success stored"
    )
    burst.name = f"killed after {killed_at[0]}; stored without a success answer: {spent - len(burst.succeeded)}"
    return burst


# ---------------------------------------------------------------------- the worker killed


class HoldingSMTP(socketserver.ThreadingTCPServer):
    """Just enough SMTP for Django's backend. While ``hold`` is set, a message is held
    after its last line and never accepted (no 250): the sender is killed meanwhile.
    ``accepted`` lists the recipients of each message answered 250."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SMTPHandler)
        self.hold = True
        self.holding = threading.Event()
        self.release = threading.Event()
        self.accepted: list[tuple[str, ...]] = []
        self.port = int(self.server_address[1])
        threading.Thread(target=self.serve_forever, daemon=True).start()


class _SMTPHandler(socketserver.StreamRequestHandler):
    server: HoldingSMTP

    def _say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        self._say("220 cluster-test ESMTP")
        recipients: list[str] = []
        while line := self.rfile.readline():
            verb = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO", "MAIL", "RSET", "NOOP"):
                recipients = [] if verb in ("MAIL", "RSET") else recipients
                self._say("250 ok")
            elif verb == "RCPT":
                recipients.append(line.decode(errors="replace").split(":", 1)[1].strip())
                self._say("250 ok")
            elif verb == "DATA":
                self._say("354 go on")
                while (body := self.rfile.readline()) and body not in (b".\r\n", b".\n"):
                    pass
                if self.server.hold:
                    self.server.holding.set()
                    self.server.release.wait(120)
                    return  # never accepted: the connection is dropped
                self.server.accepted.append(tuple(recipients))
                self._say("250 queued")
            elif verb == "QUIT":
                self._say("221 bye")
                return
            else:
                self._say("502 not here")


def task_states(cluster: Cluster) -> dict[str, int]:
    return dict(cluster.sql(f"SELECT status, count(*) FROM {TASKS} GROUP BY status"))  # noqa: S608


def worker_killed_mid_task(cluster: Cluster, send_report: Any) -> HoldingSMTP:
    wait(lambda: not ({"READY", "RUNNING"} & set(task_states(cluster))), "the worker to drain the queue", 180)
    cluster.kill("worker", 15)  # a graceful stop: the next workers send through SMTP
    smtp = HoldingSMTP()
    email = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_TIMEOUT": "120",
    }
    cluster.start_worker("worker-smtp", **email)
    send_report()  # a host queues the alert to the organisation's handlers
    if not smtp.holding.wait(90):
        fail("the worker never started sending the alert")
    cluster.kill("worker-smtp")
    running = cluster.sql(f"SELECT id FROM {TASKS} WHERE status = 'RUNNING'")  # noqa: S608
    if len(running) != 1:
        fail(f"expected the killed worker's one task left RUNNING, found {len(running)}")
    (task_id,) = running[0]
    smtp.hold = False
    smtp.release.set()
    say("worker killed while sending; its task is left RUNNING")

    def status() -> str:
        return str(cluster.sql(f"SELECT status FROM {TASKS} WHERE id = %s", task_id)[0][0])  # noqa: S608

    time.sleep(1.1)
    cluster.manage("requeue_stale_tasks", "--seconds", "1")
    if status() != "READY":
        fail(f"requeue_stale_tasks left the task {status()}")
    cluster.start_worker("worker-smtp-2", **email)
    wait(lambda: status() == "SUCCESSFUL", "the requeued task to run again")
    sent = list(smtp.accepted)
    recipients = [r for message in sent for r in message]
    if not sent or len(recipients) != len(set(recipients)):
        fail(f"after the rerun the SMTP server accepted {sent}")
    say(f"requeued and run again by a new worker: {len(sent)} message(s), each recipient once")
    # As a worker killed after sending but before marking the task done leaves it.
    cluster.sql(
        f"UPDATE {TASKS} SET status = 'RUNNING', finished_at = NULL, started_at = now() - interval '1 hour'"  # noqa: S608
        " WHERE id = %s",
        task_id,
    )
    cluster.manage("requeue_stale_tasks", "--seconds", "60")
    wait(lambda: status() == "SUCCESSFUL", "the task to run a third time")
    if smtp.accepted != sent:
        fail(f"a rerun of a task that had sent sent again: {smtp.accepted}")
    say("run once more after it had sent (worker died before marking it done): nothing sent twice")
    return smtp


# ---------------------------------------------------------------------- PostgreSQL stopped


def database_stopped(cluster: Cluster, slug: str, *, seconds: float = 10) -> dict[str, Any]:
    tokens = bursts.mint_links(cluster, 40)
    reporter = bursts.Connection(cluster)
    held = _report_up_to_sending(reporter, slug)
    stored, left = bursts.answers_and_links(cluster)
    reports = bursts.reports_stored(cluster, slug)
    visitor = bursts.Connection(cluster)
    visitor.cookies["__Host-csrftoken"] = bursts.CSRF
    body = bursts.evaluation_body()
    answers: list[tuple[int, str]] = []
    cluster.pg.stop()
    stopped = time.monotonic()
    spent: list[str] = []
    while time.monotonic() - stopped < seconds:
        for method, path, data in (
            ("GET", f"/report/{slug}/", None),
            ("GET", "/", None),
            ("POST", f"/evaluation/{tokens[len(spent)]}/", body),
        ):
            if method == "POST":
                spent.append(tokens[len(spent)])
            status, text, _ = visitor.request(method, path, data)
            answers.append((status, path))
            if status != 503 or "busy for a moment" not in text:
                fail(f"with the database stopped {method} {path} answered {status}:\n{text[:500]}")
        time.sleep(0.3)
    status, text, _ = reporter.form(f"/report/{slug}/check/", held)
    if status != 503 or "busy for a moment" not in text:
        fail(f"sending a report with the database stopped answered {status}")
    answers.append((status, "send report"))
    down = time.monotonic() - stopped
    cluster.pg.start()
    restarted = time.monotonic()

    def back() -> bool:
        status, _, _ = visitor.request("GET", f"/report/{slug}/")
        return status == 200

    wait(back, "the hosts to answer again once PostgreSQL is back", 60)
    recovered = time.monotonic() - restarted
    status, text, _ = reporter.form(f"/report/{slug}/check/", held)
    if status != 200 or "data-receipt" not in text:
        fail(f"the report held up by the outage could not be sent afterwards: {status}")
    visitor.cookies["__Host-csrftoken"] = bursts.CSRF
    status, _, _ = visitor.request("POST", f"/evaluation/{tokens[-1]}/", body)
    if status != 302:
        fail(f"an evaluation answer after the outage answered {status}")
    stored_after, left_after = bursts.answers_and_links(cluster)
    if (stored_after - stored, left - left_after) != (1, 1):
        fail(f"the outage left {stored_after - stored} answers and {left - left_after} spent links (expected 1 and 1)")
    if bursts.links_left(cluster, spent) != len(spent):
        fail("a link posted during the outage was spent")
    if bursts.reports_stored(cluster, slug) - reports != 1:
        fail("the report sent across the outage was not stored exactly once")
    say(
        f"PostgreSQL stopped {down:.0f} s: {len(answers)} requests, every one the calm 503 page; "
        f"answering again {recovered:.1f} s after it restarted, no host restarted; nothing half-written"
    )
    return {"down": down, "requests": len(answers), "recovered": recovered}


def _report_up_to_sending(conn: bursts.Connection, slug: str) -> dict[str, str]:
    """Answer every question and open the check page; the form that sends it, filled in."""
    import re
    import secrets

    import nacl.pwhash

    from saferwork.reporting.tests.answers import ANSWERS

    conn.request("GET", f"/report/{slug}/about-you/")
    for step, data in ANSWERS.items():
        status, _, _ = conn.form(f"/report/{slug}/{step}/", data)
        if status != 302:
            fail(f"question {step} answered {status}")
    _, page, _ = conn.request("GET", f"/report/{slug}/check/")
    found = re.search(r'data-salt="([0-9a-f]+)" data-opslimit="(\d+)" data-memlimit="(\d+)"', page)
    if not found:
        fail("no key parameters on the check page")
    receipt = f"{secrets.randbelow(10**16):016d}"
    salt, ops, mem = bytes.fromhex(found.group(1)), int(found.group(2)), int(found.group(3))
    key = nacl.pwhash.argon2id.kdf(32, receipt.encode(), salt, opslimit=ops, memlimit=mem * 1024)
    return {"receipt": receipt, "receipt_key": key.hex()}


def worker_after_outage(cluster: Cluster, smtp: HoldingSMTP) -> str:
    """Whether the worker lived through the outage; if not, start it as systemd would
    (deploy/saferwork-worker.service: Restart=always) and check it sends again."""
    process = cluster.processes["worker-smtp-2"]
    survived = process.poll() is None
    if not survived:
        cluster.start_worker("worker-restarted", **{
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
        })  # fmt: skip
    wait(lambda: not ({"READY", "RUNNING"} & set(task_states(cluster))), "the worker to send after the outage", 90)
    how = "kept running" if survived else "exited on the lost connection and was started again (as systemd does)"
    say(f"the task worker {how}; the report's alert queued after the outage was sent")
    return how
