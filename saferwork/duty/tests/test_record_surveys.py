"""The duty record's survey responses and action plans: each wave of the period with its
dates, the response total its results page shows (hidden where that page hides it) and
its action plan counted by status; on the page, in the DOCX and in the PDF."""

from __future__ import annotations

import datetime as dt
import io
import time
from typing import Any

import pytest
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from saferwork.accounts.decorators import SUDO_SESSION_KEY
from saferwork.actions.models import Action
from saferwork.duty import surveys as duty_surveys
from saferwork.surveys.models import Department, Response, Survey, SurveyDepartment
from saferwork.tests import factories

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 1, 1), dt.date(2026, 6, 30)


def wave(organisation: Any, title: str, status: str, responses: dict[str, tuple[int, int]], **dates: Any) -> Survey:
    """A wave with departments (name: (invited, released responses))."""
    survey = Survey.objects.create(
        organisation=organisation,
        title=title,
        wave="Spring 2026",
        status=status,
        score_threshold=10,
        opens_on=dates.get("opens_on", dt.date(2026, 3, 2)),
        closes_on=dates.get("closes_on", dt.date(2026, 3, 27)),
    )
    for name, (invited, answered) in responses.items():
        department, _ = Department.objects.get_or_create(organisation=organisation, name=name)
        taking_part = SurveyDepartment.objects.create(survey=survey, department=department, invited=invited)
        Response.objects.bulk_create(
            Response(survey=survey, department=taking_part, release=1) for _ in range(answered)
        )
    return survey


def plan(survey: Survey, owner: Any, *statuses: str) -> None:
    for n, status in enumerate(statuses):
        Action.objects.create(
            organisation=survey.organisation,
            title=f"Plan item {n}",
            owner=owner,
            due_on=END,
            status=status,
            source_kind="survey_result",
            source_ref=f"{survey.pk}:all:EXP-ANY",
        )


def sudo(client: Any) -> Any:
    session = client.session
    session[SUDO_SESSION_KEY] = int(time.time()) + 600
    session.save()
    return client


def text_of(response: Any) -> str:
    if response["Content-Type"].startswith("application/pdf"):
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    elif "wordprocessingml" in response["Content-Type"]:
        text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    else:
        html = response.content.decode()
        text = html[html.index("<main") : html.index("</main>")]
    return " ".join(text.split())


@pytest.fixture
def waves(organisation: Any, coordinator: Any, other_organisation: Any) -> dict[str, Survey]:
    closed = wave(organisation, "Staff safety survey", "closed", {"Housing": (60, 30), "Libraries": (40, 12)})
    plan(closed, coordinator, "not_started", "done", "cancelled")
    small = wave(
        organisation, "Depot pulse", "closed", {"Depot": (20, 4)}, opens_on=dt.date(2026, 4, 1), closes_on=None
    )
    live = wave(
        organisation, "Summer check", "live", {"Housing": (50, 20)}, opens_on=dt.date(2026, 6, 1), closes_on=None
    )
    wave(organisation, "Draft idea", "draft", {"Housing": (50, 0)})
    wave(
        organisation,
        "Last year",
        "closed",
        {"Housing": (50, 40)},
        opens_on=dt.date(2025, 3, 1),
        closes_on=dt.date(2025, 3, 30),
    )
    elsewhere = wave(other_organisation, "Elsewhere survey", "closed", {"Housing": (50, 40)})
    plan(elsewhere, factories.member(other_organisation), "done")
    return {"closed": closed, "small": small, "live": live}


@pytest.mark.parametrize("kind", ["page", "docx", "pdf"])
def test_each_wave_shows_its_dates_released_responses_and_action_plan(verified_client, coordinator, waves, kind):
    client = sudo(verified_client(coordinator))
    query = f"start={START}&end={END}"
    url = (
        f"{reverse('duty:record')}?{query}"
        if kind == "page"
        else f"{reverse('duty:record_export', args=[kind])}?{query}"
    )
    text = text_of(client.get(url))
    assert "Survey responses and action plans" in text
    assert "Survey responses and action plan: Staff safety survey (Spring 2026)" in text
    assert "Open 2 March 2026 to 27 March 2026" in text
    assert "Responses: 42 of 100 invited, a response rate of 42%." in text
    assert "Action plan: 3 actions made from its results (1 not started, 0 in progress, 1 done, 1 cancelled" in text
    # Four responses in a department of twenty: hidden, as the results page hides it.
    assert "Survey responses and action plan: Depot pulse (Spring 2026)" in text
    assert "Responses: hidden; 20 invited." in text and "Responses: 4 " not in text and "Responses: 4;" not in text
    assert "Action plan: no actions made from its results yet" in text
    # While a wave is open the results page shows no count, and nor does the record.
    assert "Summer check" in text and "Still open: response figures are released when it closes." in text
    assert "20 of 50" not in text
    for absent in ("Draft idea", "Last year", "Elsewhere survey"):
        assert absent not in text


def test_figures_count_closed_waves_and_plan_actions_of_this_organisation_only(organisation, waves):
    section = duty_surveys.section(organisation, START, END)
    assert section is not None
    figures = {f.label: f.value for f in section.figures}
    assert figures == {
        "Waves with response figures (closed)": 2,
        "Actions in their action plans": 3,
        "Of which done": 1,
    }
    assert [s.title.split(": ", 1)[1] for s in section.steps] == [
        "Staff safety survey (Spring 2026)",
        "Depot pulse (Spring 2026)",
        "Summer check (Spring 2026)",
    ]


def test_no_waves_no_section(organisation):
    assert duty_surveys.section(organisation, START, END) is None


def test_its_queries_do_not_grow_with_waves_departments_or_actions(
    organisation, coordinator, django_assert_num_queries
):
    first = wave(organisation, "Wave 0", "closed", {"Housing": (30, 12)})
    plan(first, coordinator, "done")
    with django_assert_num_queries(4):
        duty_surveys.section(organisation, START, END)
    for n in range(1, 6):
        more = wave(organisation, f"Wave {n}", "closed", {f"Dept {k}": (30, 11) for k in range(n + 1)})
        plan(more, coordinator, "done", "in_progress", "not_started")
    with django_assert_num_queries(4):
        section = duty_surveys.section(organisation, START, END)
    assert section is not None and len(section.steps) == 6


def test_the_record_page_escapes_what_people_typed_into_steps(verified_client, coordinator, organisation):
    from saferwork.actions.selectors import today_for

    today = today_for(organisation)
    Action.objects.create(
        organisation=organisation,
        title="<script>alert(1)</script> & posters",
        owner=coordinator,
        due_on=today,
        status="done",
        closed_on=today,
        source_label='"quoted" <b>label</b>',
    )
    html = verified_client(coordinator).get(reverse("duty:record")).content.decode()
    assert "<script>alert(1)</script>" not in html and "<b>label</b>" not in html
    assert "Action done: &lt;script&gt;alert(1)&lt;/script&gt; &amp; posters" in html
    assert "&quot;quoted&quot; &lt;b&gt;label&lt;/b&gt;" in html
    assert f'<strong>{today:%-d %B %Y}</strong>: <a class="govuk-link" href="/actions/' in html
