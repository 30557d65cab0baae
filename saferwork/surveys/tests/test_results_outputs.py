"""Follow-up questions, who-did-it cuts, every export and the redaction pass."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from saferwork.lib.disclosure import ReaderModel, two_way_model
from saferwork.surveys import comments, results, services
from saferwork.surveys.models import Answer, Survey
from saferwork.surveys.tests.test_results import add_responses, sudo

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader(organisation: Any) -> Any:
    from saferwork.tests import factories

    return factories.member(organisation, is_leader=True, email="leader@example.org")


@pytest.fixture
def answered(live_survey: Survey, coordinator: Any) -> Survey:
    """Housing: 14 yes (who: colleague) and 3 no; Libraries: 12 no. Closed."""
    add_responses(live_survey, "Housing", 14, {"EXP-ANY": 1, "CONF-REPORT": 4, "WHO-DID": [1]})
    add_responses(live_survey, "Housing", 3, {"EXP-ANY": 2, "CONF-REPORT": 2})
    add_responses(live_survey, "Libraries", 12, {"EXP-ANY": 2, "CONF-REPORT": 4})
    return services.close(survey=live_survey, actor=coordinator)


def _item(found: results.Results, code: str) -> results.ItemTable:
    return next(t for t in found.items if t.code == code)


def _audit(parent: Any, follow_up: results.ItemTable, asked: list[str]) -> ReaderModel:
    """What a reader knows from the parent's table and the follow-up's rows together."""
    model = two_way_model(parent, "parent")
    for label, cells, total in follow_up.rows():
        if label == results.ALL_DEPARTMENTS:
            continue
        keys = []
        for choice, cell in zip(follow_up.choices, cells, strict=True):
            key = ("follow", label, choice)
            keys.append(key)
            if cell.value is None:
                model.unknown(key)
            else:
                model.known(key, cell.value)
        # Everyone asked is a parent "yes"; every cell is at most the people asked.
        asked_terms = [(("parent", "cell", label, a), 1) for a in asked]
        for key in keys:
            model.add([(key, 1), *((k, -c) for k, c in asked_terms)], low=None, high=0)
        if total.value is not None:
            model.equal([*((k, 1) for k, _c in asked_terms)], total.value)
    return model


def test_a_follow_up_total_never_narrows_its_parents_hidden_counts(answered: Survey) -> None:
    found = results.survey_results(answered)
    parent = _item(found, "EXP-ANY")
    follow_up = _item(found, "WHO-DID")
    assert follow_up.follow_up
    # Housing's "yes" (14) is hidden to protect its 3 "no": so Housing's follow-up row is hidden whole.
    assert parent.table.cell("Housing", "Yes").hidden
    housing = next(r for r in follow_up.rows() if r[0] == "Housing")
    assert all(c.hidden for c in housing[1]) and housing[2].hidden
    model = _audit(parent.table, follow_up, ["Yes"])
    small = [
        ("parent", "cell", r, c)
        for r in parent.table.row_labels
        for c in parent.choices
        if parent.table.cell(r, c).status.value == "small"
    ]
    assert small and not model.failures(small, answered.score_threshold)


def test_a_who_cut_hides_whatever_the_whole_hides(answered: Survey) -> None:
    whole = results.survey_results(answered)
    who = results.survey_results(answered, who=1)
    assert who.excluded == ["Housing", "Libraries"] or who.too_small
    for table in who.items:
        base = _item(whole, table.code)
        for (label, cells, _total), (_l, base_cells, _base_total) in zip(table.rows(), base.rows(), strict=False):
            for cell, base_cell in zip(cells, base_cells, strict=False):
                assert not (base_cell.hidden and not cell.hidden), (table.code, label)


def _hidden_cells(rows: list[list[str]]) -> list[tuple[int, int]]:
    return [(r, c) for r, row in enumerate(rows) for c, v in enumerate(row) if v == "hidden"]


def test_csv_xlsx_and_docx_hide_the_same_cells(answered: Survey, verified_client: Any, leader: Any) -> None:
    client = sudo(verified_client(leader))
    csv_text = b"".join(client.get(reverse("surveys:results_csv", args=[answered.pk])).streaming_content).decode()
    csv_rows = [r for r in csv.reader(io.StringIO(csv_text))]
    expected = results.export_sections(results.survey_results(answered))
    expected_rows = {title: [[str(v) for v in row] for row in rows] for title, rows in expected}
    for title, rows in expected_rows.items():
        start = csv_rows.index([title])
        assert csv_rows[start + 1 : start + 1 + len(rows)] == rows
    book = load_workbook(
        io.BytesIO(b"".join(client.get(reverse("surveys:results_xlsx", args=[answered.pk])).streaming_content))
    )
    for sheet in book.worksheets[1:]:
        values = [[("" if v is None else str(v)) for v in row] for row in sheet.iter_rows(values_only=True)]
        title = values[0][0]
        assert [r[: len(expected_rows[title][0])] for r in values[1:]] == expected_rows[title]
    document = Document(io.BytesIO(client.get(reverse("surveys:results_docx", args=[answered.pk])).content))
    docx_tables = [[[c.text for c in row.cells] for row in table.rows] for table in document.tables]
    assert [_hidden_cells(t) for t in docx_tables] == [_hidden_cells(rows) for rows in expected_rows.values()]
    pdf = client.get(reverse("surveys:results_pdf", args=[answered.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_highlight_marks_names_departments_roles_and_dates() -> None:
    text = "On Tuesday my manager Dave in Housing said it at the depot at 3pm."
    kinds = {s.text: s.kind for s in comments.highlight(text, ["Housing"]) if s.kind}
    assert kinds == {
        "Tuesday": "date",
        "manager": "role",
        "Dave": "name",
        "Housing": "department",
        "depot": "place",
        "3pm": "date",
    }
    assert "Dave" not in comments.suggest(text, ["Housing"])


def test_leaders_read_only_redacted_comments_from_large_groups(
    answered: Survey, verified_client: Any, leader: Any, coordinator: Any
) -> None:
    question = answered.questions.get(item__code="TXT-IMPROVE")
    housing = Answer.objects.filter(response__department__department__name="Housing").values_list("response", flat=True)
    response = housing.first()
    Answer.objects.create(
        response_id=response, question=question, text="I think Dave in Housing should stop the jokes."
    )
    client = verified_client(coordinator)
    page = client.get(reverse("surveys:comments", args=[answered.pk])).content.decode()
    assert '<mark class="sw-redact sw-redact--name">Dave' in page
    answer = Answer.objects.get(question=question)
    client.post(
        reverse("surveys:comment_review", args=[answered.pk, answer.pk]),
        {"text": "I think [removed] should stop the jokes.", "decision": "clear"},
    )
    answer.refresh_from_db()
    assert answer.reviewed and answer.redacted == "I think [removed] should stop the jokes."
    results_page = verified_client(leader).get(reverse("surveys:results", args=[answered.pk])).content.decode()
    assert "I think [removed] should stop the jokes." in results_page and "Dave" not in results_page


def test_outsider_gets_404_on_new_views(answered: Survey, verified_client: Any, outsider: Any) -> None:
    client = sudo(verified_client(outsider))
    for name in ("surveys:results_xlsx", "surveys:results_docx", "surveys:results_pdf", "surveys:comments"):
        assert client.get(reverse(name, args=[answered.pk])).status_code in (403, 404), name
    answer = Answer.objects.first()
    assert answer is not None
    assert client.post(
        reverse("surveys:comment_review", args=[answered.pk, answer.pk]), {"decision": "clear"}
    ).status_code in (403, 404)


def test_a_result_becomes_an_action(answered: Survey, verified_client: Any, leader: Any) -> None:
    client = verified_client(leader)
    client.get(reverse("surveys:results", args=[answered.pk]))
    ref = f"{answered.pk}:all:EXP-ANY"
    page = client.get(reverse("actions:create"), {"source_kind": "survey_result", "source_ref": ref})
    assert page.status_code == 200 and "EXP-ANY" in page.content.decode()
    assert (
        client.get(
            reverse("actions:create"), {"source_kind": "survey_result", "source_ref": f"{answered.pk}:9,9:EXP-ANY"}
        ).status_code
        == 404
    )
