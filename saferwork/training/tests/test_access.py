"""Every training view refuses people outside its reach: 404 (or 403 for a role page), never the data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from saferwork.tests import factories
from saferwork.training import services
from saferwork.training.models import PreMeetingSlot, TrainerNote
from saferwork.training.tests import factories as tf

pytestmark = pytest.mark.django_db


def _urls(session, trainer, participant, slot):
    b = session.enquiry_id
    return [
        ("get", reverse("training:board")),
        ("get", reverse("training:enquiry", args=[b])),
        ("post", reverse("training:enquiry", args=[b])),
        ("get", reverse("training:match", args=[b])),
        ("post", reverse("training:introduce", args=[b])),
        ("get", reverse("training:overview", args=[b])),
        ("get", reverse("training:trainers")),
        ("get", reverse("training:trainer_edit", args=[trainer.pk])),
        ("get", reverse("training:briefing_template")),
        ("get", reverse("training:availability")),
        ("get", reverse("training:own_profile")),
        ("get", reverse("training:booking", args=[b])),
        ("get", reverse("training:offer_slot", args=[b])),
        ("post", reverse("training:book_slot", args=[b, slot.pk])),
        ("post", reverse("training:cancel_pre_meeting", args=[b, slot.pk])),
        ("post", reverse("training:post_message", args=[b])),
        ("get", reverse("training:checklist", args=[b])),
        ("get", reverse("training:contact_point", args=[b])),
        ("post", reverse("training:trainer_note", args=[b])),
        ("get", reverse("training:session_new", args=[b])),
        ("get", reverse("training:session", args=[session.pk])),
        ("get", reverse("training:session_edit", args=[session.pk])),
        ("post", reverse("training:session_cancel", args=[session.pk])),
        ("post", reverse("training:session_capacity", args=[session.pk])),
        ("get", reverse("training:session_invite", args=[session.pk])),
        ("post", reverse("training:participant_add", args=[session.pk])),
        ("get", reverse("training:participant_upload", args=[session.pk])),
        ("post", reverse("training:participant_withdraw", args=[session.pk, participant.pk])),
        ("post", reverse("training:session_send_briefing", args=[session.pk])),
        # The briefing pages are each organisation's own: see test_outsider_briefing_is_their_own_not_ours.
    ]


@pytest.fixture
def world(session, trainer):
    participant = tf.participant(session, 1)
    slot = PreMeetingSlot.objects.create(
        enquiry=session.enquiry,
        offered_by=trainer,
        starts_at=timezone.now() + dt.timedelta(days=3),
        ends_at=timezone.now() + dt.timedelta(days=3, hours=1),
    )
    return session, trainer, participant, slot


def test_outsider_reaches_no_training_view(client, outsider, world):
    factories.sign_in_verified(client, outsider)
    for method, url in _urls(*world):
        response = getattr(client, method)(url)
        assert response.status_code in {403, 404}, (url, response.status_code)
    session, _trainer, participant, _slot = world
    session.refresh_from_db()
    participant.refresh_from_db()
    assert session.status == "confirmed" and participant.status == "confirmed"


def test_outsider_briefing_is_their_own_not_ours(client, coordinator, outsider, organisation):
    factories.sign_in_verified(client, coordinator)
    client.post(
        reverse("training:briefing"),
        {
            "contact_name": "Home Contact",
            "contact_role": "Officer",
            "contact_email": "home@example.org",
            "contact_phone": "020 7946 0100",
            "introduction": "i",
            "about_the_day": "a",
            "not_a_reporting_space": "n",
            "support_before": "b",
            "support_after": "c",
        },
    )
    client.logout()
    factories.sign_in_verified(client, outsider)
    html = client.get(reverse("training:briefing")).content.decode()
    assert "Home Contact" not in html


def test_anonymous_visitor_is_sent_to_sign_in(client, world):
    for method, url in _urls(*world):
        response = getattr(client, method)(url)
        assert response.status_code in {302, 403, 404}, url
        if response.status_code == 302:
            assert "/account/sign-in/" in response["Location"]


def test_trainer_of_another_booking_cannot_open_it(client, programme_host, organisation, world):
    session, *_ = world
    stranger = tf.trainer(programme_host, email="stranger@example.org")
    tf.booking(organisation, [stranger])
    factories.sign_in_verified(client, stranger.user)
    assert client.get(reverse("training:booking", args=[session.enquiry_id])).status_code == 404
    assert client.get(reverse("training:session", args=[session.pk])).status_code == 404
    assert client.post(reverse("training:trainer_note", args=[session.enquiry_id]), {"text": "x"}).status_code == 404


def test_pre_meeting_notes_are_for_the_bookings_trainers_only(
    client, programme_host, programme_admin, coordinator, trainer, world
):
    session, *_ = world
    booking = session.enquiry
    services.add_trainer_note(enquiry=booking, trainer=trainer, text="Confidential: they have no policy yet")
    url = reverse("training:booking", args=[booking.pk])

    factories.sign_in_verified(client, trainer.user)
    assert "Confidential: they have no policy yet" in client.get(url).content.decode()
    client.logout()

    # A trainer of another booking: no access to this booking at all.
    stranger = tf.trainer(programme_host, email="stranger@example.org")
    factories.sign_in_verified(client, stranger.user)
    assert client.get(url).status_code == 404
    client.logout()

    # The programme admin can open the booking's summary but never the notes.
    factories.sign_in_verified(client, programme_admin)
    html = client.get(url).content.decode()
    assert client.get(url).status_code == 200
    assert "Confidential" not in html
    assert "The organisation and the programme cannot" in html
    client.logout()

    # Nor the organisation's coordinator.
    factories.sign_in_verified(client, coordinator)
    assert "Confidential" not in client.get(url).content.decode()
    assert TrainerNote.objects.count() == 1


def test_admin_does_not_see_participant_names(client, programme_admin, world):
    session, *_ = world
    factories.sign_in_verified(client, programme_admin)
    html = client.get(reverse("training:session", args=[session.pk])).content.decode()
    assert "Person 1" not in html
    assert "1 people confirmed" in html


def test_coordinator_cannot_use_programme_pages(client, coordinator, world):
    factories.sign_in_verified(client, coordinator)
    for name in ["training:board", "training:trainers", "training:briefing_template"]:
        assert client.get(reverse(name)).status_code == 403


def test_unverified_enquiry_is_not_on_the_board(client, programme_admin, organisation):
    pending = tf.enquiry(None, organisation_name="Secret Union", verified_at=None)
    factories.sign_in_verified(client, programme_admin)
    assert "Secret Union" not in client.get(reverse("training:board")).content.decode()
    assert client.get(reverse("training:enquiry", args=[pending.pk])).status_code == 404


def test_messages_are_between_organisation_and_trainers_only(
    client, programme_admin, coordinator, trainer, outsider, world, django_capture_on_commit_callbacks
):
    from django.core import mail

    session, *_ = world
    booking = session.enquiry
    url = reverse("training:booking", args=[booking.pk])
    factories.sign_in_verified(client, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("training:post_message", args=[booking.pk]), {"message": "Can we start at 09:30?"})
    assert [m.to for m in mail.outbox] == [[trainer.user.email]]
    assert "09:30" not in mail.outbox[0].body  # the notification carries no content
    client.logout()
    factories.sign_in_verified(client, trainer.user)
    assert "Can we start at 09:30?" in client.get(url).content.decode()
    client.logout()
    factories.sign_in_verified(client, programme_admin)
    assert "Can we start at 09:30?" not in client.get(url).content.decode()
    assert client.post(reverse("training:post_message", args=[booking.pk]), {"message": "x"}).status_code == 403
    client.logout()
    factories.sign_in_verified(client, outsider)
    assert client.post(reverse("training:post_message", args=[booking.pk]), {"message": "x"}).status_code == 404
    assert booking.messages.count() == 1
