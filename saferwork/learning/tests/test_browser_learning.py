"""The learning journey in a real browser: a coordinator authors a module with every kind of
step, publishes and assigns it; the learner, on a phone, completes it, fails then passes the
knowledge check, and claims the badge. axe on every page; no request leaves our server."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from saferwork.conftest import assert_accessible
from saferwork.learning.models import Enrolment, Reflection
from saferwork.tests.browser import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTIONS = (
    "Who decides it was unwanted?\n- The person who did it\n* The person it happened to\n> It is their view.\n\n"
    "Can one incident be enough?\n* Yes\n- No"
)
VTT = b"WEBVTT\n\n00:00.000 --> 00:02.000\nWelcome to the module.\n"
WEBM = b"\x1a\x45\xdf\xa3" + b"\x00" * 256


def _add_step(page: Any, module_pk: int, kind: str, title: str, **fields: str) -> None:
    page.goto(f"/learning/author/{module_pk}/steps/new/")
    page.get_by_label(kind, exact=True).check()
    page.get_by_label("Title", exact=True).fill(title)
    for label, value in fields.items():
        page.get_by_label(label).fill(value)


def test_author_assign_complete_on_a_phone_and_claim_the_badge(
    page: Any, live_server: Any, coordinator: Any, learner: Any, programme_host: Any, organisation: Any
) -> None:
    from playwright.sync_api import expect

    page.set_default_timeout(30_000)
    sign_in_as(page, live_server, coordinator)
    page.goto("/learning/")
    assert_accessible(page, "learning-home-coordinator")
    page.get_by_role("link", name="Write and publish modules").click()
    assert_accessible(page, "learning-author-list")
    page.get_by_role("link", name="Create a module").click()
    assert_accessible(page, "learning-module-new")
    page.get_by_label("Title").fill("Speaking up at Home Union")
    page.get_by_role("button", name="Create the module").click()
    page.wait_for_url(re.compile(r".*/learning/author/\d+/$"))
    module_pk = int(page.url.rstrip("/").rsplit("/", 1)[1])

    _add_step(page, module_pk, "Reading", "Why it matters", **{"Text (Markdown)": "# Why\n\nEveryone can **act**."})
    assert_accessible(page, "learning-step-new")
    page.get_by_role("button", name="Save the step").click()
    expect(page.get_by_text("Step added.")).to_be_visible()
    _add_step(page, module_pk, "Video or audio", "Watch", Transcript="Welcome to the module.")
    page.get_by_label("Video or audio file").set_input_files(
        {"name": "talk.webm", "mimeType": "video/webm", "buffer": WEBM}
    )
    page.get_by_label("Captions (WebVTT, .vtt)").set_input_files(
        {"name": "talk.vtt", "mimeType": "text/vtt", "buffer": VTT}
    )
    page.get_by_role("button", name="Save the step").click()
    expect(page.get_by_text("Step added.")).to_be_visible()
    _add_step(
        page,
        module_pk,
        "Scenario",
        "What would you do?",
        **{
            "Text (Markdown)": "A joke in the team chat.",
            "Scenario choices": "Say nothing | Silence is not agreement.\nReply calmly | That resets the norm.",
        },
    )
    page.get_by_role("button", name="Save the step").click()
    _add_step(
        page, module_pk, "Reflection", "Your reflection", **{"Reflection question": "What will you do differently?"}
    )
    page.get_by_role("button", name="Save the step").click()
    _add_step(page, module_pk, "Knowledge check", "Check", **{"Knowledge check questions": QUESTIONS})
    page.get_by_label("Pass mark").fill("100")
    page.get_by_role("button", name="Save the step").click()
    expect(page.locator("#author-steps li")).to_have_count(5)
    # The check belongs before the reflection: move it up, then look at a step's preview.
    page.get_by_role("button", name="Move up step 5").click()
    expect(page.locator("#author-steps li").nth(3)).to_contain_text("Check")
    assert_accessible(page, "learning-author-module")
    page.get_by_role("link", name="Change step 1: Why it matters").click()
    expect(page.locator("#step-preview strong")).to_have_text("act")
    assert_accessible(page, "learning-step-edit")
    page.go_back()
    # Preview the draft as a learner would, on a phone: nothing is recorded.
    page.set_viewport_size({"width": 375, "height": 800})
    page.get_by_role("link", name=re.compile("Preview version 1 as a learner")).click()
    expect(page.locator("#preview-notice")).to_contain_text("Nothing you do here is recorded")
    expect(page.locator("h1")).to_have_text("Why it matters")
    assert_accessible(page, "learning-preview-content")
    page.get_by_role("button", name="Mark as done and continue").click()
    expect(page.locator("h1")).to_have_text("Watch")
    page.get_by_role("button", name="Mark as done and continue").click()
    page.get_by_label("Say nothing").check()
    page.get_by_role("button", name="See what happens").click()
    expect(page.locator("#scenario-feedback")).to_contain_text("Silence is not agreement.")
    assert_accessible(page, "learning-preview-scenario")
    assert not Enrolment.objects.filter(module_id=module_pk).exists()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/learning/author/{module_pk}/")
    page.get_by_role("button", name="Publish version 1").click()
    expect(page.get_by_text("Version 1 is published.")).to_be_visible()

    page.goto("/learning/manage/")
    assert_accessible(page, "learning-manage")
    page.locator(f'a[href="/learning/manage/{module_pk}/assign/"]').click()
    assert_accessible(page, "learning-assign")
    page.get_by_label(re.compile(re.escape(learner.email))).check()
    page.get_by_label("Their department").fill("Branch office")
    due = dt.date.today() + dt.timedelta(days=20)
    page.get_by_label("Day").fill(str(due.day))
    page.get_by_label("Month").fill(str(due.month))
    page.get_by_label("Year").fill(str(due.year))
    page.get_by_role("button", name="Assign the module").click()
    expect(page.get_by_text("Assigned to 1 person; 0 invited.")).to_be_visible()
    page.goto(f"/learning/manage/{module_pk}/assignments/")
    expect(page.locator("#assignments")).to_contain_text(learner.email)
    assert_accessible(page, "learning-assignments")
    page.goto("/learning/report/")
    assert_accessible(page, "learning-report")

    # The learner, on a phone.
    page.context.clear_cookies()
    sign_in_as(page, live_server, learner)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/learning/")
    assert_accessible(page, "learning-home-learner")
    page.get_by_role("link", name="Speaking up at Home Union").click()
    expect(page.locator("#module-due")).to_contain_text(f"{due.day} {due:%B %Y}")
    assert_accessible(page, "learning-module-overview")
    page.get_by_role("button", name="Start this module").click()
    expect(page.locator("h1")).to_have_text("Why it matters")
    expect(page.locator(".govuk-exit-this-page")).to_be_visible()
    assert_accessible(page, "learning-step-content")
    page.get_by_role("button", name="Mark as done and continue").click()
    expect(page.locator("h1")).to_have_text("Watch")
    expect(page.locator("video track")).to_have_count(1)
    assert_accessible(page, "learning-step-media")
    # The player can seek: our server answers a byte range with 206.
    ranged = page.evaluate(
        """async () => {
            const src = document.querySelector("video").getAttribute("src");
            const r = await fetch(src, {headers: {Range: "bytes=4-11"}});
            return [r.status, r.headers.get("Content-Range"), (await r.arrayBuffer()).byteLength];
        }"""
    )
    assert ranged == [206, f"bytes 4-11/{len(WEBM)}", 8]
    page.get_by_role("button", name="Mark as done and continue").click()
    expect(page.locator("h1")).to_have_text("What would you do?")
    assert_accessible(page, "learning-step-scenario")
    page.get_by_label("Reply calmly").check()
    page.get_by_role("button", name="See what happens").click()
    expect(page.locator("#scenario-feedback")).to_contain_text("That resets the norm.")
    assert_accessible(page, "learning-step-scenario-feedback")
    page.get_by_role("link", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Check")
    assert_accessible(page, "learning-step-check")
    page.locator("#id_q0_0").check()
    page.locator("#id_q1_0").check()
    page.get_by_role("button", name="Check my answers").click()
    expect(page.locator("#check-result")).to_contain_text("You scored 50%")
    assert_accessible(page, "learning-step-check-failed")
    page.locator("#id_q0_1").check()
    page.locator("#id_q1_0").check()
    page.get_by_role("button", name="Check my answers").click()
    expect(page.locator("#check-result")).to_contain_text("You passed")
    assert_accessible(page, "learning-step-check-passed")
    page.get_by_role("link", name="Continue").click()
    expect(page.locator("#private-notice")).to_contain_text("Only you can read your reflection")
    assert_accessible(page, "learning-step-reflection")
    page.get_by_label("Your reflection").fill("I will reply in the chat next time.")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#completed-panel")).to_contain_text("Module completed")
    assert_accessible(page, "learning-module-completed")
    page.get_by_role("link", name="Claim a digital badge (optional)").click()
    assert_accessible(page, "learning-badge-claim")
    page.get_by_label(re.compile("does not name the topic")).check()
    page.get_by_role("button", name="Claim my badge").click()
    expect(page.locator("#badge-issued")).to_be_visible()
    assert_accessible(page, "learning-badge-issued")

    # The coordinator removes the assignment, after a confirmation page (on a phone too).
    page.context.clear_cookies()
    sign_in_as(page, live_server, coordinator)
    page.goto(f"/learning/manage/{module_pk}/assignments/")
    page.get_by_role("link", name=f"Remove {learner.email}").click()
    expect(page.locator("#unassign-effects")).to_contain_text("the module stays theirs")
    assert_accessible(page, "learning-unassign")
    page.get_by_role("button", name="Remove the assignment").click()
    expect(page.get_by_text("is no longer assigned this module")).to_be_visible()

    enrolment = Enrolment.objects.get(module_id=module_pk, user=learner)
    assert enrolment.unassigned_at is not None  # kept: the learner had finished it
    assert enrolment.completed_at is not None and enrolment.credential_id is not None
    assert enrolment.department is not None and enrolment.department.name == "Branch office"
    assert b"I will reply" not in bytes(Reflection.objects.get(enrolment=enrolment).sealed)
