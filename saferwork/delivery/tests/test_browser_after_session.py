"""After the session, on a phone: attendance → links → 4 answers hide results, the 5th shows them → badge → revoked."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from saferwork.conftest import assert_accessible, current_code
from saferwork.tests import factories
from saferwork.training.tests import factories as tf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def sign_in_as(page: Any, live_server: Any, user: Any) -> None:
    """Sign in by cookie: a session verified with the user's second factor (the form is tested elsewhere)."""
    client = Client()
    factories.sign_in_verified(client, user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def answer_evaluation(page: Any, link: str, *, overall: int, free_text: str = "") -> None:
    page.goto(link)
    for name in ("overall", "relevance", "trainers"):
        page.locator(f'input[name="{name}"][value="{overall if name == "overall" else 4}"]').check()
    for name in ("recognising", "responding", "leading"):
        page.locator(f'input[name="{name}_before"][value="2"]').check()
        page.locator(f'input[name="{name}_after"][value="4"]').check()
    if free_text:
        page.get_by_label("What will you do differently after today?").fill(free_text)
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_url("**/evaluation/thanks/")


def test_trainer_marks_attendance_on_a_phone_and_attendees_evaluate_and_claim(
    page: Any, live_server: Any, programme_host: Any, programme_admin: Any, organisation: Any
) -> None:
    trainer = tf.trainer(programme_host, email="trainer@example.org")
    session = tf.session(tf.booking(organisation, [trainer]), days=0)
    positions = ["senior_leader", "line_manager", "line_manager", "staff", "staff", "rep"]
    for n, position in enumerate(positions):
        tf.participant(session, n, position=position)

    # The machine that runs this may be busy: give each step longer than the default.
    page.set_default_timeout(30_000)

    # The trainer marks attendance at the end of the day, on a phone.
    page.set_viewport_size(PHONE)
    sign_in_as(page, live_server, trainer.user)
    page.goto("/delivery/sessions/")
    assert_accessible(page, "delivery-sessions-phone")
    page.get_by_role("link", name=re.compile("Mark attendance")).click()
    page.wait_for_url(f"**/delivery/sessions/{session.pk}/attendance/")
    assert_accessible(page, "delivery-attendance-phone")
    page.get_by_role("button", name="Save attendance and send links").click()
    assert "Select whether Person 0 attended or was absent" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, "delivery-attendance-errors-phone")
    for n in range(6):
        choice = "Absent" if n == 5 else "Attended"
        page.get_by_role("group", name=f"Person {n}").get_by_label(choice, exact=True).check()
    # Nothing overflows sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="Save attendance and send links").click()
    page.wait_for_url(f"**/delivery/sessions/{session.pk}/evaluation/")
    assert "5 attended, 1 absent" in page.inner_text("main")
    assert "Results appear once at least 5 people have answered" in page.inner_text("main")
    assert_accessible(page, "delivery-results-waiting-phone")

    # Attendees (and only they) got their links.
    assert sorted(m.to[0] for m in mail.outbox) == [f"person{n}@example.org" for n in range(5)]
    bodies = {m.to[0]: m.body for m in mail.outbox}
    evaluation_links = [re.search(r"http\S+/evaluation/[\w-]+/", b).group(0) for b in bodies.values()]  # type: ignore[union-attr]
    claim_link = re.search(r"http\S+/badge/claim/[\w-]+/", bodies["person0@example.org"]).group(0)  # type: ignore[union-attr]
    evaluation_links = [link.replace(settings.SITE_URL, live_server.url) for link in evaluation_links]
    claim_link = claim_link.replace(settings.SITE_URL, live_server.url)

    # Four attendees answer, without an account: the results stay hidden.
    page.context.clear_cookies()
    page.goto(evaluation_links[0])
    assert "Please do not describe any incident" in page.inner_text("main")
    assert_accessible(page, "evaluation-form-phone")
    answer_evaluation(page, evaluation_links[0], overall=5, free_text="Put the policy on the team agenda")
    assert_accessible(page, "evaluation-thanks-phone")
    page.goto(evaluation_links[0])
    assert "This evaluation link cannot be used" in page.inner_text("main")
    for link in evaluation_links[1:4]:
        answer_evaluation(page, link, overall=4)
    sign_in_as(page, live_server, trainer.user)
    page.goto(f"/delivery/sessions/{session.pk}/evaluation/")
    assert "Results appear once at least 5 people have answered" in page.inner_text("main")
    assert "Put the policy on the team agenda" not in page.inner_text("main")

    # The fifth answer makes them appear, free text included for the trainer.
    page.context.clear_cookies()
    answer_evaluation(page, evaluation_links[4], overall=3)
    sign_in_as(page, live_server, trainer.user)
    page.goto(f"/delivery/sessions/{session.pk}/evaluation/")
    main = page.inner_text("main")
    assert "5 people answered" in main
    assert "4.0" in main  # (5 + 4 + 4 + 4 + 3) / 5
    assert "Put the policy on the team agenda" in main
    assert_accessible(page, "delivery-results-shown-phone")

    # One attendee claims a badge, naming the topic by their own choice.
    page.context.clear_cookies()
    page.goto(claim_link)
    assert_accessible(page, "badge-claim-phone")
    page.get_by_label(re.compile("names the topic")).check()
    page.get_by_role("button", name="Claim my badge").click()
    page.get_by_role("link", name="View and share your badge").click()
    page.wait_for_url("**/badges/*/")
    assert page.locator(".sw-badge-status__headline").inner_text() == "Valid"
    badge_url = page.url
    credential_id = badge_url.rstrip("/").rsplit("/", 1)[-1]

    # A programme admin revokes it; the public page says so.
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_as(page, live_server, programme_admin)
    page.goto("/programme/badges/")
    page.get_by_role("link", name=f"Revoke badge {credential_id[:8]}").click()
    page.wait_for_url("**/account/confirm/?next=*")
    page.get_by_label("Code").fill(current_code(programme_admin.totpdevice_set.get()))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(f"**/programme/badges/{credential_id}/revoke/")
    page.get_by_label("Why are you revoking this badge?").fill("Issued in error")
    page.get_by_label("I understand that revoking cannot be undone").check()
    page.get_by_role("button", name="Revoke badge").click()
    page.wait_for_url("**/programme/badges/")
    page.context.clear_cookies()
    page.goto(badge_url)
    assert page.locator(".sw-badge-status__headline").inner_text().startswith("Revoked on")

    # The programme sees the reach of it, counts only. Every organisation is listed, and a
    # long name without a break must scroll inside its table, not widen the phone's page.
    from saferwork.organisations.models import Organisation

    Organisation.objects.filter(pk=organisation.pk).update(name="Amalgamatedtransportandlogisticsworkersfederation")
    sign_in_as(page, live_server, programme_admin)
    page.goto("/programme/reach/")
    assert "Person 0" not in page.inner_text("main")
    assert_accessible(page, "reach-dashboard")
    page.set_viewport_size(PHONE)
    page.goto("/programme/reach/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page, "reach-dashboard-phone")
