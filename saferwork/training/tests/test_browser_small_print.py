"""Small things a careful reader noticed, read in a browser (issue 11, finding 11): the
briefing's directions and group size, the draft link's lifetime, the last reporting
question's number and the demo's closing time. (A reused confirmation link and the
two-factor hint have their own browser tests: test_browser_verify_again.py and
accounts/tests/test_browser_two_factor.py.)"""

from __future__ import annotations

import io
import re

import docx
import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from saferwork.conftest import assert_accessible
from saferwork.reporting import services as reporting
from saferwork.tests.browser import sign_in_as
from saferwork.training.models import CAPACITY_HARD_LIMIT, CAPACITY_WARN_ABOVE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _patient(page):
    page.set_default_timeout(30_000)  # a busy machine: give each step longer than the default
    page.set_default_navigation_timeout(30_000)


def test_briefing_points_the_right_way_and_gives_the_session_pages_group_size(page, live_server, coordinator):
    sign_in_as(page, live_server, coordinator)
    page.goto("/training/briefing/")
    assert_accessible(page, "small-print-briefing")
    # The point of contact is asked for (and printed) before the text: nothing may say "below".
    text = " ".join(page.locator("textarea").evaluate_all("areas => areas.map(a => a.value)"))
    assert not re.search(r"\bbelow\b", text), text
    assert f"about {CAPACITY_WARN_ABOVE} people (never more than {CAPACITY_HARD_LIMIT})" in text
    assert f"at most {CAPACITY_HARD_LIMIT}" not in text
    page.get_by_label("Point of contact: name").fill("Pat Point")
    page.get_by_label("Point of contact: role").fill("Equality officer")
    page.get_by_label("Point of contact: email").fill("pat@example.org")
    page.get_by_label("Point of contact: phone").fill("020 7946 0000")
    page.get_by_role("button", name="Save briefing").click()
    page.get_by_role("link", name="Download the briefing (Word document)").wait_for()
    download = page.request.get("/training/briefing/download/")
    lines = [p.text for p in docx.Document(io.BytesIO(download.body())).paragraphs]
    contact = next(n for n, line in enumerate(lines) if "Pat Point" in line)
    support = next(n for n, line in enumerate(lines) if "Support before and after" in line)
    assert contact < support and not any(re.search(r"\bbelow\b", line) for line in lines)


@override_settings(RECRUITMENT_RESUME_LINK_DAYS=30)
def test_saved_draft_page_and_email_give_the_same_days_and_the_round_closes_at_five(page, live_server, programme_host):
    call_command("seed_recruitment_demo", "--force", stdout=io.StringIO())
    page.goto("/training/become-a-trainer/")
    # Seed data gives a real deadline, not the minute the demo was loaded.
    assert re.search(r"Applications close on \d+ \w+ \d{4} at 17:00", page.locator("main").inner_text())
    page.get_by_label("Full name").fill("Jo Candidate")
    page.get_by_label("Email address").fill("jo@example.net")
    page.get_by_role("button", name="Save and come back later").click()
    page.wait_for_url("**/become-a-trainer/saved/")
    assert_accessible(page, "small-print-draft-saved")
    saved = page.locator("main").inner_text()
    assert "It works for 30 days" in saved and "some weeks" not in saved
    (email,) = [m for m in mail.outbox if m.to == ["jo@example.net"]]
    assert "30 days" in email.body


def test_the_last_reporting_question_is_11_of_11(page, live_server, organisation, coordinator):
    reporting.enable_reporting(organisation=organisation, actor=coordinator, handler_private=None)
    from saferwork.reporting.views import QUESTIONS

    last = QUESTIONS[-1]
    page.goto(f"/report/{organisation.slug}/{QUESTIONS[0]}/")
    assert page.locator(".govuk-caption-l").inner_text() == f"Question 1 of {len(QUESTIONS)}"
    page.goto(f"/report/{organisation.slug}/{last}/")
    assert_accessible(page, "small-print-last-question")
    assert page.locator(".govuk-caption-l").inner_text() == f"Question {len(QUESTIONS)} of {len(QUESTIONS)}"
    assert len(QUESTIONS) == 11
