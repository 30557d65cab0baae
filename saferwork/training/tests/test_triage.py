"""Triage, trainer pool, matching and introduction by programme admins."""

from __future__ import annotations

import datetime as dt
from html import escape

import docx
import pytest
from django.core import mail
from django.urls import reverse

from saferwork.accounts.models import Invitation
from saferwork.audit.models import AuditEntry
from saferwork.organisations.models import Organisation
from saferwork.tests import factories
from saferwork.training import selectors
from saferwork.training.models import Enquiry, EnquiryNote, Session, TrainerAvailability, TrainerProfile
from saferwork.training.tests import factories as tf

pytestmark = pytest.mark.django_db


def test_moving_an_enquiry_is_audited_with_who_and_when(client, programme_admin, organisation):
    enquiry = tf.enquiry(organisation)
    factories.sign_in_verified(client, programme_admin)
    response = client.post(reverse("training:enquiry", args=[enquiry.pk]), {"state": "conversation_booked"})
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.state == Enquiry.State.CONVERSATION_BOOKED
    entry = AuditEntry.objects.get(action="saferwork.enquiry.moved")
    assert entry.actor == programme_admin and entry.data == {"from": "new", "to": "conversation_booked"}
    html = client.get(reverse("training:enquiry", args=[enquiry.pk])).content.decode()
    assert "conversation_booked" in html and escape(programme_admin.full_name) in html


def test_admin_notes_are_kept_and_shown_only_on_the_admin_page(
    client, programme_admin, coordinator, trainer, organisation
):
    booking = tf.booking(organisation, [trainer])
    factories.sign_in_verified(client, programme_admin)
    client.post(reverse("training:enquiry", args=[booking.pk]), {"text": "Chased twice about dates"})
    assert EnquiryNote.objects.get().author == programme_admin
    assert "Chased twice" in client.get(reverse("training:enquiry", args=[booking.pk])).content.decode()
    client.logout()
    for user in (coordinator, trainer.user):
        factories.sign_in_verified(client, user)
        assert "Chased twice" not in client.get(reverse("training:booking", args=[booking.pk])).content.decode()
        client.logout()


def test_board_filters_and_searches(client, programme_admin, organisation, other_organisation):
    tf.enquiry(organisation, organisation_name="Alpha Union", region="Wales", state="new")
    tf.enquiry(other_organisation, organisation_name="Beta Council", region="London", state="closed")
    factories.sign_in_verified(client, programme_admin)
    url = reverse("training:board")
    assert "Beta Council" not in client.get(url, {"state": "new"}).content.decode()
    assert "Alpha Union" not in client.get(url, {"region": "London"}).content.decode()
    html = client.get(url, {"q": "alpha"}).content.decode()
    assert "Alpha Union" in html and "Beta Council" not in html


def test_board_is_paginated(client, programme_admin, organisation):
    for n in range(30):
        tf.enquiry(organisation, organisation_name=f"Union {n:02d}")
    factories.sign_in_verified(client, programme_admin)
    first = client.get(reverse("training:board")).content.decode()
    assert "Page 1 of 2" in first
    second = client.get(reverse("training:board"), {"page": 2}).content.decode()
    assert "Union 00" in second and "Union 00" not in first


def test_admin_edits_a_trainer_profile_in_pounds_stored_in_pence(client, programme_admin, trainer, organisation):
    assert trainer.day_rate_pence == 45000
    factories.sign_in_verified(client, programme_admin)
    response = client.post(
        reverse("training:trainer_edit", args=[trainer.pk]),
        {
            "home_union": organisation.pk,
            "regions": ["Wales", "London"],
            "delivers_online": "on",
            "languages": "English, Welsh",
            "access_needs_met": "BSL",
            "co_tutors": "on",
            "experience": "experienced",
            "sessions_delivered": "3",
            "day_rate": "475.50",
            "bio": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    trainer.refresh_from_db()
    assert trainer.day_rate_pence == 47550
    assert trainer.regions == ["Wales", "London"] and not trainer.delivers_in_person
    assert trainer.home_union == organisation


def test_trainer_sets_availability_and_bookings_block_dates(client, trainer, session):
    factories.sign_in_verified(client, trainer.user)
    start = dt.date.today() + dt.timedelta(days=10)
    client.post(
        reverse("training:availability"),
        {"start": start.isoformat(), "end": (start + dt.timedelta(days=2)).isoformat(), "available": "no"},
    )
    assert TrainerAvailability.objects.filter(trainer=trainer, available=False).count() == 3
    html = client.get(reverse("training:availability")).content.decode()
    assert session.date.strftime("%-d %B %Y") in html  # the booked day is listed as blocked


def _profile(host, email, **fields):
    return tf.trainer(host, email=email, **fields)


def test_matching_ranks_with_reasons_and_flags_a_conflict(programme_host, organisation, other_organisation):
    preferred = dt.date.today() + dt.timedelta(days=30)
    enquiry = tf.enquiry(
        organisation, region="Wales", delivery_mode="in_person", preferred_dates=[preferred.isoformat()]
    )
    best = _profile(programme_host, "best@x.org", regions=["Wales"], experience="experienced", sessions_delivered=9)
    busy = _profile(programme_host, "busy@x.org", regions=["Wales"])
    TrainerAvailability.objects.create(trainer=busy, date=preferred, available=False)
    online_only = _profile(programme_host, "online@x.org", regions=["Wales"], delivers_in_person=False)
    insider = _profile(
        programme_host, "insider@x.org", regions=["Wales"], experience="experienced", home_union=organisation
    )
    booked = _profile(programme_host, "booked@x.org", regions=["Wales"])
    other = tf.booking(other_organisation, [booked])
    tf.session(other, days=30).trainers.set([booked])

    matches = selectors.rank_trainers(enquiry)
    names = [m.trainer for m in matches]
    assert names[0] == best
    assert names[-1] == insider and matches[-1].conflict
    assert "Conflict: belongs to Home Union" in matches[-1].concerns
    by_trainer = {m.trainer: m for m in matches}
    assert "Free on 1 of 1 preferred dates" in by_trainer[best].reasons
    assert "Works in Wales" in by_trainer[best].reasons
    assert "Not free on any preferred date" in by_trainer[busy].concerns
    assert "Not free on any preferred date" in by_trainer[booked].concerns
    assert "Does not deliver in person" in by_trainer[online_only].concerns


def test_co_tutor_pairs_join_experienced_with_newer(programme_host, organisation):
    enquiry = tf.enquiry(organisation)
    old = _profile(programme_host, "old@x.org", experience="experienced")
    new = _profile(programme_host, "new@x.org", experience="new")
    _profile(programme_host, "solo@x.org", experience="new", co_tutors=False)
    pairs = selectors.co_tutor_pairs(selectors.rank_trainers(enquiry))
    assert [(p.experienced.trainer, p.newer.trainer) for p in pairs] == [(old, new)]


def test_a_suggested_pair_is_chosen_in_one_click(client, programme_admin, programme_host, organisation):
    enquiry = tf.enquiry(organisation)
    old = _profile(programme_host, "old@x.org", experience="experienced")
    new = _profile(programme_host, "new@x.org", experience="new")
    factories.sign_in_verified(client, programme_admin)
    html = client.get(reverse("training:match", args=[enquiry.pk])).content.decode()
    form = html.split("Suggested co-tutoring pairs", 1)[1].split("</form>", 1)[0]
    assert f'name="trainers" value="{old.pk}"' in form and f'name="trainers" value="{new.pk}"' in form
    assert "Choose this pair" in form
    response = client.post(reverse("training:match", args=[enquiry.pk]), {"trainers": [old.pk, new.pk]})
    assert response.status_code == 302
    assert set(enquiry.assignments.values_list("trainer_id", flat=True)) == {old.pk, new.pk}


def test_pick_and_introduce_sends_overview_to_everyone_and_invites_the_coordinator(
    client, programme_admin, programme_host, django_capture_on_commit_callbacks
):
    pending = Organisation.objects.create(name="Pending Union", slug="pending-union", kind="union", status="pending")
    # The enquiry brought this organisation onto SaferWork: only then is its contact invited.
    enquiry = tf.enquiry(pending, contact_email="lead@pending.org", organisation_created=True)
    a = _profile(programme_host, "a@x.org", experience="experienced")
    b = _profile(programme_host, "b@x.org")
    c = _profile(programme_host, "c@x.org")
    factories.sign_in_verified(client, programme_admin)

    response = client.post(reverse("training:match", args=[enquiry.pk]), {"trainers": [a.pk, b.pk, c.pk]})
    assert "Choose one or two trainers" in response.content.decode()
    client.post(reverse("training:match", args=[enquiry.pk]), {"trainers": [a.pk, b.pk]})
    assert set(enquiry.trainers.all()) == {a, b}

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("training:introduce", args=[enquiry.pk]))
    enquiry.refresh_from_db()
    pending.refresh_from_db()
    assert enquiry.state == Enquiry.State.TRAINERS_INTRODUCED
    assert pending.status == Organisation.Status.ACTIVE
    assert Invitation.objects.get(email="lead@pending.org").flags == ["is_coordinator"]
    intro = [m for m in mail.outbox if m.subject.startswith("Introduction")]
    assert sorted(m.to[0] for m in intro) == ["a@x.org", "b@x.org", "lead@pending.org"]
    name, content, mimetype = intro[0].attachments[0]
    assert name.endswith(".docx")
    import io

    text = "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)
    for heading in ["The organisation", "The trainer(s)", "The programme"]:
        assert heading in text
    assert "£450" in text


def test_introduction_needs_trainers(client, programme_admin, organisation):
    enquiry = tf.enquiry(organisation)
    factories.sign_in_verified(client, programme_admin)
    client.post(reverse("training:introduce", args=[enquiry.pk]))
    enquiry.refresh_from_db()
    assert enquiry.introduced_at is None


def test_trainer_pool_lists_profiles(client, programme_admin, programme_host):
    _profile(programme_host, "z@x.org", languages="English, Punjabi")
    factories.sign_in_verified(client, programme_admin)
    html = client.get(reverse("training:trainers")).content.decode()
    assert "English, Punjabi" in html and "£450" in html
    assert TrainerProfile.objects.count() == 1 and Session.objects.count() == 0


def test_a_new_trainer_member_gets_a_profile_with_the_default_day_rate(client, programme_admin, programme_host):
    newcomer = factories.member(programme_host, is_trainer=True, email="newcomer@x.org")
    factories.sign_in_verified(client, programme_admin)
    assert "newcomer" not in str(list(TrainerProfile.objects.values_list("user__email", flat=True)))
    client.get(reverse("training:trainers"))
    assert TrainerProfile.objects.get(user=newcomer).day_rate_pence == 45000


def test_trainer_keeps_their_own_profile_but_not_rate_or_experience(client, trainer, coordinator):
    factories.sign_in_verified(client, trainer.user)
    response = client.post(
        reverse("training:own_profile"),
        {"regions": ["Scotland"], "delivers_online": "on", "languages": "English, Gaelic", "day_rate_pence": "1"},
    )
    assert response.status_code == 302
    trainer.refresh_from_db()
    assert trainer.regions == ["Scotland"] and trainer.languages == "English, Gaelic"
    assert trainer.day_rate_pence == 45000 and trainer.experience == "experienced"
    client.logout()
    factories.sign_in_verified(client, coordinator)
    assert client.get(reverse("training:own_profile")).status_code == 403
