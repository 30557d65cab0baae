"""An error in a reporting POST reaches no log and no admin email with a receipt or an answer."""

from __future__ import annotations

import logging
import sys
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.views.debug import ExceptionReporter

from saferwork.reporting import services
from saferwork.reporting.tests.helpers import ANSWERS, SECRETS_IN_ANSWERS, submit

pytestmark = pytest.mark.django_db

RECEIPT_DIGITS = "4242424242424242"


class Boom(RuntimeError):
    pass


def test_a_crash_on_the_follow_up_post_leaves_no_receipt_in_the_error_report(
    reporting_org: Any, handler: Any, settings: Any, monkeypatch: Any
) -> None:
    settings.ADMINS = [("Admin", "admin@example.org")]
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    receipt = submit(client, reporting_org.slug)

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise Boom("lookup failed")

    monkeypatch.setattr(services, "find_report_by_receipt_key", crash)
    mail.outbox.clear()
    response = client.post(reverse("reporting:follow_up", args=[reporting_org.slug]), {"receipt": receipt})
    assert response.status_code == 500
    # The admin email Django sends for the 500, through the LOGGING handler.
    reports = [m for m in mail.outbox if "admin@example.org" in m.to]
    assert reports, [m.subject for m in mail.outbox]
    text = " ".join(m.subject + m.body + "".join(str(a[0]) for a in m.alternatives or []) for m in reports)
    assert "Boom" in text
    # The request's own path is left out (the settings listed in the email may name path prefixes).
    assert receipt not in text and receipt[:8] not in text
    assert reverse("reporting:follow_up", args=[reporting_org.slug]) not in text and reporting_org.slug not in text

    # The technical page a developer would see, for a draft's answers on the check page.
    request = client.post(reverse("reporting:check", args=[reporting_org.slug]), {}).wsgi_request
    request.POST = request.POST.copy()
    request.POST.update({"receipt": RECEIPT_DIGITS, "description": ANSWERS["what-happened"]["description"]})
    try:
        secret_description = ANSWERS["what-happened"]["description"]  # noqa: F841 - a frame variable
        raise Boom("while saving")
    except Boom:
        reporter = ExceptionReporter(request, *sys.exc_info())
        html, plain = reporter.get_traceback_html(), reporter.get_traceback_text()
    for page in (html, plain):
        assert RECEIPT_DIGITS not in page
        for secret in SECRETS_IN_ANSWERS:
            assert secret not in page


def test_records_about_private_paths_name_no_path(rf: Any) -> None:
    from saferwork.lib.privatelog import PrivatePathFilter

    request = rf.get("/report/northfield-council/follow-up/")
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s", (request.path,), None)
    record.request = request
    record.status_code = 404
    PrivatePathFilter().filter(record)
    assert "northfield" not in record.getMessage() and "404" in record.getMessage()
