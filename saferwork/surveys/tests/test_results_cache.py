"""A closed wave's suppressed tables are worked out once, stored, and never read stale.

The page and every export render the stored form (also on the view that stores it), so
they show the same cells; the store holds no hidden count; anything the tables depend on
(the responses in each department, the departments' names, the wave being closed) changes
the fingerprint and so the tables are worked out again; comments are never stored.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from saferwork.surveys import results
from saferwork.surveys.models import Answer, Department, ResultCache, Survey
from saferwork.surveys.tests.test_results import add_responses, sudo
from saferwork.surveys.tests.test_results_outputs import assert_every_output_hides_the_same_cells

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader(organisation: Any) -> Any:
    from saferwork.tests import factories

    return factories.member(organisation, is_leader=True, email="leader@example.org")


@pytest.fixture
def answered(live_survey: Survey, coordinator: Any) -> Survey:
    from saferwork.surveys import services

    add_responses(live_survey, "Housing", 14, {"EXP-ANY": 1, "CONF-REPORT": 4, "WHO-DID": [1]})
    add_responses(live_survey, "Housing", 3, {"EXP-ANY": 2, "CONF-REPORT": 2})
    add_responses(live_survey, "Libraries", 12, {"EXP-ANY": 2, "CONF-REPORT": 4})
    return services.close(survey=live_survey, actor=coordinator)


def _face(table: Any, item: results.ItemTable) -> list[list[str]]:
    """What a reader sees of one item's table: every department's row, then the totals."""
    assert table.row_totals is not None and table.column_totals is not None and table.grand_total is not None
    found = [[table.cell(r, c).display for c in item.choices] + [table.row_totals[r].display] for r in item.departments]
    return [*found, [table.column_totals[c].display for c in item.choices] + [table.grand_total.display]]


def _shown(found: results.Results) -> dict[str, list[list[str]]]:
    return {
        t.code: [[c.display for c in cells] + [total.display] for _l, cells, total in t.rows()] for t in found.items
    }


def _no_new_work(monkeypatch: Any) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the tables were worked out again")

    monkeypatch.setattr(results, "_tables", refuse)


def test_every_output_reads_the_one_stored_result_and_agrees(
    answered: Survey, verified_client: Any, leader: Any, monkeypatch: Any
) -> None:
    fresh = results._tables(
        answered, list(answered.departments.select_related("department")), results._questions(answered)
    )
    client = sudo(verified_client(leader))
    assert_every_output_hides_the_same_cells(client, answered, {})  # the first view stores the tables
    stored = ResultCache.objects.get(survey=answered, cut=results.ALL)
    # Stored: the same hidden cells as working them out, and no hidden (small) count at all.
    found = results.survey_results(answered)
    for item in found.items:
        table = fresh[item.question.pk][0]
        assert [[table.cell(r, c).status for c in item.choices] for r in item.departments] == [
            [c.status for c in cells] for _l, cells, _t in item.rows()[:-1]
        ]
    codes = [v for t in stored.tables["tables"] for line in t["cells"] for v in line]
    assert any(v < 0 for v in codes) and all(v < 0 or v >= answered.score_threshold for v in codes)
    # From now on nothing is worked out again: the page, a department's cut, a who cut and
    # every export come from the store, and still agree with each other.
    client.get(reverse("surveys:results", args=[answered.pk]), {"who": 1})
    _no_new_work(monkeypatch)
    assert_every_output_hides_the_same_cells(client, answered, {})
    housing = answered.departments.get(department__name="Housing")
    assert_every_output_hides_the_same_cells(client, answered, {"department": housing.pk})
    assert_every_output_hides_the_same_cells(client, answered, {"who": 1})
    assert set(ResultCache.objects.filter(survey=answered).values_list("cut", flat=True)) == {"all", "who=1"}


def test_a_stored_result_is_never_stale(answered: Survey, verified_client: Any, leader: Any) -> None:
    client = sudo(verified_client(leader))
    before = results.survey_results(answered)
    assert before.items and ResultCache.objects.filter(survey=answered).exists()
    first = ResultCache.objects.get(survey=answered, cut=results.ALL).fingerprint
    # More released answers (as if the data were corrected): worked out again, with them.
    add_responses(answered, "Libraries", 11, {"EXP-ANY": 1, "CONF-REPORT": 5})
    after = results.survey_results(answered)
    assert ResultCache.objects.get(survey=answered, cut=results.ALL).fingerprint != first
    departments = list(answered.departments.select_related("department"))
    fresh = results._tables(answered, departments, results._questions(answered))
    assert _shown(after) == {t.code: _face(fresh[t.question.pk][0], t) for t in after.items}
    assert _shown(after) != _shown(before)
    # A department renamed: the rows carry the new name, not the stored one.
    Department.objects.filter(name="Libraries", organisation=answered.organisation).update(name="Library service")
    renamed = results.survey_results(answered)
    assert "Library service" in next(t for t in renamed.items if t.code == "EXP-ANY").departments
    assert all("Libraries" not in t.table.row_labels for t in renamed.items)
    # A wave no longer closed shows no tables at all, whatever is stored.
    Survey.objects.filter(pk=answered.pk).update(status=Survey.Status.LIVE)
    answered.refresh_from_db()
    assert results.survey_results(answered).items == []
    page = client.get(reverse("surveys:results", args=[answered.pk])).content.decode()
    assert 'id="item-' not in page


def test_comments_are_never_stored_so_a_redaction_shows_at_once(
    answered: Survey, verified_client: Any, leader: Any, coordinator: Any
) -> None:
    question = answered.questions.get(item__code="TXT-IMPROVE")
    housing = Answer.objects.filter(response__department__department__name="Housing").values_list("response", flat=True)
    answer = Answer.objects.create(response_id=housing.first(), question=question, text="Dave in Housing joked again.")
    url = reverse("surveys:results", args=[answered.pk])
    page = verified_client(leader).get(url).content.decode()
    assert 'id="item-' in page and "joked again" not in page  # not cleared yet; the tables are now stored
    assert ResultCache.objects.filter(survey=answered).exists()
    verified_client(coordinator).post(
        reverse("surveys:comment_review", args=[answered.pk, answer.pk]),
        {"text": "[removed] joked again.", "decision": "clear"},
    )
    page = verified_client(leader).get(url).content.decode()
    assert "[removed] joked again." in page and "Dave" not in page
    verified_client(coordinator).post(
        reverse("surveys:comment_review", args=[answered.pk, answer.pk]), {"text": "", "decision": "leave_out"}
    )
    assert "joked again" not in verified_client(leader).get(url).content.decode()


def test_a_stored_page_needs_no_more_queries_than_working_it_out(
    answered: Survey, verified_client: Any, leader: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = verified_client(leader)
    url = reverse("surveys:results", args=[answered.pk])
    with CaptureQueriesContext(connection) as working:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as stored:
        assert client.get(url).status_code == 200
    # Reading the store replaces the two counting queries over the answers and the write.
    assert len(stored) < len(working)
    assert not any(
        "surveys_answer" in q["sql"] and "COUNT" in q["sql"].upper() and "choice" in q["sql"]
        for q in stored.captured_queries
    )


def test_only_a_closed_wave_is_stored(live_survey: Survey) -> None:
    add_responses(live_survey, "Housing", 12, {"EXP-ANY": 1})
    found = results.survey_results(live_survey)
    assert found.items == [] and not ResultCache.objects.exists()
    assert all(r.responses is None and r.band for r in found.rates)  # bands only while open


def test_closing_a_wave_works_its_tables_out_so_the_first_reader_does_not_wait(
    live_survey: Survey,
    coordinator: Any,
    verified_client: Any,
    leader: Any,
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    from saferwork.surveys import services

    # The task runs as it does under the embedded default (the database backend's row is
    # the next test's subject), whichever backend the suite runs with.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    add_responses(live_survey, "Housing", 14, {"EXP-ANY": 1, "CONF-REPORT": 4, "WHO-DID": [1]})
    add_responses(live_survey, "Libraries", 3, {"EXP-ANY": 2, "CONF-REPORT": 2})
    with django_capture_on_commit_callbacks(execute=True) as queued:
        closed = services.close(survey=live_survey, actor=coordinator)
    assert queued, "closing queues the work"
    cuts = set(ResultCache.objects.filter(survey=closed).values_list("cut", flat=True))
    who = results.who_question(closed)
    assert who is not None
    assert cuts == {results.ALL, *(f"who={choice}" for choice in dict(who.item.choices()))}
    _no_new_work(monkeypatch)
    client = verified_client(leader)
    page = client.get(reverse("surveys:results", args=[closed.pk]))
    assert page.status_code == 200 and "hidden" in page.content.decode()
    first = next(iter(dict(who.item.choices())))
    assert client.get(reverse("surveys:results", args=[closed.pk]), {"who": first}).status_code == 200


def test_a_wave_not_closed_has_nothing_worked_out(live_survey: Survey) -> None:
    assert results.work_out(live_survey) == 0
    assert not ResultCache.objects.filter(survey=live_survey).exists()


@pytest.mark.django_db(transaction=True)  # the worker closes its connection
def test_the_queued_work_out_task_holds_only_the_wave_id(live_survey: Survey, coordinator: Any, settings: Any) -> None:
    """DESIGN.md, "Metadata is data": the task row a worker claims names the wave, nothing
    of its departments, answers or counts (run on PostgreSQL with the database backend)."""
    from django.core.management import call_command
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from saferwork.surveys import services

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    add_responses(live_survey, "Housing", 14, {"EXP-ANY": 1, "CONF-REPORT": 4, "WHO-DID": [1]})
    add_responses(live_survey, "Libraries", 3, {"EXP-ANY": 2, "CONF-REPORT": 2})
    services.close(survey=live_survey, actor=coordinator)
    assert not ResultCache.objects.filter(survey=live_survey).exists()  # queued, not yet run
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {DBTaskResult._meta.db_table}")  # noqa: S608
        columns = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert "work_out_results" in columns and f'"survey_id": {live_survey.pk}' in columns
    for word in ("Housing", "Libraries", "EXP-ANY", "CONF-REPORT", live_survey.title):
        assert word not in columns
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert ResultCache.objects.filter(survey=live_survey, cut=results.ALL).exists()
