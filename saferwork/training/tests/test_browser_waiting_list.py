"""Someone put on a full session's waiting list is told so by email, and told again when a place opens."""

from __future__ import annotations

import pytest
from django.core import mail

from saferwork.conftest import assert_accessible
from saferwork.tests.browser import sign_in_as
from saferwork.training import services
from saferwork.training.models import Participant
from saferwork.training.tests import factories as tf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _to(address):
    return [m for m in mail.outbox if m.to == [address]]


def test_waiting_list_email_on_registration_and_csv_then_place_offered_on_promotion(
    page, live_server, coordinator, programme_host
):
    trainer = tf.trainer(programme_host, email="trainer@example.org")
    session = tf.session(tf.booking(coordinator.memberships.get().organisation, [trainer]), capacity=2)
    first, _second = tf.participant(session, 1), tf.participant(session, 2)

    # A person registers through the shared link on a full session.
    page.goto(f"/training/register/{session.registration_token}/")
    page.get_by_label("Full name").fill("Wren Waiting")
    page.get_by_label("Email address").first.fill("wren@example.org")
    page.get_by_label("Staff", exact=True).check()
    page.get_by_role("button", name="Register").click()
    page.get_by_role("heading", name="You are on the waiting list").wait_for()
    assert "We have emailed you to say so" in page.locator("main").inner_text()
    assert_accessible(page, "waiting-list-registered")

    (email,) = _to("wren@example.org")
    assert "waiting list" in email.subject
    assert "You are number 1 on the list" in email.body
    assert "we will email you straight away" in email.body
    assert "tell Pat Point" in email.body and "point@example.org" in email.body  # how to come off the list

    # The coordinator's CSV adds one more: they are number 2, and hear so too.
    mail.outbox.clear()
    sign_in_as(page, live_server, coordinator)
    page.goto(f"/training/sessions/{session.pk}/participants/upload/")
    page.get_by_label("Upload a CSV file").set_input_files(
        files=[
            {
                "name": "people.csv",
                "mimeType": "text/csv",
                "buffer": b"name,email,position\nXan Extra,xan@example.org,Staff\n",
            }
        ]
    )
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("button", name="Import 1 person").click()
    page.wait_for_url(f"**/training/sessions/{session.pk}/")
    # Withdraw and Remove (waiting list) must be visible buttons (they were white on white).
    assert page.get_by_role("button", name="Remove Xan Extra from the waiting list").count() == 1
    assert page.get_by_role("button", name=f"Withdraw {first.name}").count() == 1
    assert_accessible(page, "waiting-list-session-page")
    (email,) = _to("xan@example.org")
    assert "You are number 2 on the list" in email.body

    # A place opens: the first on the list gets it, with an email that says so and the invite.
    mail.outbox.clear()
    services.withdraw_participant(participant=first, actor=None)
    assert Participant.objects.get(email="wren@example.org").status == Participant.Status.CONFIRMED
    (email,) = _to("wren@example.org")
    assert email.subject.startswith("A place has opened for you")
    assert "you were on the waiting list" in email.body
    assert any(name.endswith(".ics") for name, _content, _mime in email.attachments)
    assert not _to("xan@example.org")  # still waiting, nothing new to say
