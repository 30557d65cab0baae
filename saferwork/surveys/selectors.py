"""Reads that survey pages share: a wave for the signed-in person, pages for a respondent."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest

from saferwork.surveys.models import Question, Section, Survey, SurveyDepartment


def get_survey_for_user(request: HttpRequest, pk: int) -> Survey:
    """A wave of the current organisation, or 404: never another organisation's."""
    organisation = getattr(request, "organisation", None)
    if organisation is None:
        raise Http404("No such survey.")
    survey = Survey.objects.for_organisation(organisation).filter(pk=pk).first()
    if survey is None:
        raise Http404("No such survey.")
    return survey


@dataclass
class Page:
    number: int
    section: Section
    questions: list[Question]


def pages(survey: Survey) -> list[Page]:
    """Every page in order with its questions (one query for the questions)."""
    sections = list(survey.sections.all())
    by_section: dict[int, list[Question]] = {s.pk: [] for s in sections}
    for question in survey.questions.select_related("item", "show_if__item").order_by("position", "id"):
        by_section.setdefault(question.section_id, []).append(question)
    return [Page(n, s, by_section[s.pk]) for n, s in enumerate(sections, start=1)]


def visible(page: Page, answers: dict[str, Any]) -> list[Question]:
    return [q for q in page.questions if q.shown_for(answers)]


def next_page(all_pages: list[Page], after: int, answers: dict[str, Any]) -> Page | None:
    """The first page after ``after`` with a question to show, or None when there is none."""
    for page in all_pages[after:]:
        if visible(page, answers):
            return page
    return None


def invitation_counts(survey: Survey) -> list[tuple[SurveyDepartment, int, int]]:
    """(department, invited and sent, checked and waiting to send) for each department."""
    waiting = Counter(survey.invitations.filter(sent=False).values_list("department_id", flat=True))
    return [(d, d.invited, waiting[d.pk]) for d in survey.departments.select_related("department")]


def describe_result_for_actions(organisation: Any, ref: str) -> Any:
    """An action's source "<wave id>:<cut key>:<item code>": a result a leader was shown.

    None unless the wave is this organisation's, the cut was released (shown to someone)
    and the wave asks that item; the label and link name the cut, never a number.
    """
    from urllib.parse import urlencode

    from django.urls import reverse

    from saferwork.actions.sources import Source
    from saferwork.surveys.models import ReleasedCut
    from saferwork.surveys.results import ALL_DEPARTMENTS, parse_cut_key

    wave, _, rest = ref.partition(":")
    key, _, code = rest.rpartition(":")
    if not wave.isdigit() or not key or not code:
        return None
    survey = Survey.objects.for_organisation(organisation).filter(pk=int(wave)).first()
    if survey is None or not ReleasedCut.objects.filter(survey=survey, filter_key=key).exists():
        return None
    question = survey.questions.select_related("item").filter(item__code=code).first()
    if question is None:
        return None
    try:
        departments, who = parse_cut_key(key)
    except ValueError:
        return None
    query: dict[str, Any] = {}
    where = ALL_DEPARTMENTS
    if departments:
        taking_part = survey.departments.select_related("department").filter(pk=departments[0]).first()
        if taking_part is None:
            return None
        where = taking_part.department.name
        query["department"] = taking_part.pk
    if who is not None:
        query["who"] = who
        where += f", people who named: {dict(_who_choices(survey)).get(who, '?')}"
    url = reverse("surveys:results", args=[survey.pk]) + (f"?{urlencode(query)}" if query else "") + f"#item-{code}"
    return Source(label=f"{survey.title} ({survey.wave}), {where}: {code}", url=url)


def _who_choices(survey: Survey) -> list[tuple[int, str]]:
    from saferwork.surveys.results import who_question

    found = who_question(survey)
    return found.item.choices() if found else []
