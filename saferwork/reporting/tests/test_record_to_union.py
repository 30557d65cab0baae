"""A private record started on an employer's page can be sent to a union instead: the
report is made on the union's side with its own keys, and the employer sees nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from saferwork.reporting import services
from saferwork.reporting.models import PrivateRecord, Report, ReportKey
from saferwork.reporting.tests.conftest import make_handler
from saferwork.reporting.tests.helpers import ANSWERS, sign_in_handler
from saferwork.reporting.tests.test_records import SECRET, start_record
from saferwork.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def employer(db):
    org = factories.OrganisationFactory(kind="employer", name="Vellum Borough Council", slug="vellum-council")
    coordinator = factories.member(org, is_coordinator=True)
    services.enable_reporting(organisation=org, actor=coordinator, handler_private=None)
    return org


def test_record_page_lists_the_organisation_and_unions_with_reporting(client, reporting_org, employer):
    quiet_union = factories.OrganisationFactory(kind="union", name="Quiet Union Without Reporting")
    other_employer = factories.OrganisationFactory(kind="employer", name="Another Employer Ltd")
    services.enable_reporting(
        organisation=other_employer, actor=factories.member(other_employer, is_coordinator=True), handler_private=None
    )
    start_record(client, employer.slug)
    page = client.get(reverse("reporting:record", args=[employer.slug])).content.decode()
    assert "Vellum Borough Council" in page and reporting_org.name in page
    assert quiet_union.name not in page and "Another Employer Ltd" not in page
    # A choice outside the list is refused and sends nothing.
    response = client.post(reverse("reporting:record_send", args=[employer.slug]), {"send_to": str(other_employer.pk)})
    assert response.status_code == 200 and "Select who to send it to" in response.content.decode()
    assert 'class="govuk-error-summary"' in response.content.decode()
    response = client.post(reverse("reporting:record_send", args=[employer.slug]), {})
    assert response.status_code == 200 and "Select who to send it to" in response.content.decode()


def test_record_sent_to_a_union_becomes_the_unions_report(client, reporting_org, handler, employer):
    employer_handler = make_handler(employer, email="hr@vellum.example")
    start_record(client, employer.slug)
    response = client.post(reverse("reporting:record_send", args=[employer.slug]), {"send_to": str(reporting_org.pk)})
    assert response["Location"] == reverse("reporting:question", args=[reporting_org.slug, "about-you"])
    what = client.get(reverse("reporting:question", args=[reporting_org.slug, "what-happened"])).content.decode()
    assert SECRET in what
    for step, data in ANSWERS.items():
        if step == "what-happened":
            data = {"behaviours": ["comments"], "description": SECRET}
        response = client.post(reverse("reporting:question", args=[reporting_org.slug, step]), data)
        assert response.status_code == 302
    sent = client.post(reverse("reporting:check", args=[reporting_org.slug]))
    assert "data-receipt" in sent.content.decode()
    report = Report.objects.get()
    assert report.organisation == reporting_org
    assert not PrivateRecord.objects.exists()
    # Keys for the union's handler only; the union's handler reads it.
    assert list(ReportKey.objects.filter(report=report).values_list("user_id", flat=True)) == [handler.pk]
    union_client = sign_in_handler(Client(), handler)
    page = union_client.get(reverse("reporting:case_detail", args=[report.pk])).content.decode()
    assert SECRET in page
    # The employer whose page it was started on sees nothing.
    employer_client = sign_in_handler(Client(), employer_handler)
    assert "No cases." in employer_client.get(reverse("reporting:case_list") + "?status=all").content.decode()
    assert employer_client.get(reverse("reporting:case_detail", args=[report.pk])).status_code == 404
