from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from saferwork.delivery.models import FollowUpRequest
from saferwork.delivery.tests.factories import record_all_attended

pytestmark = pytest.mark.django_db


def test_coordinator_asks_for_a_follow_up_after_delivery(
    verified_client: Any, client: Any, coordinator: Any, programme_admin: Any, trainer: Any, session: Any
) -> None:
    c = verified_client(coordinator)
    url = reverse("delivery:follow_up")
    assert "once a session has been delivered" in c.get(url).content.decode()
    c.post(url, {"topics": "Our action plan"})
    assert not FollowUpRequest.objects.exists()
    record_all_attended(session, trainer.user)
    assert c.post(url, {}).status_code == 200
    assert c.post(url, {"topics": "Our action plan"}).status_code == 302
    follow_up = FollowUpRequest.objects.get()
    assert follow_up.organisation == session.organisation
    assert follow_up.session == session
    # It lands on the booking in the triage board, as a note only programme admins see.
    assert session.enquiry.admin_notes.get().text == "Follow-up conversation requested: Our action plan"
    client.logout()
    admin = verified_client(programme_admin)
    assert "Our action plan" in admin.get(reverse("delivery:follow_ups")).content.decode()
    admin.post(reverse("delivery:follow_up_state", args=[follow_up.pk]), {"state": "arranged"})
    follow_up.refresh_from_db()
    assert follow_up.state == "arranged"


def test_only_programme_admins_see_follow_up_requests(
    verified_client: Any, coordinator: Any, outsider: Any, client: Any
) -> None:
    assert verified_client(coordinator).get(reverse("delivery:follow_ups")).status_code == 403
    client.logout()
    assert (
        verified_client(outsider).post(reverse("delivery:follow_up_state", args=[1]), {"state": "closed"}).status_code
        == 403
    )


def test_outsider_requests_go_to_their_own_organisation_only(
    verified_client: Any, outsider: Any, trainer: Any, session: Any
) -> None:
    record_all_attended(session, trainer.user)
    c = verified_client(outsider)
    # The outsider's organisation has had no session: nothing can be asked for it, and nothing for ours.
    assert "once a session has been delivered" in c.get(reverse("delivery:follow_up")).content.decode()
    c.post(reverse("delivery:follow_up"), {"topics": "x"})
    assert not FollowUpRequest.objects.exists()
