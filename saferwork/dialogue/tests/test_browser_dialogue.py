"""The dialogue journey in a real browser: a cohort of two sessions, a private plan shared with
the coach, a coaching booking, and a thread reported and hidden by a moderator."""

from __future__ import annotations

import re
from typing import Any

import pytest

from saferwork.conftest import assert_accessible, assert_fits_phone, fill_date
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


def _check(page: Any, name: str) -> None:
    """axe on the page, then at 375 px: nothing scrolls sideways."""
    assert_accessible(page, name)
    assert_fits_phone(page, f"{name}-phone")


def _ics_fields(page: Any, url: str) -> dict[str, str]:
    response = page.request.get(url)
    assert response.ok and response.headers["content-type"].startswith("text/calendar")
    text = response.text().replace("\r\n ", "")
    return dict(line.split(":", 1) for line in text.splitlines() if line.startswith(("UID", "SEQUENCE", "METHOD")))


def test_a_cohort_built_in_the_browser_and_the_pages_the_first_journey_skips(
    page: Any,
    live_server: Any,
    coordinator: Any,
    participant: Any,
    other_participant: Any,
    coach_user: Any,
    world: dict[str, Any],
) -> None:
    """Cohort, members with the power-dynamics warning, two sessions with invites that update
    in place, a session changed, a match, a plan item changed and shared, a coaching session
    booked, and a thread in the organisation-wide space reported, hidden and restored."""
    import datetime as dt

    from django.core import mail
    from playwright.sync_api import expect

    from saferwork.dialogue.models import Cohort, CohortSession

    page.set_default_timeout(30_000)
    sign_in_as(page, live_server, coordinator)

    # A new cohort and its people: a line manager and someone they manage.
    page.goto("/dialogue/cohorts/new/")
    _check(page, "dialogue-cohort-new")
    page.get_by_label("Name of the cohort").fill("Autumn cohort")
    page.get_by_role("button", name=re.compile("Create")).click()
    page.wait_for_url(re.compile(r".*/dialogue/cohorts/\d+/$"))
    cohort = Cohort.objects.get(name="Autumn cohort")
    page.get_by_label("Person").select_option(str(participant.pk))
    page.get_by_label("Their position").select_option("line_manager")
    page.get_by_role("button", name="Add to cohort").click()
    expect(page.get_by_text("Added to the cohort.")).to_be_visible()
    page.get_by_label("Person").select_option(str(other_participant.pk))
    page.get_by_label("Their position").select_option("staff")
    page.get_by_label("Line managed by someone in this cohort (optional)").select_option(index=1)
    page.get_by_role("button", name="Add to cohort").click()
    expect(page.locator(".govuk-warning-text").first).to_contain_text("Consider separate sessions")
    _check(page, "dialogue-cohort-new-with-warning")

    # Two sessions, one online and one in person; everyone is sent an invite.
    mail.outbox.clear()
    first_day = dt.date.today() + dt.timedelta(days=14)
    for number, (mode, where) in enumerate([("Online", "https://meet.example.org/a"), ("In person", "Room 2")], 1):
        page.goto(f"/dialogue/cohorts/{cohort.pk}/sessions/new/")
        page.get_by_label("Title").fill(f"Autumn session {number}")
        fill_date(page, "id_date", first_day + dt.timedelta(days=7 * (number - 1)))
        page.get_by_label(mode, exact=True).check()
        if mode == "Online":
            page.get_by_label("Meeting link (online)").fill(where)
        else:
            page.get_by_label("Venue (in person)").fill(where)
        page.get_by_label("Discussion prompts for the facilitator (optional)").fill("Who speaks first, and why?")
        page.get_by_role("button", name="Add session and send invites").click()
        expect(page.get_by_text("Session scheduled.")).to_be_visible()
    invited = [m for m in mail.outbox if participant.email in m.to]
    assert len(invited) == 2
    assert all(any("BEGIN:VCALENDAR" in str(a[1]) for a in m.attachments) for m in invited)
    page.goto(f"/dialogue/cohorts/{cohort.pk}/")
    expect(page.locator("#session-list li")).to_have_count(2)
    session = CohortSession.objects.get(cohort=cohort, title="Autumn session 1")
    before = _ics_fields(page, f"/dialogue/sessions/{session.pk}/invite.ics")

    # The session is moved: the invite keeps its UID and its SEQUENCE rises.
    page.goto(f"/dialogue/sessions/{session.pk}/")
    page.get_by_role("link", name="Change session").click()
    page.wait_for_url(re.compile(r".*/edit/$"))
    _check(page, "dialogue-session-edit")
    page.get_by_label("Start").fill("11:00")
    page.get_by_label("End").fill("13:00")
    page.get_by_role("button", name="Save and send the update").click()
    expect(page.get_by_text("The invite has been sent again")).to_be_visible()
    after = _ics_fields(page, f"/dialogue/sessions/{session.pk}/invite.ics")
    assert after["UID"] == before["UID"] and int(after["SEQUENCE"]) > int(before["SEQUENCE"])

    # A match, through the page that ranks coaches.
    page.goto("/dialogue/coaches/match/")
    _check(page, "dialogue-match")
    page.get_by_label("Participant").select_option(str(other_participant.pk))
    page.get_by_role("button", name="Show coaches").click()
    expect(page.locator("#ranked-coaches")).to_be_visible()
    _check(page, "dialogue-match-ranked")
    page.locator("#ranked-coaches").get_by_role("button", name=re.compile(f"Match with {coach_user}")).click()
    expect(page.get_by_text(f"is matched with {coach_user}")).to_be_visible()

    # The participant changes an action on its own page, then shares it with their coach.
    _switch(page, live_server, participant)
    page.goto("/dialogue/plan/")
    page.get_by_role("link", name=re.compile("Change.*SECRET-PLAN")).click()
    page.wait_for_url(re.compile(r".*/dialogue/plan/\d+/$"))
    expect(page.locator("#private-notice")).to_contain_text("Only you can read")
    _check(page, "dialogue-plan-item")
    page.get_by_label("What will you do?").fill("Speak up first in the team meeting")
    page.get_by_label("I have done this").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Your action has been saved.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Speak up first in the team meeting")
    _check(page, "dialogue-plan-after-edit")

    # The coach sees the shared action and offers a time; the participant books it.
    _switch(page, live_server, coach_user)
    page.goto("/dialogue/coaching/")
    expect(page.locator("#shared-items")).to_contain_text("Speak up first in the team meeting")
    fill_date(page, "id_date", first_day)
    page.get_by_label("Start").fill("15:00")
    page.get_by_label("End").fill("16:00")
    page.get_by_label("Where, or the meeting link").fill("Room 7")
    page.get_by_role("button", name="Offer this time").click()
    expect(page.get_by_text("Time offered to the people you coach.")).to_be_visible()
    _switch(page, live_server, participant)
    page.goto("/dialogue/coaching/")
    page.locator("#free-slots").get_by_role("button", name=re.compile("Book")).first.click()
    expect(page.get_by_text("Coaching session booked.")).to_be_visible()
    slot_link = page.locator("#booked-slots").get_by_role("link", name=re.compile("Calendar invite")).first
    invite = _ics_fields(page, slot_link.get_attribute("href"))
    assert invite["UID"] and invite.get("METHOD") == "REQUEST"

    # The organisation-wide space: a thread, reported, hidden and restored with reasons.
    page.goto("/dialogue/")
    page.get_by_role("link", name=re.compile("discussion space")).last.click()
    page.wait_for_url(re.compile(r".*/dialogue/community/$"))
    expect(page.locator("#safe-reporting")).to_be_visible()
    _check(page, "dialogue-community-organisation")
    page.get_by_label("Title").fill("Calling it out at the bar")
    page.get_by_label("What do you want to say?").fill("After the conference dinner I said: not funny.")
    page.get_by_role("button", name="Post thread").click()
    page.wait_for_url(re.compile(r".*/dialogue/threads/\d+/$"))
    thread_url = page.url

    _switch(page, live_server, other_participant)
    page.goto(thread_url)
    page.get_by_role("link", name=re.compile("Report this post")).click()
    page.get_by_label("Reason").fill("Names a colleague")
    page.get_by_role("button", name="Report post").click()
    expect(page.get_by_text("The moderators will look at this post.")).to_be_visible()

    _switch(page, live_server, coordinator)
    page.goto("/dialogue/moderation/")
    page.get_by_role("link", name=re.compile("Hide the post.*Calling it out")).click()
    page.get_by_label("Reason").fill("Checking whether it names anyone")
    page.get_by_role("button", name="Hide post").click()
    expect(page.get_by_text("Post hidden.")).to_be_visible()
    expect(page.locator("#posts")).to_contain_text("Only moderators see this post")
    page.get_by_role("link", name=re.compile("Restore")).click()
    page.wait_for_url(re.compile(r".*/restore/$"))
    _check(page, "dialogue-restore")
    page.get_by_role("button", name="Restore post").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the reason")
    page.get_by_label("Reason").fill("It names nobody: fine to stay")
    page.get_by_role("button", name="Restore post").click()
    expect(page.get_by_text("Post restored.")).to_be_visible()
    assert not Post.objects.filter(thread__title="Calling it out at the bar", hidden=True).exists()

    _switch(page, live_server, other_participant)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(thread_url)
    expect(page.locator("#posts")).to_contain_text("not funny")
    _check(page, "dialogue-thread-restored-phone")
