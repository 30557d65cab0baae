"""A report is stored only if the receipt shown opens it and somebody can read it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from saferwork.reporting import crypto
from saferwork.reporting.models import Report, ReportingSettings
from saferwork.reporting.tests.helpers import ANSWERS, follow_up, submit

pytestmark = pytest.mark.django_db


def _fill(client, slug, answers=None):
    for step, data in {**ANSWERS, **(answers or {})}.items():
        assert client.post(reverse("reporting:question", args=[slug, step]), data).status_code == 302


def test_browser_key_that_does_not_match_the_receipt_is_refused_before_storing(client, reporting_org, handler):
    _fill(client, reporting_org.slug)
    receipt = crypto.new_receipt()
    response = client.post(
        reverse("reporting:check", args=[reporting_org.slug]),
        {"receipt": receipt, "receipt_key": crypto.new_secret_key().hex()},
        follow=True,
    )
    assert not Report.objects.exists()
    assert "could not be sent securely" in response.content.decode()
    # The draft is kept: with the right key (as the browser derives it) the report goes.
    salt = bytes(ReportingSettings.objects.get(organisation=reporting_org).receipt_salt)
    key = crypto.derive_key(receipt, salt, crypto.KdfParams.current())
    sent = client.post(
        reverse("reporting:check", args=[reporting_org.slug]), {"receipt": receipt, "receipt_key": key.hex()}
    )
    assert sent.status_code == 200 and "data-receipt>" in sent.content.decode()
    client.cookies.clear()
    assert follow_up(client, reporting_org.slug, receipt).status_code == 302


def test_report_that_excludes_every_reader_is_refused_with_a_warning(
    client, reporting_org, handler, second_handler, django_capture_on_commit_callbacks
):
    everyone = {"who-can-see": {"excluded": [str(handler.pk), str(second_handler.pk)]}}
    _fill(client, reporting_org.slug, everyone)
    page = client.get(reverse("reporting:check", args=[reporting_org.slug]))
    html = page.content.decode()
    assert "nobody could read your report" in html and "data-unreadable" in html
    assert "Send report" not in html and "Change who should not see it" in html
    assert "recovery key is kept by" in html
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(reverse("reporting:check", args=[reporting_org.slug]), {})
    assert refused.status_code == 200 and not Report.objects.exists() and not mail.outbox
    assert 'class="govuk-error-summary"' in refused.content.decode()
    assert "will acknowledge your report by" not in refused.content.decode()
    # Leaving one handler able to read it, the report goes and that handler is alerted.
    receipt = submit(client, reporting_org.slug, answers={"who-can-see": {"excluded": [str(second_handler.pk)]}})
    assert receipt and Report.objects.count() == 1


def test_report_to_an_organisation_where_nobody_reads_reports_is_refused(client, reporting_org, coordinator):
    _fill(client, reporting_org.slug)
    html = client.get(reverse("reporting:check", args=[reporting_org.slug])).content.decode()
    assert "Nobody at Home Union can receive reports yet" in html
    assert client.post(reverse("reporting:check", args=[reporting_org.slug]), {}).status_code == 200
    assert not Report.objects.exists()
