"""The recruitment journey in a real browser: apply with a saved draft, blind panel scoring,
a declared conflict, interview, appointment, two-factor sign-in, and the trainer pool."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_otp.oath import totp

from saferwork.conftest import assert_accessible, current_code, screenshot
from saferwork.recruitment.models import Application, InterviewSlot, Panellist
from saferwork.recruitment.tests.conftest import make_round
from saferwork.tests import factories
from saferwork.tests.browser import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TASK = (
    "Misogyny normalises the idea that women's boundaries matter less. Harassment grows where "
    "jokes go unchallenged, where the harasser is protected because he is valuable, and where "
    "people who report are treated as disloyal. Leaders must name it and act."
)


def _link(pattern: str) -> str:
    for message in reversed(mail.outbox):
        found = re.search(pattern, message.body)
        if found:
            return found.group(0)
    raise AssertionError(f"No email with {pattern}")


def _as(page, live_server, user) -> None:
    page.context.clear_cookies()
    sign_in_as(page, live_server, user)


def _score(page, value: str) -> None:
    for group in page.locator("main fieldset").all():
        if group.locator(f"input[value='{value}']").count():
            group.locator(f"input[value='{value}']").check()


def _sudo(page, user) -> None:
    if "/account/confirm/" in page.url:
        page.get_by_label("Code").fill(current_code(user.totpdevice_set.get()))
        page.get_by_role("button", name="Confirm").click()


def test_candidate_to_trainer(page, live_server, programme_host, programme_admin):
    round_ = make_round(programme_host, task_word_limit=120)
    Panellist.objects.create(round=round_, user=programme_admin, kind="staff")
    expert = factories.UserFactory(email="expert@example.net", full_name="Dr Ruth Expert")
    factories.add_totp(expert)
    Panellist.objects.create(round=round_, user=expert, kind="expert")
    conflicted = factories.UserFactory(email="conflicted@example.net", full_name="Sam Conflicted")
    factories.add_totp(conflicted)
    Panellist.objects.create(round=round_, user=conflicted, kind="expert")

    # A candidate starts, saves a draft, and comes back through the emailed link.
    page.goto("/training/become-a-trainer/")
    assert_accessible(page, "recruitment-01-apply")
    page.get_by_label("Full name").fill("Jo Candidate")
    page.get_by_label("Email address").fill("jo@example.net")
    page.get_by_label("Region").select_option("Wales")
    page.get_by_label("Union tutor").check()
    page.get_by_label("Your answer to the written task").fill("Misogyny normalises")
    page.get_by_role("button", name="Save and come back later").click()
    page.wait_for_url("**/become-a-trainer/saved/")
    assert_accessible(page, "recruitment-02-draft-saved")
    resume = _link(r"http://[^\s]+/training/become-a-trainer/resume/[^\s/]+/")
    page.context.clear_cookies()
    page.goto(live_server.url + "/training/" + resume.split("/training/", 1)[1])
    page.wait_for_url("**/training/become-a-trainer/")
    assert "carrying on with the draft" in page.inner_text("main")
    assert page.get_by_label("Full name").input_value() == "Jo Candidate"
    answer = page.get_by_label("Your answer to the written task")
    answer.fill(TASK)
    # GOV.UK Frontend's character count counts words as they are typed (the server enforces it).
    answer.press("End")  # a keystroke, as a person typing makes
    remaining = f"You have {120 - len(TASK.split())} words remaining"
    page.wait_for_function(
        "text => document.querySelector('.govuk-character-count__status')?.textContent.trim() === text", arg=remaining
    )
    page.get_by_label("Your unions and the roles you hold or have held").fill("Tutor, regional education centre")
    page.get_by_label("Your experience of training adults").fill("Twelve years tutoring reps' courses")
    page.get_by_label("Your experience of work on sexual harassment or related issues").fill("Led a branch survey")
    page.get_by_label("Your availability to deliver training").fill("Two days a month")
    page.get_by_label("Access needs and adjustments for the interview").fill("Captions on video calls")
    page.get_by_label("I agree that the programme may use").check()
    assert_accessible(page, "recruitment-03-apply-resumed")
    page.get_by_role("button", name="Submit application").click()
    page.wait_for_url("**/become-a-trainer/submitted/")
    assert_accessible(page, "recruitment-04-submitted")
    application = Application.objects.get(email="jo@example.net")
    assert application.status == "submitted" and application.interview_adjustments == "Captions on video calls"
    detail = f"/programme/recruitment/{round_.pk}/applications/{application.pk}/"

    # First panellist (programme staff) scores.
    _as(page, live_server, programme_admin)
    page.goto(f"/programme/recruitment/{round_.pk}/applications/")
    assert_accessible(page, "recruitment-05-shortlisting-list")
    page.get_by_role("link", name=application.reference).click()
    _score(page, "4")
    page.get_by_label("Notes for the moderation discussion").fill("Outstanding grasp of enabling cultures")
    assert_accessible(page, "recruitment-06-score-form")
    page.get_by_role("button", name="Submit my scores").click()
    assert "Your scores are saved" in page.inner_text("main")

    # The second panellist cannot see the first's score until they submit their own.
    _as(page, live_server, expert)
    page.goto(detail)
    main = page.inner_text("main")
    assert "1 panellist has scored this application" in main
    assert "4.00" not in main and "Outstanding grasp" not in main
    assert_accessible(page, "recruitment-07-blind-before-scoring")
    _score(page, "2")
    page.get_by_role("button", name="Submit my scores").click()
    main = page.inner_text("main")
    assert "4.00" in main and "2.00" in main and "Outstanding grasp" in main
    assert "Wide disagreement" in main
    assert_accessible(page, "recruitment-08-scores-after-submitting")

    # A declared conflict blocks scoring.
    _as(page, live_server, conflicted)
    page.goto(detail)
    page.get_by_text("Declare a conflict of interest").click()
    page.get_by_label("Why you cannot score this application fairly").fill("Jo is in my branch")
    page.get_by_role("button", name="Declare conflict").click()
    main = page.inner_text("main")
    assert "You declared a conflict of interest" in main
    assert page.get_by_role("button", name="Submit my scores").count() == 0
    assert "4.00" not in main
    assert_accessible(page, "recruitment-09-conflict-declared")

    # The programme admin shortlists, adds slots and invites to interview.
    _as(page, live_server, programme_admin)
    page.goto(f"/programme/recruitment/{round_.pk}/applications/")
    page.get_by_label(f"Select {application.reference}").check()
    page.get_by_label("What to do with them").select_option("shortlist")
    page.get_by_role("button", name="Continue").click()
    _sudo(page, programme_admin)
    assert_accessible(page, "recruitment-10-bulk-confirm")
    page.get_by_role("button", name="Confirm: shortlist").click()
    assert "Shortlist: 1 application updated" in page.inner_text("main")
    start = timezone.localtime(timezone.now() + timedelta(days=14)).replace(hour=10, minute=0)
    page.goto(f"/programme/recruitment/{round_.pk}/slots/")
    page.get_by_label("First interview starts").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Number of slots").fill("3")
    page.get_by_label("Where, or the meeting link").fill("Online: the link follows by email")
    page.get_by_role("button", name="Add slots").click()
    assert_accessible(page, "recruitment-11-slots")
    assert InterviewSlot.objects.filter(round=round_).count() == 3
    page.goto(f"/programme/recruitment/{round_.pk}/applications/")
    page.get_by_label(f"Select {application.reference}").check()
    page.get_by_label("What to do with them").select_option("invite")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Confirm: invite to interview").click()
    invite = mail.outbox[-1]
    assert invite.to == ["jo@example.net"] and invite.attachments[0][0] == "interview.ics"
    assert "Captions on video calls" in invite.body  # the adjustment asked for is acknowledged

    # Interview: adjustments honoured, scored with the interview rubric, decided with feedback.
    page.goto(f"/programme/recruitment/{round_.pk}/interviews/")
    assert_accessible(page, "recruitment-12-interviews")
    page.get_by_role("link", name=application.reference).click()
    page.get_by_label("Adjustments we have arranged").fill("Live captions booked")
    page.get_by_role("button", name="Save adjustments and update the invite").click()
    ics = mail.outbox[-1].attachments[0][1]
    ics = ics.decode() if isinstance(ics, bytes) else ics
    assert "Live captions booked" in ics.replace("\r\n ", "")
    _score(page, "3")
    page.get_by_role("button", name="Submit my scores").click()
    page.get_by_label("Successful", exact=True).check()
    page.get_by_label("Feedback to the candidate").fill("A thoughtful, well-grounded interview.")
    assert_accessible(page, "recruitment-13-interview-decision")
    page.get_by_role("button", name="Record decision").click()
    assert "Decision recorded" in page.inner_text("main")
    page.goto(f"/programme/recruitment/{round_.pk}/outcomes/")
    assert_accessible(page, "recruitment-14-outcomes")
    page.get_by_role("button", name="Send 1 outcome email").click()
    _sudo(page, programme_admin)
    if page.get_by_role("button", name="Send 1 outcome email").count():
        page.get_by_role("button", name="Send 1 outcome email").click()
    # Emails cannot be unsent: a confirmation says who will be told what.
    page.get_by_role("heading", name="Send 1 outcome email?").wait_for()
    assert "Successful" in page.inner_text("main")
    assert_accessible(page, "recruitment-14b-confirm-outcomes")
    page.get_by_role("button", name="Yes, send 1 email").click()
    assert "Outcome emails sent: 1" in page.inner_text("main")
    round_.refresh_from_db()
    assert round_.cohort_number == 1

    # The candidate creates an account, must set up two-factor sign-in, and accepts the agreement.
    invitation = _link(r"http://[^\s]+/invitations/[^\s/]+/")
    page.context.clear_cookies()
    page.goto(live_server.url + "/invitations/" + invitation.split("/invitations/")[1])
    page.get_by_label("Create a password").fill("a long and unusual passphrase 42")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/account/two-factor/setup/")
    secret = page.locator("#totp-secret").inner_text()
    key = base64.b32decode("".join(secret.split()))
    page.get_by_label("Code").fill(f"{totp(key, step=30, t0=0, digits=6):06d}")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    page.get_by_role("link", name="I have saved my codes – continue").click()
    page.wait_for_url("**/dashboard/")
    page.get_by_role("link", name="Accept your trainer agreement").click()
    page.wait_for_url("**/training/agreement/")
    assert_accessible(page, "recruitment-15-agreement")
    page.get_by_label("I accept the trainer agreement").check()
    page.get_by_role("button", name="Accept and join the trainer pool").click()
    assert "Welcome to cohort 1" in page.inner_text("main")

    # Signing in again takes a password and an authenticator code.
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.goto("/account/sign-in/")
    page.get_by_label("Email address").fill("jo@example.net")
    page.get_by_label("Password").fill("a long and unusual passphrase 42")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/account/sign-in/code/")
    # The next step's code: the current one was spent on enrolment (one step of drift is allowed).
    page.get_by_label("Code").fill(f"{totp(key, step=30, t0=0, digits=6, drift=1):06d}")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")
    assert "Trainer" in page.inner_text("main")

    # The new trainer is in the programme's trainer pool.
    _as(page, live_server, programme_admin)
    page.goto("/programme/trainers/")
    assert "Jo Candidate" in page.inner_text("main")
    assert_accessible(page, "recruitment-16-trainer-pool")
    screenshot(page, "recruitment-16-trainer-pool")


def test_setup_pages_are_accessible(page, live_server, programme_host, programme_admin):
    from saferwork.recruitment.tests.conftest import make_application

    round_ = make_round(programme_host)
    for n in range(12):
        make_application(round_, n)
    _as(page, live_server, programme_admin)
    page.goto("/dashboard/")
    page.get_by_role("link", name="Recruitment rounds").click()
    page.wait_for_url("**/programme/recruitment/")
    assert_accessible(page, "recruitment-20-rounds")
    page.get_by_role("link", name="Start a recruitment round").click()
    page.get_by_role("button", name="Save round").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page, "recruitment-21-round-form-errors")
    page.goto(f"/programme/recruitment/{round_.pk}/")
    assert_accessible(page, "recruitment-22-round-overview")
    page.get_by_role("link", name="Add a criterion").click()
    page.wait_for_url("**/criteria/add/")
    assert_accessible(page, "recruitment-23-criterion-form")
    page.goto(f"/programme/recruitment/{round_.pk}/panel/")
    page.get_by_label("Full name").fill("Dr Helen Independent")
    page.get_by_label("Email address").fill("helen@example.org")
    page.get_by_role("button", name="Invite expert").click()
    assert "helen@example.org has been invited" in page.inner_text("main")
    assert_accessible(page, "recruitment-24-panel")
    page.goto(f"/programme/recruitment/{round_.pk}/report/")
    assert "hidden" in page.inner_text("main")
    assert_accessible(page, "recruitment-25-counts")
    page.goto("/recruitment/panels/")
    assert_accessible(page, "recruitment-26-panels")
    page.context.clear_cookies()
    page.goto("/training/become-a-trainer/resume/")
    assert_accessible(page, "recruitment-27-resume-request")
    page.get_by_label("Email address").fill("nobody@example.org")
    page.get_by_role("button", name="Send me a link").click()
    assert "Check your email" in page.inner_text("main")
