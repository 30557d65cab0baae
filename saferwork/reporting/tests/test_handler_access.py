"""Who can read reports is decided by people who can already read them, never by a flag.

A new case handler reads earlier reports only once an existing handler (or the holder of
the recovery key) gives them access, in sudo mode, audited; taking the role away takes
the keys away at once, in every organisation concerned.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.core import mail
from django.urls import reverse

from saferwork.audit.models import AuditEntry
from saferwork.organisations import services as membership_services
from saferwork.organisations.models import Membership
from saferwork.reporting import crypto, keys, services
from saferwork.reporting.models import HandlerAccess, HandlerKey, RecoveryWrap, Report, ReportingSettings, ReportKey
from saferwork.reporting.tests.conftest import make_handler
from saferwork.reporting.tests.helpers import sign_in_handler, submit
from saferwork.tests import factories
from saferwork.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(client, reporting_org, handler):
    submit(client, reporting_org.slug)
    client.cookies.clear()
    return Report.objects.get()


def _case(client, report):
    return client.get(reverse("reporting:case_detail", args=[report.pk]))


def _fresh(client):
    client.logout()
    client.cookies.clear()
    return client


def test_coordinator_who_invites_themselves_as_handler_still_cannot_read_any_report(
    client, reporting_org, report, handler, coordinator, django_capture_on_commit_callbacks
):
    # The coordinator invites their own address as a case handler and joins.
    sign_in_handler(client, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            reverse("accounts:people"),
            {"email": coordinator.email, "full_name": "Me again", "flags": ["is_case_handler"]},
        )
    assert sent.status_code == 302
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/invitations/" in line)
    joined = client.post(link[link.index("/invitations/") :])
    assert joined.status_code == 302
    assert Membership.objects.get(user=coordinator, organisation=reporting_org).is_case_handler
    # Signing in again with the password gives them a reporting key...
    sign_in_handler(_fresh(client), coordinator)
    assert HandlerKey.objects.filter(user=coordinator).exists()
    # ...then a real handler opens the case, as they do every day.
    sign_in_handler(_fresh(client), handler)
    assert "Quartzberry" in _case(client, report).content.decode()
    # The newcomer still holds no key and cannot open the report.
    sign_in_handler(_fresh(client), coordinator)
    refused = _case(client, report)
    assert refused.status_code == 404 and "Quartzberry" not in refused.content.decode()
    # The case list shows them nothing either, and says why.
    listing = client.get(reverse("reporting:case_list")).content.decode()
    assert report.reference not in listing and "data-no-access" in listing
    assert not ReportKey.objects.filter(user=coordinator).exists()
    # Nor are new reports sealed to them: the flag alone is not access.
    submit(_fresh(client), reporting_org.slug)
    assert not ReportKey.objects.filter(user=coordinator).exists()
    assert ReportKey.objects.filter(user=handler).count() == 2


def test_giving_the_handler_role_is_audited_and_gives_no_access(reporting_org, coordinator, report):
    newcomer = factories.member(reporting_org, email="newcomer@example.org")
    membership = Membership.objects.get(user=newcomer)
    membership_services.set_roles(membership=membership, flags={"is_case_handler"}, actor=coordinator)
    entry = AuditEntry.objects.get(action="saferwork.membership.roles_changed")
    assert entry.actor == coordinator and entry.data["added"] == ["is_case_handler"]
    keys._unlock_or_create(user=newcomer, password=PASSWORD)
    assert not HandlerAccess.objects.filter(user=newcomer).exists()
    assert not ReportKey.objects.filter(user=newcomer).exists()


def test_handler_grants_access_in_sudo_mode_and_the_newcomer_reads_earlier_reports(
    client, reporting_org, report, handler
):
    newcomer = make_handler(reporting_org, email="late@example.org", granted=False)
    sign_in_handler(client, newcomer)
    assert _case(client, report).status_code == 404
    # The grant page needs a fresh code.
    sign_in_handler(_fresh(client), handler, sudo=False)
    asked = client.get(reverse("reporting:grant_access"))
    assert asked.status_code == 302 and asked["Location"].startswith(reverse("accounts:sudo"))
    refused = client.post(reverse("reporting:grant_access"), {"handler": str(newcomer.pk)})
    assert refused.status_code == 302 and not ReportKey.objects.filter(user=newcomer).exists()
    sign_in_handler(_fresh(client), handler)
    page = client.get(reverse("reporting:grant_access"))
    assert page.status_code == 200 and newcomer.email in page.content.decode()
    granted = client.post(reverse("reporting:grant_access"), {"handler": str(newcomer.pk)}, follow=True)
    assert "can now read reports here. Earlier reports given to them: 1." in granted.content.decode()
    entry = AuditEntry.objects.get(action="saferwork.reporting.access_granted")
    assert entry.actor == handler and entry.data["handler"] == newcomer.pk and entry.data["reports"] == 1
    # The newcomer now reads the earlier report, and new ones are sealed to them.
    sign_in_handler(_fresh(client), newcomer)
    assert "Quartzberry" in _case(client, report).content.decode()
    submit(_fresh(client), reporting_org.slug)
    assert ReportKey.objects.filter(user=newcomer).count() == 2


def test_a_handler_cannot_grant_access_to_themselves_or_without_reading_reports(reporting_org, report, handler):
    newcomer = make_handler(reporting_org, email="late@example.org", granted=False)
    other = make_handler(reporting_org, email="other@example.org", granted=False)
    private = keys.unwrap_with_password(HandlerKey.objects.get(user=newcomer), PASSWORD)
    with pytest.raises(PermissionError):
        services.grant_access(organisation=reporting_org, granter=newcomer, granter_private=private, user=other)
    with pytest.raises(PermissionError):
        services.grant_access(organisation=reporting_org, granter=newcomer, granter_private=private, user=newcomer)
    assert not ReportKey.objects.filter(user__in=[newcomer, other]).exists()


def test_coordinator_with_the_recovery_key_gives_the_first_handler_every_report(
    client, reporting_org, coordinator, django_capture_on_commit_callbacks
):
    # Reports sent while nobody could read them yet are refused (see test_exclusions), so
    # the first handler is given access before; a report made by an old version, sealed
    # only to the recovery key, is opened to them as well.
    first = make_handler(reporting_org, email="first@example.org", granted=False)
    sign_in_handler(client, coordinator)
    page = client.get(reverse("reporting:grant_access"))
    assert page.status_code == 200 and first.email in page.content.decode()
    missing = client.post(reverse("reporting:grant_access"), {"handler": str(first.pk)})
    assert missing.status_code == 200 and "enter the recovery key" in missing.content.decode()
    assert 'class="govuk-error-summary"' in missing.content.decode()
    wrong = client.post(
        reverse("reporting:grant_access"),
        {"handler": str(first.pk), "recovery_key": crypto.format_recovery_key(crypto.new_keypair()[1])},
    )
    assert wrong.status_code == 200 and "The recovery key is not right" in wrong.content.decode()
    done = client.post(
        reverse("reporting:grant_access"), {"handler": str(first.pk), "recovery_key": reporting_org.recovery_key}
    )
    assert done.status_code == 302
    entry = AuditEntry.objects.get(action="saferwork.reporting.access_granted_with_recovery_key")
    assert entry.actor == coordinator and entry.data["handler"] == first.pk
    submit(_fresh(client), reporting_org.slug)
    assert ReportKey.objects.filter(user=first).count() == 1


def test_removing_the_handler_role_revokes_their_keys_at_once(reporting_org, report, handler, coordinator):
    assert ReportKey.objects.filter(user=handler).exists()
    assert RecoveryWrap.objects.filter(handler_key__user=handler, organisation=reporting_org).exists()
    membership = Membership.objects.get(user=handler, organisation=reporting_org)
    membership_services.set_roles(membership=membership, flags=set(), actor=coordinator)
    assert not ReportKey.objects.filter(user=handler).exists()
    assert not RecoveryWrap.objects.filter(handler_key__user=handler, organisation=reporting_org).exists()
    assert not HandlerAccess.objects.filter(user=handler).exists()
    entry = AuditEntry.objects.get(action="saferwork.reporting.access_revoked")
    assert entry.actor == coordinator and entry.data["reason"] == "handler_flag_removed"
    # Giving the flag back does not bring the reports back.
    membership_services.set_roles(membership=membership, flags={"is_case_handler"}, actor=coordinator)
    assert not ReportKey.objects.filter(user=handler).exists()


def test_removing_a_member_revokes_their_keys(reporting_org, report, handler, coordinator):
    membership = Membership.objects.get(user=handler, organisation=reporting_org)
    membership_services.remove_membership(membership=membership, actor=coordinator)
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert not ReportKey.objects.filter(user=handler).exists()
    assert AuditEntry.objects.filter(action="saferwork.membership.removed").exists()


def test_deactivating_an_account_revokes_keys_in_every_organisation(
    client, reporting_org, report, handler, other_organisation, coordinator
):
    other_coordinator = factories.member(other_organisation, is_coordinator=True)
    other_organisation.recovery_key = services.enable_reporting(
        organisation=other_organisation, actor=other_coordinator, handler_private=None
    )
    factories.MembershipFactory(user=handler, organisation=other_organisation, is_case_handler=True)
    private = keys.unwrap_with_password(HandlerKey.objects.get(user=handler), PASSWORD)
    keys.ensure_recovery_wraps(key=HandlerKey.objects.get(user=handler), private=private)
    services.grant_with_recovery_key(
        organisation=other_organisation,
        recovery_private=crypto.parse_recovery_key(other_organisation.recovery_key),
        user=handler,
    )
    submit(client, other_organisation.slug)
    assert set(ReportKey.objects.filter(user=handler).values_list("organisation_id", flat=True)) == {
        reporting_org.pk,
        other_organisation.pk,
    }
    membership_services.deactivate_user(user=handler, actor=coordinator)
    handler.refresh_from_db()
    assert not handler.is_active
    assert not ReportKey.objects.filter(user=handler).exists()
    assert not RecoveryWrap.objects.filter(handler_key__user=handler).exists()
    assert AuditEntry.objects.filter(action="saferwork.reporting.access_revoked").count() == 2


@pytest.fixture
def admin_client(programme_host):
    """A Django admin (staff, superuser) signed in with a verified second factor."""
    from django.test import Client

    client = Client()
    staff = factories.member(programme_host, is_programme_admin=True, email="staff@example.org")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    factories.sign_in_verified(client, staff)
    return client


def test_memberships_cannot_be_edited_in_the_django_admin(admin_client, reporting_org, handler):
    from saferwork.accounts.models import User

    assert Membership not in admin.site._registry
    user_admin = admin.site._registry[User]
    assert "is_active" in user_admin.get_readonly_fields(None, handler)
    page = admin_client.get(reverse("admin:organisations_organisation_change", args=[reporting_org.pk]))
    assert page.status_code == 200 and "is_case_handler" not in page.content.decode()


def test_deactivating_in_the_admin_goes_through_the_service(admin_client, reporting_org, report, handler):
    response = admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "deactivate", "_selected_action": [str(handler.pk)]},
    )
    assert response.status_code == 302
    handler.refresh_from_db()
    assert not handler.is_active and not ReportKey.objects.filter(user=handler).exists()
    assert AuditEntry.objects.filter(action="saferwork.account.deactivated").exists()


def test_member_page_changes_roles_in_sudo_mode_and_revokes_keys(client, reporting_org, report, handler, coordinator):
    membership = Membership.objects.get(user=handler, organisation=reporting_org)
    url = reverse("organisations:member", args=[membership.pk])
    sign_in_handler(client, coordinator, sudo=False)
    asked = client.get(url)
    assert asked.status_code == 302 and asked["Location"].startswith(reverse("accounts:sudo"))
    sign_in_handler(_fresh(client), coordinator)
    assert client.get(url).status_code == 200
    assert client.post(url, {"flags": ["is_leader"]}).status_code == 302
    membership.refresh_from_db()
    assert membership.is_leader and not membership.is_case_handler
    assert not ReportKey.objects.filter(user=handler).exists()
    assert client.post(url, {"action": "remove"}).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_outsider_reaches_no_access_page_of_another_organisation(client, reporting_org, report, handler, outsider):
    membership = Membership.objects.get(user=handler, organisation=reporting_org)
    sign_in_handler(client, outsider)
    # The outsider's own organisation has no reporting: nothing to grant or rotate there.
    assert client.get(reverse("reporting:grant_access")).status_code == 404
    assert client.get(reverse("reporting:rotate_recovery_key")).status_code == 404
    assert client.get(reverse("organisations:member", args=[membership.pk])).status_code == 404
    assert client.post(reverse("organisations:member", args=[membership.pk]), {"action": "remove"}).status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_outsider_with_reporting_cannot_grant_our_handlers(client, reporting_org, report, handler, outsider):
    other = outsider.memberships.get().organisation
    other_coordinator = factories.member(other, is_coordinator=True)
    other.recovery_key = services.enable_reporting(organisation=other, actor=other_coordinator, handler_private=None)
    newcomer = make_handler(reporting_org, email="late@example.org", granted=False)
    sign_in_handler(client, outsider)
    page = client.get(reverse("reporting:grant_access"))
    assert page.status_code == 200 and newcomer.email not in page.content.decode()
    response = client.post(
        reverse("reporting:grant_access"), {"handler": str(newcomer.pk), "recovery_key": other.recovery_key}
    )
    assert response.status_code == 200 and 'class="govuk-error-summary"' in response.content.decode()
    assert not ReportKey.objects.filter(user=newcomer).exists()
    assert not HandlerAccess.objects.filter(user=newcomer).exists()


def test_participant_and_leader_cannot_open_access_pages(client, reporting_org, participant):
    factories.sign_in_verified(client, participant)
    assert client.get(reverse("reporting:grant_access")).status_code == 403
    assert client.get(reverse("reporting:rotate_recovery_key")).status_code == 403


def test_settings_page_says_who_reads_reports(client, reporting_org, handler, coordinator):
    make_handler(reporting_org, email="late@example.org", granted=False)
    sign_in_handler(client, coordinator)
    html = client.get(reverse("reporting:settings")).content.decode()
    assert "reads reports" in html and "cannot read reports until someone gives them access" in html
    assert ReportingSettings.objects.get(organisation=reporting_org)
