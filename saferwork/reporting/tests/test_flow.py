from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from saferwork.audit.models import AuditEntry
from saferwork.reporting.models import Message, Report
from saferwork.reporting.tests.helpers import SECRETS_IN_ANSWERS, follow_up, sign_in_handler, submit

pytestmark = pytest.mark.django_db


def test_anonymous_report_reaches_handler_who_replies_and_reporter_reads_reply(
    client, reporting_org, handler, django_capture_on_commit_callbacks, django_user_model
):
    with django_capture_on_commit_callbacks(execute=True):
        receipt = submit(client, reporting_org.slug)
    assert len(receipt) == 16 and receipt.isdigit()
    report = Report.objects.get()
    assert report.organisation == reporting_org and not report.is_named
    # The alert tells handlers that something arrived, and nothing of what.
    assert [m.to for m in mail.outbox] == [[handler.email]]
    alert = mail.outbox[0].subject + mail.outbox[0].body
    # Not even the reference: the queued alert carries no report id (lib/email.py).
    assert "A new report has been received by Home Union" in alert and report.reference not in alert
    for secret in SECRETS_IN_ANSWERS:
        assert secret not in alert

    handler_client = client_class_for(client)
    sign_in_handler(handler_client, handler)
    page = handler_client.get(reverse("reporting:case_detail", args=[report.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Quartzberry the delivery driver" in html
    # The notification email is never shown to handlers.
    assert "private.reporter@example.net" not in html
    assert AuditEntry.objects.filter(action="saferwork.case.opened", actor=handler).exists()

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        handler_client.post(
            reverse("reporting:case_reply", args=[report.pk]), {"reply-body": "Thank you. Can we talk on Tuesday?"}
        )
    assert Message.objects.filter(author_kind="handler").count() == 1
    # The reporter's alert email gets a bare "new message", nothing more.
    assert [m.to for m in mail.outbox] == [["private.reporter@example.net"]]
    assert "Tuesday" not in mail.outbox[0].body

    response = follow_up(client, reporting_org.slug, receipt)
    assert response.status_code == 302
    case = client.get(response["Location"])
    assert "Thank you. Can we talk on Tuesday?" in case.content.decode()
    assert "Quartzberry the delivery driver" in case.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reporting:follow_up_case", args=[reporting_org.slug]), {"body": "Tuesday is fine"})
    assert Message.objects.filter(author_kind="reporter").count() == 1
    assert (
        handler_client.get(reverse("reporting:case_detail", args=[report.pk])).content.decode().count("Tuesday is fine")
        == 1
    )


def client_class_for(client):
    from django.test import Client

    return Client()
