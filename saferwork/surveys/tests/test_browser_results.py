"""A leader reads a closed wave's results, with hidden cells marked, on a desktop and a phone."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from saferwork.conftest import assert_accessible
from saferwork.delivery.tests.test_browser_after_session import sign_in_as
from saferwork.surveys import services
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
