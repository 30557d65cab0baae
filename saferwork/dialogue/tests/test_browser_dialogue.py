"""The dialogue journey in a real browser: a cohort of two sessions, a private plan shared with
the coach, a coaching booking, and a thread reported and hidden by a moderator."""

from __future__ import annotations

import re
from typing import Any

import pytest

from saferwork.conftest import assert_accessible, fill_date
from saferwork.dialogue.models import Post, PostReport
from saferwork.tests.browser import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _switch(page: Any, live_server: Any, user: Any) -> None:
    page.context.clear_cookies()
    sign_in_as(page, live_server, user)


def test_cohort_plan_coaching_and_moderated_thread(
    page: Any,
    live_server: Any,
    coordinator: Any,
    participant: Any,
    other_participant: Any,
    coach_user: Any,
    world: dict[str, Any],
) -> None:
    from playwright.sync_api import expect

    page.set_default_timeout(30_000)
    cohort = world["cohort"]
    # The coordinator runs the cohort: two sessions, prompts, attendance, the power-dynamics warning.
    sign_in_as(page, live_server, coordinator)
    page.goto("/dialogue/")
    assert_accessible(page, "dialogue-home-coordinator")
    page.get_by_role("link", name="Spring cohort").click()
    page.wait_for_url(re.compile(rf".*/dialogue/cohorts/{cohort.pk}/$"))
    expect(page.locator("#session-list li")).to_have_count(2)
    expect(page.get_by_text("Consider separate sessions")).to_be_visible()
    assert_accessible(page, "dialogue-cohort")
    page.get_by_role("link", name="Session 1").click()
    page.wait_for_url(re.compile(r".*/dialogue/sessions/\d+/$"))
    expect(page.locator("#prompts")).to_contain_text("What makes it safe to speak?")
    page.get_by_label(str(participant)).check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Attendance recorded: 1 of 2 came.")).to_be_visible()
    assert_accessible(page, "dialogue-session")
    page.goto("/dialogue/coaches/")
    assert_accessible(page, "dialogue-coaches")
    page.goto(f"/dialogue/cohorts/{cohort.pk}/sessions/new/")
    assert_accessible(page, "dialogue-session-new")

    # The participant writes a private action and shares it with their coach, then books a time.
    _switch(page, live_server, participant)
    page.goto("/dialogue/plan/")
    expect(page.locator("#private-notice")).to_contain_text("Only you can read your action plan")
    page.get_by_label("What will you do?").fill("Ask the quietest person first in every meeting")
    fill_date(page, "id_due_on", world["sessions"][1].date)
    page.get_by_label("How will you know it has worked?").fill("More voices in the notes")
    page.get_by_role("button", name="Add to my plan").click()
    expect(page.get_by_text("Added to your action plan. Only you can read it.")).to_be_visible()
    page.get_by_role("button", name=re.compile("Share with my coach.*Ask the quietest")).click()
    expect(page.get_by_text(f"Shared with {coach_user}.")).to_be_visible()
    assert_accessible(page, "dialogue-plan")
    page.get_by_role("link", name=re.compile("without my name.*Ask the quietest")).click()
    page.wait_for_url(re.compile(r".*/promote/$"))
    assert_accessible(page, "dialogue-promote")
    page.goto("/dialogue/coaching/")
    assert_accessible(page, "dialogue-coaching-participant")
    page.goto(f"/dialogue/cohorts/{cohort.pk}/community/")
    page.get_by_label("Title").fill("Closing down a 'joke'")
    page.get_by_label("What do you want to say?").fill(
        "Someone said something crude in a meeting. Here is what I tried."
    )
    page.get_by_role("button", name="Post thread").click()
    page.wait_for_url(re.compile(r".*/dialogue/threads/\d+/$"))
    assert_accessible(page, "dialogue-thread")
    thread_url = page.url

    # The coach reads the shared action, offers a time; the participant books it.
    _switch(page, live_server, coach_user)
    page.goto("/dialogue/coaching/")
    expect(page.locator("#shared-items")).to_contain_text("Ask the quietest person first")
    fill_date(page, "id_date", world["sessions"][1].date)
    page.get_by_label("Start").fill("09:00")
    page.get_by_label("End").fill("10:00")
    page.get_by_label("Where, or the meeting link").fill("Room 4.12")
    page.get_by_role("button", name="Offer this time").click()
    expect(page.get_by_text("Time offered to the people you coach.")).to_be_visible()
    assert_accessible(page, "dialogue-coaching-coach")
    page.get_by_role("link", name=re.compile("Your notes")).first.click()
    page.wait_for_url(re.compile(r".*/notes/$"))
    expect(page.locator("#private-notice")).to_contain_text("Only you can read these notes")
    assert_accessible(page, "dialogue-notes")

    _switch(page, live_server, participant)
    page.goto("/dialogue/coaching/")
    page.locator("#free-slots").get_by_role("button", name=re.compile("Book")).click()
    expect(page.get_by_text("Coaching session booked.")).to_be_visible()
    expect(page.locator("#booked-slots li")).to_have_count(2)

    # Another member reports the post; the coordinator hides it with a reason.
    _switch(page, live_server, other_participant)
    page.goto(thread_url)
    page.get_by_role("link", name=re.compile("Report this post")).click()
    page.wait_for_url(re.compile(r".*/report/$"))
    assert_accessible(page, "dialogue-report-post")
    page.get_by_label("Reason").fill("It repeats the crude words")
    page.get_by_role("button", name="Report post").click()
    expect(page.get_by_text("The moderators will look at this post.")).to_be_visible()
    assert PostReport.objects.filter(resolved=False).count() == 1

    _switch(page, live_server, coordinator)
    page.goto("/dialogue/moderation/")
    assert_accessible(page, "dialogue-moderation")
    page.get_by_role("link", name=re.compile("Hide the post")).click()
    page.get_by_label("Reason").fill("Repeats offensive words; reposting without them is welcome")
    page.get_by_role("button", name="Hide post").click()
    expect(page.get_by_text("Post hidden.")).to_be_visible()
    assert Post.objects.filter(hidden=True).count() == 1

    _switch(page, live_server, other_participant)
    page.goto(f"/dialogue/cohorts/{cohort.pk}/community/")
    expect(page.locator("#thread-list")).not_to_contain_text("Closing down")
    assert_accessible(page, "dialogue-community")
