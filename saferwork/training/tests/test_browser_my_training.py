"""A participant signs in and finds their own training: sessions, calendar, briefing, evaluation, badge, data."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import icalendar
import pytest
from django.core import mail

from saferwork.audit.models import AuditEntry
from saferwork.conftest import assert_accessible, assert_fits_phone, screenshot
from saferwork.delivery import claims
from saferwork.delivery.models import BadgeClaimToken
from saferwork.delivery.tests.factories import links_in_outbox, record_all_attended
from saferwork.tests import factories
from saferwork.tests.browser import sign_in_as
from saferwork.training import services
from saferwork.training.models import Participant
from saferwork.training.tests import factories as tf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _place(session, email, name="Pip Participant", **fields):
    return Participant.objects.create(
        organisation=session.organisation, session=session, name=name, email=email, position="staff", **fields
    )


def build(organisation, programme_host):
    """Pip: an online session to come, a past one attended (badge not claimed), one claimed, one waiting."""
    trainer = tf.trainer(programme_host, email="trainer@example.org")
    booking = tf.booking(organisation, [trainer])
    upcoming = tf.session(
        booking, days=20, mode="online", meeting_link="https://meet.example.org/abc", tech_helper_name="Tam"
    )
    past = tf.session(booking, days=-2)
    earlier = tf.session(booking, days=-40)
    full = tf.session(booking, days=30, capacity=1)
    _place(upcoming, "pip@example.org")
    _place(past, "pip@example.org")
    _place(earlier, "pip@example.org")
    _place(full, "someone@example.org", name="Someone")
    _place(full, "pip@example.org", status=Participant.Status.WAITING)
    for session in (past, earlier):
        tf.participant(session, 1)
        record_all_attended(session)
    briefing = services.briefing_for(organisation)
    briefing.contact_name = "Naomi Point"
    briefing.save()
    # Pip claimed the earlier session's badge with the emailed link.
    earlier_claim = BadgeClaimToken.objects.get(participant__email="pip@example.org", session=earlier)
    for token in links_in_outbox("claim"):
        found = claims.find_claim(token)
        if found and found.pk == earlier_claim.pk:
            claims.claim_badge(claim=found, show_topic=False)
    return upcoming, past, earlier, full


def test_participant_finds_their_sessions_briefing_evaluation_badge_and_data(
    page, live_server, organisation, programme_host
):
    pip = factories.member(organisation, email="pip@example.org", with_device=False)
    upcoming, past, earlier, _full = build(organisation, programme_host)
    mail.outbox.clear()

    sign_in_as(page, live_server, pip)
    page.goto("/dashboard/")
    page.get_by_role("link", name="Your sessions, briefing, evaluation and badge").click()
    page.wait_for_url("**/training/my/")
    assert_accessible(page, "my-training-desktop")
    assert_fits_phone(page, "my-training-375")
    main = page.locator("main").inner_text()

    # The session to come: when, the online link, the calendar entry and the briefing.
    assert "Waiting list" in main and "You are number 1 on the list" in main
    page.get_by_role("link", name=re.compile("^join the meeting")).first.wait_for()
    assert page.get_by_role("link", name=re.compile("^join the meeting")).get_attribute("href") == upcoming.meeting_link
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Add it to your calendar (training on {upcoming.date:%-d %B %Y})").click()
    calendar = icalendar.Calendar.from_ical(Path(download.value.path()).read_bytes())
    (event,) = [c for c in calendar.walk("VEVENT")]
    assert str(event["uid"]) == upcoming.ics_uid  # the same entry as the emailed invite
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Download the briefing for the training on {upcoming.date:%-d %B %Y}").click()
    text = "\n".join(p.text for p in docx.Document(str(download.value.path())).paragraphs)
    assert "Naomi Point" in text

    # After the session: the evaluation is open, by the emailed link only (nothing here can show it).
    assert "Use the link in the email we sent you when your attendance was recorded" in main
    assert "/evaluation/" not in page.content()
    assert "/badge/claim/" not in page.content()

    # The claimed badge links to its public verification page.
    earlier_claim = BadgeClaimToken.objects.get(participant__email="pip@example.org", session=earlier)
    page.get_by_role("link", name="Your badge's verification page").click()
    page.wait_for_url(f"**/badges/{earlier_claim.credential_id}/")
    assert_accessible(page)
    page.go_back()
    page.wait_for_url("**/training/my/")

    # The unclaimed one: a new claim link by email, the old one stops working; not twice in a row.
    claim = BadgeClaimToken.objects.get(participant__email="pip@example.org", session=past)
    old_hash = claim.token_hash
    page.get_by_role("button", name=f"Email me a new claim link for the training on {past.date:%-d %B %Y}").click()
    page.wait_for_url("**/training/my/")
    assert "We have emailed a new claim link to pip@example.org" in page.locator("main").inner_text()
    assert_accessible(page, "my-training-claim-link-sent")
    (email,) = [m for m in mail.outbox if m.to == ["pip@example.org"]]
    (token,) = re.findall(r"/badge/claim/([\w-]+)/", email.body)
    claim.refresh_from_db()
    assert claim.token_hash != old_hash and claims.find_claim(token).pk == claim.pk
    assert AuditEntry.objects.filter(action="saferwork.delivery.claim_link_resent").count() == 1
    page.get_by_role("button", name=f"Email me a new claim link for the training on {past.date:%-d %B %Y}").click()
    page.wait_for_url("**/training/my/")
    assert "a few minutes ago" in page.locator("main").inner_text()
    assert len([m for m in mail.outbox if m.to == ["pip@example.org"]]) == 1

    # Their own data: the download and erase page.
    page.get_by_role("link", name="Download or erase your data from training").first.click()
    page.wait_for_url("**/my-data/")
    screenshot(page, "my-training-data")


def test_another_participant_sees_none_of_this_persons_training(page, live_server, organisation, programme_host):
    other = factories.member(organisation, email="other@example.org", with_device=False)
    upcoming, past, _earlier, _full = build(organisation, programme_host)
    pip_upcoming = Participant.objects.get(session=upcoming, email="pip@example.org")
    sign_in_as(page, live_server, other)
    page.goto("/training/my/")
    assert_accessible(page)
    main = page.locator("main").inner_text()
    assert "You do not have a place on a training session" in main
    assert upcoming.meeting_link not in page.content()
    for path in (f"/training/my/{pip_upcoming.pk}/invite.ics", f"/training/my/{pip_upcoming.pk}/briefing.docx"):
        assert page.request.get(path).status == 404
