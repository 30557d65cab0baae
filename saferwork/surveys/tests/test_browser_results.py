"""A leader reads a closed wave's results, with hidden cells marked, on a desktop and a phone."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from saferwork.actions.models import Action
from saferwork.conftest import assert_accessible, fill_date
from saferwork.delivery.tests.test_browser_after_session import sign_in_as
from saferwork.surveys import services
from saferwork.surveys.models import Answer, Response
from saferwork.surveys.tests.conftest import build_survey
from saferwork.surveys.tests.test_results import add_responses
from saferwork.tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_leader_reads_results_with_hidden_cells(
    page: Any, live_server: Any, organisation: Any, coordinator: Any
) -> None:
    page.set_default_timeout(30_000)
    leader = factories.member(organisation, is_leader=True, email="leader@example.org")
    survey = build_survey(organisation, coordinator, departments=("Housing", "Libraries", "Parks"))
    services.launch(survey=survey, actor=coordinator)
    add_responses(survey, "Housing", 14, {"EXP-ANY": 1, "CONF-REPORT": 4, "WHO-DID": [1, 4]})
    add_responses(survey, "Housing", 3, {"EXP-ANY": 2, "CONF-REPORT": 2})
    add_responses(survey, "Libraries", 12, {"EXP-ANY": 2, "CONF-REPORT": 4})
    add_responses(survey, "Parks", 11, {"EXP-ANY": 1, "CONF-REPORT": 5, "WHO-DID": [2]})
    add_responses(survey, "Parks", 10, {"EXP-ANY": 2, "CONF-REPORT": 4})
    services.close(survey=survey, actor=coordinator)

    sign_in_as(page, live_server, leader)
    page.goto("/surveys/results/")
    assert_accessible(page, "survey-results-list")
    page.get_by_role("link", name=re.compile("Staff safety survey")).click()
    page.wait_for_url(re.compile(r"/surveys/\d+/results/$"))
    expect(page.get_by_role("heading", name="Answers by question")).to_be_visible()
    assert page.locator(".sw-suppressed").count() > 0
    assert "Comments are shown only for groups" in page.content()
    assert_accessible(page, "survey-results-all")

    page.get_by_label("Departments", exact=True).select_option(label="Parks")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"/results/\?department=\d+"))
    expect(page.get_by_role("columnheader", name="Department").first).to_be_visible()
    assert_accessible(page, "survey-results-parks")

    # Two late answers in Parks: the same cut now differs by 2 people and is refused.
    add_responses(survey, "Parks", 2, {"EXP-ANY": 2})
    page.reload()
    expect(page.locator("#refused")).to_be_visible()
    assert_accessible(page, "survey-results-refused")


def test_coordinator_closes_and_redacts_then_a_leader_reads_results_and_makes_an_action(
    page: Any, live_server: Any, organisation: Any, coordinator: Any
) -> None:
    """Close the wave from the builder, clear one comment with a name taken out and leave one
    out; a leader reads the results (hidden cells marked, only the cleared comment) and turns
    a result into an action that links back to it. Axe and the phone width on every page."""
    page.set_default_timeout(30_000)
    leader = factories.member(organisation, is_leader=True, email="leader@example.org")
    survey = build_survey(organisation, coordinator, departments=("Housing", "Libraries", "Parks"))
    services.launch(survey=survey, actor=coordinator)
    add_responses(survey, "Housing", 14, {"EXP-ANY": 1, "CONF-REPORT": 4, "WHO-DID": [1, 4]})
    add_responses(survey, "Housing", 3, {"EXP-ANY": 2, "CONF-REPORT": 2})
    add_responses(survey, "Libraries", 12, {"EXP-ANY": 2, "CONF-REPORT": 4})
    add_responses(survey, "Parks", 4, {"EXP-ANY": 1, "CONF-REPORT": 5})
    comment = survey.questions.get(item__code="TXT-IMPROVE")
    housing = list(Response.objects.filter(survey=survey, department__department__name="Housing")[:2])
    Answer.objects.create(
        response=housing[0], question=comment, text="I think Dave in Housing tells jokes at the depot."
    )
    Answer.objects.create(response=housing[1], question=comment, text="My manager Sarah said it on Tuesday.")

    # The coordinator closes the wave from the builder.
    sign_in_as(page, live_server, coordinator)
    page.goto(f"/surveys/{survey.pk}/")
    page.get_by_role("button", name="Close the survey now").click()
    page.wait_for_url(re.compile(rf"/surveys/{survey.pk}/$"))
    expect(page.get_by_text("The survey is closed. Unfinished answers were kept")).to_be_visible()
    assert_accessible(page, "survey-journey-closed")

    # ... and reviews the comments: names, places, roles and dates are highlighted.
    page.get_by_role("link", name="Review comments before leaders read them").click()
    page.wait_for_url("**/comments/")
    assert page.locator("mark.sw-redact--name", has_text="Dave").count() == 1
    assert_accessible(page, "survey-journey-comments")
    dave = page.locator(".sw-comment-review", has_text="tells jokes at the")
    dave.get_by_label("What leaders will read").fill("[removed] tells jokes at work.")
    dave.get_by_role("button", name="Clear for leaders").click()
    page.wait_for_url("**/comments/**")
    expect(page.get_by_text("Comment cleared for leaders, as edited.")).to_be_visible()
    sarah = page.locator(".sw-comment-review", has_text="Sarah")
    sarah.get_by_role("button", name="Leave this comment out").click()
    page.wait_for_url("**/comments/**")
    expect(page.get_by_text("No comments are waiting for review.")).to_be_visible()
    page.get_by_role("link", name="Already reviewed").click()
    page.wait_for_url("**/comments/?show=reviewed")
    assert_accessible(page, "survey-journey-comments-reviewed")

    # A leader reads the results: hidden cells marked as such, only the cleared comment.
    sign_in_as(page, live_server, leader)
    page.goto(f"/surveys/{survey.pk}/results/")
    expect(page.get_by_role("heading", name="Answers by question")).to_be_visible()
    parks = page.locator("#response-rate ~ .sw-table-scroll tr", has_text="Parks")
    expect(parks.locator(".sw-suppressed").first).to_have_text("hidden")
    assert page.locator(".sw-suppressed").count() > 5
    comments = page.locator(".sw-comment")
    expect(comments).to_have_count(1)
    expect(comments.first).to_have_text("[removed] tells jokes at work.")
    assert "Dave" not in page.content() and "Sarah" not in page.content()
    assert_accessible(page, "survey-journey-leader-results")

    # ... and turns a result into an action.
    page.get_by_role("link", name="Make an action from this result (CONF-REPORT)").click()
    page.wait_for_url("**/actions/new/**")
    expect(page.locator("#action-source")).to_contain_text("CONF-REPORT")
    assert_accessible(page, "survey-journey-action-form")
    page.get_by_label("What needs to be done").fill("Tell every team how to report, at their next meeting")
    page.get_by_label("Department or service (optional)").fill("Housing")
    page.get_by_label("Owner").select_option(value=str(leader.pk))
    fill_date(page, "id_due_on", timezone.localdate() + dt.timedelta(days=30))
    page.get_by_role("button", name="Add action").click()
    page.wait_for_url(re.compile(r"/actions/\d+/$"))
    expect(page.get_by_text("Action added", exact=True)).to_be_visible()
    assert_accessible(page, "survey-journey-action")
    action = Action.objects.get(organisation=organisation)
    assert action.source_kind == "survey_result" and action.source_ref.endswith(":all:CONF-REPORT")
    page.get_by_role("link", name=re.compile("Staff safety survey")).first.click()
    page.wait_for_url(re.compile(rf"/surveys/{survey.pk}/results/#item-CONF-REPORT$"))


def test_the_demo_waves_read_well_for_the_leader(page: Any, live_server: Any, settings: Any) -> None:
    """The every-page crawl opens one page of each kind (the open wave's results, the draft's
    builder): here the demo's closed wave, a department of it and its comments are opened too."""
    from django.core.management import call_command

    from saferwork.accounts.models import User
    from saferwork.surveys.demo import CLOSED_WAVE, OPEN_WAVE, TITLE
    from saferwork.surveys.models import Survey

    page.set_default_timeout(30_000)
    call_command("seed_demo", force=True, verbosity=0)
    closed = Survey.objects.get(title=TITLE, wave=CLOSED_WAVE)
    live = Survey.objects.get(title=TITLE, wave=OPEN_WAVE)
    sign_in_as(page, live_server, User.objects.get(email="leader@saferwork.test"))
    page.goto(f"/surveys/{closed.pk}/results/")
    rates = page.locator("#response-rate ~ .sw-table-scroll tr", has_text="Human resources")
    expect(rates.locator(".sw-suppressed").first).to_have_text("hidden")  # 7 answered: too few
    expect(page.locator(".sw-comment").first).to_be_visible()
    assert_accessible(page, "survey-demo-closed-results")
    housing = closed.departments.get(department__name="Housing")
    page.goto(f"/surveys/{closed.pk}/results/?department={housing.pk}")
    expect(page.get_by_role("heading", name="Answers by question")).to_be_visible()
    assert page.locator("#refused").count() == 0
    assert_accessible(page, "survey-demo-closed-results-housing")
    page.goto(f"/surveys/{closed.pk}/comments/")
    expect(page.locator("mark.sw-redact").first).to_be_visible()
    assert_accessible(page, "survey-demo-comments")
    page.goto(f"/surveys/{live.pk}/results/")
    expect(page.get_by_text("The survey is open, so only a rough band is shown")).to_be_visible()
    assert_accessible(page, "survey-demo-open-results")
    page.goto("/actions/?source=survey_result")
    assert_accessible(page, "survey-demo-actions")
