"""The session page points people to the organisation's reporting route only while that
route is open: a link to a route that is not enabled would lead a reporter to a 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from saferwork.reporting import services as reporting_services
from saferwork.tests import factories

pytestmark = pytest.mark.django_db


def _session_page(client, coordinator, session) -> str:
    factories.sign_in_verified(client, coordinator)
    return client.get(reverse("training:session", args=[session.pk])).content.decode()


def test_no_link_to_a_reporting_route_that_is_not_open(client, coordinator, session):
    html = _session_page(client, coordinator, session)
    assert reverse("reporting:start", args=[session.organisation.slug]) not in html
    assert "Point people to" in html and "own reporting route" in html


def test_session_page_links_an_open_reporting_route(client, coordinator, session):
    reporting_services.enable_reporting(organisation=session.organisation, actor=coordinator, handler_private=None)
    route = reverse("reporting:start", args=[session.organisation.slug])
    assert f'href="{route}"' in _session_page(client, coordinator, session)
    assert client.get(route).status_code == 200
