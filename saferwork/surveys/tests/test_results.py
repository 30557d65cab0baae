from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from saferwork.accounts.decorators import grant_sudo
from saferwork.audit.models import AuditEntry
from saferwork.lib.suppression import Status
from saferwork.surveys import results, services
from saferwork.surveys.models import Answer, ReleasedCut, Response, Survey
from saferwork.surveys.tests.conftest import build_survey
from saferwork.tests import factories

pytestmark = pytest.mark.django_db


def add_responses(survey: Survey, department: str, n: int, answers: dict[str, Any]) -> None:
    """``n`` released responses in ``department``, each giving ``answers`` (item code -> choice or choices)."""
    taking_part = survey.departments.get(department__name=department)
    questions = {q.item.code: q for q in survey.questions.select_related("item")}
    for _ in range(n):
        response = Response.objects.create(survey=survey, department=taking_part, release=1)
        for code, value in answers.items():
            for choice in value if isinstance(value, list) else [value]:
                Answer.objects.create(response=response, question=questions[code], choice=choice)


def sudo(client: Any) -> Any:
    request = type("R", (), {"session": client.session})()
    grant_sudo(request)
    request.session.save()
    return client


@pytest.fixture
def leader(organisation: Any) -> Any:
    return factories.member(organisation, is_leader=True, email="leader@example.org")


@pytest.fixture
def answered(live_survey: Survey, coordinator: Any) -> Survey:
    """Housing: 14 yes and 3 no; Libraries: 12 no. Closed."""
    add_responses(live_survey, "Housing", 14, {"EXP-ANY": 1, "CONF-REPORT": 4})
    add_responses(live_survey, "Housing", 3, {"EXP-ANY": 2, "CONF-REPORT": 2})
    add_responses(live_survey, "Libraries", 12, {"EXP-ANY": 2, "CONF-REPORT": 4})
    return services.close(survey=live_survey, actor=coordinator)


def item(found: results.Results, code: str) -> results.ItemTable:
    return next(t for t in found.items if t.question.item.code == code)


def test_every_shown_cell_is_at_least_the_threshold_and_small_ones_are_hidden(answered: Survey) -> None:
    found = results.survey_results(answered)
    table = item(found, "EXP-ANY")
    rows = {label: (cells, total) for label, cells, total in table.rows()}
    housing, housing_total = rows["Housing"]
    assert housing[1].status is Status.SMALL  # 3 said no
    assert housing[2].status is Status.SMALL  # 0 prefer not to say: zero is hidden too
    # The 3 cannot be worked out from Housing's total of 17: the 14 is hidden with it.
    assert housing_total.value == 17
    assert housing[0].status is Status.COMPLEMENTARY
    # Libraries' 12 "no" would be given away by its total and two zeros: hidden as well.
    libraries, libraries_total = rows["Libraries"]
    assert libraries_total.value == 12 and libraries[1].status is Status.COMPLEMENTARY
    for _label, cells, total in table.rows():
        for cell in [*cells, total]:
            assert cell.value is None or cell.value >= answered.score_threshold


def test_free_text_is_never_in_the_results(answered: Survey) -> None:
    found = results.survey_results(answered)
    assert "TXT-IMPROVE" not in {t.question.item.code for t in found.items}


def test_open_survey_shows_only_bands_and_no_answers(
    live_survey: Survey, client: Any, verified_client: Any, leader: Any
) -> None:
    taking_part = live_survey.departments.get(department__name="Housing")
    taking_part.invited = 40
    taking_part.save()
    add_responses(live_survey, "Housing", 12, {"EXP-ANY": 1})
    page = verified_client(leader).get(reverse("surveys:results", args=[live_survey.pk])).content.decode()
    assert "25% to 50%" in page  # 12 of 40
    assert "30%" not in page
    assert "Answers by question appear when the survey closes" in page
    assert "EXP-ANY" not in page
    assert not ReleasedCut.objects.exists()


def test_closed_survey_shows_exact_rates(answered: Survey, verified_client: Any, leader: Any) -> None:
    taking_part = answered.departments.get(department__name="Housing")
    type(taking_part).objects.filter(pk=taking_part.pk).update(invited=34)
    page = verified_client(leader).get(reverse("surveys:results", args=[answered.pk])).content.decode()
    assert "50%" in page  # 17 of 34
    assert "Comments are shown only for groups of at least 10 people" in page
    assert 'class="sw-suppressed sw-chart__value--hidden">hidden</span><span class="govuk-visually-hidden">' in page


def test_page_and_csv_hide_the_same_cells(answered: Survey, verified_client: Any, leader: Any) -> None:
    client = sudo(verified_client(leader))
    response = client.get(reverse("surveys:results_csv", args=[answered.pk]))
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    found = results.survey_results(answered)
    expected = [[str(v) for v in row] for row in results.csv_rows(found)]
    assert lines == expected
    start = lines.index([item(found, "EXP-ANY").caption])
    assert lines[start + 1] == ["Department", "Yes", "No", "Prefer not to say", "Total"]
    assert lines[start + 2] == ["Housing", "hidden", "hidden", "hidden", "17"]
    assert AuditEntry.objects.filter(action="saferwork.surveys.results_exported").count() == 1


def test_csv_needs_sudo(answered: Survey, verified_client: Any, leader: Any) -> None:
    response = verified_client(leader).get(reverse("surveys:results_csv", args=[answered.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sudo"))
    assert not AuditEntry.objects.filter(action="saferwork.surveys.results_exported").exists()


def test_a_cut_nearly_the_same_as_one_shown_is_refused(answered: Survey, verified_client: Any, leader: Any) -> None:
    client = verified_client(leader)
    url = reverse("surveys:results", args=[answered.pk])
    first = client.get(url).content.decode()
    assert "EXP-ANY" in first
    assert ReleasedCut.objects.get().population == 29
    libraries = answered.departments.get(department__name="Libraries")
    housing = answered.departments.get(department__name="Housing")
    # Housing alone (17) differs from everyone (29) by the 12 of Libraries: allowed.
    assert "EXP-ANY" in client.get(url, {"department": housing.pk}).content.decode()
    # Libraries alone (12) also differs by 17: allowed; the same cut again is allowed.
    assert "EXP-ANY" in client.get(url, {"department": libraries.pk}).content.decode()
    assert "EXP-ANY" in client.get(url).content.decode()
    assert ReleasedCut.objects.count() == 3
    # A department that gained a few answers since (as a late fold at close could do):
    add_responses(answered, "Libraries", 2, {"EXP-ANY": 2})
    refused = client.get(url, {"department": libraries.pk})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "These results cannot be shown" in page and "by 2 people" in page
    assert "EXP-ANY" not in page
    assert ReleasedCut.objects.count() == 3


def test_a_cut_too_small_shows_nothing(
    live_survey: Survey, coordinator: Any, verified_client: Any, leader: Any
) -> None:
    add_responses(live_survey, "Housing", 12, {"EXP-ANY": 1})
    add_responses(live_survey, "Libraries", 4, {"EXP-ANY": 1})
    services.close(survey=live_survey, actor=coordinator)
    libraries = live_survey.departments.get(department__name="Libraries")
    page = verified_client(leader).get(reverse("surveys:results", args=[live_survey.pk]), {"department": libraries.pk})
    assert "Fewer than 10 people in this selection answered" in page.content.decode()
    assert not ReleasedCut.objects.exists()


def test_differencing_rule() -> None:
    everyone = {1: 17, 2: 12}
    assert results.differencing_problem({1: 17}, [everyone], 10) is None  # 12 apart
    assert results.differencing_problem({1: 17, 2: 12}, [everyone], 10) is None  # the same cut
    assert results.differencing_problem({1: 17, 2: 3}, [{1: 17}], 10) == 3  # everyone minus Housing is 3 people
    assert results.differencing_problem({1: 20, 2: 12}, [everyone], 10) == 3  # Housing grew by 3
    assert results.differencing_problem({2: 12}, [{1: 11}], 10) is None  # no one in common, both large


# ---------------------------------------------------------------- who may see it


def test_outsider_gets_404(answered: Survey, verified_client: Any, outsider: Any) -> None:
    client = sudo(verified_client(outsider))
    assert client.get(reverse("surveys:results", args=[answered.pk])).status_code == 404
    assert client.get(reverse("surveys:results_csv", args=[answered.pk])).status_code == 404
    assert "Staff safety survey" not in client.get(reverse("surveys:results_list")).content.decode()


def test_coordinator_without_leader_role_gets_403(answered: Survey, verified_client: Any, coordinator: Any) -> None:
    client = sudo(verified_client(coordinator))
    assert client.get(reverse("surveys:results", args=[answered.pk])).status_code == 403
    assert client.get(reverse("surveys:results_csv", args=[answered.pk])).status_code == 403
    assert client.get(reverse("surveys:results_list")).status_code == 403


def test_draft_survey_has_no_results(survey: Survey, verified_client: Any, leader: Any) -> None:
    assert verified_client(leader).get(reverse("surveys:results", args=[survey.pk])).status_code == 404


def test_unknown_department_is_404(answered: Survey, verified_client: Any, leader: Any) -> None:
    client = verified_client(leader)
    url = reverse("surveys:results", args=[answered.pk])
    assert client.get(url, {"department": "x"}).status_code == 404
    assert client.get(url, {"department": "999999"}).status_code == 404


def _world(organisation: Any, coordinator: Any, prefix: str, departments: int, per_department: int) -> Survey:
    """A closed wave after a closed previous one, ``departments`` × ``per_department`` answers each,
    some with a comment cleared for leaders and some waiting for the redaction pass."""
    names = tuple(f"{prefix} {n}" for n in range(departments))
    previous = build_survey(organisation, coordinator, departments=names, wave=f"{prefix} 2025")
    survey = build_survey(organisation, coordinator, departments=names, wave=f"{prefix} 2026")
    services.update_settings(survey=survey, actor=coordinator, changes={"previous": previous})
    for wave in (previous, survey):
        services.launch(survey=wave, actor=coordinator)
        for name in names:
            add_responses(wave, name, per_department, {"EXP-ANY": 1, "CONF-REPORT": 3, "WHO-DID": [1, 2]})
        services.close(survey=wave, actor=coordinator)
    comment = survey.questions.get(item__code="TXT-IMPROVE")
    for number, response in enumerate(Response.objects.filter(survey=survey)):
        Answer.objects.create(
            response=response,
            question=comment,
            text=f"Comment {number}",
            redacted=f"Comment {number}",
            reviewed=number % 2 == 0,
        )
    survey.refresh_from_db()
    return survey


# Every page and file a leader or coordinator reads a wave's results through: (url name, query).
RESULT_VIEWS = [
    ("surveys:results", {}),
    ("surveys:results", {"department": "first"}),
    ("surveys:results", {"who": 1}),
    ("surveys:results_csv", {}),
    ("surveys:results_xlsx", {}),
    ("surveys:results_docx", {}),
    ("surveys:results_pdf", {}),
    ("surveys:comments", {}),
]


def _queries(client: Any, survey: Survey, name: str, query: dict[str, Any]) -> int:
    query = {k: (survey.departments.order_by("pk").first().pk if v == "first" else v) for k, v in query.items()}  # type: ignore[union-attr]
    url = reverse(name, args=[survey.pk])
    client.get(url, query)  # the first view releases the cut (one write and its audit entry)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200, (name, query, response.status_code)
    return len(queries)


@pytest.mark.parametrize(("name", "query"), RESULT_VIEWS, ids=[f"{n}{q}" for n, q in RESULT_VIEWS])
def test_results_queries_do_not_grow_with_respondents_or_departments(
    organisation: Any, coordinator: Any, verified_client: Any, name: str, query: dict[str, Any]
) -> None:
    # One person both reads results and reviews comments, as the demo's leader does.
    from saferwork.organisations.models import Membership

    Membership.objects.filter(user=coordinator, organisation=organisation).update(is_leader=True)
    client = sudo(verified_client(coordinator))
    small = _queries(client, _world(organisation, coordinator, "Small", 2, 11), name, query)
    large = _queries(client, _world(organisation, coordinator, "Large", 7, 40), name, query)
    assert small == large, (name, small, large)
    assert large <= 40, (name, large)


def test_open_wave_and_results_list_queries_do_not_grow(
    organisation: Any, coordinator: Any, verified_client: Any, leader: Any
) -> None:
    client = verified_client(leader)
    counts = []
    for prefix, departments, per_department in (("Small", 2, 3), ("Large", 8, 30)):
        names = tuple(f"{prefix} {n}" for n in range(departments))
        survey = services.launch(
            survey=build_survey(organisation, coordinator, departments=names, wave=prefix), actor=coordinator
        )
        for department in names:
            add_responses(survey, department, per_department, {"EXP-ANY": 1})
        client.get(reverse("surveys:results", args=[survey.pk]))  # the session's first read is not measured
        with CaptureQueriesContext(connection) as page:
            assert client.get(reverse("surveys:results", args=[survey.pk])).status_code == 200
        with CaptureQueriesContext(connection) as listing:
            assert client.get(reverse("surveys:results_list")).status_code == 200
        counts.append((len(page), len(listing)))
    assert counts[0] == counts[1], counts


# ---------------------------------------------------------------- hypothesis: every released table


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    groups=st.lists(
        st.tuples(
            st.sampled_from(["Housing", "Libraries", "Parks"]), st.integers(1, 9), st.integers(1, 3), st.integers(1, 5)
        ),
        min_size=1,
        max_size=6,
    ),
    cuts=st.lists(st.sampled_from([None, "Housing", "Libraries", "Parks"]), min_size=1, max_size=5),
)
def test_no_released_table_shows_a_small_cell_and_no_two_cuts_differ_by_a_few(
    organisation: Any, coordinator: Any, groups: list[tuple[str, int, int, int]], cuts: list[str | None]
) -> None:
    survey = build_survey(organisation, coordinator, departments=("Housing", "Libraries", "Parks"))
    services.launch(survey=survey, actor=coordinator)
    for department, n, yes_no, scale in groups:
        add_responses(survey, department, n, {"EXP-ANY": yes_no, "CONF-REPORT": scale})
    survey = services.close(survey=survey, actor=coordinator)
    ids = {d.department.name: d.pk for d in survey.departments.select_related("department")}
    threshold = survey.score_threshold
    for cut in cuts:
        found = results.release(
            results=results.survey_results(survey, department_id=ids[cut] if cut else None), actor=coordinator
        )
        for table in found.items:
            for _label, cells, total in table.rows():
                for cell in [*cells, total]:
                    assert cell.value is None or cell.value >= threshold
        for row in found.rates:
            assert row.responses is None or row.responses.value is None or row.responses.value >= threshold
    released = [{int(k): v for k, v in cut.populations.items()} for cut in ReleasedCut.objects.filter(survey=survey)]
    for a in released:
        for b in released:
            only_a = sum(n for d, n in a.items() if d not in b)
            only_b = sum(n for d, n in b.items() if d not in a)
            changed = [abs(a[d] - b[d]) for d in a.keys() & b.keys()]
            for difference in (only_a, only_b, *changed):
                assert not 0 < difference < threshold, (a, b)


def _differs_by_a_few(new: dict[int, int], old: dict[int, int], threshold: int) -> bool:
    """The rule, stated as people: those in one cut and not the other, either way, or a
    department's change between the two, is from 1 to threshold - 1."""
    gained = sum(max(n - old.get(d, 0), 0) for d, n in new.items())
    lost = sum(max(n - new.get(d, 0), 0) for d, n in old.items())
    changed = [abs(new[d] - old[d]) for d in new.keys() & old.keys()]
    return any(0 < x < threshold for x in (gained, lost, *changed))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    threshold=st.integers(5, 12),
    sizes=st.lists(st.integers(0, 25), min_size=3, max_size=3),
    steps=st.lists(
        st.one_of(
            st.tuples(st.just("view"), st.sampled_from([None, 0, 1, 2])),
            # A number of late answers; 0 and below count down from threshold - 1, the edge of the rule.
            st.tuples(st.just("late"), st.integers(0, 2), st.integers(-3, 12)),
        ),
        min_size=1,
        max_size=8,
    ),
)
def test_every_cut_differing_from_a_shown_one_by_a_few_is_refused_on_the_page_and_every_export(
    organisation: Any,
    coordinator: Any,
    leader: Any,
    verified_client: Any,
    threshold: int,
    sizes: list[int],
    steps: list[tuple[Any, ...]],
) -> None:
    """Views of random cuts, with late answers arriving between them (as a fold at close can):
    a cut is refused exactly when it differs from one already shown by 1 to threshold - 1
    people; a refused cut is remembered nowhere and no export of it can be downloaded."""
    names = ("Housing", "Libraries", "Parks")
    survey = build_survey(organisation, coordinator, departments=names, score_threshold=threshold)
    services.launch(survey=survey, actor=coordinator)
    for name, n in zip(names, sizes, strict=True):
        add_responses(survey, name, n, {"EXP-ANY": 1, "CONF-REPORT": 4})
    survey = services.close(survey=survey, actor=coordinator)
    ids = [survey.departments.get(department__name=name).pk for name in names]
    client = sudo(verified_client(leader))
    url = reverse("surveys:results", args=[survey.pk])
    for step in steps:
        if step[0] == "late":
            late = step[2] if step[2] > 0 else threshold - 1 + step[2]
            add_responses(survey, names[step[1]], late, {"EXP-ANY": 2, "CONF-REPORT": 2})
            continue
        query = {} if step[1] is None else {"department": ids[step[1]]}
        shown = {
            (c.filter_key, c.population): {int(k): v for k, v in c.populations.items()}
            for c in ReleasedCut.objects.filter(survey=survey)
        }
        counts = results._response_counts(survey)
        new = {d: counts.get(d, 0) for d in (ids if step[1] is None else [ids[step[1]]])}
        key = results.cut_key(None if step[1] is None else [ids[step[1]]])
        refuse = any(
            _differs_by_a_few(new, old, threshold)
            for (old_key, _p), old in shown.items()
            if (old_key, old) != (key, new)
        )
        page = client.get(url, query).content.decode()
        csv_download = client.get(reverse("surveys:results_csv", args=[survey.pk]), query)
        event("too small" if sum(new.values()) < threshold else "refused" if refuse else "shown")
        if sum(new.values()) < threshold:
            assert 'id="too-small"' in page
            assert csv_download.status_code == 302
        elif refuse:
            assert "These results cannot be shown" in page and 'id="item-' not in page
            assert csv_download.status_code == 302
            assert ReleasedCut.objects.filter(survey=survey).count() == len(shown)
        else:
            assert "These results cannot be shown" not in page and 'id="item-EXP-ANY"' in page
            assert csv_download.status_code == 200
            assert ReleasedCut.objects.filter(survey=survey, filter_key=key, population=sum(new.values())).exists()
