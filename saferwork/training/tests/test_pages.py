"""Every training page renders for the people it is for, and is self-contained (no inline script or style)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from saferwork.tests import factories

pytestmark = pytest.mark.django_db

FOREIGN = re.compile(r"""(?:src|href|action)\s*=\s*["']\s*(?:https?:)?//(?!testserver)""", re.I)
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\sstyle\s*=|<style", re.I)


def _ok(response, where):
    assert response.status_code == 200, (where, response.status_code)
    html = response.content.decode()
    assert not FOREIGN.findall(html), f"{where} points at another host"
    assert not INLINE.findall(html), f"{where} has inline script or style"
    ids = re.findall(r"""\sid=["']([^"']+)["']""", html)
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"{where} repeats ids {duplicates}: labels would point at the wrong control"
    return html


def test_public_pages_render(client, session):
    from saferwork.training.services import hash_token
    from saferwork.training.tests import factories as tf

    tf.enquiry(None, verified_at=None, verification_hash=hash_token("sometoken"))
    for url in [
        reverse("training:course"),
        reverse("training:enquire"),
        reverse("training:enquiry_sent"),
        reverse("training:verify_enquiry", args=["sometoken"]),
        reverse("training:register", args=[session.registration_token]),
    ]:
        _ok(client.get(url), url)


def test_course_page_states_the_facts(client, db):
    html = _ok(client.get(reverse("training:course")), "course")
    for fact in [
        "£450",
        "10:00 to 16:00",
        "At most 12 people (we recommend 10",
        "not a place to make a formal report",
        "expenses",
    ]:
        assert fact in html


def test_admin_pages_render(client, programme_admin, session, trainer):
    factories.sign_in_verified(client, programme_admin)
    booking = session.enquiry
    for url in [
        reverse("training:board"),
        reverse("training:board") + "?q=Home&state=pre_meeting_held&region=London",
        reverse("training:enquiry", args=[booking.pk]),
        reverse("training:match", args=[booking.pk]),
        reverse("training:trainers"),
        reverse("training:trainer_edit", args=[trainer.pk]),
        reverse("training:briefing_template"),
        reverse("training:booking", args=[booking.pk]),
        reverse("training:session", args=[session.pk]),
    ]:
        _ok(client.get(url), url)


def test_coordinator_pages_render(client, coordinator, session):
    factories.sign_in_verified(client, coordinator)
    booking = session.enquiry
    for url in [
        reverse("training:bookings"),
        reverse("training:booking", args=[booking.pk]),
        reverse("training:checklist", args=[booking.pk]),
        reverse("training:contact_point", args=[booking.pk]),
        reverse("training:session_new", args=[booking.pk]),
        reverse("training:session", args=[session.pk]),
        reverse("training:session_edit", args=[session.pk]),
        reverse("training:participant_upload", args=[session.pk]),
        reverse("training:briefing"),
    ]:
        _ok(client.get(url), url)
    response = client.get(reverse("training:session_invite", args=[session.pk]))
    assert response["Content-Type"] == "text/calendar"


def test_trainer_pages_render(client, trainer, session):
    factories.sign_in_verified(client, trainer.user)
    booking = session.enquiry
    for url in [
        reverse("training:bookings"),
        reverse("training:availability"),
        reverse("training:own_profile"),
        reverse("training:booking", args=[booking.pk]),
        reverse("training:offer_slot", args=[booking.pk]),
        reverse("training:session", args=[session.pk]),
    ]:
        _ok(client.get(url), url)


def test_booking_page_says_who_reads_trainer_notes(client, coordinator, session):
    factories.sign_in_verified(client, coordinator)
    html = _ok(client.get(reverse("training:booking", args=[session.enquiry_id])), "booking")
    assert "Only the trainer(s) of this booking can read these notes" in html


def test_session_page_links_to_reporting_instead_of_taking_reports(client, coordinator, session):
    factories.sign_in_verified(client, coordinator)
    html = _ok(client.get(reverse("training:session", args=[session.pk])), "session")
    assert "not a place for formal reports" in html
    assert "<textarea" not in html.split("Add a participant")[0]


def test_seed_training_demo_is_idempotent(settings):
    from django.core.management import call_command

    from saferwork.training.models import Enquiry, Participant, TrainerProfile

    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_training_demo")
    call_command("seed_training_demo")
    assert TrainerProfile.objects.count() == 12
    assert TrainerProfile.objects.filter(day_rate_pence=45000).count() == 12
    assert Enquiry.objects.count() == 4
    assert Participant.objects.count() == 12  # eleven demo places and the demo participant's own
