"""Follow-up questions, who-did-it cuts, every export and the redaction pass."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from django.urls import reverse
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
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


def test_page_charts_csv_xlsx_docx_and_pdf_hide_the_same_cells(
    answered: Survey, verified_client: Any, leader: Any
) -> None:
    client = sudo(verified_client(leader))
    assert_every_output_hides_the_same_cells(client, answered, {})
    housing = answered.departments.get(department__name="Housing")
    assert_every_output_hides_the_same_cells(client, answered, {"department": housing.pk})
    # The fixture does hide cells: the comparison above is not of tables with none.
    assert any(c.hidden for t in results.survey_results(answered).items for _l, cells, _t in t.rows() for c in cells)


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


# ---------------------------------------------------------------- every output, the same hidden cells


def _page_sections(html: str) -> dict[str, list[list[str]]]:
    """Each table of the results page, by the title the exports give it: header, then body rows.

    A cell is its text, with "hidden" for a suppressed one (its visually hidden explanation
    dropped) and thousands separators removed, so that it reads as the export writes it.
    """
    from lxml import html as lxml_html

    tree = lxml_html.fromstring(html)

    def cell_text(cell: Any) -> str:
        if cell.xpath(".//*[contains(@class, 'sw-suppressed') or contains(@class, 'sw-chart__value--hidden')]"):
            return "hidden"
        text = " ".join(cell.text_content().split())
        return text.replace(",", "") if re.fullmatch(r"[\d,]+%?", text) else text

    def rows(table: Any) -> list[list[str]]:
        return [[cell_text(c) for c in row.xpath("./th|./td")] for row in table.xpath(".//tbody/tr")]

    found: dict[str, list[list[str]]] = {}
    rates = tree.xpath("//table[caption[contains(., 'Response rate by department')]]")
    if rates:
        found["Response rate by department"] = rows(rates[0])
    heatmap = tree.xpath("//table[contains(@class, 'sw-heatmap')]")
    if heatmap:
        found["Heatmap: share giving the answer named"] = rows(heatmap[0])
    for heading in tree.xpath("//h3[starts-with(@id, 'item-')]"):
        caption = " ".join(heading.text_content().split())
        tables = heading.xpath("following::table[1]")
        if not tables or " ".join(tables[0].xpath("string(./caption)").split()) != caption:
            found[caption] = [["Withheld"]]  # the item's own table is not drawn
            continue
        table = tables[0]
        header = [cell_text(c) for c in table.xpath(".//thead/tr/th")]
        found[caption] = [header, *rows(table)]
    return found


def _chart_cells(html: str) -> dict[str, list[str]]:
    """What each item's chart writes beside its bars: "hidden" or the number."""
    from lxml import html as lxml_html

    tree = lxml_html.fromstring(html)
    found = {}
    for heading in tree.xpath("//h3[starts-with(@id, 'item-')]"):
        chart = heading.xpath("following::div[contains(@class, 'sw-chart')][1]")
        if chart:
            values = chart[0].xpath(".//span[contains(@class, 'sw-chart__value')]")
            found[" ".join(heading.text_content().split())] = [
                " ".join(v.text_content().split()).replace(",", "") for v in values
            ]
    return found


def _expected(found: results.Results) -> dict[str, list[list[str]]]:
    return {title: [[str(v) for v in row] for row in rows] for title, rows in results.export_sections(found)}


def _pdf_words(content: bytes) -> list[str]:
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
    return text.split()


def assert_every_output_hides_the_same_cells(client: Any, survey: Survey, query: dict[str, Any]) -> None:
    """The page (its tables and charts), CSV, XLSX, DOCX and PDF of one cut show the same cells.

    ``client`` is a leader's, in sudo mode. The cut is worked out once (the page releases
    it); every output is then compared with the rows every output is written from, and so
    with each other. A cut that is refused or too small gives no file at all.
    """
    from urllib.parse import urlencode

    suffix = f"?{urlencode(query)}" if query else ""
    page = client.get(reverse("surveys:results", args=[survey.pk]) + suffix)
    assert page.status_code == 200
    html = page.content.decode()
    found = results.survey_results(survey, department_id=query.get("department"), who=query.get("who"))
    downloads = {
        name: reverse(f"surveys:results_{name}", args=[survey.pk]) + suffix for name in ("csv", "xlsx", "docx", "pdf")
    }
    if "These results cannot be shown" in html or 'id="too-small"' in html:
        for name, url in downloads.items():
            assert client.get(url).status_code == 302, name  # back to the page: nothing to download
        assert 'id="item-' not in html
        return
    expected = _expected(found)
    on_page = _page_sections(html)
    for title, rows in expected.items():
        if rows == [["Withheld: too few people answered to show any of it safely."]]:
            assert on_page.get(title) in (None, [["Withheld"]]), title
            continue
        # The page's rate and heatmap headers carry more words than the export's: compare their bodies.
        headed = title not in ("Response rate by department", "Heatmap: share giving the answer named")
        assert on_page[title] == (rows if headed else rows[1:]), title
    # Each chart draws the cut's summary row: its hidden bars are that row's hidden cells.
    charts = _chart_cells(html)
    for item in found.items:
        if item.withheld:
            continue
        _label, cells, _total = item.summary()
        assert charts[item.caption] == [c.display.replace(",", "") for c in cells], item.code

    csv_text = b"".join(client.get(downloads["csv"]).streaming_content).decode()
    assert list(csv.reader(io.StringIO(csv_text))) == [[str(v) for v in row] for row in results.csv_rows(found)]

    book = load_workbook(io.BytesIO(b"".join(client.get(downloads["xlsx"]).streaming_content)))
    sheets = {}
    for sheet in book.worksheets[1:]:
        values = [[("" if v is None else str(v)) for v in row] for row in sheet.iter_rows(values_only=True)]
        sheets[values[0][0]] = [row[: len(values[1])] for row in values[1:]]
    assert {
        t: [r[: len(rows[0])] for r in s] for (t, s), rows in zip(sheets.items(), expected.values(), strict=True)
    } == expected

    document = Document(io.BytesIO(client.get(downloads["docx"]).content))
    docx_tables = [[[c.text for c in row.cells] for row in table.rows] for table in document.tables]
    assert docx_tables == [
        [row + [""] * (max(len(r) for r in rows) - len(row)) for row in rows] for rows in expected.values()
    ]

    # The PDF cuts long headers to fit, so compare its cells word by word: every "hidden"
    # and every count, in order, as the rows hold them.
    words = _pdf_words(client.get(downloads["pdf"]).content)
    wanted = [str(v) for rows in expected.values() for row in rows[1:] for v in row[1:] if str(v) == "hidden"]
    assert words.count("hidden") == len(wanted)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    threshold=st.integers(5, 12),
    sizes=st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30), st.integers(0, 8)), min_size=3, max_size=3),
    cut=st.sampled_from([None, 0, 1, 2]),
)
def test_every_output_hides_the_same_cells_whatever_the_sizes_and_threshold(
    organisation: Any,
    coordinator: Any,
    leader: Any,
    verified_client: Any,
    threshold: int,
    sizes: list[tuple[int, int, int]],
    cut: int | None,
) -> None:
    """Random department sizes (yes, no, and yes naming a manager too) and a random locked threshold."""
    from saferwork.surveys.tests.conftest import build_survey
    from saferwork.surveys.tests.test_results import add_responses

    names = ("Housing", "Libraries", "Parks")
    survey = build_survey(organisation, coordinator, departments=names, score_threshold=threshold)
    services.launch(survey=survey, actor=coordinator)
    for name, (yes, no, both) in zip(names, sizes, strict=True):
        add_responses(survey, name, yes, {"EXP-ANY": 1, "CONF-REPORT": 4, "WHO-DID": [1]})
        add_responses(survey, name, no, {"EXP-ANY": 2, "CONF-REPORT": 2, "BEH-COMMENTS": 1})
        add_responses(survey, name, both, {"EXP-ANY": 1, "CONF-REPORT": 5, "WHO-DID": [1, 2], "BEH-COMMENTS": 3})
    survey = services.close(survey=survey, actor=coordinator)
    client = sudo(verified_client(leader))
    query: dict[str, Any] = {}
    if cut is not None:
        query["department"] = survey.departments.get(department__name=names[cut]).pk
    assert_every_output_hides_the_same_cells(client, survey, {})
    assert_every_output_hides_the_same_cells(client, survey, query)
