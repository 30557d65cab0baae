"""The whole training journey in a real browser, from an anonymous enquiry to a session that moves a day."""

from __future__ import annotations

import datetime as dt
import re

import docx
import icalendar
import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from saferwork.conftest import assert_accessible, fill_date
from saferwork.tests import factories
from saferwork.training.models import Enquiry, Session
from saferwork.training.tests import factories as tf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_as(page, live_server, user):
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


def invites(address):
    found = []
    for message in mail.outbox:
        if message.to == [address]:
            for name, content, _mimetype in message.attachments:
                if name.endswith(".ics"):
                    found.append(icalendar.Calendar.from_ical(content))
    return found


def test_enquiry_to_a_session_that_moves_a_day(page, live_server, programme_admin, coordinator, programme_host):
    trainer = tf.trainer(
        programme_host, email="tasha@example.org", experience="experienced", sessions_delivered=10, regions=["London"]
    )
    trainer.user.full_name = "Tasha Trainer"
    trainer.user.save()
    preferred = dt.date.today() + dt.timedelta(days=40)

    # 1. An anonymous coordinator reads about the course and makes an enquiry.
    page.goto("/training/")
    assert_accessible(page, "training-01-course")
    page.get_by_role("link", name="Make an enquiry").first.click()
    page.wait_for_url("**/training/enquire/")
    assert_accessible(page, "training-02-enquire")
    page.get_by_label("Organisation name").fill("Home Union")
    page.check("#id_organisation_kind_0")
    page.get_by_label("Your name").fill("Casey Coordinator")
    page.get_by_label("Your role").fill("Equality officer")
    page.get_by_label("Your email address").fill(coordinator.email)
    page.get_by_label("Senior leader or official").check()
    page.get_by_label("Rep or activist").check()
    page.get_by_label("How many people in total?").fill("11")
    page.get_by_label("How many sessions?").fill("1")
    page.get_by_label("Region").select_option("London")
    page.check("#id_delivery_mode_1")  # in person
    fill_date(page, "id_preferred_date_1", preferred)
    page.check("#id_has_policy_0")
    page.check("#id_has_action_plan_1")
    page.check("#id_used_toolkit_1")
    page.get_by_role("button", name="Send enquiry").click()
    page.wait_for_url("**/training/enquire/sent/")
    assert_accessible(page, "training-03-check-email")
    link = re.search(r"https?://[^/]+(/training/enquire/verify/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(link)
    page.get_by_role("button", name="Confirm my email address").click()
    page.get_by_text("Enquiry confirmed").wait_for()
    assert_accessible(page, "training-04-verified")
    enquiry = Enquiry.objects.get()

    # 2. The programme admin triages it, matches a trainer and makes the introduction.
    sign_in_as(page, live_server, programme_admin)
    page.goto("/programme/enquiries/")
    assert_accessible(page, "training-05-board")
    page.get_by_role("link", name="Home Union").click()
    page.wait_for_url(f"**/programme/enquiries/{enquiry.pk}/")
    assert_accessible(page, "training-06-enquiry")
    page.get_by_label("Move to").select_option("conversation_held")
    page.get_by_role("button", name="Move").click()
    page.locator(".govuk-notification-banner").get_by_text("Moved to “Conversation held”").wait_for()
    page.get_by_label("Add a note").fill("Keen to start with the executive")
    page.get_by_role("button", name="Add note").click()
    page.get_by_role("link", name="Find trainers").click()
    page.wait_for_url(f"**/programme/enquiries/{enquiry.pk}/match/")
    assert_accessible(page, "training-07-match")
    assert "Free on 1 of 1 preferred dates" in page.content()
    page.get_by_label("Choose Tasha Trainer").check()
    page.get_by_role("button", name="Choose these trainers").click()
    page.wait_for_url(f"**/programme/enquiries/{enquiry.pk}/")
    # Sending builds the overview DOCX and sends the emails within the request. In one CI
    # run on PostgreSQL (two test workers, their browsers and the database on two cores)
    # "Introduction sent" had not appeared after the usual 10 s; alone the test passes.
    # So the click waits for the page it leads to, for up to 30 s.
    with page.expect_navigation(timeout=30_000):
        page.get_by_role("button", name="Send introduction").click()
    page.get_by_text("Introduction sent").wait_for()
    enquiry.refresh_from_db()
    assert enquiry.state == Enquiry.State.TRAINERS_INTRODUCED
    intro = [m for m in mail.outbox if m.subject.startswith("Introduction") and m.to == [coordinator.email]]
    assert intro and intro[0].attachments[0][0] == "training-overview.docx"

    # 3. The trainer offers a pre-meeting time.
    sign_in_as(page, live_server, trainer.user)
    page.goto(f"/training/bookings/{enquiry.pk}/")
    assert_accessible(page, "training-08-booking-trainer")
    page.get_by_role("link", name="Offer a pre-meeting time").click()
    fill_date(page, "id_date", dt.date.today() + dt.timedelta(days=7))
    page.get_by_label("Start").fill("14:00")
    page.get_by_label("End").fill("15:00")
    page.get_by_label("Where, or the meeting link").fill("Video call")
    page.get_by_role("button", name="Offer this time").click()
    page.get_by_text("Time offered").wait_for()
    page.get_by_label("Add a note").fill("They want focus on disclosures")
    page.get_by_role("button", name="Save note").click()
    page.get_by_text("They want focus on disclosures").wait_for()

    # 4. The coordinator books it, completes the checklist, names the point of contact.
    sign_in_as(page, live_server, coordinator)
    page.goto(f"/training/bookings/{enquiry.pk}/")
    assert "They want focus on disclosures" not in page.content()
    page.get_by_role("button", name=re.compile("^Book")).click()
    page.get_by_text("Pre-meeting booked. Everyone").wait_for()
    assert invites(coordinator.email), "the pre-meeting invite reached the coordinator"
    page.get_by_label("Timings and logistical arrangements agreed").check()
    page.get_by_label("Who the training is for").check()
    page.get_by_label("Where the organisation stands discussed").check()
    page.get_by_role("button", name="Save checklist").click()
    page.get_by_text("Checklist saved").wait_for()
    page.get_by_role("link", name="Name the point of contact").click()
    page.wait_for_url(f"**/training/bookings/{enquiry.pk}/contact/")
    assert_accessible(page, "training-09-contact")
    page.get_by_label("Name", exact=True).fill("Naomi Point")
    page.get_by_label("Role").fill("Welfare officer")
    page.get_by_label("Email address").fill("naomi@home-union.org")
    page.get_by_label("Phone number").fill("020 7946 0018")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Point of contact saved").wait_for()
    assert_accessible(page, "training-10-booking-ready")

    # 5. A full-day session, in person.
    page.get_by_role("link", name="Add a session").click()
    page.wait_for_url(f"**/training/bookings/{enquiry.pk}/sessions/new/")
    assert_accessible(page, "training-11-session-form")
    assert page.get_by_label("Start").input_value() == "10:00"
    assert page.get_by_label("End").input_value() == "16:00"
    fill_date(page, "id_date", preferred)
    page.check("#id_mode_1")
    page.get_by_label("Venue (in person)").fill("Union House, London")
    page.get_by_label("Access information (in person)").fill("Step-free entrance, hearing loop")
    page.get_by_role("button", name="Confirm session").click()
    page.get_by_text("Session confirmed").wait_for()
    session = Session.objects.get()

    # 6. Eleven participants from a CSV, including a senior leader and a rep.
    page.get_by_role("link", name="Upload a list (CSV)").click()
    rows = ["name,email,position,manager_email", "Sam Senior,sam@home.org,senior_leader,", "Ria Rep,ria@home.org,rep,"]
    rows += [f"Staff {n},staff{n}@home.org,staff," for n in range(9)]
    page.get_by_label("Upload a CSV file").set_input_files(
        files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": "\n".join(rows).encode()}]
    )
    page.get_by_role("button", name="Check the file").click()
    page.get_by_text("11 people, no problems found").wait_for()
    assert_accessible(page, "training-12-csv-preview")
    page.get_by_role("button", name="Import 11 people").click()
    page.get_by_text("11 participants imported").wait_for()
    assert page.locator("#capacity-warning").inner_text().count("11 people are booked") == 1
    power = page.locator("#power-warning").inner_text()
    assert "senior leaders" in power and "reps" in power
    assert_accessible(page, "training-13-session-warnings")

    # 7. The briefing, edited and downloaded.
    page.goto("/training/briefing/")
    assert_accessible(page, "training-14-briefing")
    page.get_by_label("Point of contact: name").fill("Naomi Point")
    page.get_by_label("Point of contact: role").fill("Welfare officer")
    page.get_by_label("Point of contact: email").fill("naomi@home-union.org")
    page.get_by_label("Point of contact: phone").fill("020 7946 0018")
    page.get_by_label("Employee Assistance Programme").fill("Call 0800 123 456, free and confidential")
    page.get_by_role("button", name="Save briefing").click()
    page.get_by_text("Briefing saved").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the briefing (Word document)").click()
    text = "\n".join(p.text for p in docx.Document(str(download.value.path())).paragraphs)
    assert "Naomi Point" in text and "0800 123 456" in text

    # 8. The session moves a day: the second invite has the same UID and a higher SEQUENCE.
    first = invites("sam@home.org")[-1]
    page.goto(f"/training/sessions/{session.pk}/")
    page.get_by_role("link", name="Change date or details").click()
    fill_date(page, "id_date", preferred + dt.timedelta(days=1))
    page.get_by_role("button", name="Save changes").click()
    page.get_by_text("Session saved").wait_for()
    second = invites("sam@home.org")[-1]
    first_event, second_event = next(iter(first.walk("VEVENT"))), next(iter(second.walk("VEVENT")))
    assert str(second_event["uid"]) == str(first_event["uid"])
    assert int(second_event["sequence"]) > int(first_event["sequence"])
    assert second_event.decoded("dtstart").date() == preferred + dt.timedelta(days=1)
    assert_accessible(page, "training-15-session-moved")

    # The programme sees the state, not the trainer's notes.
    sign_in_as(page, live_server, programme_admin)
    page.goto(f"/training/bookings/{enquiry.pk}/")
    assert "Sessions scheduled" in page.content()
    assert "They want focus on disclosures" not in page.content()
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"/training/sessions/{session.pk}/")
    assert_accessible(page, "training-16-session-phone")
