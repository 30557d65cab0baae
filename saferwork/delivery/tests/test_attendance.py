from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from saferwork.delivery import services
from saferwork.delivery.models import Attendance, BadgeClaimToken, EvaluationToken
from saferwork.delivery.tests.factories import links_in_outbox, record_all_attended
from saferwork.reach.models import SessionTally
from saferwork.tests import factories
from saferwork.training.models import Session
from saferwork.training.tests import factories as tf

pytestmark = pytest.mark.django_db


def post_marks(client: Any, session: Any, absent_names: set[str]) -> Any:
    data = {f"p{p.pk}": "absent" if p.name in absent_names else "attended" for p in session.participants.all()}
    return client.post(reverse("delivery:attendance", args=[session.pk]), data)


def test_trainer_marks_attendance_and_only_attendees_get_links(
    verified_client: Any, trainer: Any, session: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = verified_client(trainer.user)
    page = client.get(reverse("delivery:attendance", args=[session.pk]))
    assert page.status_code == 200
    assert "Person 0" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_marks(client, session, {"Person 0", "Person 1"})
    assert response.status_code == 302
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == [f"person{n}@example.org" for n in range(2, 6)]
    assert len(links_in_outbox("evaluation")) == 4
    assert len(links_in_outbox("claim")) == 4
    assert EvaluationToken.objects.filter(session=session).count() == 4
    assert BadgeClaimToken.objects.filter(participant__name="Person 0").count() == 0
    session.refresh_from_db()
    assert session.status == Session.Status.DELIVERED
    assert session.enquiry.state == "delivered"


def test_every_person_must_be_marked(verified_client: Any, trainer: Any, session: Any) -> None:
    client = verified_client(trainer.user)
    first = session.participants.first()
    response = client.post(reverse("delivery:attendance", args=[session.pk]), {f"p{first.pk}": "attended"})
    assert response.status_code == 200
    assert "Select whether Person 1 attended or was absent" in response.content.decode()
    assert not Attendance.objects.exists()


def test_marking_someone_attended_later_sends_only_their_links(
    trainer: Any, session: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        record_all_attended(session, trainer.user, absent=1)
    assert len(mail.outbox) == 5
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = record_all_attended(session, trainer.user, absent=0)
    assert result.links_sent == 1
    assert [m.to[0] for m in mail.outbox] == ["person0@example.org"]
    assert EvaluationToken.objects.filter(session=session).count() == 6


def test_attendance_writes_the_reach_tally_by_position(trainer: Any, session: Any) -> None:
    record_all_attended(session, trainer.user, absent=1)
    tally = SessionTally.objects.get(session_id=session.pk)
    assert tally.attendees == 5
    assert dict(tally.positions.values_list("position", "count")) == {"line_manager": 2, "staff": 3}
    assert list(tally.trainers.all()) == [trainer]
    record_all_attended(session, trainer.user, absent=0)
    tally.refresh_from_db()
    assert tally.attendees == 6


def test_attendance_cannot_be_marked_before_the_day(verified_client: Any, trainer: Any, booking: Any) -> None:
    future = tf.session(booking, days=3)
    person = tf.participant(future, 1)
    client = verified_client(trainer.user)
    page = client.get(reverse("delivery:attendance", args=[future.pk]))
    assert "Attendance can be marked from the day of the session" in page.content.decode()
    client.post(reverse("delivery:attendance", args=[future.pk]), {f"p{person.pk}": "attended"})
    assert not Attendance.objects.exists()
    with pytest.raises(services.DeliveryError):
        services.record_attendance(session=future, marks={person.pk: True}, actor=None)


def test_cancelled_session_cannot_be_marked(trainer: Any, session: Any) -> None:
    session.status = Session.Status.CANCELLED
    session.save()
    with pytest.raises(services.DeliveryError, match="cancelled"):
        record_all_attended(session, trainer.user)


def test_waiting_list_is_not_marked(verified_client: Any, trainer: Any, session: Any) -> None:
    tf.participant(session, 99, status="waiting")
    page = verified_client(trainer.user).get(reverse("delivery:attendance", args=[session.pk]))
    assert "Person 99" not in page.content.decode()


def test_coordinator_of_the_organisation_can_mark_attendance(
    verified_client: Any, coordinator: Any, session: Any
) -> None:
    response = post_marks(verified_client(coordinator), session, set())
    assert response.status_code == 302
    assert Attendance.objects.filter(attended=True).count() == 6


def test_outsider_cannot_open_attendance(verified_client: Any, outsider: Any, session: Any) -> None:
    client = verified_client(outsider)
    assert client.get(reverse("delivery:attendance", args=[session.pk])).status_code == 404
    assert post_marks(client, session, set()).status_code == 404
    assert not Attendance.objects.exists()


def test_trainer_of_another_session_cannot_open_attendance(
    verified_client: Any, other_trainer: Any, session: Any
) -> None:
    assert verified_client(other_trainer.user).get(reverse("delivery:attendance", args=[session.pk])).status_code == 404


def test_programme_admin_does_not_see_names(verified_client: Any, programme_admin: Any, session: Any) -> None:
    response = verified_client(programme_admin).get(reverse("delivery:attendance", args=[session.pk]))
    assert response.status_code == 403


def test_sessions_list_shows_only_my_sessions(
    verified_client: Any, trainer: Any, other_trainer: Any, session: Any, other_organisation: Any
) -> None:
    elsewhere = tf.session(tf.booking(other_organisation, [other_trainer]), days=0)
    page = verified_client(trainer.user).get(reverse("delivery:sessions")).content.decode()
    assert reverse("delivery:attendance", args=[session.pk]) in page
    assert reverse("delivery:attendance", args=[elsewhere.pk]) not in page


def test_attendance_page_queries_do_not_grow_with_participants(
    verified_client: Any, trainer: Any, booking: Any, django_assert_max_num_queries: Any
) -> None:
    big = tf.session(booking, days=-1, capacity=12)
    for n in range(12):
        tf.participant(big, n)
    record_all_attended(big, trainer.user)
    client = verified_client(trainer.user)
    url = reverse("delivery:attendance", args=[big.pk])
    client.get(url)
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200


def test_participant_without_a_role_cannot_open_attendance(client: Any, organisation: Any, session: Any) -> None:
    person = factories.member(organisation, with_device=False)
    client.force_login(person)
    assert client.get(reverse("delivery:attendance", args=[session.pk])).status_code == 404


def test_yesterday_session_can_still_be_marked(trainer: Any, booking: Any) -> None:
    past = tf.session(booking, days=-1)
    tf.participant(past, 1)
    assert services.can_record_attendance(past, dt.date.today()) is None


def test_everyone_else_attended_marks_only_the_exceptions(
    verified_client: Any, trainer: Any, session: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = verified_client(trainer.user)
    absent = session.participants.get(name="Person 1")
    page = client.get(reverse("delivery:attendance", args=[session.pk])).content.decode()
    assert "Everyone else attended" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("delivery:attendance", args=[session.pk]), {f"p{absent.pk}": "absent", "everyone_else": "attended"}
        )
    assert response.status_code == 302
    marks = dict(Attendance.objects.filter(session=session).values_list("participant__name", "attended"))
    assert marks.pop("Person 1") is False
    assert marks and all(marks.values())
    assert "person1@example.org" not in [m.to[0] for m in mail.outbox]


def test_without_everyone_else_every_person_must_still_be_marked(
    verified_client: Any, trainer: Any, session: Any
) -> None:
    client = verified_client(trainer.user)
    absent = session.participants.get(name="Person 1")
    response = client.post(reverse("delivery:attendance", args=[session.pk]), {f"p{absent.pk}": "absent"})
    assert response.status_code == 200
    assert not Attendance.objects.filter(session=session).exists()
