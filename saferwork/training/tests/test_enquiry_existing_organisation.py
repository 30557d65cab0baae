"""Naming an existing organisation in an enquiry grants nothing: joining it needs its coordinators' approval.

The attack from issue 10: an anonymous enquiry names "northfield borough council" (an
organisation already on SaferWork, in other case); after the programme admin's routine
match and introduction the enquirer used to be invited as its coordinator.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from saferwork.accounts.models import Invitation, User
from saferwork.audit.models import AuditEntry
from saferwork.conftest import current_code
from saferwork.organisations.models import JoinRequest, Membership, Organisation, normalise_name
from saferwork.tests import factories
from saferwork.training.models import Enquiry
from saferwork.training.tests import factories as tf
from saferwork.training.tests.test_enquiry import form_data

pytestmark = pytest.mark.django_db

ATTACKER = "someone@elsewhere.example"


@pytest.fixture
def northfield(db):
    return factories.OrganisationFactory(kind="employer", name="Northfield Borough Council", slug="northfield")


@pytest.fixture
def northfield_coordinator(northfield):
    return factories.member(northfield, is_coordinator=True, email="real.coordinator@northfield.example")


def _links(address: str, pattern: str) -> list[str]:
    return [
        match.group(1)
        for message in mail.outbox
        if address in message.to
        for match in re.finditer(rf"https?://[^/\s]+({pattern})", message.body)
    ]


def _sudo(client: Client, user) -> None:
    client.post(reverse("accounts:sudo"), {"code": current_code(user.totpdevice_set.get())})


def _anonymous_enquiry(name: str, email: str, captured) -> Enquiry:
    anonymous = Client()
    with captured(execute=True):
        anonymous.post(
            reverse("training:enquire"),
            form_data(organisation_name=name, contact_email=email, region="London", contact_role="Chief executive"),
        )
    with captured(execute=True):
        anonymous.post(_links(email, r"/training/enquire/verify/[^/\s]+/")[-1])
    return Enquiry.objects.filter(contact_email=email).latest("pk")


def _match_and_introduce(client: Client, enquiry: Enquiry, trainer, captured) -> None:
    client.post(reverse("training:match", args=[enquiry.pk]), {"trainers": [trainer.pk]})
    with captured(execute=True):
        client.post(reverse("training:introduce", args=[enquiry.pk]))


def test_enquiry_naming_an_existing_organisation_never_makes_the_enquirer_its_coordinator(
    client, programme_admin, programme_host, northfield, northfield_coordinator, django_capture_on_commit_callbacks
):
    captured = django_capture_on_commit_callbacks
    factories.member(northfield, is_case_handler=True, email="handler@northfield.example")
    trainer = tf.trainer(programme_host, email="trainer@example.org")

    # 1. An anonymous enquiry names the council in odd case and punctuation.
    enquiry = _anonymous_enquiry("  northfield BOROUGH council. ", ATTACKER, captured)
    assert enquiry.organisation == northfield
    assert Organisation.objects.filter(name_key=normalise_name("Northfield Borough Council")).count() == 1

    # 2. The programme admin sees plainly that the organisation exists and who is not in it.
    factories.sign_in_verified(client, programme_admin)
    page = client.get(reverse("training:enquiry", args=[enquiry.pk])).content.decode()
    assert f"This organisation already exists on SaferWork; {ATTACKER} is not a member" in page
    board = client.get(reverse("training:board")).content.decode()
    assert "Existing organisation" in board

    # 3. The routine match and introduction.
    _match_and_introduce(client, enquiry, trainer, captured)
    enquiry.refresh_from_db()
    assert enquiry.introduced_at is not None

    # 4. Whatever the enquirer received, following it gives them no role in the council.
    for link in _links(ATTACKER, r"/invitations/[^/\s]+/"):
        attacker = Client()
        attacker.post(link, {"full_name": "Someone", "password": "a long enough passphrase 9"})
    assert not Invitation.objects.filter(email=ATTACKER).exists()
    assert not Membership.objects.filter(organisation=northfield, user__email=ATTACKER).exists()
    user = User.objects.filter(email=ATTACKER).first()
    if user is not None:  # on the old code: an account, with an authenticator enrolled
        factories.add_totp(user)
        attacker = Client()
        factories.sign_in_verified(attacker, user)
        for url in [
            reverse("reporting:case_list"),
            reverse("accounts:people"),
            reverse("training:booking", args=[enquiry.pk]),
            reverse("organisations:join_requests"),
        ]:
            assert attacker.get(url).status_code in {403, 404}, url

    # 5. Instead a join request waits for the council's coordinator, audited.
    join_request = JoinRequest.objects.get(organisation=northfield, email=ATTACKER)
    assert join_request.is_pending and join_request.flags == ["is_coordinator"]
    assert enquiry.join_request == join_request
    assert AuditEntry.objects.filter(action="saferwork.organisation.join_requested", target_id=str(join_request.pk))
    told = [m for m in mail.outbox if m.to == [northfield_coordinator.email] and ATTACKER in m.subject]
    assert told and f"/organisation/join-requests/{join_request.pk}/" in told[0].body


def test_coordinator_refuses_a_request_to_join_from_their_dashboard(
    client, northfield, northfield_coordinator, django_capture_on_commit_callbacks
):
    enquiry = tf.enquiry(northfield, contact_email=ATTACKER)
    from saferwork.organisations import services

    with django_capture_on_commit_callbacks(execute=True):
        join_request = services.request_to_join(
            organisation=northfield,
            email=ATTACKER,
            full_name="Someone",
            role="CEO",
            flags=["is_coordinator"],
            source=f"training enquiry {enquiry.reference}",
        )
    factories.sign_in_verified(client, northfield_coordinator)
    dashboard = client.get(reverse("core:dashboard")).content.decode()
    assert "Requests to join (1 waiting)" in dashboard
    listing = client.get(reverse("organisations:join_requests")).content.decode()
    assert ATTACKER in listing
    url = reverse("organisations:join_request", args=[join_request.pk])
    # Deciding needs a fresh code.
    assert client.get(url)["Location"].startswith(reverse("accounts:sudo"))
    _sudo(client, northfield_coordinator)
    page = client.get(url).content.decode()
    assert "Not a member of Northfield Borough Council" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": "refuse"})
    assert response.status_code == 302
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.REFUSED
    assert join_request.decided_by == northfield_coordinator
    assert AuditEntry.objects.filter(action="saferwork.organisation.join_refused", actor=northfield_coordinator)
    assert not Invitation.objects.filter(email=ATTACKER).exists()
    refused = [m for m in mail.outbox if m.to == [ATTACKER]]
    assert refused and "has not approved" in refused[0].body
    assert northfield_coordinator.email not in refused[0].body
    # A decided request cannot be decided again.
    client.post(url, {"decision": "approve"})
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.REFUSED


def test_coordinator_approves_and_only_the_invited_address_gets_the_role(
    client, northfield, northfield_coordinator, django_capture_on_commit_callbacks
):
    from saferwork.organisations import services

    join_request = services.request_to_join(
        organisation=northfield,
        email="new.colleague@northfield.example",
        full_name="New Colleague",
        role="HR lead",
        flags=["is_coordinator"],
        source="training enquiry",
    )
    factories.sign_in_verified(client, northfield_coordinator)
    _sudo(client, northfield_coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("organisations:join_request", args=[join_request.pk]), {"decision": "approve"})
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.APPROVED
    entry = AuditEntry.objects.get(action="saferwork.organisation.join_approved")
    assert entry.actor == northfield_coordinator and entry.data["as"] == "coordinator"
    # Approval is an invitation to that mailbox; the membership starts when it is accepted.
    assert not Membership.objects.filter(user__email="new.colleague@northfield.example").exists()
    link = _links("new.colleague@northfield.example", r"/invitations/[^/\s]+/")[-1]
    Client().post(link, {"full_name": "New Colleague", "password": "a long enough passphrase 9"})
    membership = Membership.objects.get(user__email="new.colleague@northfield.example")
    assert membership.organisation == northfield and membership.is_coordinator


def test_programme_admin_approves_only_deliberately_with_a_reason(
    client, programme_admin, northfield, django_capture_on_commit_callbacks
):
    from saferwork.organisations import services

    join_request = services.request_to_join(
        organisation=northfield, email=ATTACKER, full_name="", role="", flags=["is_coordinator"], source="enquiry"
    )
    factories.sign_in_verified(client, programme_admin)
    assert ATTACKER in client.get(reverse("organisations:programme_join_requests")).content.decode()
    url = reverse("organisations:programme_join_request", args=[join_request.pk])
    _sudo(client, programme_admin)
    page = client.get(url).content.decode()
    assert "None: nobody at the organisation can approve" in page
    refused = client.post(url, {"decision": "approve", "reason": "  "})
    assert "Say how you checked that this person should have this role" in refused.content.decode()
    join_request.refresh_from_db()
    assert join_request.is_pending
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": "approve", "reason": "Confirmed by phone with the chief executive"})
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.APPROVED
    entry = AuditEntry.objects.get(action="saferwork.organisation.join_approved")
    assert entry.data["as"] == "programme_admin"
    assert entry.data["reason"] == "Confirmed by phone with the chief executive"
    assert Invitation.objects.get(email=ATTACKER).flags == ["is_coordinator"]


def test_outsiders_cannot_see_or_decide_another_organisations_join_requests(
    client, northfield, northfield_coordinator, outsider, participant
):
    from saferwork.organisations import services

    join_request = services.request_to_join(
        organisation=northfield, email=ATTACKER, full_name="", role="", flags=["is_coordinator"], source="enquiry"
    )
    for person in [outsider, participant]:
        visitor = Client()
        factories.sign_in_verified(visitor, person)
        if person.totpdevice_set.exists():
            _sudo(visitor, person)
        url = reverse("organisations:join_request", args=[join_request.pk])
        assert visitor.get(url).status_code in {403, 404}
        assert visitor.post(url, {"decision": "approve"}).status_code in {403, 404}
        assert ATTACKER not in visitor.get(reverse("organisations:join_requests")).content.decode()
        assert visitor.get(reverse("organisations:programme_join_requests")).status_code == 403
        assert visitor.get(reverse("organisations:programme_join_request", args=[join_request.pk])).status_code == 403
    # The outsider's own coordinator page is reachable but lists nothing of Northfield's.
    own = Client()
    factories.sign_in_verified(own, outsider)
    assert own.get(reverse("organisations:join_requests")).status_code == 200
    join_request.refresh_from_db()
    assert join_request.is_pending
    assert not Invitation.objects.filter(email=ATTACKER).exists()
    assert Client().get(reverse("organisations:join_requests")).status_code == 302


def test_a_second_enquiry_for_an_organisation_another_enquiry_created_gets_a_join_request(
    client, programme_admin, programme_host, django_capture_on_commit_callbacks
):
    captured = django_capture_on_commit_callbacks
    trainer = tf.trainer(programme_host, email="trainer@example.org")
    first = _anonymous_enquiry("Riverside Care Trust", "lead@riverside.example", captured)
    second = _anonymous_enquiry("riverside care trust", ATTACKER, captured)
    assert first.organisation == second.organisation
    assert first.organisation_created and not second.organisation_created
    factories.sign_in_verified(client, programme_admin)
    _match_and_introduce(client, second, trainer, captured)
    _match_and_introduce(client, first, trainer, captured)
    assert Invitation.objects.get(email="lead@riverside.example").flags == ["is_coordinator"]
    assert not Invitation.objects.filter(email=ATTACKER).exists()
    assert JoinRequest.objects.get(email=ATTACKER).is_pending


def test_an_existing_member_who_is_not_coordinator_must_be_approved_too(
    client, programme_admin, programme_host, northfield, django_capture_on_commit_callbacks
):
    member = factories.member(northfield, email="member@northfield.example", with_device=False)
    enquiry = tf.enquiry(northfield, contact_email=member.email)
    enquiry.assignments.create(trainer=tf.trainer(programme_host, email="trainer@example.org"))
    factories.sign_in_verified(client, programme_admin)
    page = client.get(reverse("training:enquiry", args=[enquiry.pk])).content.decode()
    assert f"{member.email} is a member but not a coordinator" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("training:introduce", args=[enquiry.pk]))
    assert not Invitation.objects.filter(email=member.email).exists()
    assert not Membership.objects.get(user=member).is_coordinator
    assert JoinRequest.objects.get(email=member.email).is_pending


def test_an_enquiring_coordinator_of_the_organisation_is_neither_invited_nor_asked(
    client, programme_admin, programme_host, northfield, northfield_coordinator, django_capture_on_commit_callbacks
):
    enquiry = tf.enquiry(northfield, contact_email=northfield_coordinator.email)
    enquiry.assignments.create(trainer=tf.trainer(programme_host, email="trainer@example.org"))
    factories.sign_in_verified(client, programme_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("training:introduce", args=[enquiry.pk]))
    assert not Invitation.objects.exists() and not JoinRequest.objects.exists()


@pytest.mark.parametrize(
    "variant",
    [
        "northfield borough council",
        "NORTHFIELD BOROUGH COUNCIL",
        " Northfield  Borough-Council. ",
        "Northfield Borough Council!",
    ],
)
def test_organisation_names_match_whatever_the_case_spacing_or_punctuation(variant):
    assert normalise_name(variant) == normalise_name("Northfield Borough Council")
    assert normalise_name("Smith & Jones") == normalise_name("Smith and Jones")
    assert normalise_name("Northfield Borough Council") != normalise_name("Northfield County Council")


# ---------------------------------------------------------------- a name that is close, not the same


@pytest.mark.parametrize(
    ("typed", "existing"),
    [
        ("The Northfield Borough Council", "Northfield Borough Council"),
        ("Northfield Council", "Northfield Borough Council"),
        ("CWU", "Care Workers' Union"),
        ("Care Workers Union (CWU)", "Care Workers' Union"),
    ],
)
def test_names_that_differ_by_more_than_punctuation_still_look_alike(typed, existing):
    from saferwork.organisations.selectors import names_look_alike

    assert normalise_name(typed) != normalise_name(existing)  # the exact match misses them
    assert names_look_alike(typed, existing)


@pytest.mark.parametrize(("one", "other"), [("Unite", "Unison"), ("Public Services Union", "Care Workers' Union")])
def test_different_organisations_do_not_look_alike(one, other):
    from saferwork.organisations.selectors import names_look_alike

    assert not names_look_alike(one, other)


def test_an_enquiry_under_a_near_name_is_matched_by_the_admin_and_joining_waits_for_the_coordinator(
    client, programme_admin, programme_host, northfield, northfield_coordinator, django_capture_on_commit_callbacks
):
    captured = django_capture_on_commit_callbacks
    trainer = tf.trainer(programme_host, email="trainer@example.org")
    enquiry = _anonymous_enquiry("The Northfield Council", "newcomer@northfield.example", captured)
    pending = enquiry.organisation
    assert pending != northfield and pending.status == Organisation.Status.PENDING  # two, until someone says

    factories.sign_in_verified(client, programme_admin)
    page = client.get(reverse("training:enquiry", args=[enquiry.pk])).content.decode()
    assert "Is this an organisation already on SaferWork?" in page
    assert "It is Northfield Borough Council" in page
    # The enquirer's address shares the council members' mail domain, and the name is close.
    assert "a similar name and members with addresses at the enquirer's mail domain" in " ".join(page.split())

    response = client.post(reverse("training:enquiry_organisation", args=[enquiry.pk]), {"organisation": northfield.pk})
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.organisation == northfield and not enquiry.organisation_created
    assert not Organisation.objects.filter(pk=pending.pk).exists()  # one council, not two
    assert AuditEntry.objects.filter(action="saferwork.enquiry.organisation_matched", actor=programme_admin)

    # Matching gave the enquirer nothing: the introduction asks the council's coordinator.
    _match_and_introduce(client, enquiry, trainer, captured)
    assert not Invitation.objects.filter(email="newcomer@northfield.example").exists()
    assert not Membership.objects.filter(organisation=northfield, user__email="newcomer@northfield.example").exists()
    join_request = JoinRequest.objects.get(organisation=northfield, email="newcomer@northfield.example")
    assert join_request.is_pending


def test_only_an_organisation_the_page_offered_can_be_chosen(client, programme_admin, northfield):
    pending = factories.OrganisationFactory(kind="union", name="Riverside Union", status=Organisation.Status.PENDING)
    unrelated = factories.OrganisationFactory(kind="union", name="Hilltop Union")
    enquiry = tf.enquiry(pending, organisation_created=True, contact_email="x@riverside.example")
    factories.sign_in_verified(client, programme_admin)
    assert (
        "Is this an organisation already on SaferWork?"
        not in client.get(reverse("training:enquiry", args=[enquiry.pk])).content.decode()
    )
    client.post(reverse("training:enquiry_organisation", args=[enquiry.pk]), {"organisation": unrelated.pk})
    enquiry.refresh_from_db()
    assert enquiry.organisation == pending


def test_an_introduced_enquiry_keeps_its_organisation(client, programme_admin, programme_host, northfield):
    pending = factories.OrganisationFactory(kind="employer", name="Northfield Council", status="pending")
    enquiry = tf.enquiry(pending, organisation_created=True, introduced_at=timezone.now())
    factories.sign_in_verified(client, programme_admin)
    assert "Is this an organisation" not in client.get(reverse("training:enquiry", args=[enquiry.pk])).content.decode()
    client.post(reverse("training:enquiry_organisation", args=[enquiry.pk]), {"organisation": northfield.pk})
    enquiry.refresh_from_db()
    assert enquiry.organisation == pending


def test_outsiders_cannot_match_an_enquiry(client, coordinator, northfield):
    pending = factories.OrganisationFactory(kind="employer", name="Northfield Council", status="pending")
    enquiry = tf.enquiry(pending, organisation_created=True)
    factories.sign_in_verified(client, coordinator)
    response = client.post(reverse("training:enquiry_organisation", args=[enquiry.pk]), {"organisation": northfield.pk})
    assert response.status_code in {403, 404}
    enquiry.refresh_from_db()
    assert enquiry.organisation == pending
    assert client.get(reverse("training:enquiry", args=[enquiry.pk])).status_code in {403, 404}


def test_enquiry_page_queries_do_not_grow_with_organisations(client, programme_admin, django_assert_max_num_queries):
    pending = factories.OrganisationFactory(kind="employer", name="Northfield Council", status="pending")
    enquiry = tf.enquiry(pending, organisation_created=True, contact_email="x@northfield.example")
    factories.sign_in_verified(client, programme_admin)

    def queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("training:enquiry", args=[enquiry.pk])).status_code == 200
        return len(context.captured_queries)

    before = queries()
    for n in range(15):
        organisation = factories.OrganisationFactory(kind="employer", name=f"Northfield Council {n}")
        factories.member(organisation, email=f"member{n}@northfield.example")
    with django_assert_max_num_queries(before):
        page = client.get(reverse("training:enquiry", args=[enquiry.pk])).content.decode()
    assert page.count("It is Northfield Council") == 15
