"""Hold the database after 200 answers through invitations and try to link invitation to answer.

The attacker here knows everything outside the survey's tables: every address, its
department, and the order in which people used their links. They read every column,
order and (on PostgreSQL) system column: ``xmin``, ``ctid``. Linking must fail: at best
they can say "one of these N answers in this department", N never below the threshold.

Run it on PostgreSQL too (``DATABASE_URL=postgres://…``): the system columns exist only there.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.core import mail
from django.db import connection, models
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from saferwork.audit.models import AuditEntry
from saferwork.lib import email as lib_email
from saferwork.surveys import services, views
from saferwork.surveys.models import Answer, Draft, Invitation, Response, SpentInvitation, Survey
from saferwork.surveys.tests.conftest import build_survey
from saferwork.surveys.tests.helpers import LINK

pytestmark = pytest.mark.django_db

PEOPLE = 200
DEPARTMENTS = ("Housing", "Libraries", "Parks", "Waste")
FINGERPRINT = ("CONF-REPORT", "CONF-TAKEN-SERIOUSLY", "BEH-COMMENTS", "BEH-TOUCHING")


def fingerprint(n: int) -> tuple[int, ...]:
    """Answers that say which respondent gave them (5^4 > 200): the truth the attacker lacks."""
    return tuple((n // 5**k) % 5 + 1 for k in range(len(FINGERPRINT)))


def system_rows(model: type[models.Model]) -> list[dict[str, Any]]:
    """Every row with its physical position and, on PostgreSQL, its writing transaction."""
    table = model._meta.db_table
    pg = connection.vendor == "postgresql"
    extra = "ctid::text AS pos, xmin::text AS xmin" if pg else "rowid AS pos, '' AS xmin"
    order = "ctid" if pg else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT *, {extra} FROM {table} ORDER BY {order}")  # noqa: S608
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def spearman(xs: list[float], ys: list[float]) -> float:
    def ranks(values: list[float]) -> list[float]:
        order = sorted(range(len(values)), key=values.__getitem__)
        out = [0.0] * len(values)
        for rank, index in enumerate(order):
            out[index] = float(rank)
        return out

    rx, ry = ranks(xs), ranks(ys)
    n = len(xs)
    mean = (n - 1) / 2
    cov = sum((a - mean) * (b - mean) for a, b in zip(rx, ry, strict=True))
    var = sum((a - mean) ** 2 for a in rx)
    return cov / var


@pytest.fixture
def held(organisation: Any, coordinator: Any, settings: Any, django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    """200 people invited (the database task backend), all answer through their link, in a known order."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    views.RATE_LIMIT = (10_000, 3600)
    survey = build_survey(organisation, coordinator, departments=DEPARTMENTS)
    services.launch(survey=survey, actor=coordinator)
    ids = {d.department.name: d.pk for d in survey.departments.select_related("department")}
    people = [(f"person{n}@example.org", DEPARTMENTS[n % len(DEPARTMENTS)]) for n in range(PEOPLE)]
    services.import_staff_list(survey=survey, actor=coordinator, rows=[services.StaffRow(e, ids[d]) for e, d in people])
    with django_capture_on_commit_callbacks(execute=True):
        services.send_invitations(survey=survey, actor=coordinator)
    queued = list(DBTaskResult.objects.values("args_kwargs"))
    # The worker's job, done here: render and send from the queued kind and ids.
    mail.outbox.clear()
    lib_email.deliver(kind="surveys.invitation", ids=[str(survey.pk)])
    token_of = {m.to[0]: LINK.search(m.body).group(1) for m in mail.outbox}  # type: ignore[union-attr]
    audit_before = AuditEntry.objects.count()
    questions = {q.item.code: q.pk for q in survey.questions.select_related("item")}
    try:
        for n, (email, _) in enumerate(people):
            client = Client()
            assert client.post(reverse("surveys:invitation", args=[token_of[email]])).status_code == 302
            page = {str(questions[c]): str(v) for c, v in zip(FINGERPRINT, fingerprint(n), strict=True)}
            page[str(questions["EXP-ANY"])] = "2"
            assert client.post(reverse("surveys:answer_page", args=[1]), page).status_code == 302
            assert client.post(reverse("surveys:answer_page", args=[2]), {}).status_code == 302
            assert client.post(reverse("surveys:check"))["Location"] == reverse("surveys:done")
    finally:
        views.RATE_LIMIT = (300, 3600)
    return {
        "survey": survey,
        "people": people,
        "tokens": token_of,
        "queued": queued,
        "audit_before": audit_before,
        "questions": questions,
    }


def _truth(held: dict[str, Any]) -> dict[str, int]:
    """Which respondent gave each response, from the fingerprints (only the test knows this)."""
    by_print = {fingerprint(n): n for n in range(PEOPLE)}
    code_of = {pk: code for code, pk in held["questions"].items()}
    prints: dict[str, dict[str, int]] = {}
    for response_id, question_id, choice in Answer.objects.values_list("response_id", "question_id", "choice"):
        prints.setdefault(str(response_id), {})[code_of[question_id]] = choice
    return {rid: by_print[tuple(p[c] for c in FINGERPRINT)] for rid, p in prints.items()}


def _check_columns(held: dict[str, Any]) -> None:
    assert Response.objects.count() == PEOPLE and not Draft.objects.exists()
    assert not Invitation.objects.exists()  # every address went with its used link
    assert {f.name for f in SpentInvitation._meta.concrete_fields} == {"id", "survey", "token_hash"}
    assert {f.name for f in Response._meta.concrete_fields} == {"id", "survey", "department", "finished", "release"}
    # The redaction pass adds the cleared text and two flags: no time, no person.
    assert {f.name for f in Answer._meta.concrete_fields} == {
        "id",
        "response",
        "question",
        "choice",
        "text",
        "redacted",
        "reviewed",
        "left_out",
    }
    for model in (SpentInvitation, Response, Answer, Draft):
        for field in model._meta.concrete_fields:
            assert not isinstance(field, models.DateField | models.DateTimeField), (model, field.name)
        assert isinstance(model._meta.pk, models.UUIDField | models.CharField)  # no id that follows arrival
    spent_values = {str(v) for row in SpentInvitation.objects.values("id", "token_hash") for v in row.values()}
    answer_values = {str(v) for row in Response.objects.values("id", "department_id") for v in row.values()}
    answer_values |= {str(v) for row in Answer.objects.values("id", "response_id", "text") for v in row.values()}
    assert not spent_values & answer_values
    emails = {email for email, _ in held["people"]}
    everything = json.dumps(list(Answer.objects.values("text"))) + json.dumps(list(Draft.objects.values()))
    assert not any(e in everything for e in emails)


def _check_orders_and_transactions(held: dict[str, Any]) -> None:
    survey: Survey = held["survey"]
    truth = _truth(held)
    arrival_of = {
        str(SpentInvitation.objects.get(token_hash=_hash(held["tokens"][e])).pk): n
        for n, (e, _) in enumerate(held["people"])
    }
    spent = system_rows(SpentInvitation)
    responses = system_rows(Response)
    answers = system_rows(Answer)
    # 1. Lining up the k-th used link with the k-th answer, in every order there is.
    spent_in_order = [arrival_of[str(uuid.UUID(str(r["id"])))] for r in spent]
    for key in ("pos", "id", "xmin", "release"):
        ordered = sorted(responses, key=lambda r: (str(r[key]), str(r["pos"])))
        hits = sum(1 for s, r in zip(spent_in_order, ordered, strict=True) if truth[str(uuid.UUID(str(r["id"])))] == s)
        assert hits < PEOPLE // 10, (key, hits)
    # 2. What ordering can tell at best: the group. Every group of a department holds at
    #    least the threshold, so "alice answered among Housing's first ten" leaves ten.
    groups: dict[tuple[Any, ...], list[int]] = {}
    for r in responses:
        groups.setdefault((r["department_id"], r["release"], r["xmin"]), []).append(truth[str(uuid.UUID(str(r["id"])))])
    assert min(len(g) for g in groups.values()) >= survey.score_threshold
    # 3. Within a group, neither the physical order nor the key follows arrival.
    for key in ("pos", "id"):
        arrival, place = [], []
        for members in groups.values():
            rows = sorted(
                (r for r in responses if truth[str(uuid.UUID(str(r["id"])))] in members), key=lambda r: str(r[key])
            )
            place.extend(range(len(rows)))
            arrival.extend(sorted(members).index(truth[str(uuid.UUID(str(r["id"])))]) for r in rows)
        assert abs(spearman(arrival, place)) < 0.35, key
    if connection.vendor == "postgresql":
        spent_xmins = {r["xmin"] for r in spent}
        answer_xmins = {r["xmin"] for r in responses} | {r["xmin"] for r in answers}
        assert not spent_xmins & answer_xmins
        assert len({r["xmin"] for r in responses}) == len(groups)  # one transaction per published group


def _hash(token: str) -> str:
    from saferwork.surveys.models import hash_token

    return hash_token(token)


def _check_audit_and_tasks(held: dict[str, Any]) -> None:
    assert AuditEntry.objects.count() == held["audit_before"]
    assert held["queued"], "the invitations were queued as a task"
    text = json.dumps(held["queued"], default=str) + json.dumps(list(DBTaskResult.objects.values()), default=str)
    for email, token in held["tokens"].items():
        assert email not in text and token not in text and _hash(token) not in text
    for entry in AuditEntry.objects.filter(organisation=held["survey"].organisation):
        assert "@" not in json.dumps(entry.data)


def _check_close(held: dict[str, Any], coordinator: Any) -> None:
    survey = held["survey"]
    before = set(Response.objects.values_list("pk", flat=True))
    services.close(survey=survey, actor=coordinator)
    after = system_rows(Response)
    assert len(after) == PEOPLE and not before & {uuid.UUID(str(r["id"])) for r in after}
    assert {r["release"] for r in after} == {1}
    assert not SpentInvitation.objects.filter(survey=survey).exists()
    if connection.vendor == "postgresql":
        assert len({r["xmin"] for r in after} | {r["xmin"] for r in system_rows(Answer)}) == 1


def test_two_hundred_answers_through_invitations_cannot_be_linked_to_them(
    held: dict[str, Any], coordinator: Any
) -> None:
    """One fixture of 200 answers (slow to build), every attack on it in turn."""
    _check_columns(held)  # no shared key or value
    _check_orders_and_transactions(held)  # no order, key or xmin narrower than a group
    _check_audit_and_tasks(held)  # no audit neighbour, no task argument
    _check_close(held, coordinator)  # closing leaves one transaction and no order
