"""Who reaches what: outsiders, excluded handlers and people without the role get nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from saferwork.reporting.models import Attachment, Report
from saferwork.reporting.tests.helpers import sign_in_handler, submit
from saferwork.tests import factories

pytestmark = pytest.mark.django_db

CASE_VIEWS = ["case_detail", "case_status", "case_assign", "case_reply", "case_note", "case_step_aside"]


@pytest.fixture
def report(client, reporting_org, handler):
    submit(client, reporting_org.slug, files=[("note.txt", b"plain words")])
    client.cookies.clear()
    return Report.objects.get()


def test_outsider_cannot_reach_any_case_view(client, report, outsider):
    sign_in_handler(client, outsider)
    attachment = Attachment.objects.get()
    for name in CASE_VIEWS:
        method = client.get if name == "case_detail" else client.post
        assert method(reverse(f"reporting:{name}", args=[report.pk])).status_code == 404, name
    assert client.get(reverse("reporting:case_attachment", args=[report.pk, attachment.pk])).status_code == 404
    listing = client.get(reverse("reporting:case_list"))
    assert listing.status_code == 200 and report.reference not in listing.content.decode()
    assert client.get(reverse("reporting:recover")).status_code == 404  # no reporting in their organisation
    # The outsider's own organisation has no reporting: settings show "enable", never ours.
    assert report.organisation.name not in client.get(reverse("reporting:settings")).content.decode()


def test_member_without_handler_role_is_refused(client, report, participant, coordinator):
    factories.sign_in_verified(client, participant)
    for name in ["case_list", "recover", "settings"]:
        assert client.get(reverse(f"reporting:{name}")).status_code == 403, name
    assert client.get(reverse("reporting:case_detail", args=[report.pk])).status_code == 403
    client.logout()
    factories.sign_in_verified(client, coordinator)  # a coordinator runs settings, not cases
    assert client.get(reverse("reporting:case_list")).status_code == 403
    assert client.get(reverse("reporting:case_detail", args=[report.pk])).status_code == 403


def test_anonymous_visitor_is_sent_to_sign_in_for_handler_pages(client, report):
    for url in [reverse("reporting:case_list"), reverse("reporting:case_detail", args=[report.pk])]:
        response = client.get(url)
        assert response.status_code == 302 and "/account/sign-in/" in response["Location"]


def test_excluded_handler_sees_no_trace_of_the_case(client, reporting_org, handler, second_handler):
    submit(client, reporting_org.slug, answers={"who-can-see": {"excluded": [str(second_handler.pk)]}})
    report = Report.objects.get()
    client.cookies.clear()
    sign_in_handler(client, second_handler)
    assert report.reference not in client.get(reverse("reporting:case_list")).content.decode()
    for name in CASE_VIEWS:
        method = client.get if name == "case_detail" else client.post
        assert method(reverse(f"reporting:{name}", args=[report.pk])).status_code == 404, name


def test_opening_a_case_needs_sudo(client, report, handler):
    sign_in_handler(client, handler, sudo=False)
    response = client.get(reverse("reporting:case_detail", args=[report.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:sudo"))


def test_reporting_route_of_an_organisation_without_reporting_is_404(client, other_organisation):
    for name in ["start", "support", "follow_up", "check", "evidence"]:
        assert client.get(reverse(f"reporting:{name}", args=[other_organisation.slug])).status_code == 404
    assert client.get(reverse("reporting:question", args=[other_organisation.slug, "about-you"])).status_code == 404
    assert client.get("/report/no-such-organisation/").status_code == 404


def test_handler_session_without_unlocked_key_cannot_read(client, report, handler):
    # Signed in without the password form (as after a session from elsewhere): no key.
    factories.sign_in_verified(client, handler)
    session = client.session
    session["sudo_until"] = 2**40
    session.save()
    response = client.get(reverse("reporting:case_detail", args=[report.pk]))
    assert response.status_code == 403
    assert "Quartzberry" not in response.content.decode()
