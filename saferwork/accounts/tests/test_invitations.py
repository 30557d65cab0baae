from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from saferwork.accounts.decorators import SUDO_SESSION_KEY
from saferwork.accounts.models import Invitation, User
from saferwork.audit.models import AuditEntry
from saferwork.organisations.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def invite(django_capture_on_commit_callbacks):
    """POST the invitation form and run the email it queues on commit."""

    def send(client, *, sudo=True, **data):
        payload = {"email": "new.rep@example.org", "full_name": "New Rep", "flags": ["is_case_handler"], **data}
        if sudo:  # giving a role needs a fresh second-factor check
            session = client.session
            session[SUDO_SESSION_KEY] = int(time.time()) + 600
            session.save()
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("accounts:people"), payload)

    return send


def test_coordinator_invites_and_invitee_joins_with_role(client, verified_client, coordinator, organisation, invite):
    staff_client = verified_client(coordinator)
    assert invite(staff_client).status_code == 302
    assert len(mail.outbox) == 1
    url = next(line for line in mail.outbox[0].body.splitlines() if "/invitations/" in line)
    path = url[url.index("/invitations/") :]
    staff_client.logout()
    response = client.post(path, {"full_name": "New Rep", "password": "a long enough passphrase 7"})
    assert response.status_code == 302
    user = User.objects.get(email="new.rep@example.org")
    assert Membership.objects.get(user=user, organisation=organisation).is_case_handler
    # A case handler must enrol a second factor before anything else.
    assert client.get(reverse("core:dashboard"))["Location"] == reverse("accounts:two_factor_setup")
    assert AuditEntry.objects.filter(action="saferwork.invitation.accepted").exists()
    # Single use: the link used again says so, with the way in, and changes nothing.
    client.logout()
    again = client.get(path)
    assert again.status_code == 200
    assert "You have already accepted this invitation" in again.content.decode()
    assert reverse("accounts:sign_in") in again.content.decode()
    client.post(path, {"full_name": "Someone Else", "password": "another long passphrase 8"})
    assert User.objects.filter(email="new.rep@example.org").count() == 1
    assert not client.session.get("_auth_user_id")


def test_expired_invitation_cannot_be_used(client, verified_client, coordinator, invite):
    invite(verified_client(coordinator))
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    url = next(line for line in mail.outbox[0].body.splitlines() if "/invitations/" in line)
    response = client.get(url[url.index("/invitations/") :])
    assert response.status_code == 410
    assert "This invitation cannot be used" in response.content.decode()


def test_invitation_token_is_not_stored_in_clear(verified_client, coordinator, invite):
    invite(verified_client(coordinator))
    url = next(line for line in mail.outbox[0].body.splitlines() if "/invitations/" in line)
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert not Invitation.objects.filter(token_hash=token).exists()


def test_coordinator_cannot_make_programme_admins(verified_client, coordinator, invite):
    response = invite(verified_client(coordinator), flags=["is_programme_admin"])
    assert response.status_code == 200
    assert Invitation.objects.count() == 0


def test_unknown_invitation_is_not_found(client, db):
    assert client.get("/invitations/not-a-real-token/").status_code == 404


def test_outsider_cannot_see_or_invite_into_another_organisation(
    verified_client, outsider, coordinator, organisation, invite
):
    client = verified_client(outsider)
    page = client.get(reverse("accounts:people"))
    assert page.status_code == 200
    assert coordinator.email not in page.content.decode()
    invite(client)
    assert not Invitation.objects.filter(organisation=organisation).exists()


def test_participant_cannot_open_people_page(verified_client, participant):
    assert verified_client(participant).get(reverse("accounts:people")).status_code == 403


def test_inviting_a_case_handler_needs_sudo_mode(verified_client, coordinator, organisation, invite):
    response = invite(verified_client(coordinator), sudo=False)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:sudo"))
    assert not Invitation.objects.exists() and not mail.outbox


def test_a_participant_can_be_invited_without_sudo(verified_client, coordinator, invite):
    assert invite(verified_client(coordinator), sudo=False, flags=[]).status_code == 302
    assert Invitation.objects.get().flags == []
