"""Raising the Argon2id parameters never locks anyone out: the parameters stored with each
wrapped key always open what they sealed, for reports, private records and handler keys."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from saferwork.reporting import crypto, keys, selectors
from saferwork.reporting.models import HandlerKey, PrivateRecord, Report
from saferwork.reporting.tests.helpers import follow_up, sign_in_handler, submit
from saferwork.reporting.tests.test_records import SECRET, start_record

pytestmark = pytest.mark.django_db

OLD = {"alg": "argon2id13", "opslimit": 1, "memlimit_kib": 64}
NEW = {"alg": "argon2id13", "opslimit": 2, "memlimit_kib": 128}


@pytest.fixture
def old_material(client, reporting_org, handler):
    report_receipt = submit(client, reporting_org.slug)
    client.cookies.clear()
    record_receipt = start_record(Client(), reporting_org.slug)
    assert Report.objects.get().receipt_kdf == OLD and PrivateRecord.objects.get().receipt_kdf == OLD
    assert HandlerKey.objects.get(user=handler).password_kdf == OLD
    return report_receipt, record_receipt


def _raise_parameters(settings):
    settings.REPORTING_ARGON2_OPSLIMIT = NEW["opslimit"]
    settings.REPORTING_ARGON2_MEMLIMIT_KIB = NEW["memlimit_kib"]


def test_old_report_record_and_handler_key_open_after_the_parameters_are_raised(
    settings, reporting_org, handler, old_material
):
    report_receipt, record_receipt = old_material
    _raise_parameters(settings)
    # A report by its receipt (no JavaScript: the server derives).
    reporter = Client()
    response = follow_up(reporter, reporting_org.slug, report_receipt)
    assert response.status_code == 302 and response["Location"].endswith("/follow-up/case/")
    assert "Quartzberry" in reporter.get(response["Location"]).content.decode()
    # A private record by its receipt.
    keeper = Client()
    response = follow_up(keeper, reporting_org.slug, record_receipt)
    assert response.status_code == 302 and response["Location"].endswith("/record/mine/")
    assert SECRET in keeper.get(response["Location"]).content.decode()
    # A handler key by password, at sign-in.
    client = Client()
    sign_in_handler(client, handler)
    assert client.session.get(keys.LOCKED_FLAG) is None
    case = client.get(reverse("reporting:case_detail", args=[Report.objects.get().pk]))
    assert "Quartzberry" in case.content.decode()
    # Everything opened is now protected by the raised parameters, and still opens.
    assert Report.objects.get().receipt_kdf == NEW and PrivateRecord.objects.get().receipt_kdf == NEW
    assert HandlerKey.objects.get(user=handler).password_kdf == NEW
    for receipt in (report_receipt, record_receipt):
        assert follow_up(Client(), reporting_org.slug, receipt).status_code == 302


def test_a_record_opens_when_no_report_uses_its_parameters(settings, reporting_org, old_material):
    Report.objects.all().delete()  # only the private record still uses the old parameters
    _raise_parameters(settings)
    keeper = Client()
    response = follow_up(keeper, reporting_org.slug, old_material[1])
    assert response.status_code == 302 and response["Location"].endswith("/record/mine/")
    assert SECRET in keeper.get(response["Location"]).content.decode()


def test_browser_is_told_every_parameter_set_in_use_for_records_too(settings, reporting_org, old_material):
    Report.objects.all().delete()  # only the private record still uses the old parameters
    _raise_parameters(settings)
    assert selectors.receipt_kdfs() == [crypto.KdfParams.from_dict(NEW), crypto.KdfParams.from_dict(OLD)]
    page = Client().get(reverse("reporting:follow_up", args=[reporting_org.slug])).content.decode()
    listed = json.loads(re.search(r"data-kdfs=\"([^\"]+)\"", page).group(1).replace("&quot;", '"'))
    assert {"opslimit": 1, "memlimit": 64} in listed
