"""Survey results at scale: 100,000 respondents, 40 items, 60 departments, two waves.

Seeds (once; later runs reuse them) one organisation with two closed waves of the same
40-item survey (39 scales and yes/no items and one "who did it" multiple choice), each
with 50,000 released responses spread over 60 departments of uneven size, so the small
ones are suppressed. Answers are written with ``executemany`` (about 4 million rows), not
through model instances. Then measures, through Django's full handler stack, the results
page (every department, one department, a "who did it" cut), its CSV, XLSX, DOCX and PDF,
and the open-wave view; each export's peak Python memory is measured on its own. The
second wave compares with the first, so every page reads both.

Scale with BENCH_SURVEY_RESPONDENTS (per wave; default 50,000) for a quicker look.
"""

from __future__ import annotations

import os
import random
import time
import tracemalloc
import uuid
from typing import Any

SLUG = "surveys-bench"
DEPARTMENTS = 60
ITEMS = 40
PER_WAVE = int(os.environ.get("BENCH_SURVEY_RESPONDENTS", "50000"))
RUNS = int(os.environ.get("BENCH_SURVEY_RUNS", "5"))


def _wave(organisation: Any, actor: Any, wave: str, items: list[Any], previous: Any = None) -> Any:
    from saferwork.surveys import services

    survey = services.create_survey(organisation=organisation, actor=actor, title="Bench survey", wave=wave)
    for n in range(DEPARTMENTS):
        services.add_department(survey=survey, actor=actor, name=f"Department {n:02d}")
    section = survey.sections.get()
    for item in items:
        services.add_question(section=section, item=item, actor=actor)
    if previous is not None:
        services.update_settings(survey=survey, actor=actor, changes={"previous": previous})
    return survey


def _fill(survey: Any, rng: random.Random) -> None:
    """PER_WAVE released responses over the departments (uneven: a few have under 10)."""
    from django.db import connection

    from saferwork.surveys.models import Answer, Kind, Response, Survey

    departments = list(survey.departments.order_by("pk").values_list("pk", flat=True))
    # Weights so that department sizes run from a handful to thousands.
    weights = [1 + (n % 12) ** 2 for n in range(DEPARTMENTS)]
    weights[5] = weights[17] = weights[33] = 0.01  # three tiny departments, always suppressed
    questions = [(q.pk, q.item.kind, len(q.item.choices())) for q in survey.questions.select_related("item")]
    response_table = Response._meta.db_table
    answer_table = Answer._meta.db_table
    with connection.cursor() as cursor:
        responses = []
        answers = []
        for _ in range(PER_WAVE):
            response = uuid.UUID(int=rng.getrandbits(128), version=4).hex
            department = rng.choices(departments, weights)[0]
            responses.append((response, survey.pk, department, True, 1))
            for pk, kind, choices in questions:
                picked = (
                    rng.sample(range(1, choices + 1), rng.randint(1, 2))
                    if kind == Kind.MULTIPLE
                    else [rng.randint(1, choices)]
                )
                for choice in picked:
                    answers.append((uuid.UUID(int=rng.getrandbits(128), version=4).hex, response, pk, choice))
            if len(answers) > 200_000:
                _flush(cursor, response_table, answer_table, responses, answers)
        _flush(cursor, response_table, answer_table, responses, answers)
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.CLOSED, has_answers=True)


def _flush(cursor: Any, response_table: str, answer_table: str, responses: list[Any], answers: list[Any]) -> None:
    if responses:
        cursor.executemany(
            f"INSERT INTO {response_table} (id, survey_id, department_id, finished, release) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s)",
            responses,
        )
    if answers:
        cursor.executemany(
            f"INSERT INTO {answer_table} (id, response_id, question_id, choice, text, redacted, reviewed, left_out) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, '', '', false, false)",
            answers,
        )
    responses.clear()
    answers.clear()


def question_items(organisation: Any, leader: Any) -> list[Any]:
    """ITEMS items: "who did it" (multiple choice), the bank's other closed items, then the
    organisation's own 5-point statements to make up the number."""
    from saferwork.surveys import services
    from saferwork.surveys.models import Kind, QuestionItem

    bank = list(QuestionItem.objects.filter(organisation=None).exclude(kind=Kind.TEXT).order_by("code"))
    who = next(i for i in bank if i.code == "WHO-DID")
    chosen = [who, *[i for i in bank if i.kind != Kind.MULTIPLE]]
    for n in range(ITEMS - len(chosen)):
        chosen.append(
            services.create_item(
                organisation=organisation,
                actor=leader,
                code=f"OWN-{n:02d}",
                kind=Kind.SCALE,
                text=f"Our own statement number {n}.",
                topic=QuestionItem.Topic.CONFIDENCE,
            )
        )
    return chosen[:ITEMS]


def seed() -> tuple[Any, Any, Any]:
    from django.db import transaction

    from saferwork.accounts.models import User
    from saferwork.organisations.models import Membership, Organisation
    from saferwork.surveys.models import Survey

    organisation = Organisation.objects.filter(slug=SLUG).first()
    if organisation is not None:
        leader = User.objects.get(email=f"{SLUG}-leader@bench.test")
        waves = list(Survey.objects.for_organisation(organisation).order_by("pk"))
        return leader, waves[0], waves[1]
    started = time.perf_counter()
    rng = random.Random(13)  # noqa: S311 - made-up answers
    with transaction.atomic():
        organisation = Organisation.objects.create(name="Surveys Bench Council", slug=SLUG, kind="employer")
        leader = User.objects.create_user(email=f"{SLUG}-leader@bench.test", password="bench-password-not-secret")
        Membership.objects.create(user=leader, organisation=organisation, is_leader=True, is_coordinator=True)
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice.objects.create(user=leader, name="bench", confirmed=True)
        chosen = question_items(organisation, leader)
        first = _wave(organisation, leader, "Wave 1", chosen[:ITEMS])
        second = _wave(organisation, leader, "Wave 2", chosen[:ITEMS], previous=first)
        for survey in (first, second):
            # Straight to closed with its answers in one release group, as ``services.close`` leaves a wave.
            _fill(survey, rng)
    print(f"Seeded in {time.perf_counter() - started:.1f} s.\n")
    return leader, Survey.objects.get(pk=first.pk), Survey.objects.get(pk=second.pk)


def _peak_export(client: Any, url: str) -> tuple[float, float, int]:
    """(seconds, peak Python MiB while making and reading the file, bytes) of one export."""
    tracemalloc.start()
    start = time.perf_counter()
    response = client.get(url)
    size = 0
    if hasattr(response, "streaming_content"):
        for chunk in response.streaming_content:
            size += len(chunk)
    else:
        size = len(response.content)
    seconds = time.perf_counter() - start
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert response.status_code == 200, (url, response.status_code)
    return seconds, peak / 2**20, size


def main() -> None:
    from django.test import Client

    from bench.lib import HEADER, measure, peak_memory_mb
    from saferwork.surveys.models import Answer, Response, Survey
    from saferwork.tests.factories import sign_in_verified

    leader, first, second = seed()
    print(
        f"Data: 2 waves, {Response.objects.filter(survey__in=[first, second]).count():,} respondents, "
        f"{second.questions.count()} items, {second.departments.count()} departments, "
        f"{Answer.objects.filter(response__survey__in=[first, second]).count():,} answers.\n"
    )
    client = Client()
    sign_in_verified(client, leader)
    session = client.session
    session["sudo_until"] = int(time.time()) + 3 * 3600
    session.save()
    base = f"/surveys/{second.pk}/results"
    department = second.departments.order_by("pk").first()
    assert department is not None
    # ``measure`` opens each once first: the first view of a cut releases it (a write and an audit row).
    timings = [
        measure(client, f"{base}/", name="results page, every department (with wave 1 beside it)", runs=RUNS),
        measure(client, f"{base}/?department={department.pk}", name="results page, one department", runs=RUNS),
        measure(client, f"{base}/?who=1", name="results page, people who named a colleague", runs=RUNS),
        measure(client, f"{base}.csv", name="CSV export", runs=RUNS),
        measure(client, f"{base}.xlsx", name="XLSX export", runs=RUNS),
        measure(client, f"{base}.docx", name="DOCX summary", runs=RUNS),
        measure(client, f"{base}.pdf", name="PDF summary", runs=RUNS),
        measure(client, "/surveys/results/", name="list of waves", runs=RUNS),
    ]
    Survey.objects.filter(pk=first.pk).update(status=Survey.Status.LIVE)
    try:
        timings.append(measure(client, f"/surveys/{first.pk}/results/", name="an open wave (bands only)", runs=RUNS))
    finally:
        Survey.objects.filter(pk=first.pk).update(status=Survey.Status.CLOSED)
    print(HEADER)
    for timing in timings:
        print(timing.row())
    print("\n| export | seconds | peak Python memory (MiB) | size (KiB) |\n|---|---|---|---|")
    for name in ("csv", "xlsx", "docx", "pdf"):
        seconds, peak, size = _peak_export(client, f"{base}.{name}")
        print(f"| {name.upper()} | {seconds:.1f} | {peak:.1f} | {size / 1024:.0f} |")
    print(f"\nPeak memory of the process: {peak_memory_mb():.0f} MB")
