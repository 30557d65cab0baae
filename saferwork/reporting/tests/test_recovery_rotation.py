"""The recovery key can be replaced: everything sealed to it is re-sealed to a new key, and
the old key opens nothing any more. Reporters are told plainly who holds it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from saferwork.audit.models import AuditEntry
from saferwork.reporting import crypto, services
from saferwork.reporting.models import RecoveryWrap, Report, ReportingSettings
from saferwork.reporting.tests.conftest import make_handler
from saferwork.reporting.tests.helpers import sign_in_handler, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(client, reporting_org, handler):
    submit(client, reporting_org.slug)
    client.cookies.clear()
    return Report.objects.get()


def test_rotating_the_recovery_key_reseals_everything_and_kills_the_old_key(
    client, reporting_org, report, handler, coordinator
):
    old = crypto.parse_recovery_key(reporting_org.recovery_key)
    url = reverse("reporting:rotate_recovery_key")
    sign_in_handler(client, coordinator, sudo=False)
    asked = client.get(url)
    assert asked.status_code == 302 and asked["Location"].startswith(reverse("accounts:sudo"))
    sign_in_handler(client, coordinator)
    wrong = client.post(url, {"recovery_key": crypto.format_recovery_key(crypto.new_keypair()[1]), "confirm": "on"})
    assert wrong.status_code == 200 and "The recovery key is not right" in wrong.content.decode()
    assert 'class="govuk-error-summary"' in wrong.content.decode()
    response = client.post(url, {"recovery_key": reporting_org.recovery_key, "confirm": "on"})
    assert response.status_code == 200
    shown = re.search(r"data-recovery-key>([A-Z2-7-]+)<", response.content.decode()).group(1)
    new = crypto.parse_recovery_key(shown)
    assert new is not None and new != old
    org_settings = ReportingSettings.objects.get(organisation=reporting_org)
    assert bytes(org_settings.recovery_public_key) == crypto.public_of(new)
    # Every recovery-sealed item opens with the new key and no longer with the old one.
    report.refresh_from_db()
    assert crypto.public_of(crypto.unseal(new, bytes(report.recovery_wrapped_private_key))) == bytes(report.public_key)
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal(old, bytes(report.recovery_wrapped_private_key))
    wrap = RecoveryWrap.objects.get(organisation=reporting_org, handler_key__user=handler)
    crypto.unseal(new, bytes(wrap.sealed_private_key))
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal(old, bytes(wrap.sealed_private_key))
    # The old key is refused everywhere; the new one gives a newcomer the report.
    newcomer = make_handler(reporting_org, email="late@example.org", granted=False)
    with pytest.raises(crypto.DecryptionError):
        services.grant_with_recovery_key(organisation=reporting_org, recovery_private=old, user=newcomer)
    assert services.grant_with_recovery_key(organisation=reporting_org, recovery_private=new, user=newcomer) == 1
    entry = AuditEntry.objects.get(action="saferwork.reporting.recovery_key_rotated")
    assert entry.actor == coordinator and entry.data == {"reports": 1, "handler_keys": 1}
    # Reports sent after the rotation are sealed to the new key.
    submit(client, reporting_org.slug)
    latest = Report.objects.exclude(pk=report.pk).get()
    crypto.unseal(new, bytes(latest.recovery_wrapped_private_key))


def test_rotation_with_a_wrong_key_changes_nothing(reporting_org, report, coordinator):
    before = bytes(ReportingSettings.objects.get(organisation=reporting_org).recovery_public_key)
    with pytest.raises(crypto.DecryptionError):
        services.rotate_recovery_key(
            organisation=reporting_org, actor=coordinator, recovery_private=crypto.new_keypair()[1]
        )
    assert bytes(ReportingSettings.objects.get(organisation=reporting_org).recovery_public_key) == before


def test_reporter_is_told_who_holds_the_recovery_key_where_they_exclude_people(
    client, reporting_org, handler, second_handler, coordinator
):
    org_settings = ReportingSettings.objects.get(organisation=reporting_org)
    page = client.get(reverse("reporting:question", args=[reporting_org.slug, "who-can-see"])).content.decode()
    assert "will never be able to read" not in page
    assert "recovery key" in page and "the people Home Union chose to keep its recovery key" in page
    services.update_support_pages(
        org_settings=org_settings,
        actor=coordinator,
        who_to_talk_to="",
        employee_assistance="",
        helplines="",
        recovery_key_holders="Our HR director and the union branch secretary",
    )
    page = client.get(reverse("reporting:question", args=[reporting_org.slug, "who-can-see"])).content.decode()
    assert "Our HR director and the union branch secretary" in page
