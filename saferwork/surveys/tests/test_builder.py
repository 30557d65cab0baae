"""Building a wave: thresholds fixed at launch, structure fixed once anyone answers, outsiders kept out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from saferwork.audit.models import AuditEntry
from saferwork.surveys import services
from saferwork.surveys.models import AnonymityLocked, Question, QuestionItem, Section, Survey, SurveyDepartment
from saferwork.surveys.tests.conftest import bank

pytestmark = pytest.mark.django_db


def settings_data(survey: Survey, **overrides: Any) -> dict[str, Any]:
    data = {
        "title": survey.title,
        "wave": survey.wave,
        "introduction": survey.introduction,
        "closes_on_day": survey.closes_on.day,
        "closes_on_month": survey.closes_on.month,
        "closes_on_year": survey.closes_on.year,
        "score_threshold": survey.score_threshold,
        "comment_threshold": survey.comment_threshold,
    }
    return {**data, **overrides}


def test_coordinator_creates_a_survey_with_default_thresholds(verified_client: Any, coordinator: Any) -> None:
    client = verified_client(coordinator)
    response = client.post(
        reverse("surveys:list"),
        {"title": "Listening survey", "wave": "Autumn 2026", "score_threshold": "10", "comment_threshold": "10"},
    )
    survey = Survey.objects.get(title="Listening survey")
    assert response.status_code == 302
    assert (survey.score_threshold, survey.comment_threshold) == (10, 10)
    assert AuditEntry.objects.filter(action="saferwork.surveys.created").exists()


def test_a_threshold_below_five_is_refused_everywhere(verified_client: Any, coordinator: Any, survey: Survey) -> None:
    client = verified_client(coordinator)
    page = client.post(reverse("surveys:settings", args=[survey.pk]), settings_data(survey, score_threshold="4"))
    assert page.status_code == 200
    assert "Smallest group whose results are shown" in page.content.decode()
    with pytest.raises(AnonymityLocked):
        services.update_settings(survey=survey, actor=coordinator, changes={"comment_threshold": 3})
    survey.score_threshold = 4
    with pytest.raises(AnonymityLocked):
        survey.save()
    assert Survey.objects.get(pk=survey.pk).score_threshold == 10


def test_thresholds_can_change_before_launch(verified_client: Any, coordinator: Any, survey: Survey) -> None:
    client = verified_client(coordinator)
    response = client.post(reverse("surveys:settings", args=[survey.pk]), settings_data(survey, score_threshold="12"))
    assert response.status_code == 302
    assert Survey.objects.get(pk=survey.pk).score_threshold == 12


@pytest.mark.parametrize("name", Survey.LOCKED_AT_LAUNCH)
def test_thresholds_are_locked_at_launch_through_the_view_the_service_and_the_model(
    verified_client: Any, coordinator: Any, live_survey: Survey, name: str
) -> None:
    client = verified_client(coordinator)
    page = client.post(reverse("surveys:settings", args=[live_survey.pk]), settings_data(live_survey, **{name: "25"}))
    assert page.status_code == 302  # the other settings save; the locked field is not taken
    assert getattr(Survey.objects.get(pk=live_survey.pk), name) == 10
    told = client.get(page["Location"]).content.decode()
    assert "Not changed: smallest group whose" in told and "fixed at launch" in told
    assert "Settings saved." not in told
    # Posting the stored value is no attempt at a change: the usual confirmation.
    same = client.post(reverse("surveys:settings", args=[live_survey.pk]), settings_data(live_survey), follow=True)
    assert "Settings saved." in same.content.decode()
    with pytest.raises(AnonymityLocked):
        services.update_settings(survey=live_survey, actor=coordinator, changes={name: 25})
    setattr(live_survey, name, 25)
    with pytest.raises(AnonymityLocked):
        live_survey.save()
    assert getattr(Survey.objects.get(pk=live_survey.pk), name) == 10
    assert "Fixed at launch" in client.get(reverse("surveys:settings", args=[live_survey.pk])).content.decode()


def _answered(survey: Survey) -> Survey:
    services.start(taking_part=survey.departments.first())
    survey.refresh_from_db()
    assert survey.has_answers
    return survey


def _structure_attempts(survey: Survey, coordinator: Any) -> dict[str, tuple[Callable[[], Any], str, dict[str, Any]]]:
    """Every change that alters who can be told apart: (service call, view URL, POST data)."""
    department = survey.departments.first()
    section = survey.sections.order_by("position").last()
    question = survey.questions.get(item__code="WHO-DID")
    plain = survey.questions.get(item__code="CONF-REPORT")
    first = survey.questions.get(item__code="EXP-ANY")
    spare = bank("BYS-SEEN")
    return {
        "add department": (
            lambda: services.add_department(survey=survey, actor=coordinator, name="Parks"),
            reverse("surveys:department_add", args=[survey.pk]),
            {"name": "Parks"},
        ),
        "remove department": (
            lambda: services.remove_department(taking_part=department, actor=coordinator),
            reverse("surveys:department_remove", args=[survey.pk, department.pk]),
            {},
        ),
        "add page": (
            lambda: services.add_section(survey=survey, actor=coordinator, title="More"),
            reverse("surveys:section_add", args=[survey.pk]),
            {"title": "More"},
        ),
        "remove page": (
            lambda: services.remove_section(section=section, actor=coordinator),
            reverse("surveys:section_remove", args=[survey.pk, section.pk]),
            {},
        ),
        "add question": (
            lambda: services.add_question(section=section, item=spare, actor=coordinator),
            reverse("surveys:question_add", args=[survey.pk]),
            {"item": spare.pk, "section": section.pk},
        ),
        "remove question": (
            lambda: services.remove_question(question=plain, actor=coordinator),
            reverse("surveys:question_remove", args=[survey.pk, plain.pk]),
            {},
        ),
        "change condition": (
            lambda: services.set_condition(question=question, actor=coordinator, show_if=first, show_if_values=[1, 2]),
            reverse("surveys:condition", args=[survey.pk, question.pk]),
            {"show_if": first.pk, "show_if_values": ["1", "2"]},
        ),
        "remove condition": (
            lambda: services.set_condition(question=question, actor=coordinator, show_if=None, show_if_values=[]),
            reverse("surveys:condition", args=[survey.pk, question.pk]),
            {"show_if": ""},
        ),
    }


def _shape(survey: Survey) -> Any:
    return (
        sorted(SurveyDepartment.objects.filter(survey=survey).values_list("department__name", flat=True)),
        sorted(Section.objects.filter(survey=survey).values_list("title", flat=True)),
        sorted(Question.objects.filter(survey=survey).values_list("item__code", "show_if_id", "show_if_values")),
    )


@pytest.mark.parametrize(
    "attempt",
    [
        "add department",
        "remove department",
        "add page",
        "remove page",
        "add question",
        "remove question",
        "change condition",
        "remove condition",
    ],
)
def test_after_the_first_answer_nothing_that_changes_anonymity_can_change(
    verified_client: Any, coordinator: Any, live_survey: Survey, attempt: str
) -> None:
    survey = _answered(live_survey)
    before = _shape(survey)
    call, url, data = _structure_attempts(survey, coordinator)[attempt]
    with pytest.raises(AnonymityLocked):
        call()
    assert _shape(survey) == before
    client = verified_client(coordinator)
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert "People have started answering" in response.content.decode()
    assert _shape(survey) == before


def test_the_model_refuses_a_structural_change_that_bypasses_the_services(live_survey: Survey) -> None:
    survey = _answered(live_survey)
    question = survey.questions.first()
    with pytest.raises(AnonymityLocked):
        question.delete()
    with pytest.raises(AnonymityLocked):
        Section.objects.create(survey=survey, title="Sneaked in", position=9)
    with pytest.raises(AnonymityLocked):
        survey.departments.first().delete()


def test_before_answers_the_structure_can_still_change(coordinator: Any, live_survey: Survey) -> None:
    services.add_department(survey=live_survey, actor=coordinator, name="Parks")
    assert live_survey.departments.count() == 3


def test_a_condition_can_only_look_back_to_an_earlier_page(coordinator: Any, survey: Survey) -> None:
    later = survey.questions.get(item__code="WHO-DID")
    same_page = survey.questions.get(item__code="BEH-COMMENTS")
    with pytest.raises(services.SurveyError):
        services.set_condition(
            question=same_page,
            actor=coordinator,
            show_if=survey.questions.get(item__code="EXP-ANY"),
            show_if_values=[1],
        )
    with pytest.raises(services.SurveyError):
        services.set_condition(question=same_page, actor=coordinator, show_if=later, show_if_values=[1])


def test_condition_page_chooses_the_question_then_the_answers(
    verified_client: Any, coordinator: Any, survey: Survey
) -> None:
    client = verified_client(coordinator)
    question = survey.questions.get(item__code="WHO-DID")
    first = survey.questions.get(item__code="EXP-ANY")
    url = reverse("surveys:condition", args=[survey.pk, question.pk])
    page = client.get(url, {"show_if": first.pk}).content.decode()
    assert "Prefer not to say" in page
    assert client.post(url, {"show_if": first.pk, "show_if_values": ["1", "3"]}).status_code == 302
    question.refresh_from_db()
    assert question.show_if_values == [1, 3]


def test_launch_needs_departments_questions_and_a_closing_date(coordinator: Any, organisation: Any) -> None:
    empty = services.create_survey(organisation=organisation, actor=coordinator, title="Empty", wave="W1")
    with pytest.raises(services.SurveyError) as error:
        services.launch(survey=empty, actor=coordinator)
    assert "department" in str(error.value) and "closing date" in str(error.value)


def test_organisations_add_their_own_items_with_source_and_licence(
    verified_client: Any, coordinator: Any, organisation: Any
) -> None:
    client = verified_client(coordinator)
    response = client.post(
        reverse("surveys:items"),
        {
            "code": "own-canteen",
            "topic": "other",
            "kind": "single",
            "text": "Is the canteen safe?",
            "options": "Yes\nNo",
        },
    )
    assert response.status_code == 302
    item = QuestionItem.objects.get(organisation=organisation, code="OWN-CANTEEN")
    assert item.source and item.licence
    clash = client.post(
        reverse("surveys:items"), {"code": "BEH-COMMENTS", "topic": "other", "kind": "text", "text": "x"}
    )
    assert clash.status_code == 200 and "code of the shared bank" in clash.content.decode()


def test_the_bank_is_loaded_with_stable_codes_sources_and_licences() -> None:
    items = QuestionItem.objects.filter(organisation=None)
    from saferwork.surveys.bank import ITEMS

    assert items.count() == len(ITEMS) >= 20
    assert {"BEH-COMMENTS", "WHO-DID", "WHERE-HAPPENED", "REP-WHY-NOT", "CONF-REPORT", "BYS-SEEN", "DEM-AGE"} <= set(
        items.values_list("code", flat=True)
    )
    assert not items.filter(source="").exists() and not items.filter(licence="").exists()
    assert set(items.values_list("kind", flat=True)) == {"single", "multiple", "scale", "yes_no", "text"}


def test_preview_shows_every_page_and_stores_nothing(verified_client: Any, coordinator: Any, survey: Survey) -> None:
    client = verified_client(coordinator)
    start = client.get(reverse("surveys:preview", args=[survey.pk])).content.decode()
    assert "Nothing you do here is stored" in start and "at least <strong>10 people</strong>" in start
    second = client.get(reverse("surveys:preview_page", args=[survey.pk, 2])).content.decode()
    assert "Shown only when EXP-ANY" in second
    survey.refresh_from_db()
    assert not survey.has_answers


COORDINATOR_PAGES = [
    ("surveys:builder", "get", {}),
    ("surveys:settings", "get", {}),
    ("surveys:department_add", "post", {"name": "X"}),
    ("surveys:section_add", "post", {"title": "X"}),
    ("surveys:question_add", "get", {}),
    ("surveys:preview", "get", {}),
    ("surveys:launch", "post", {}),
    ("surveys:close", "post", {}),
    ("surveys:distribution", "get", {}),
    ("surveys:invitations_send", "post", {}),
    ("surveys:invitations_discard", "post", {}),
    ("surveys:reminders_send", "post", {}),
]


@pytest.mark.parametrize(("name", "method", "data"), COORDINATOR_PAGES, ids=[p[0] for p in COORDINATOR_PAGES])
def test_outsider_cannot_reach_another_organisations_survey(
    verified_client: Any, outsider: Any, survey: Survey, name: str, method: str, data: dict[str, Any]
) -> None:
    client = verified_client(outsider)
    response = getattr(client, method)(reverse(name, args=[survey.pk]), data)
    assert response.status_code == 404
    assert Survey.objects.get(pk=survey.pk).status == Survey.Status.DRAFT
    assert survey.departments.count() == 2


def test_outsider_cannot_reach_another_organisations_questions_or_pages(
    verified_client: Any, outsider: Any, survey: Survey
) -> None:
    client = verified_client(outsider)
    question = survey.questions.first()
    section = survey.sections.first()
    department = survey.departments.first()
    for url in [
        reverse("surveys:condition", args=[survey.pk, question.pk]),
        reverse("surveys:question_remove", args=[survey.pk, question.pk]),
        reverse("surveys:section_remove", args=[survey.pk, section.pk]),
        reverse("surveys:department_remove", args=[survey.pk, department.pk]),
        reverse("surveys:preview_page", args=[survey.pk, 1]),
    ]:
        assert client.post(url).status_code == 404, url
    assert survey.questions.count() == 7
    listing = client.get(reverse("surveys:list")).content.decode()
    assert "Staff safety survey" not in listing
    assert client.get(reverse("surveys:items")).status_code == 200


def test_a_member_without_the_coordinator_role_cannot_build(
    verified_client: Any, participant: Any, survey: Survey
) -> None:
    client = verified_client(participant)
    assert client.get(reverse("surveys:builder", args=[survey.pk])).status_code == 403
    assert client.get(reverse("surveys:list")).status_code == 403
