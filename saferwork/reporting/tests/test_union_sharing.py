"""Union-held reports: the reporter shares chosen parts with their employer, after a
preview, as a new report with its own keys; the union sees only that it was shared."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from saferwork.reporting import services
from saferwork.reporting.models import Report, ReportKey, ReportShare
from saferwork.reporting.tests.conftest import make_handler
from saferwork.reporting.tests.helpers import follow_up, sign_in_handler, submit
from saferwork.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def employer(db):
    org = factories.OrganisationFactory(kind="employer", name="Vellum Borough Council", slug="vellum-council")
    coordinator = factories.member(org, is_coordinator=True)
    org.recovery_key = services.enable_reporting(organisation=org, actor=coordinator, handler_private=None)
    return org


@pytest.fixture
def employer_handler(employer):
    return make_handler(employer, email="hr@vellum.example")


@pytest.fixture
def employer_handler_2(employer):
    return make_handler(employer, email="manager@vellum.example")


@pytest.fixture
def union_report(client, reporting_org, handler):
    receipt = submit(client, reporting_org.slug)
    report = Report.objects.get(organisation=reporting_org)
    services.reply(report=report, user=handler, body="Your rep here: we can raise it with them if you want")
    follow_up(client, reporting_org.slug, receipt)
    return report


def share_url(org):
    return reverse("reporting:follow_up_share", args=[org.slug])


def test_member_previews_then_shares_chosen_parts_and_employer_sees_only_those(
    client, reporting_org, handler, union_report, employer, employer_handler, django_capture_on_commit_callbacks
):
    case = client.get(reverse("reporting:follow_up_case", args=[reporting_org.slug])).content.decode()
    assert "Your rep here" in case and share_url(reporting_org) in case
    chosen = {"employer": str(employer.pk), "parts": ["what-happened", "where"]}
    mail.outbox.clear()
    preview = client.post(share_url(reporting_org), {"action": "preview", **chosen})
    html = preview.content.decode()
    assert preview.status_code == 200 and "Check what Vellum Borough Council will see" in html
    assert "Quartzberry the delivery driver grabbed my colleague" in html and "Loading bay at Zephyrmart" in html
    assert "Oluwaseun Marchetti-Blyth" not in html and "Vellichor Logistics" not in html
    assert "Your rep here" not in html
    assert employer_handler.get_full_name() in html  # may be excluded
    # The preview sends nothing.
    assert not Report.objects.filter(organisation=employer).exists() and mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(share_url(reporting_org), {"action": "send", **chosen})
    html = sent.content.decode()
    assert "Shared with Vellum Borough Council" in html and "data-receipt" in html
    new = Report.objects.get(organisation=employer)
    assert bytes(new.public_key) != bytes(union_report.public_key)
    assert [m.to for m in mail.outbox] == [[employer_handler.email]]
    assert "Quartzberry" not in mail.outbox[0].body

    # The employer's handler sees only the shared parts.
    employer_client = sign_in_handler(Client(), employer_handler)
    page = employer_client.get(reverse("reporting:case_detail", args=[new.pk])).content.decode()
    assert "Quartzberry the delivery driver grabbed my colleague" in page and "Loading bay at Zephyrmart" in page
    for hidden in ["Oluwaseun Marchetti-Blyth", "Vellichor Logistics", "avoids the loading bay", "Your rep here"]:
        assert hidden not in page
    # The employer's handler cannot reach the union's case.
    assert employer_client.get(reverse("reporting:case_detail", args=[union_report.pk])).status_code == 404

    # The union sees that it was shared, and nothing of what follows.
    share = ReportShare.objects.get()
    assert share.report == union_report and share.employer == employer
    assert share.parts == ["what-happened", "where"]
    assert not [f for f in ReportShare._meta.get_fields() if f.name != "report" and f.related_model is Report]
    union_client = sign_in_handler(Client(), handler)
    union_page = union_client.get(reverse("reporting:case_detail", args=[union_report.pk])).content.decode()
    assert "shared part of this report with Vellum Borough Council" in union_page
    services.change_status(report=new, user=employer_handler, status="acknowledged")
    services.reply(report=new, user=employer_handler, body="HR will investigate the depot")
    union_page = union_client.get(reverse("reporting:case_detail", args=[union_report.pk])).content.decode()
    assert "HR will investigate" not in union_page and new.reference not in union_page
    # The reporter sees the share on the union report.
    case = client.get(reverse("reporting:follow_up_case", args=[reporting_org.slug])).content.decode()
    assert "You shared part of this report with Vellum Borough Council" in case


def test_reporter_can_exclude_an_employer_handler(
    client, reporting_org, union_report, employer, employer_handler, employer_handler_2
):
    client.post(
        share_url(reporting_org),
        {
            "action": "send",
            "employer": str(employer.pk),
            "parts": ["what-happened"],
            "excluded": [str(employer_handler_2.pk)],
        },
    )
    new = Report.objects.get(organisation=employer)
    assert set(ReportKey.objects.filter(report=new).values_list("user_id", flat=True)) == {employer_handler.pk}
    assert new.exclusions.filter(user=employer_handler_2).exists()


def test_sharing_that_excludes_every_employer_reader_is_refused(
    client, reporting_org, union_report, employer, employer_handler, employer_handler_2
):
    response = client.post(
        share_url(reporting_org),
        {
            "action": "send",
            "employer": str(employer.pk),
            "parts": ["what-happened"],
            "excluded": [str(employer_handler.pk), str(employer_handler_2.pk)],
        },
    )
    assert response.status_code == 200 and "Nobody at Vellum Borough Council could read it" in response.content.decode()
    assert not Report.objects.filter(organisation=employer).exists() and not ReportShare.objects.exists()


def test_nothing_chosen_is_an_error_and_sends_nothing(client, reporting_org, union_report, employer, employer_handler):
    response = client.post(share_url(reporting_org), {"action": "send", "employer": str(employer.pk)})
    assert "Select at least one part to share" in response.content.decode()
    response = client.post(share_url(reporting_org), {"action": "send", "parts": ["where"], "employer": "999"})
    assert "Select your employer" in response.content.decode()
    assert not Report.objects.filter(organisation=employer).exists() and not ReportShare.objects.exists()


def test_sharing_needs_the_receipt_and_a_union(client, reporting_org, employer, employer_handler):
    assert client.get(share_url(reporting_org))["Location"] == reverse("reporting:follow_up", args=[reporting_org.slug])
    receipt = submit(client, employer.slug)
    follow_up(client, employer.slug, receipt)
    # A report held by an employer is not shared onwards from here.
    assert client.get(share_url(employer)).status_code == 404
    case = client.get(reverse("reporting:follow_up_case", args=[employer.slug])).content.decode()
    assert "Share with your employer" not in case


def test_share_pages_are_private_and_have_exit_this_page(client, reporting_org, union_report, employer):
    response = client.get(share_url(reporting_org))
    assert "no-store" in response["Cache-Control"] and "govuk-exit-this-page" in response.content.decode()


def test_a_share_the_browser_sealed_wrongly_is_the_preview_again_with_its_error(
    client, reporting_org, union_report, employer, employer_handler
):
    response = client.post(
        share_url(reporting_org),
        {
            "action": "send",
            "employer": str(employer.pk),
            "parts": ["what-happened"],
            "receipt": "1234567812345678",
            "receipt_key": "ab" * 32,  # not the key of that receipt
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'class="govuk-error-summary"' in html
    assert "Your report could not be sent securely. Nothing was sent" in html
    assert "Check what Vellum Borough Council will see" in html
    assert not Report.objects.filter(organisation=employer).exists() and not ReportShare.objects.exists()
