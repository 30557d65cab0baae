"""Pages with many rows run a fixed number of queries: no N+1 on the board, the pool or a session."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from saferwork.tests import factories
from saferwork.training.tests import factories as tf

pytestmark = pytest.mark.django_db


def _queries(client, url):
    # A first visit may save the session (it is saved at most once a minute): count the
    # page's own queries, on a second visit.
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_triage_board_queries_do_not_grow(client, programme_admin, programme_host, django_assert_max_num_queries):
    trainers = [tf.trainer(programme_host, email=f"t{n}@x.org") for n in range(4)]

    def add(n):
        for i in range(n):
            org = factories.OrganisationFactory()
            booking = tf.booking(org, trainers[i % 4 : i % 4 + 2])
            tf.session(booking, days=10 + i % 50).trainers.set([])

    add(3)
    factories.sign_in_verified(client, programme_admin)
    few = _queries(client, reverse("training:board"))
    add(30)
    many = _queries(client, reverse("training:board"))
    assert many == few
    with django_assert_max_num_queries(20):
        client.get(reverse("training:board") + "?q=Organisation&page=2")


def test_trainer_pool_queries_do_not_grow(
    client, programme_admin, programme_host, organisation, django_assert_max_num_queries
):
    def add(n, start):
        for i in range(n):
            t = tf.trainer(programme_host, email=f"pool{start + i}@x.org", home_union=organisation)
            booking = tf.booking(organisation, [t])
            tf.session(booking, days=5 + i)

    add(2, 0)
    factories.sign_in_verified(client, programme_admin)
    few = _queries(client, reverse("training:trainers"))
    add(25, 100)
    assert _queries(client, reverse("training:trainers")) == few
    with django_assert_max_num_queries(20):
        client.get(reverse("training:trainers"))


def test_session_page_queries_do_not_grow(client, coordinator, session, django_assert_max_num_queries):
    factories.sign_in_verified(client, coordinator)
    manager = tf.participant(session, 0, position="line_manager")
    few = _queries(client, reverse("training:session", args=[session.pk]))
    for n in range(1, 40):
        tf.participant(session, n, position="staff" if n % 2 else "rep", managed_by=manager if n % 3 else None)
    assert _queries(client, reverse("training:session", args=[session.pk])) == few
    with django_assert_max_num_queries(25):
        client.get(reverse("training:session", args=[session.pk]))


def test_the_pool_counts_each_trainers_upcoming_sessions_and_lists_the_next_three(programme_host):
    """One query gives both: confirmed sessions from today count, past and cancelled ones do not."""
    import datetime as dt

    from saferwork.training import selectors
    from saferwork.training.models import Session

    busy, idle, other = (tf.trainer(programme_host, email=f"pool{n}@x.org") for n in range(3))
    org = factories.OrganisationFactory()
    for days in (40, 10, 30, 20, 50):
        tf.session(tf.booking(org, [busy]), days=days, status=Session.Status.CONFIRMED)
    tf.session(tf.booking(org, [busy]), days=-5, status=Session.Status.CONFIRMED)
    tf.session(tf.booking(org, [busy, other]), days=5, status=Session.Status.CANCELLED)
    tf.session(tf.booking(org, [other]), days=15, status=Session.Status.CONFIRMED)
    today = dt.date.today()
    with CaptureQueriesContext(connection) as ctx:
        counts, next_dates = selectors.upcoming_bookings([busy.pk, idle.pk, other.pk], since=today)
    assert len(ctx.captured_queries) == 1
    assert counts == {busy.pk: 5, idle.pk: 0, other.pk: 1}
    assert next_dates[busy.pk] == [today + dt.timedelta(days=d) for d in (10, 20, 30)]
    assert next_dates[idle.pk] == [] and next_dates[other.pk] == [today + dt.timedelta(days=15)]


def test_the_board_shows_each_enquirys_scheduled_sessions_on_any_page(client, programme_admin, programme_host):
    """Counted for the page's rows only, and right on a later page too."""
    trainer = tf.trainer(programme_host, email="board@x.org")
    org = factories.OrganisationFactory()
    busy = tf.booking(org, [trainer], organisation_name="Busy Union")
    for days in (10, 20, 30):
        tf.session(busy, days=days)
    for n in range(26):  # newer than the busy one: it moves to page 2
        tf.booking(org, [trainer], organisation_name=f"Quiet Union {n}")
    factories.sign_in_verified(client, programme_admin)
    first = client.get(reverse("training:board")).content.decode()
    assert "3 scheduled" not in first
    second = client.get(reverse("training:board") + "?page=2").content.decode()
    assert f'{reverse("training:enquiry", args=[busy.pk])}">Busy Union</a>' in second and "3 scheduled" in second
