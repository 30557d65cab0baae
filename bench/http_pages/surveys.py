"""Climate surveys through HTTP: a large closed wave's results and exports, and a burst of answers.

``seed`` writes (once) the issue's dataset in its real storage form with PostgreSQL's
COPY: one organisation, two closed waves of the same 40-item survey (39 scales and yes/no
items, one "who did it" multiple choice) over 60 departments of uneven size (three with
almost nobody, so suppression has work), ``BENCH_SURVEY_RESPONDENTS`` released responses
per wave (50,000 by default: 100,000 respondents in all, about 4 million answers), plus
an open third wave with responses only (its page shows bands of the response rate).

``pages``: the second wave's results (it compares with the first), one department, a
"who did it" cut, the heatmap (part of the results page), the open wave's response
rates, the list of waves, and CSV/XLSX/DOCX/PDF exports.

``extra``: each export streamed once more and the workers' peak memory (VmHWM) after
each, then the burst: ``BENCH_SURVEY_BURST`` (1,000) people answering a fresh live wave
through its open link, ``BENCH_SURVEY_CLIENTS`` (50) at a time, each as a browser would
(start, answer the page, confirm on the check page: three POSTs with CSRF), then a count
in the database: every answer stored once, none lost, none duplicated (the answers'
choices are spread so that their totals must match exactly). Its throughput is printed
beside the floor's one-INSERT POST, loaded by the same number of concurrent clients in
the same run.
"""

from __future__ import annotations

import datetime as dt
import http.client
import os
import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlencode

from bench.http_bench import CSRF, HOST, Page, session_cookie

SLUG = "surveys-http-bench"
LEADER = f"{SLUG}-leader@bench.test"
DEPARTMENTS = 60
ITEMS = 40
PER_WAVE = int(os.environ.get("BENCH_SURVEY_RESPONDENTS", "50000"))
BURST = int(os.environ.get("BENCH_SURVEY_BURST", "1000"))
CLIENTS = int(os.environ.get("BENCH_SURVEY_CLIENTS", "50"))
SIZES: dict[str, int] = {}


def _wave(
    organisation: Any, actor: Any, wave: str, items: list[Any], previous: Any = None, departments: int = DEPARTMENTS
) -> Any:
    from saferwork.surveys import services

    survey = services.create_survey(organisation=organisation, actor=actor, title="Bench survey", wave=wave)
    for n in range(departments):
        services.add_department(survey=survey, actor=actor, name=f"Department {n:02d}")
    section = survey.sections.get()
    for item in items:
        services.add_question(section=section, item=item, actor=actor)
    if previous is not None:
        services.update_settings(survey=survey, actor=actor, changes={"previous": previous})
    return survey


def _weights() -> list[float]:
    weights: list[float] = [1 + (n % 12) ** 2 for n in range(DEPARTMENTS)]
    weights[5] = weights[17] = weights[33] = 0.01  # three tiny departments, always suppressed
    return weights


def _copy(table: str, columns: str, rows: list[tuple[Any, ...]]) -> None:
    from django.db import connection

    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _fill(survey: Any, rng: random.Random, *, answers: bool = True) -> int:
    """PER_WAVE released responses (and their answers) over the departments, by COPY."""
    from saferwork.surveys.models import Answer, Kind, Response

    departments = list(survey.departments.order_by("pk").values_list("pk", flat=True))
    questions = [(q.pk, q.item.kind, len(q.item.choices())) for q in survey.questions.select_related("item")]
    written = 0
    batch = 5000
    for start in range(0, PER_WAVE, batch):
        responses, rows = [], []
        for _ in range(min(batch, PER_WAVE - start)):
            response = uuid.UUID(int=rng.getrandbits(128), version=4)
            responses.append((response, survey.pk, rng.choices(departments, _weights())[0], True, 1))
            if not answers:
                continue
            for pk, kind, choices in questions:
                picked = (
                    rng.sample(range(1, choices + 1), rng.randint(1, 2))
                    if kind == Kind.MULTIPLE
                    else [rng.randint(1, choices)]
                )
                rows += [
                    (uuid.UUID(int=rng.getrandbits(128), version=4), response, pk, c, "", "", False, False)
                    for c in picked
                ]
        _copy(Response._meta.db_table, "id, survey_id, department_id, finished, release", responses)
        _copy(
            Answer._meta.db_table,
            "id, response_id, question_id, choice, text, redacted, reviewed, left_out",
            rows,
        )
        written += len(rows)
    return written


def seed() -> dict[str, int]:
    from django.db import transaction

    from saferwork.accounts.models import User
    from saferwork.organisations.models import Membership, Organisation
    from saferwork.surveys.models import Answer, Response, Survey

    organisation = Organisation.objects.filter(slug=SLUG).first()
    if organisation is None:
        started = time.perf_counter()
        rng = random.Random(13)  # noqa: S311 - made-up answers
        with transaction.atomic():
            organisation = Organisation.objects.create(name="Surveys HTTP Bench Council", slug=SLUG, kind="employer")
            leader = User.objects.create_user(email=LEADER, password="bench-password-not-secret")  # noqa: S106
            Membership.objects.create(user=leader, organisation=organisation, is_leader=True, is_coordinator=True)
            from django_otp.plugins.otp_totp.models import TOTPDevice

            TOTPDevice.objects.create(user=leader, name="bench", confirmed=True)
            from bench.bench_surveys import question_items

            chosen = question_items(organisation, leader)
            first = _wave(organisation, leader, "Wave 1", chosen[:ITEMS])
            second = _wave(organisation, leader, "Wave 2", chosen[:ITEMS], previous=first)
            third = _wave(organisation, leader, "Wave 3", chosen[:ITEMS], previous=second)
            for survey in (first, second):
                # Straight to closed with its answers in one release group, as ``services.close`` leaves a wave.
                _fill(survey, rng)
                Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.CLOSED, has_answers=True)
            _fill(third, rng, answers=False)
            Survey.objects.filter(pk=third.pk).update(status=Survey.Status.LIVE, has_answers=True)
        SIZES["seconds to seed"] = round(time.perf_counter() - started)
    waves = list(Survey.objects.for_organisation(organisation).filter(wave__in=["Wave 1", "Wave 2"]))
    SIZES.update(
        {
            "survey departments": DEPARTMENTS,
            "survey items": ITEMS,
            "survey respondents (two closed waves)": Response.objects.filter(survey__in=waves).count(),
            "survey answers (two closed waves)": Answer.objects.filter(response__survey__in=waves).count(),
        }
    )
    return dict(SIZES)


def _waves() -> tuple[Any, Any]:
    from saferwork.surveys.models import Survey

    surveys = {s.wave: s for s in Survey.objects.filter(organisation__slug=SLUG, title="Bench survey")}
    return surveys["Wave 2"], surveys["Wave 3"]


def pages() -> list[Page]:
    closed, live = _waves()
    cookie = session_cookie(LEADER, organisation_slug=SLUG)
    sudo = session_cookie(LEADER, organisation_slug=SLUG, sudo=True)
    department = closed.departments.order_by("pk").last()
    base = f"/surveys/{closed.pk}/results"
    return [
        Page("surveys: results of a closed wave, with the previous wave and the heatmap", f"{base}/", cookie),
        Page("surveys: results, one department", f"{base}/?department={department.pk}", cookie),
        Page("surveys: results, people who named a colleague", f"{base}/?who=1", cookie),
        Page("surveys: response rates of an open wave (bands)", f"/surveys/{live.pk}/results/", cookie),
        Page("surveys: list of waves", "/surveys/results/", cookie),
        Page("surveys: CSV export", f"{base}.csv", sudo),
        Page("surveys: XLSX export", f"{base}.xlsx", sudo),
        Page("surveys: DOCX summary", f"{base}.docx", sudo),
        Page("surveys: PDF summary", f"{base}.pdf", sudo),
    ]


# ---------------------------------------------------------------- extra: export memory and the burst


def _connection(base: str) -> http.client.HTTPConnection:
    return http.client.HTTPConnection(base.removeprefix("http://"), timeout=120)


def _get(base: str, path: str, cookie: str) -> tuple[int, int, float]:
    connection = _connection(base)
    started = time.perf_counter()
    connection.request("GET", path, headers={"X-Forwarded-Proto": "https", "Host": HOST, "Cookie": cookie})
    response = connection.getresponse()
    size = 0
    while chunk := response.read(65536):
        size += len(chunk)
    connection.close()
    return response.status, size, time.perf_counter() - started


HEADERS = {
    "X-Forwarded-Proto": "https",
    "Host": HOST,
    "Origin": f"https://{HOST}",
    "Content-Type": "application/x-www-form-urlencoded",
}


def _post(connection: http.client.HTTPConnection, path: str, data: dict[str, Any], cookies: dict[str, str]) -> int:
    body = urlencode({**data, "csrfmiddlewaretoken": CSRF})
    cookie = "; ".join(f"{k}={v}" for k, v in {"__Host-csrftoken": CSRF, **cookies}.items())
    connection.request(
        "POST", path, body=body, headers={**HEADERS, "Referer": f"https://{HOST}{path}", "Cookie": cookie}
    )
    response = connection.getresponse()
    response.read()
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        value = rest.split(";", 1)[0]
        if value in ('""', "") or "max-age=0" in header.lower():
            cookies.pop(name, None)
        else:
            cookies[name] = value
    return response.status


def _burst_wave() -> tuple[Any, Any, str]:
    from django.utils import timezone

    from saferwork.accounts.models import User
    from saferwork.organisations.models import Organisation
    from saferwork.surveys import services
    from saferwork.surveys.models import QuestionItem

    organisation = Organisation.objects.get(slug=SLUG)
    leader = User.objects.get(email=LEADER)
    item = QuestionItem.objects.get(organisation=None, code="CONF-REPORT")
    survey = _wave(organisation, leader, f"Burst {uuid.uuid4().hex[:6]}", [item], departments=1)
    services.update_settings(
        survey=survey, actor=leader, changes={"closes_on": timezone.localdate() + dt.timedelta(days=7)}
    )
    services.launch(survey=survey, actor=leader)
    taking_part = survey.departments.get()
    question = survey.questions.get()
    return survey, question, taking_part.open_link


def burst(base: str, clients: int, count: int) -> tuple[float, int, dict[int, int], Any]:
    """``count`` people answer one question through the open link, ``clients`` at a time."""
    survey, question, link = _burst_wave()
    failures: list[str] = []
    lock = threading.Lock()

    def one(number: int) -> int:
        connection = _connection(base)
        cookies: dict[str, str] = {}
        choice = number % 5 + 1
        steps = [
            (f"/survey/d/{link}/", {}),
            ("/survey/answer/1/", {str(question.pk): choice}),
            ("/survey/check/", {}),
        ]
        for path, data in steps:
            status = _post(connection, path, data, cookies)
            if status != 302:
                with lock:
                    failures.append(f"{path} {status}")
                connection.close()
                return 0
        connection.close()
        return choice

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        chosen = list(pool.map(one, range(count)))
    seconds = time.perf_counter() - started
    sent: dict[int, int] = {}
    for choice in chosen:
        if choice:
            sent[choice] = sent.get(choice, 0) + 1
    if failures:
        print(f"burst: {len(failures)} answers failed, e.g. {failures[:3]}", flush=True)
    return seconds, sum(sent.values()), sent, survey


def stored(survey: Any) -> dict[str, Any]:
    from django.db.models import Count

    from saferwork.surveys import services
    from saferwork.surveys.models import Answer, Draft, Response

    services.close(survey=survey)  # publishes the last group under the threshold too
    responses = Response.objects.filter(survey=survey)
    per_response = Answer.objects.filter(response__survey=survey).values("response").annotate(n=Count("id"))
    return {
        "responses": responses.count(),
        "finished": responses.filter(finished=True).count(),
        "answers": Answer.objects.filter(response__survey=survey).count(),
        "by choice": {
            row["choice"]: row["n"]
            for row in Answer.objects.filter(response__survey=survey).values("choice").annotate(n=Count("id"))
        },
        "responses with other than one answer": sum(1 for row in per_response if row["n"] != 1),
        "drafts left": Draft.objects.filter(survey=survey).count(),
    }


def floor_posts(base: str, clients: int, count: int) -> float:
    """``count`` one-INSERT POSTs to the floor, ``clients`` at a time, each on its own connection: seconds."""

    def one(_number: int) -> int:
        connection = _connection(base)
        connection.request("POST", "/insert/", body="value=hello", headers={**HEADERS, "Host": HOST})
        response = connection.getresponse()
        response.read()
        connection.close()
        return response.status

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        statuses = list(pool.map(one, range(count)))
    seconds = time.perf_counter() - started
    bad = [s for s in statuses if s >= 400]
    if bad:
        raise RuntimeError(f"the floor's POST answered {bad[0]}")
    return seconds


def _row(label: str, value: str) -> str:
    return f"| {label} | {value} |"


def extra(app: Any, floor: Any) -> list[str]:
    closed, _live = _waves()
    sudo = session_cookie(LEADER, organisation_slug=SLUG, sudo=True)
    lines = [
        "Climate survey exports, each streamed once more through gunicorn after the timed rounds:",
        "",
        "| export | seconds | size (KiB) | workers' peak resident memory after it (MiB) |",
        "|---|---|---|---|",
    ]
    for name in ("csv", "xlsx", "docx", "pdf"):
        status, size, seconds = _get(app.base, f"/surveys/{closed.pk}/results.{name}", sudo)
        if status != 200:
            raise RuntimeError(f"{name} export answered {status}")
        peaks = " / ".join(f"{p:.0f}" for p in app.peak_mib())
        lines.append(f"| {name.upper()} | {seconds:.2f} | {size / 1024:.0f} | {peaks} |")
    floor_before = floor_posts(floor.base, CLIENTS, BURST)
    seconds, sent, by_choice, survey = burst(app.base, CLIENTS, BURST)
    floor_after = floor_posts(floor.base, CLIENTS, BURST)
    floor_seconds = (floor_before + floor_after) / 2
    found = stored(survey)
    ok = (
        sent == BURST
        and found["responses"] == found["finished"] == found["answers"] == BURST
        and found["by choice"] == by_choice
        and found["responses with other than one answer"] == 0
        and found["drafts left"] == 0
    )
    answers_per_second = BURST / seconds
    floor_per_second = BURST / floor_seconds
    lines += [
        "",
        f"Burst: {BURST:,} people answering through the open link, {CLIENTS} at a time (start, answer, "
        "confirm: three POSTs each, a new connection each, CSRF as a browser sends it):",
        "",
        "| measure | value |",
        "|---|---|",
        _row("answers finished (HTTP 302 at every step)", f"{sent:,} of {BURST:,}"),
        _row(
            "stored: responses / finished / answers",
            f"{found['responses']:,} / {found['finished']:,} / {found['answers']:,}",
        ),
        _row("stored answers by choice match what was sent", "yes" if found["by choice"] == by_choice else "NO"),
        _row(
            "responses with other than one answer; drafts left",
            f"{found['responses with other than one answer']}; {found['drafts left']}",
        ),
        _row("none lost, none duplicated", "yes" if ok else "NO"),
        _row(
            "burst: seconds, answers per second",
            f"{seconds:.1f} s, {answers_per_second:.1f}/s ({3 * answers_per_second:.1f} POSTs/s)",
        ),
        _row(
            f"floor: {BURST:,} one-INSERT POSTs, {CLIENTS} at a time (mean of before and after)",
            f"{floor_seconds:.1f} s, {floor_per_second:.1f}/s",
        ),
        _row(
            "answers per second as a ratio of the floor's POSTs per second",
            f"{answers_per_second / floor_per_second:.3f}",
        ),
        _row("POSTs per second as a ratio of the floor's", f"{3 * answers_per_second / floor_per_second:.3f}"),
    ]
    if not ok:
        lines.append(f"Stored: {found}; sent by choice: {by_choice}")
    return lines
