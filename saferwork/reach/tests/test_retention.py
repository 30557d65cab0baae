from __future__ import annotations

import datetime as dt
import json
import re
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from saferwork.badges.models import Credential
from saferwork.delivery.models import Attendance, BadgeClaimToken, EvaluationAnswer
from saferwork.delivery.tests.factories import answer, links_in_outbox, record_all_attended
from saferwork.reach import services
from saferwork.reach.models import DataAccessToken, SessionTally
from saferwork.reach.selectors import ReachFilters, reach_report
from saferwork.training.models import Participant, Session
from saferwork.training.tests import factories as tf

pytestmark = pytest.mark.django_db


def old_session(booking: Any, *, days_ago: int, people: int = 6) -> Session:
    s = tf.session(booking, days=-days_ago)
    for n in range(people):
        tf.participant(s, 1000 * days_ago + n, position="rep" if n < 2 else "staff")
    return s


def test_months_before_handles_short_months() -> None:
    assert services.retention_cutoff(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert services.retention_cutoff(dt.date(2026, 11, 22), 12) == dt.date(2025, 11, 22)


def test_erasure_removes_people_after_the_retention_period_and_keeps_counts(
    booking: Any, trainer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    expired = old_session(booking, days_ago=400)
    recent = old_session(booking, days_ago=30)
    with django_capture_on_commit_callbacks(execute=True):
        record_all_attended(expired, trainer.user)
        record_all_attended(recent, trainer.user)
    for token in links_in_outbox("evaluation")[:5]:
        answer(token)
    before = reach_report(ReachFilters())
    out = StringIO()
    call_command("erase_expired_participants", stdout=out)
    assert "Erased 6 participants from 1 sessions" in out.getvalue()
    assert not Participant.objects.filter(session=expired).exists()
    assert not Attendance.objects.filter(session=expired).exists()
    assert Participant.objects.filter(session=recent).count() == 6
    after = reach_report(ReachFilters())
    assert after.attendees.value == before.attendees.value == 12
    assert [r.attendees.export_value for r in after.breakdown("position").rows] == [
        r.attendees.export_value for r in before.breakdown("position").rows
    ]
    assert EvaluationAnswer.objects.count() == 5


def test_retention_period_is_configurable(booking: Any, trainer: Any, settings: Any) -> None:
    s = old_session(booking, days_ago=100)
    record_all_attended(s, trainer.user)
    call_command("erase_expired_participants", stdout=StringIO())
    assert Participant.objects.filter(session=s).exists()
    settings.PARTICIPANT_RETENTION_MONTHS = 3
    call_command("erase_expired_participants", stdout=StringIO())
    assert not Participant.objects.filter(session=s).exists()
    assert SessionTally.objects.get(session_id=s.pk).attendees == 6


def test_erasure_writes_a_tally_for_a_session_that_lacks_one(booking: Any, trainer: Any) -> None:
    s = old_session(booking, days_ago=400)
    record_all_attended(s, trainer.user)
    SessionTally.objects.all().delete()
    services.erase_expired_participants()
    assert SessionTally.objects.get(session_id=s.pk).attendees == 6


@pytest.fixture
def claimed(
    client: Any, booking: Any, trainer: Any, programme_host: Any, django_capture_on_commit_callbacks: Any
) -> Participant:
    s = old_session(booking, days_ago=10)
    with django_capture_on_commit_callbacks(execute=True):
        record_all_attended(s, trainer.user)
    link = links_in_outbox("claim")[0]
    client.post(reverse("delivery:claim", args=[link]), {"wording": "neutral"})
    mail.outbox.clear()
    return BadgeClaimToken.objects.get(credential_id__isnull=False).participant


def request_link(client: Any, email: str, django_capture_on_commit_callbacks: Any) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reach:my_data"), {"email": email})
    assert "If we hold data for that address" in response.content.decode()
    found = re.findall(r"/my-data/([\w-]+)/", "".join(m.body for m in mail.outbox))
    return found[0] if found else ""


def test_participant_downloads_their_data_from_an_emailed_link(
    client: Any, claimed: Participant, django_capture_on_commit_callbacks: Any
) -> None:
    token = request_link(client, claimed.email.upper(), django_capture_on_commit_callbacks)
    page = client.get(reverse("reach:my_data_access", args=[token])).content.decode()
    assert claimed.name in page
    data = json.loads(client.get(reverse("reach:my_data_download", args=[token])).content)
    assert data["records"][0]["email"] == claimed.email
    assert data["records"][0]["attended"] is True
    assert data["records"][0]["badge_credential"].endswith("/")


def test_unknown_address_gets_no_email_and_the_same_answer(
    client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    assert request_link(client, "nobody@example.org", django_capture_on_commit_callbacks) == ""
    assert not mail.outbox


def test_erasure_on_request_revokes_the_badge(
    client: Any, claimed: Participant, django_capture_on_commit_callbacks: Any
) -> None:
    token = request_link(client, claimed.email, django_capture_on_commit_callbacks)
    url = reverse("reach:my_data_access", args=[token])
    refused = client.post(url, {})
    assert "Confirm that you understand this cannot be undone" in refused.content.decode()
    response = client.post(url, {"confirm": "on"})
    assert "Your data has been erased" in response.content.decode()
    assert not Participant.objects.filter(email=claimed.email).exists()
    assert Credential.objects.get().revoked_at is not None
    assert SessionTally.objects.get().attendees == 6
    assert client.get(url).status_code == 404


def test_erasure_can_keep_the_badge(client: Any, claimed: Participant, django_capture_on_commit_callbacks: Any) -> None:
    token = request_link(client, claimed.email, django_capture_on_commit_callbacks)
    client.post(reverse("reach:my_data_access", args=[token]), {"confirm": "on", "keep_badges": "on"})
    assert not Participant.objects.filter(email=claimed.email).exists()
    assert Credential.objects.get().revoked_at is None


def test_expired_link_does_not_work(client: Any, claimed: Participant, django_capture_on_commit_callbacks: Any) -> None:
    token = request_link(client, claimed.email, django_capture_on_commit_callbacks)
    DataAccessToken.objects.update(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert client.get(reverse("reach:my_data_access", args=[token])).status_code == 404
    assert client.get(reverse("reach:my_data_download", args=[token])).status_code == 404


def test_data_requests_are_rate_limited(client: Any, settings: Any) -> None:
    settings.RATE_LIMIT_DATA_REQUEST = (2, 3600)
    for _ in range(2):
        client.post(reverse("reach:my_data"), {"email": "a@example.org"})
    assert client.post(reverse("reach:my_data"), {"email": "a@example.org"}).status_code == 429


def test_erasing_a_place_on_a_future_session_promotes_the_waiting_list(
    client: Any, booking: Any, django_capture_on_commit_callbacks: Any
) -> None:
    future = tf.session(booking, days=20, capacity=1)
    leaving = tf.participant(future, 1)
    waiting = tf.participant(future, 2, status="waiting")
    token = request_link(client, leaving.email, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reach:my_data_access", args=[token]), {"confirm": "on"})
    assert not Participant.objects.filter(pk=leaving.pk).exists()
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
