"""A link to a case of another organisation I handle reports for offers to switch there;
nobody who could not open the case learns from it that the case exists."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from saferwork.reporting import crypto, services
from saferwork.reporting.models import Report
from saferwork.reporting.tests.conftest import make_handler
from saferwork.reporting.tests.helpers import sign_in_handler, submit
from saferwork.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_org(other_organisation: Any, outsider: Any) -> Any:
    """Other Employer, with reporting on (its coordinator, the ``outsider``, turned it on)."""
    other_organisation.recovery_key = services.enable_reporting(
        organisation=other_organisation, actor=outsider, handler_private=None
    )
    make_handler(other_organisation, email="their.handler@example.org")  # reports there have a reader
    return other_organisation


def _also_handles(user: Any, organisation: Any, *, granted: bool = True) -> None:
    factories.MembershipFactory(user=user, organisation=organisation, is_case_handler=True)
    if granted:
        services.grant_with_recovery_key(
            organisation=organisation, recovery_private=crypto.parse_recovery_key(organisation.recovery_key), user=user
        )


@pytest.fixture
def their_case(second_org: Any) -> Report:
    submit(Client(), second_org.slug)
    return Report.objects.get(organisation=second_org)


def _same_page(one: Any, other: Any, *paths: str) -> bool:
    def plain(response: Any, path: str) -> str:
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
        return page.replace(path, "<path>")

    return plain(one, paths[0]) == plain(other, paths[1])


def test_link_to_a_case_of_my_other_organisation_offers_to_switch_then_opens_it(
    client: Any, handler: Any, second_org: Any, their_case: Report
) -> None:
    _also_handles(handler, second_org)
    sign_in_handler(client, handler)  # Home Union is current (first by name)
    url = reverse("reporting:case_detail", args=[their_case.pk])
    offer = client.get(url)
    page = offer.content.decode()
    assert offer.status_code == 200
    assert "This is in Other Employer</h1>" in page
    assert their_case.reference not in page  # the offer shows nothing of the case
    assert f'name="organisation" value="{second_org.pk}"' in page and f'name="next" value="{url}"' in page

    response = client.post(reverse("organisations:switch"), {"organisation": second_org.pk, "next": url})
    assert response["Location"] == url
    opened = client.get(url)
    assert opened.status_code == 200
    assert their_case.reference in opened.content.decode()
    assert "Quartzberry" in opened.content.decode()


def test_handler_here_who_may_not_open_that_case_there_gets_the_same_404_as_for_no_case(
    client: Any, handler: Any, second_org: Any
) -> None:
    # A handler in Other Employer too, but excluded from this report by the reporter.
    _also_handles(handler, second_org)
    submit(Client(), second_org.slug, answers={"who-can-see": {"excluded": [str(handler.pk)]}})
    report = Report.objects.get(organisation=second_org)
    sign_in_handler(client, handler)
    real_url = reverse("reporting:case_detail", args=[report.pk])
    missing_url = reverse("reporting:case_detail", args=[report.pk + 1000])
    real, missing = client.get(real_url), client.get(missing_url)
    assert real.status_code == missing.status_code == 404
    assert _same_page(real, missing, real_url, missing_url)


@pytest.mark.parametrize(
    "membership",
    [
        {"is_case_handler": True, "granted": False},  # the role there, but not given the reports
        {"is_coordinator": True},  # no case handler role there
        None,  # not a member at all
    ],
)
def test_nobody_else_learns_that_a_case_of_another_organisation_exists(
    client: Any, handler: Any, second_org: Any, their_case: Report, membership: dict[str, Any] | None
) -> None:
    if membership is not None:
        granted = membership.pop("granted", True)
        if membership.get("is_case_handler"):
            _also_handles(handler, second_org, granted=granted)
        else:
            factories.MembershipFactory(user=handler, organisation=second_org, **membership)
    sign_in_handler(client, handler)
    for name in ["case_detail", "case_status", "case_reply"]:
        url = reverse(f"reporting:{name}", args=[their_case.pk])
        missing_url = reverse(f"reporting:{name}", args=[their_case.pk + 1000])
        method = client.get if name == "case_detail" else client.post
        real, missing = method(url), method(missing_url)
        assert real.status_code == missing.status_code == 404, name
        assert _same_page(real, missing, url, missing_url), name


def test_a_reply_posted_to_a_case_of_my_other_organisation_is_not_sent(
    client: Any, handler: Any, second_org: Any, their_case: Report
) -> None:
    _also_handles(handler, second_org)
    sign_in_handler(client, handler)
    response = client.post(reverse("reporting:case_reply", args=[their_case.pk]), {"body": "Hello"})
    assert response.status_code == 200
    assert "What you sent has not been saved" in response.content.decode()
    assert not their_case.messages.exists()


def test_switching_from_a_case_to_an_organisation_without_it_lands_on_its_dashboard(
    client: Any, handler: Any, reporting_org: Any, second_org: Any
) -> None:
    _also_handles(handler, second_org)
    submit(Client(), reporting_org.slug)
    ours = Report.objects.get(organisation=reporting_org)
    sign_in_handler(client, handler)
    url = reverse("reporting:case_detail", args=[ours.pk])
    assert client.get(url).status_code == 200
    client.post(reverse("organisations:switch"), {"organisation": second_org.pk, "next": url})
    landed = client.get(url, follow=True)
    assert landed.redirect_chain == [(reverse("core:dashboard"), 302)]
    assert "The page you were on is not part of Other Employer" in landed.content.decode()
    # The case list exists in both: a switch from it stays on it.
    client.post(reverse("organisations:switch"), {"organisation": reporting_org.pk, "next": "/reporting/"})
    assert client.get("/reporting/").status_code == 200
