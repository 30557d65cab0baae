"""Pre-meeting, sessions, participants, calendar invites, briefing and reminders."""

from __future__ import annotations

import datetime as dt
import io
import re

import docx
import icalendar
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from saferwork.tests import factories
from saferwork.training import selectors, services
from saferwork.training.models import Enquiry, Participant, PreMeetingSlot, Session, TrainerAvailability
from saferwork.training.tests import factories as tf

pytestmark = pytest.mark.django_db


def _ics(message):
    for name, content, _mimetype in message.attachments:
        if name.endswith(".ics"):
            return icalendar.Calendar.from_ical(content)
    raise AssertionError("no calendar attachment")


def _event(cal):
    return next(iter(cal.walk("VEVENT")))


def details(booking, **overrides):
    values = {
        "date": dt.date.today() + dt.timedelta(days=45),
        "start_time": dt.time(10),
        "end_time": dt.time(16),
        "mode": "in_person",
        "trainers": [a.trainer for a in booking.assignments.all()],
        "venue": "Union House",
        "access_info": "Step-free",
    }
    values.update(overrides)
    return services.SessionDetails(**values)


# ---------------------------------------------------------------- pre-meeting


def test_organisation_books_an_offered_slot_and_everyone_gets_an_invite(
    client, coordinator, trainer, organisation, django_capture_on_commit_callbacks
):
    booking = tf.booking(organisation, [trainer], ready=False)
    factories.sign_in_verified(client, trainer.user)
    day = dt.date.today() + dt.timedelta(days=5)
    client.post(
        reverse("training:offer_slot", args=[booking.pk]),
        {"date": day.isoformat(), "start": "14:00", "end": "15:00", "where": "Video call"},
    )
    slot = PreMeetingSlot.objects.get()
    assert slot.starts_at.astimezone(timezone.get_default_timezone()).hour == 14
    client.logout()

    factories.sign_in_verified(client, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("training:book_slot", args=[booking.pk, slot.pk]))
    booking.refresh_from_db()
    assert booking.state == Enquiry.State.PRE_MEETING_BOOKED
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["contact@example.org", "trainer@example.org"]
    event = _event(_ics(mail.outbox[0]))
    assert str(event["uid"]) == slot.ics_uid
    # A second slot cannot be booked.
    other = PreMeetingSlot.objects.create(
        enquiry=booking, offered_by=trainer, starts_at=slot.starts_at, ends_at=slot.ends_at
    )
    client.post(reverse("training:book_slot", args=[booking.pk, other.pk]))
    assert PreMeetingSlot.objects.filter(booked_at__isnull=False).count() == 1


def test_only_the_trainer_offers_and_only_the_coordinator_books(client, coordinator, trainer, booking):
    factories.sign_in_verified(client, coordinator)
    assert client.get(reverse("training:offer_slot", args=[booking.pk])).status_code == 403
    client.logout()
    slot = PreMeetingSlot.objects.create(
        enquiry=booking, offered_by=trainer, starts_at=timezone.now(), ends_at=timezone.now() + dt.timedelta(hours=1)
    )
    factories.sign_in_verified(client, trainer.user)
    assert client.post(reverse("training:book_slot", args=[booking.pk, slot.pk])).status_code == 403


def test_checklist_and_contact_unlock_sessions(client, coordinator, trainer, organisation):
    booking = tf.booking(organisation, [trainer], ready=False)
    factories.sign_in_verified(client, coordinator)
    html = client.get(reverse("training:booking", args=[booking.pk])).content.decode()
    assert "Sessions can be confirmed once the checklist is complete" in html
    with pytest.raises(ValidationError) as refused:
        services.schedule_session(enquiry=booking, details=details(booking), actor=coordinator)
    assert "checklist" in str(refused.value) and "point of contact" in str(refused.value)

    yesterday = timezone.now() - dt.timedelta(days=1)
    PreMeetingSlot.objects.create(
        enquiry=booking,
        offered_by=trainer,
        starts_at=yesterday,
        ends_at=yesterday + dt.timedelta(hours=1),
        booked_at=yesterday - dt.timedelta(days=7),
    )
    client.post(
        reverse("training:checklist", args=[booking.pk]), {"logistics": "on", "audience": "on", "standing": "on"}
    )
    booking.refresh_from_db()
    assert booking.state == Enquiry.State.PRE_MEETING_HELD and not booking.ready_for_sessions
    response = client.post(
        reverse("training:contact_point", args=[booking.pk]), {"name": "Jo", "role": "Officer", "email": "jo@x.org"}
    )
    assert "Enter" in response.content.decode() or "required" in response.content.decode()
    client.post(
        reverse("training:contact_point", args=[booking.pk]),
        {"name": "Jo", "role": "Officer", "email": "jo@x.org", "phone": "020 7946 0123"},
    )
    booking.refresh_from_db()
    assert booking.ready_for_sessions
    assert "Add a session" in client.get(reverse("training:booking", args=[booking.pk])).content.decode()


# ---------------------------------------------------------------- sessions


def test_session_defaults_to_a_full_day_and_sends_invites(
    client, coordinator, booking, django_capture_on_commit_callbacks
):
    factories.sign_in_verified(client, coordinator)
    form = client.get(reverse("training:session_new", args=[booking.pk])).content.decode()
    assert 'value="10:00"' in form and 'value="16:00"' in form
    day = dt.date.today() + dt.timedelta(days=50)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("training:session_new", args=[booking.pk]),
            {
                "date": day.isoformat(),
                "start_time": "10:00",
                "end_time": "16:00",
                "mode": "in_person",
                "trainers": [a.trainer_id for a in booking.assignments.all()],
                "venue": "Union House",
                "access_info": "Lift to all floors",
                "capacity": "12",
            },
        )
    session = Session.objects.get()
    assert response.status_code == 302
    assert booking.__class__.objects.get(pk=booking.pk).state == Enquiry.State.SESSIONS_SCHEDULED
    assert {m.to[0] for m in mail.outbox} >= {"trainer@example.org", "point@example.org"}
    event = _event(_ics(mail.outbox[0]))
    assert str(event["uid"]) == session.ics_uid and int(event["sequence"]) == 0
    assert event.decoded("dtstart") == dt.datetime(day.year, day.month, day.day, 10, tzinfo=session.starts_at().tzinfo)


def test_online_session_needs_a_link_and_a_second_tutor_or_tech_helper(coordinator, booking):
    with pytest.raises(ValidationError) as refused:
        services.schedule_session(enquiry=booking, details=details(booking, mode="online", venue=""), actor=coordinator)
    errors = refused.value.error_dict
    assert "meeting_link" in errors and "tech_helper_name" in errors
    session = services.schedule_session(
        enquiry=booking,
        details=details(booking, mode="online", meeting_link="https://meet.example.org/x", tech_helper_name="Sam"),
        actor=coordinator,
    )
    assert session.mode == "online"


def test_online_session_with_two_trainers_needs_no_tech_helper(coordinator, organisation, trainer, other_trainer):
    booking = tf.booking(organisation, [trainer, other_trainer])
    session = services.schedule_session(
        enquiry=booking,
        details=details(booking, mode="online", meeting_link="https://meet.example.org/x"),
        actor=coordinator,
    )
    assert session.trainers.count() == 2


def test_in_person_session_needs_venue_and_access_information(coordinator, booking):
    with pytest.raises(ValidationError) as refused:
        services.schedule_session(
            enquiry=booking, details=details(booking, venue="", access_info=""), actor=coordinator
        )
    assert {"venue", "access_info"} <= set(refused.value.error_dict)


def test_more_than_twelve_places_is_refused_unless_an_admin_overrides(client, coordinator, programme_admin, session):
    booking = session.enquiry
    with pytest.raises(ValidationError):
        services.schedule_session(enquiry=booking, details=details(booking, capacity=13), actor=coordinator)
    factories.sign_in_verified(client, coordinator)
    assert (
        client.post(
            reverse("training:session_capacity", args=[session.pk]), {"capacity": 14, "reason": "x"}
        ).status_code
        == 403
    )
    client.logout()
    factories.sign_in_verified(client, programme_admin)
    client.post(reverse("training:session_capacity", args=[session.pk]), {"capacity": 14, "reason": ""})
    session.refresh_from_db()
    assert session.capacity == 12
    client.post(reverse("training:session_capacity", args=[session.pk]), {"capacity": 14, "reason": "Two observers"})
    session.refresh_from_db()
    assert session.capacity == 14 and session.capacity_override_reason == "Two observers"


def test_a_trainer_cannot_be_booked_twice_on_one_day(coordinator, trainer, organisation, other_organisation, session):
    other_booking = tf.booking(other_organisation, [trainer])
    with pytest.raises(ValidationError) as refused:
        services.schedule_session(
            enquiry=other_booking, details=details(other_booking, date=session.date), actor=coordinator
        )
    assert "already booked" in str(refused.value)


def test_a_trainer_cannot_be_booked_on_a_day_they_are_not_available(coordinator, trainer, booking):
    day = dt.date.today() + dt.timedelta(days=45)
    TrainerAvailability.objects.create(trainer=trainer, date=day, available=False)
    with pytest.raises(ValidationError) as refused:
        services.schedule_session(enquiry=booking, details=details(booking, date=day), actor=coordinator)
    assert "not available" in str(refused.value)


def test_moving_a_session_resends_the_same_uid_with_a_higher_sequence(
    client, coordinator, session, django_capture_on_commit_callbacks
):
    tf.participant(session, 1)
    factories.sign_in_verified(client, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_session(session=session, details=details(session.enquiry, date=session.date), actor=coordinator)
    first = _event(_ics(mail.outbox[-1]))
    mail.outbox.clear()
    new_day = session.date + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("training:session_edit", args=[session.pk]),
            {
                "date": new_day.isoformat(),
                "start_time": "10:00",
                "end_time": "16:00",
                "mode": "in_person",
                "trainers": [t.pk for t in session.trainers.all()],
                "venue": "Union House",
                "access_info": "Step-free",
                "capacity": "12",
            },
        )
    assert "person1@example.org" in {m.to[0] for m in mail.outbox}
    second = _event(_ics(mail.outbox[0]))
    assert str(second["uid"]) == str(first["uid"])
    assert int(second["sequence"]) > int(first["sequence"])
    assert second.decoded("dtstart").date() == new_day


def test_cancelling_sends_method_cancel(client, coordinator, session, django_capture_on_commit_callbacks):
    tf.participant(session, 1)
    factories.sign_in_verified(client, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("training:session_cancel", args=[session.pk]))
    cal = _ics(mail.outbox[0])
    assert str(cal["method"]) == "CANCEL"
    event = _event(cal)
    assert str(event["uid"]) == session.ics_uid and int(event["sequence"]) == 1
    assert str(event["status"]) == "CANCELLED"


# ---------------------------------------------------------------- participants


def test_above_ten_warns_and_full_sessions_use_a_waiting_list_that_promotes(
    client, coordinator, session, django_capture_on_commit_callbacks
):
    factories.sign_in_verified(client, coordinator)
    url = reverse("training:participant_add", args=[session.pk])
    for n in range(13):
        client.post(url, {"name": f"P {n}", "email": f"p{n}@x.org", "position": "staff"})
    statuses = list(session.participants.order_by("added_at", "id").values_list("status", flat=True))
    assert statuses.count("confirmed") == 12 and statuses[-1] == "waiting"
    html = client.get(reverse("training:session", args=[session.pk])).content.decode()
    assert "12 people are booked. We recommend at most 10" in html
    assert "Waiting list" in html

    first = session.participants.get(email="p0@x.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("training:participant_withdraw", args=[session.pk, first.pk]))
    promoted = session.participants.get(email="p12@x.org")
    assert promoted.status == Participant.Status.CONFIRMED
    offered = [m for m in mail.outbox if m.to == ["p12@x.org"]]
    assert offered and "A place has opened for you" in offered[0].subject
    left = [m for m in mail.outbox if m.to == ["p0@x.org"]]
    assert str(_ics(left[0])["method"]) == "CANCEL"


def test_eleven_people_show_the_warning_ten_do_not(client, coordinator, session):
    for n in range(10):
        tf.participant(session, n)
    factories.sign_in_verified(client, coordinator)
    assert "We recommend at most 10" not in client.get(reverse("training:session", args=[session.pk])).content.decode()
    tf.participant(session, 10)
    assert "11 people are booked" in client.get(reverse("training:session", args=[session.pk])).content.decode()


def test_power_dynamics_warning_for_coordinator_and_trainer_never_participants(client, coordinator, trainer, session):
    boss = tf.participant(session, 1, position="senior_leader")
    tf.participant(session, 2, position="rep")
    manager = tf.participant(session, 3, position="line_manager")
    tf.participant(session, 4, position="staff", managed_by=manager)
    warnings = selectors.power_dynamics_warnings(selectors.session_participants(session))
    assert len(warnings) == 2
    assert "senior leaders" in warnings[0] and "Person 3 line manages Person 4" in warnings[1]
    for user in (coordinator, trainer.user):
        factories.sign_in_verified(client, user)
        html = client.get(reverse("training:session", args=[session.pk])).content.decode()
        assert "Power dynamics" in html and "Person 3 line manages Person 4" in html
        client.logout()
    public = client.get(reverse("training:register", args=[session.registration_token])).content.decode()
    assert "Power dynamics" not in public and "line manages" not in public
    assert boss.status == "confirmed"


def test_peer_group_has_no_warning(session):
    tf.participant(session, 1, position="rep")
    tf.participant(session, 2, position="rep")
    assert selectors.power_dynamics_warnings(selectors.session_participants(session)) == []


def test_registration_link_adds_a_participant_with_manager(client, session, django_capture_on_commit_callbacks):
    tf.participant(session, 1, position="line_manager")
    url = reverse("training:register", args=[session.registration_token])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"name": "Rae", "email": "rae@x.org", "position": "staff", "manager_email": "person1@example.org"}
        )
    assert "You have a place" in response.content.decode()
    rae = session.participants.get(email="rae@x.org")
    assert rae.managed_by.email == "person1@example.org"
    assert mail.outbox[0].to == ["rae@x.org"]
    session.status = "cancelled"
    session.save()
    assert client.get(url).status_code == 404


# ---------------------------------------------------------------- CSV


def _upload(client, session, text, name="people.csv"):
    return client.post(
        reverse("training:participant_upload", args=[session.pk]),
        {"file": SimpleUploadedFile(name, text.encode(), content_type="text/csv")},
    )


def test_csv_lists_every_bad_row_by_line_and_imports_nothing(client, coordinator, session):
    factories.sign_in_verified(client, coordinator)
    text = (
        "name,email,position,manager_email\n"
        "Ada,ada@x.org,staff,\n"
        ",nobody@x.org,staff,\n"
        "Bo,not-an-email,rep,\n"
        "Cy,cy@x.org,chief,\n"
        "Di,ada@x.org,staff,\n"
        "Ed,ed@x.org,staff,ghost@x.org\n"
    )
    html = _upload(client, session, text).content.decode()
    for line in [
        "Line 3, column “name”: The name is missing",
        "Line 4, column “email”:",
        "Line 5, column “position”: “chief” is not a position",
        "Line 6, column “email”: The email address ada@x.org appears more than once",
        "Line 7, column “manager_email”: The manager ghost@x.org",
    ]:
        assert line in html, line
    assert "Line 2" not in html
    assert "nothing was imported" in html
    assert not session.participants.exists()


def test_clean_csv_is_previewed_then_imported_with_managers(client, coordinator, session):
    factories.sign_in_verified(client, coordinator)
    text = "Name,Email,Position,Manager_email\nAda,ada@x.org,Line manager,\nBo,bo@x.org,staff,ada@x.org\n"
    html = _upload(client, session, text).content.decode()
    assert "2 people, no problems found" in html
    assert not session.participants.exists()
    client.post(reverse("training:participant_upload", args=[session.pk]), {"confirm": "1"})
    assert session.participants.get(email="bo@x.org").managed_by.email == "ada@x.org"
    assert session.participants.get(email="ada@x.org").position == "line_manager"


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("Ada\x00Lovelace,ada@x.org,staff", "The name contains a character that cannot be stored (a NUL byte)"),
        (f"{'A' * 300},ada@x.org,staff", "The name is longer than 200 characters"),
        (f"Ada,{'a' * 60}.{'b' * 60}@{'c' * 60}.{'d' * 60}.example.org,staff", "The email address is longer than 254"),
        (
            "Ada,ada@x.org,staff,bo\x00@x.org",
            "The manager&#x27;s email address contains a character that cannot be stored",
        ),
    ],
)
def test_csv_check_applies_the_database_limits_so_a_checked_file_always_imports(
    client, coordinator, session, row, problem
):
    factories.sign_in_verified(client, coordinator)
    html = _upload(client, session, f"name,email,position,manager_email\n{row}\n").content.decode()
    assert re.search(rf"Line 2, column “[a-z_]+”: {re.escape(problem)}", html), html
    assert "no problems found" not in html
    response = client.post(reverse("training:participant_upload", args=[session.pk]), {"confirm": "1"}, follow=True)
    assert response.status_code == 200
    assert not session.participants.exists()


def test_csv_takes_positions_as_people_read_them_in_any_case_and_spacing(client, coordinator, session):
    factories.sign_in_verified(client, coordinator)
    text = (
        "name,email,position\n"
        "Ada,ada@x.org,  senior LEADER or   official \n"
        "Bo,bo@x.org,REP OR ACTIVIST\n"
        "Cy,cy@x.org,Line_Manager\n"
    )
    html = _upload(client, session, text).content.decode()
    assert "3 people, no problems found" in html
    assert "Senior leader or official" in html and "Rep or activist" in html  # the preview shows labels
    client.post(reverse("training:participant_upload", args=[session.pk]), {"confirm": "1"})
    assert dict(session.participants.values_list("email", "position")) == {
        "ada@x.org": "senior_leader",
        "bo@x.org": "rep",
        "cy@x.org": "line_manager",
    }


def test_template_csv_has_the_importers_columns_and_an_example_that_imports(client, coordinator, session):
    from saferwork.training.csv_import import COLUMNS

    factories.sign_in_verified(client, coordinator)
    upload_page = client.get(reverse("training:participant_upload", args=[session.pk])).content.decode()
    url = reverse("training:participant_template", args=[session.pk])
    assert url in upload_page
    response = client.get(url)
    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == 2
    assert lines[0].split(",") == [c.name for c in COLUMNS]
    html = _upload(client, session, "\n".join(lines) + "\n").content.decode()
    assert "1 person, no problems found" in html


def test_outsider_cannot_download_a_sessions_template(client, outsider, session):
    factories.sign_in_verified(client, outsider)
    assert client.get(reverse("training:participant_template", args=[session.pk])).status_code == 404


def test_csv_that_is_not_utf8_is_refused(client, coordinator, session):
    factories.sign_in_verified(client, coordinator)
    response = client.post(
        reverse("training:participant_upload", args=[session.pk]),
        {"file": SimpleUploadedFile("p.csv", "name,email,position\nZoë,z@x.org,staff\n".encode("latin-1"))},
    )
    assert "not UTF-8" in response.content.decode()


# ---------------------------------------------------------------- briefing


BRIEFING = {
    "contact_name": "Naomi Contact",
    "contact_role": "Welfare officer",
    "contact_email": "naomi@union.org",
    "contact_phone": "020 7946 0018",
    "eap": "Call 0800 000 000, any time",
    "policy_url": "https://union.example.org/policy",
    "reporting_url": "https://union.example.org/report",
    "introduction": "Welcome",
    "about_the_day": "The day",
    "not_a_reporting_space": "Not for reports",
    "support_before": "Before",
    "support_after": "After",
}


def test_briefing_starts_from_the_programme_template(client, programme_admin, coordinator):
    factories.sign_in_verified(client, programme_admin)
    data = {
        k: f"Programme {k}"
        for k in ["introduction", "about_the_day", "not_a_reporting_space", "support_before", "support_after"]
    }
    client.post(reverse("training:briefing_template"), data)
    client.logout()
    factories.sign_in_verified(client, coordinator)
    assert "Programme introduction" in client.get(reverse("training:briefing")).content.decode()


def test_briefing_is_edited_downloaded_and_emailed(client, coordinator, session, django_capture_on_commit_callbacks):
    tf.participant(session, 1)
    factories.sign_in_verified(client, coordinator)
    client.post(reverse("training:session_send_briefing", args=[session.pk]))
    assert not mail.outbox  # nothing to send before the briefing is saved
    assert client.post(reverse("training:briefing"), BRIEFING).status_code == 302
    response = client.get(reverse("training:briefing_download"))
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert "Naomi Contact" in text and "020 7946 0018" in text and "0800 000 000" in text
    assert "https://union.example.org/report" in text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("training:session_send_briefing", args=[session.pk]))
    assert mail.outbox[0].to == ["person1@example.org"]
    name, content, _ = mail.outbox[0].attachments[0]
    attached = "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)
    assert "Naomi Contact" in attached and session.date.strftime("%-d %B %Y") in attached


# ---------------------------------------------------------------- reminders


def test_reminders_go_seven_days_and_one_day_before_once_each(trainer, booking, django_capture_on_commit_callbacks):
    in_seven = tf.session(booking, days=7)
    tf.participant(in_seven, 1)
    in_one = tf.session(booking, days=1, venue="Elsewhere")
    in_one.trainers.set([])
    tf.participant(in_one, 2)
    tf.session(booking, days=20).trainers.set([])
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_training_reminders")
    subjects = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert ("person1@example.org", "Reminder: training session in 7 days") in subjects
    assert ("trainer@example.org", "Reminder: training session in 7 days") in subjects
    assert ("person2@example.org", "Reminder: training session tomorrow") in subjects
    assert len(subjects) == 3
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_training_reminders")
    assert mail.outbox == []


def test_raising_places_promotes_from_the_waiting_list(coordinator, session):
    services.update_session(
        session=session, details=details(session.enquiry, date=session.date, capacity=2), actor=coordinator
    )
    for n in range(3):
        services.add_participant(
            session=session, person=services.NewParticipant(f"P{n}", f"p{n}@x.org", "staff"), actor=coordinator
        )
    assert session.participants.get(email="p2@x.org").status == "waiting"
    services.update_session(
        session=session, details=details(session.enquiry, date=session.date, capacity=3), actor=coordinator
    )
    assert session.participants.get(email="p2@x.org").status == "confirmed"


def test_self_registration_that_mixes_the_group_warns_coordinator_and_trainer_by_email(
    client, coordinator, trainer, session, django_capture_on_commit_callbacks
):
    tf.participant(session, 1, position="senior_leader")
    url = reverse("training:register", args=[session.registration_token])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"name": "Rae", "email": "rae@x.org", "position": "rep", "manager_email": ""})
    warned = [m for m in mail.outbox if m.subject.startswith("Power dynamics")]
    assert sorted(address for m in warned for address in m.to) == [coordinator.email, trainer.user.email]
    assert "senior leaders" in warned[0].body
    assert not [m for m in mail.outbox if m.to == ["rae@x.org"] and "Power" in m.subject + m.body]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"name": "Ray", "email": "ray@x.org", "position": "rep", "manager_email": ""})
    assert not [m for m in mail.outbox if m.subject.startswith("Power dynamics")]  # nothing new to say


def test_new_briefing_starts_with_the_bookings_point_of_contact(client, coordinator, booking):
    factories.sign_in_verified(client, coordinator)
    html = client.get(reverse("training:briefing")).content.decode()
    assert 'value="Pat Point"' in html and 'value="020 7946 0000"' in html


def test_a_late_booking_is_reminded_with_the_real_number_of_days(trainer, booking, django_capture_on_commit_callbacks):
    soon = tf.session(booking, days=3)
    tf.participant(soon, 1)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_training_reminders")
    assert {m.subject for m in mail.outbox} == {"Reminder: training session in 3 days"}


def test_cancelling_the_pre_meeting_sends_cancel_with_the_same_uid(
    client, coordinator, trainer, organisation, django_capture_on_commit_callbacks
):
    booking = tf.booking(organisation, [trainer], ready=False)
    start = timezone.now() + dt.timedelta(days=4)
    slot = PreMeetingSlot.objects.create(enquiry=booking, offered_by=trainer, starts_at=start, ends_at=start)
    factories.sign_in_verified(client, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("training:book_slot", args=[booking.pk, slot.pk]))
    invite = _event(_ics(mail.outbox[0]))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("training:cancel_pre_meeting", args=[booking.pk, slot.pk]))
    cal = _ics(mail.outbox[0])
    assert str(cal["method"]) == "CANCEL"
    assert str(_event(cal)["uid"]) == str(invite["uid"])
    assert int(_event(cal)["sequence"]) > int(invite["sequence"])
    assert not PreMeetingSlot.objects.exists()
    booking.refresh_from_db()
    assert booking.state == Enquiry.State.TRAINERS_INTRODUCED


def _book_pre_meeting(booking, trainer, *, starts_in: dt.timedelta):
    starts = timezone.now() + starts_in
    slot = PreMeetingSlot.objects.create(
        enquiry=booking, offered_by=trainer, starts_at=starts, ends_at=starts + dt.timedelta(hours=1)
    )
    services.book_slot(slot=slot, actor=booking.organisation.memberships.first().user)
    booking.refresh_from_db()
    return slot


def test_checklist_ticked_before_the_pre_meeting_does_not_make_it_held(client, coordinator, trainer, organisation):
    booking = tf.booking(organisation, [trainer], ready=False)
    slot = _book_pre_meeting(booking, trainer, starts_in=dt.timedelta(days=3))
    assert booking.state == Enquiry.State.PRE_MEETING_BOOKED
    factories.sign_in_verified(client, coordinator)
    client.post(
        reverse("training:checklist", args=[booking.pk]), {"logistics": "on", "audience": "on", "standing": "on"}
    )
    booking.refresh_from_db()
    assert booking.state == Enquiry.State.PRE_MEETING_BOOKED
    html = client.get(reverse("training:bookings")).content.decode()
    assert "Pre-meeting booked" in html and "Pre-meeting held" not in html

    # The daily command moves it once the meeting's start has passed, and not before.
    assert services.advance_dated_bookings(now=slot.starts_at - dt.timedelta(minutes=1)) == 0
    assert services.advance_dated_bookings(now=slot.ends_at) == 1
    booking.refresh_from_db()
    assert booking.state == Enquiry.State.PRE_MEETING_HELD
    assert services.advance_dated_bookings(now=slot.ends_at) == 0


def test_the_first_of_two_sessions_does_not_make_the_booking_delivered(coordinator, trainer, organisation):
    from saferwork.delivery import services as delivery

    booking = tf.booking(organisation, [trainer])
    Enquiry.objects.filter(pk=booking.pk).update(state=Enquiry.State.SESSIONS_SCHEDULED)
    booking.refresh_from_db()
    first, second = tf.session(booking, days=-2), tf.session(booking, days=20)
    for n in range(3):
        tf.participant(first, n)
    delivery.record_attendance(session=first, marks={p.pk: True for p in first.participants.all()}, actor=trainer.user)
    booking.refresh_from_db()
    assert booking.state == Enquiry.State.SESSIONS_SCHEDULED

    services.cancel_session(session=second, actor=coordinator)
    booking.refresh_from_db()
    assert booking.state == Enquiry.State.DELIVERED


def test_enquiry_history_is_in_words_not_codes(client, programme_admin, organisation):
    enquiry = tf.enquiry(organisation)
    services.move_enquiry(enquiry=enquiry, state=Enquiry.State.CONVERSATION_HELD, actor=programme_admin)
    factories.sign_in_verified(client, programme_admin)
    html = client.get(reverse("training:enquiry", args=[enquiry.pk])).content.decode()
    history = html.split("History</h2>", 1)[1].split("</ul>", 1)[0]
    assert "Moved to “Conversation held”" in history
    assert "conversation_held" not in history and "enquiry.moved" not in history
