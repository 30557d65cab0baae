"""A coordinator builds, previews and launches a survey; staff answer by invitation and open link on a phone."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.core import mail

from saferwork.conftest import assert_accessible
from saferwork.delivery.tests.test_browser_after_session import sign_in_as
from saferwork.surveys.models import QuestionItem, Response, Survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def _item(code: str) -> str:
    return str(QuestionItem.objects.get(organisation=None, code=code).pk)


def test_build_preview_launch_and_answer_through_an_invitation_and_an_open_link(
    page: Any, live_server: Any, coordinator: Any
) -> None:
    page.set_default_timeout(30_000)
    sign_in_as(page, live_server, coordinator)
    page.goto("/surveys/")
    assert_accessible(page, "surveys-list")
    page.get_by_label("Title").fill("Staff safety survey")
    page.get_by_label("Wave").fill("Spring 2026")
    closes = page.get_by_role("group", name="Closing date")
    closes.get_by_label("Day").fill("31")
    closes.get_by_label("Month").fill("12")
    closes.get_by_label("Year").fill("2099")
    page.get_by_role("button", name="Create survey").click()
    page.wait_for_url(re.compile(r"/surveys/\d+/$"))
    survey = Survey.objects.get()
    for name in ("Housing", "Libraries"):
        page.get_by_label("Department name").fill(name)
        page.get_by_role("button", name="Add department").click()
        page.wait_for_url(re.compile(r"/surveys/\d+/"))
    page.get_by_role("link", name="Add a question to page 1").click()
    page.wait_for_url("**/questions/add/**")
    assert_accessible(page, "surveys-question-add")
    page.get_by_label("Question").select_option(value=_item("EXP-ANY"))
    page.get_by_role("button", name="Add question").click()
    page.wait_for_url(re.compile(r"/surveys/\d+/"))
    page.get_by_label("Page title").fill("Who was involved")
    page.get_by_role("button", name="Add page").click()
    page.wait_for_url(re.compile(r"/surveys/\d+/"))
    page.get_by_role("link", name="Add a question to page 2").click()
    page.wait_for_url("**/questions/add/**")
    page.get_by_label("Question").select_option(value=_item("WHO-DID"))
    page.get_by_role("button", name="Add question").click()
    page.wait_for_url(re.compile(r"/surveys/\d+/"))
    page.get_by_role("link", name="Add a question to page 2").click()
    page.wait_for_url("**/questions/add/**")
    page.get_by_label("Question").select_option(value=_item("TXT-IMPROVE"))
    page.get_by_label("Page").select_option(label="Who was involved")
    page.get_by_role("button", name="Add question").click()
    page.wait_for_url(re.compile(r"/surveys/\d+/"))
    # Show WHO-DID only to those who said yes.
    page.get_by_role("link", name="Condition for WHO-DID").click()
    page.wait_for_url("**/condition/**")
    page.get_by_label("Show this question only when this earlier question").select_option(
        value=str(survey.questions.get(item__code="EXP-ANY").pk)
    )
    page.get_by_role("button", name="Choose this question").click()
    page.wait_for_url("**/condition/?show_if=*")
    assert_accessible(page, "surveys-condition")
    page.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Save condition").click()
    page.wait_for_url(re.compile(r"/surveys/\d+/"))
    assert "Shown only when EXP-ANY" in page.inner_text("main")
    assert_accessible(page, "surveys-builder")

    # Preview as a respondent, at phone width.
    page.set_viewport_size(PHONE)
    page.get_by_role("link", name="Preview as a respondent").click()
    page.wait_for_url("**/preview/")
    assert "at least 10 people" in page.inner_text("main")
    assert_accessible(page, "surveys-preview-start-phone")
    page.get_by_role("link", name="Start the survey").click()
    page.wait_for_url("**/preview/1/")
    assert_accessible(page, "surveys-preview-page-phone")
    page.get_by_role("link", name="Continue").click()
    page.wait_for_url("**/preview/2/")
    assert "Shown only when EXP-ANY" in page.inner_text("main")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/surveys/{survey.pk}/")
    page.get_by_role("button", name="Launch the survey").click()
    page.wait_for_url(re.compile(r"/surveys/\d+/"))
    assert "thresholds are now fixed" in page.inner_text("main")

    # Invitations from a staff list: a bad list first, then a clean one.
    page.get_by_role("link", name="Links and invitations").click()
    page.wait_for_url("**/distribution/")
    bad = b"email,department\nann@example.org,Housing\nnot-an-address,Parks\n"
    page.get_by_label("Staff list").set_input_files({"name": "staff.csv", "mimeType": "text/csv", "buffer": bad})
    page.get_by_role("button", name="Check the list").click()
    page.wait_for_url("**/distribution/")
    assert "Line 3:" in page.inner_text("main")
    assert_accessible(page, "surveys-distribution-errors")
    good = b"email,department\nann@example.org,Housing\nbob@example.org,Libraries\n"
    page.get_by_label("Staff list").set_input_files({"name": "staff.csv", "mimeType": "text/csv", "buffer": good})
    page.get_by_role("button", name="Check the list").click()
    page.wait_for_url("**/distribution/")
    mail.outbox.clear()
    page.get_by_role("button", name="Send the invitations").click()
    page.wait_for_url("**/distribution/")
    assert "2 invitations are on their way" in page.inner_text("main")
    assert_accessible(page, "surveys-distribution")
    link = re.search(r"http\S+/survey/i/[\w-]+/", mail.outbox[0].body).group(0)  # type: ignore[union-attr]
    open_link = page.locator("td", has_text="/survey/d/").first.inner_text().strip()

    # A respondent answers through the invitation on a phone, with no account.
    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    page.goto(link.replace(settings.SITE_URL, live_server.url))
    assert "at least 10 people" in page.inner_text("main")
    assert page.get_by_role("button", name=re.compile("Exit this page")).count() == 1
    assert_accessible(page, "surveys-respond-start-phone")
    page.get_by_role("button", name="Start the survey").click()
    page.wait_for_url("**/survey/answer/1/")
    assert_accessible(page, "surveys-respond-page-phone")
    page.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/survey/answer/2/")
    page.get_by_label("A customer, client, patient or member of the public").check()
    page.get_by_label("What one thing would make this a safer place to work?").fill("Better lighting in the car park")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/survey/support/**")
    assert "It has not been sent to anyone" in page.inner_text("main")
    assert_accessible(page, "surveys-respond-support-phone")
    page.get_by_role("link", name="Continue the survey").click()
    page.wait_for_url("**/survey/check/")
    assert_accessible(page, "surveys-respond-check-phone")
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_url("**/survey/done/")
    assert_accessible(page, "surveys-respond-done-phone")
    page.goto(link.replace(settings.SITE_URL, live_server.url))
    assert "already been used" in page.inner_text("main")
    assert_accessible(page, "surveys-respond-used-phone")

    # Another answers through the open link and says no: the follow-up is skipped.
    page.context.clear_cookies()
    page.goto(open_link.replace(settings.SITE_URL, live_server.url))
    page.get_by_role("button", name="Start the survey").click()
    page.wait_for_url("**/survey/answer/1/")
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/survey/answer/2/")
    assert "Who did it?" not in page.inner_text("main")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/survey/check/")
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_url("**/survey/done/")
    assert Response.objects.count() == 2
