"""Every kind of email, rendered from objects whose names carry quotes, ampersands and angle brackets.

The plain-text part must show the name as typed (no ``&#x27;``), the subject must be one
line, the HTML part must escape the name, and every email is signed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.html import escape

from saferwork.accounts.models import Invitation
from saferwork.actions import selectors as action_selectors
from saferwork.actions import services as action_services
from saferwork.actions.models import Action
from saferwork.fees.models import FeeDocument
from saferwork.lib import email as lib_email
from saferwork.organisations.models import JoinRequest
from saferwork.reach.models import DataAccessToken
from saferwork.recruitment.models import Application, Interview, InterviewSlot, Panellist
from saferwork.recruitment.tests.conftest import make_application, make_round
from saferwork.reporting.models import Report
from saferwork.reporting.services import _seal_email
from saferwork.tests import factories
from saferwork.training import services as training_services
from saferwork.training.models import PreMeetingSlot
from saferwork.training.tests import factories as tf

pytestmark = pytest.mark.django_db

NAME = "Care Workers' Union & Co <Ltd>"
CONTACT = "Siobhán O'Neill"
ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


@dataclass
class World:
    host: Any
    org: Any
    coordinator: Any
    trainer: Any
    booking: Any
    session: Any
    participant: Any
    round_: Any


@pytest.fixture
def world(settings: Any) -> World:
    settings.PROGRAMME_CONTACT_NAME = CONTACT
    settings.PROGRAMME_CONTACT_ROLE = "Programme manager"
    settings.PROGRAMME_CONTACT_EMAIL = "programme@example.org"
    host = factories.OrganisationFactory(kind="programme_host", name="Test Confederation")
    org = factories.OrganisationFactory(kind="union", name=NAME)
    coordinator = factories.member(org, is_coordinator=True, email="coordinator@example.org")
    coordinator.full_name = NAME
    coordinator.save()
    trainer = tf.trainer(host, email="trainer@example.org")
    trainer.user.full_name = NAME
    trainer.user.save()
    booking = tf.booking(org, [trainer], organisation_name=NAME, contact_name=NAME)
    session = tf.session(booking)
    participant = tf.participant(session, 1, position="senior_leader")
    participant.name = NAME
    participant.save()
    return World(host, org, coordinator, trainer, booking, session, participant, make_round(host, title=NAME))


Case = Callable[[World], tuple[list[Any], dict[str, str]]]


def invitation(w: World) -> tuple[list[Any], dict[str, str]]:
    found = Invitation.objects.create(
        organisation=w.org,
        email="new@example.org",
        full_name=NAME,
        token_hash="0" * 64,
        invited_by=w.coordinator,
        expires_at=timezone.now() + dt.timedelta(days=7),
    )
    return [found.pk], {"token": "an-invitation-token"}


def after_session(w: World) -> tuple[list[Any], dict[str, str]]:
    return [w.session.pk, w.participant.pk], {}


def claim_link(w: World) -> tuple[list[Any], dict[str, str]]:
    from saferwork.delivery.models import BadgeClaimToken

    claim = BadgeClaimToken.objects.create(participant=w.participant, session=w.session, token_hash="0" * 64)
    return [claim.pk], {"token": "a-claim-token"}


def fee_sent(w: World) -> tuple[list[Any], dict[str, str]]:
    document = FeeDocument.objects.create(
        organisation=w.org, enquiry=w.booking, trainer=w.trainer, kind="estimate", day_rate_pence=45000
    )
    return [document.pk], {}


def join_request(w: World) -> tuple[list[Any], dict[str, str]]:
    found = JoinRequest.objects.create(
        organisation=w.org, email="joiner@example.org", full_name=NAME, source=f"a training enquiry from {NAME}"
    )
    return [found.pk], {}


def data_access(w: World) -> tuple[list[Any], dict[str, str]]:
    access = DataAccessToken.objects.create(
        email="person1@example.org", token_hash="1" * 64, expires_at=timezone.now() + dt.timedelta(hours=1)
    )
    return [access.pk], {"token": "a-data-token"}


def expert_invitation(w: World) -> tuple[list[Any], dict[str, str]]:
    user = factories.UserFactory(email="expert@example.net", full_name=NAME)
    seat = Panellist.objects.create(round=w.round_, user=user, kind=Panellist.Kind.EXPERT)
    return [seat.pk, "1"], {}


def _application(w: World, **fields: Any) -> Application:
    return make_application(w.round_, 1, full_name=NAME, interview_adjustments="A quiet room & a ramp", **fields)


def resume_link(w: World) -> tuple[list[Any], dict[str, str]]:
    return [_application(w, status=Application.Status.DRAFT).pk], {"token": "a-resume-token"}


def confirmation(w: World) -> tuple[list[Any], dict[str, str]]:
    return [_application(w).pk], {"token": "a-withdraw-token"}


def booking_link(w: World) -> tuple[list[Any], dict[str, str]]:
    return [_application(w, status=Application.Status.SHORTLISTED).pk], {"token": "a-booking-token"}


def outcome(status: str) -> Case:
    def build(w: World) -> tuple[list[Any], dict[str, str]]:
        application = _application(w, status=status, decision_feedback=f"Strong on {NAME}'s structures")
        secrets = {"token": "an-invitation-token"} if status == Application.Status.SUCCESSFUL else {}
        return [application.pk], secrets

    return build


def interview(method: str, sequence: int = 0) -> Case:
    def build(w: World) -> tuple[list[Any], dict[str, str]]:
        application = _application(w, status=Application.Status.INVITED)
        start = timezone.now() + dt.timedelta(days=10)
        slot = InterviewSlot.objects.create(
            round=w.round_, starts_at=start, ends_at=start + dt.timedelta(hours=1), location=f"{NAME} House"
        )
        found = Interview.objects.create(application=application, slot=slot, ics_sequence=sequence)
        return [found.pk, method], {}

    return build


def _report(w: World) -> Report:
    today = dt.date.today()
    return Report.objects.create(
        organisation=w.org,
        reference="R-TEST-0001",
        submitted_on=today - dt.timedelta(days=5),
        acknowledge_by=today - dt.timedelta(days=2),
        public_key=b"k",
        content=b"c",
        receipt_lookup="2" * 64,
        receipt_kdf={},
        receipt_wrapped_private_key=b"w",
        recovery_wrapped_private_key=b"r",
        notify_email=_seal_email("reporter@example.net"),
        assigned_to=w.coordinator,
    )


def handler_alert(w: World) -> tuple[list[Any], dict[str, str]]:
    handler = factories.member(w.org, is_case_handler=True, email="handler@example.org")
    return [w.org.pk, handler.pk], {}


def overdue(w: World) -> tuple[list[Any], dict[str, str]]:
    factories.member(w.org, is_case_handler=True, email="handler@example.org")
    return [_report(w).pk], {}


def reporter_new_message(w: World) -> tuple[list[Any], dict[str, str]]:
    return [_report(w).pk], {}


def enquiry_only(w: World) -> tuple[list[Any], dict[str, str]]:
    return [w.booking.pk], {"token": "a-verify-token"}


def booking_message(w: World) -> tuple[list[Any], dict[str, str]]:
    return [w.booking.pk, w.coordinator.pk], {}


def power_dynamics(w: World) -> tuple[list[Any], dict[str, str]]:
    manager = tf.participant(w.session, 2, position="rep")
    manager.name = f"{NAME} Manager"
    manager.save()
    w.participant.managed_by = manager
    w.participant.save()
    return [w.session.pk], {}


def pre_meeting(w: World) -> tuple[list[Any], dict[str, str]]:
    start = timezone.now() + dt.timedelta(days=5)
    slot = PreMeetingSlot.objects.create(
        enquiry=w.booking,
        offered_by=w.trainer,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        where=f"{NAME} office",
        booked_at=timezone.now(),
    )
    return [slot.pk], {}


def whole_session(w: World) -> tuple[list[Any], dict[str, str]]:
    return [w.session.pk], {}


def one_participant(w: World) -> tuple[list[Any], dict[str, str]]:
    return [w.session.pk, w.participant.pk], {}


def place_offered(w: World) -> tuple[list[Any], dict[str, str]]:
    return [w.participant.pk], {}


def place_offered_promoted(w: World) -> tuple[list[Any], dict[str, str]]:
    return [w.participant.pk, "promoted"], {}


def waiting_list(w: World) -> tuple[list[Any], dict[str, str]]:
    w.participant.status = "waiting"
    w.participant.save()
    return [w.participant.pk], {}


def briefing(w: World) -> tuple[list[Any], dict[str, str]]:
    found = training_services.briefing_for(w.org)
    found.contact_name = NAME
    found.reporting_url = "https://example.org/report?a=1&b=2"
    found.save()
    return [w.session.pk], {}


def reminder(w: World) -> tuple[list[Any], dict[str, str]]:
    return [w.session.pk, 7], {}


def action_overdue(w: World) -> tuple[list[Any], dict[str, str]]:
    today = action_selectors.today_for(w.org)
    action = action_services.create_action(
        organisation=w.org,
        title=f"Brief {NAME} stewards",
        due_on=today - dt.timedelta(days=2),
        owner=w.coordinator,
        actor=w.coordinator,
    )
    Action.objects.filter(pk=action.pk).update(last_reminded_on=today)
    return [w.org.pk, w.coordinator.pk, today.isoformat()], {}


def password_reset(w: World) -> tuple[list[Any], dict[str, str]]:
    return [w.coordinator.pk], {}


def survey_invitation(sent: bool) -> Case:
    def build(w: World) -> tuple[list[Any], dict[str, str]]:
        from saferwork.surveys.models import Department, Invitation, Survey, SurveyDepartment

        survey = Survey.objects.create(organisation=w.org, title=f"{NAME} survey", wave="Spring", status="live")
        department = Department.objects.create(organisation=w.org, name="Housing")
        taking_part = SurveyDepartment.objects.create(survey=survey, department=department)
        Invitation.objects.create(survey=survey, department=taking_part, email="staff@example.org", sent=sent)
        return [survey.pk], {}

    return build


def _dialogue_cohort(w: World) -> Any:
    from saferwork.dialogue import services as dialogue

    cohort = dialogue.create_cohort(
        organisation=w.org, name=f"{NAME} cohort", description="", facilitator=None, actor=w.coordinator
    )
    dialogue.add_member(
        cohort=cohort, user=w.coordinator, position="senior_leader", managed_by=None, actor=w.coordinator
    )
    return cohort


def dialogue_session(cancelled: bool) -> Case:
    def build(w: World) -> tuple[list[Any], dict[str, str]]:
        from saferwork.dialogue import services as dialogue

        session = dialogue.schedule_session(
            cohort=_dialogue_cohort(w),
            details=dialogue.SessionDetails(
                title=f"{NAME} session",
                date=timezone.localdate() + dt.timedelta(days=7),
                start_time=dt.time(10),
                end_time=dt.time(12),
                mode="online",
                meeting_link="https://meet.example.org/x?a=1&b=2",
                prompts="",
            ),
            actor=w.coordinator,
        )
        if cancelled:
            dialogue.cancel_session(session=session, actor=w.coordinator)
        mail.outbox.clear()
        return [session.pk], {}

    return build


def coaching_slot(booked: bool) -> Case:
    def build(w: World) -> tuple[list[Any], dict[str, str]]:
        from saferwork.dialogue import services as dialogue

        coach_user = factories.member(w.org, email="coach@example.org")
        coach = dialogue.make_coach(organisation=w.org, user=coach_user, actor=w.coordinator)
        dialogue.match_coach(coach=coach, participant=w.coordinator, actor=w.coordinator)
        start = timezone.now() + dt.timedelta(days=2)
        slot = dialogue.offer_slot(
            coach=coach, starts_at=start, ends_at=start + dt.timedelta(hours=1), where=NAME, actor=coach_user
        )
        dialogue.book_slot(slot=slot, participant=w.coordinator)
        if not booked:
            dialogue.cancel_booking(slot=slot, actor=w.coordinator)
        mail.outbox.clear()
        return ([slot.pk] if booked else [slot.pk, w.coordinator.pk]), {}

    return build


def risk_review_due(w: World) -> tuple[list[Any], dict[str, str]]:
    from saferwork.risk import selectors as risk_selectors
    from saferwork.risk import services as risk

    today = risk_selectors.today_for(w.org)
    assessment = risk.create_assessment(
        organisation=w.org,
        kind="activity",
        title=f"{NAME} home visits",
        department="Housing",
        owner=w.coordinator,
        review_on=today - dt.timedelta(days=3),
        actor=w.coordinator,
    )
    return [assessment.pk, today.isoformat()], {}


def standards_email(reminder: bool) -> Case:
    def build(w: World) -> tuple[list[Any], dict[str, str]]:
        from saferwork.standards import services as standards
        from saferwork.standards.models import Request

        version = standards.publish_version(
            organisation=w.org,
            actor=w.coordinator,
            kind="policy",
            title=f"{NAME} policy",
            label="1.0",
            body="Respect.",
            audience=standards.Audience(people=(w.coordinator.pk,)),
        )
        found = Request.objects.get(version=version)
        if reminder:
            day = action_selectors.today_for(w.org)
            Request.objects.filter(pk=found.pk).update(last_reminded_on=day)
            return [version.pk, day.isoformat()], {}
        return [version.pk, found.asked_at.isoformat()], {}

    return build


def learning_email(reminder: bool) -> Case:
    def build(w: World) -> tuple[list[Any], dict[str, str]]:
        from saferwork.learning import services as learning
        from saferwork.learning.models import Enrolment

        module = learning.create_module(organisation=w.org, title=f"{NAME} module", summary="", minutes=10, actor=None)
        version = module.versions.get()
        learning.save_step(version=version, content=learning.StepContent(kind="content", title="Read", body="Hi"))
        learning.publish(version=version, actor=None)
        due = action_selectors.today_for(w.org) + dt.timedelta(days=2)
        learning.assign(
            module=module,
            organisation=w.org,
            people=[learning.Assignee(w.coordinator.email)],
            actor=None,
            due_on=due,
        )
        found = Enrolment.objects.get(module=module)
        if reminder:
            day = action_selectors.today_for(w.org)
            Enrolment.objects.filter(pk=found.pk).update(last_reminded_on=day)
            return [w.org.pk, module.pk, day.isoformat()], {}
        return [w.org.pk, module.pk, found.assigned_at.isoformat()], {}

    return build


# (case id, kind, builder, whether the user-typed name shows in the email)
CASES: list[tuple[str, str, Case, bool]] = [
    ("invitation", "accounts.invitation", invitation, True),
    ("action_overdue", "actions.overdue", action_overdue, True),
    ("password_reset", "accounts.password_reset", password_reset, False),
    ("after_session", "delivery.after_session", after_session, True),
    ("claim_link", "delivery.claim_link", claim_link, True),
    ("fees_sent", "fees.sent", fee_sent, True),
    ("join_request", "organisations.join_request", join_request, True),
    ("join_refused", "organisations.join_refused", join_request, True),
    ("data_access", "reach.data_access", data_access, False),
    ("expert_invitation", "recruitment.expert_invitation", expert_invitation, True),
    ("resume_link", "recruitment.resume_link", resume_link, True),
    ("confirmation", "recruitment.confirmation", confirmation, True),
    ("booking_link", "recruitment.booking_link", booking_link, True),
    ("outcome_not_shortlisted", "recruitment.outcome", outcome(Application.Status.NOT_SHORTLISTED), True),
    ("outcome_reserve", "recruitment.outcome", outcome(Application.Status.RESERVE), True),
    ("outcome_successful", "recruitment.outcome", outcome(Application.Status.SUCCESSFUL), True),
    ("outcome_unsuccessful", "recruitment.outcome", outcome(Application.Status.UNSUCCESSFUL), True),
    ("interview_invite", "recruitment.interview", interview("REQUEST"), True),
    ("interview_rescheduled", "recruitment.interview", interview("REQUEST", sequence=1), True),
    ("interview_cancelled", "recruitment.interview", interview("CANCEL"), True),
    ("new_report", "reporting.new_report", handler_alert, True),
    ("new_message", "reporting.new_message", handler_alert, True),
    ("overdue", "reporting.overdue", overdue, True),
    ("reporter_new_message", "reporting.reporter_new_message", reporter_new_message, False),
    ("verify", "training.verify", enquiry_only, True),
    ("acknowledgement", "training.acknowledgement", enquiry_only, True),
    ("message", "training.message", booking_message, True),
    ("power_dynamics", "training.power_dynamics", power_dynamics, True),
    ("introduction", "training.introduction", enquiry_only, True),
    ("pre_meeting", "training.pre_meeting", pre_meeting, True),
    ("pre_meeting_cancelled", "training.pre_meeting_cancelled", pre_meeting, True),
    ("session_invite", "training.session_invite", whole_session, True),
    ("session_cancelled", "training.session_cancelled", one_participant, True),
    ("place_offered", "training.place_offered", place_offered, True),
    ("place_offered_promoted", "training.place_offered", place_offered_promoted, True),
    ("waiting_list", "training.waiting_list", waiting_list, True),
    ("briefing", "training.briefing", briefing, True),
    ("reminder", "training.reminder", reminder, True),
    ("survey_invitation", "surveys.invitation", survey_invitation(sent=False), True),
    ("survey_reminder", "surveys.reminder", survey_invitation(sent=True), True),
    ("dialogue_session_invite", "dialogue.session_invite", dialogue_session(cancelled=False), True),
    ("dialogue_session_cancelled", "dialogue.session_invite", dialogue_session(cancelled=True), True),
    ("slot_booked", "dialogue.slot_booked", coaching_slot(booked=True), True),
    ("slot_cancelled", "dialogue.slot_cancelled", coaching_slot(booked=False), True),
    ("risk_review_due", "risk.review_due", risk_review_due, True),
    ("standards_asked", "standards.asked", standards_email(reminder=False), True),
    ("standards_reminder", "standards.reminder", standards_email(reminder=True), True),
    ("learning_assigned", "learning.assigned", learning_email(reminder=False), True),
    ("learning_reminder", "learning.reminder", learning_email(reminder=True), True),
]


def test_every_registered_kind_of_email_is_rendered_below():
    assert set(lib_email.registered_kinds()) == {kind for _, kind, _, _ in CASES}


def _html_of(message: Any) -> str:
    htmls = [content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"]
    assert len(htmls) == 1, "no HTML alternative"
    return str(htmls[0])


@pytest.mark.parametrize(("kind", "build", "shows_name"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_email_shows_names_as_typed_in_text_and_escaped_in_html_and_is_signed(
    world: World, kind: str, build: Case, shows_name: bool
) -> None:
    ids, secrets = build(world)
    lib_email.deliver(kind=kind, ids=[str(i) for i in ids], sealed=lib_email._seal(secrets) if secrets else "")
    assert mail.outbox, f"{kind} sent nothing"
    reporting = kind.startswith("reporting.")
    for message in mail.outbox:
        assert not ENTITY.search(message.subject), message.subject
        assert "\n" not in message.subject and "\r" not in message.subject
        assert message.subject == message.subject.strip() and message.subject
        assert not ENTITY.search(message.body), message.body
        html = _html_of(message)
        assert NAME not in html  # never unescaped: it would be markup
        if shows_name:
            assert NAME in message.subject + message.body
            assert escape(NAME) in html
        if reporting:
            assert "The reporting team" in message.body and "The reporting team" in html
            assert CONTACT not in message.body  # a programme person never signs reporting email
        else:
            assert CONTACT in message.body and escape(CONTACT) in html
            assert "programme@example.org" in message.body and 'href="mailto:programme@example.org"' in html
            assert message.reply_to == ["programme@example.org"]
        assert "<style" not in html and "<script" not in html  # inline styles only, nothing to load


def test_reporter_notification_names_nobody_and_no_organisation(world: World) -> None:
    ids, _ = reporter_new_message(world)
    lib_email.deliver(kind="reporting.reporter_new_message", ids=[str(i) for i in ids])
    (message,) = mail.outbox
    html = _html_of(message)
    for text in (message.subject, message.body, html):
        assert "Care Workers" not in text and NAME not in text  # the organisation's name
        assert CONTACT not in text
    assert message.reply_to == []
    assert "/report/" in message.body and "/follow-up/" in message.body


@pytest.mark.parametrize(
    ("kind", "build", "method"),
    [
        ("training.pre_meeting", pre_meeting, "REQUEST"),
        ("training.pre_meeting_cancelled", pre_meeting, "CANCEL"),
        ("training.session_invite", whole_session, "REQUEST"),
        ("training.session_cancelled", one_participant, "CANCEL"),
        ("training.place_offered", place_offered, "REQUEST"),
        ("recruitment.interview", interview("REQUEST"), "REQUEST"),
        ("recruitment.interview", interview("CANCEL"), "CANCEL"),
        ("dialogue.session_invite", dialogue_session(cancelled=False), "REQUEST"),
        ("dialogue.session_invite", dialogue_session(cancelled=True), "CANCEL"),
        ("dialogue.slot_booked", coaching_slot(booked=True), "REQUEST"),
        ("dialogue.slot_cancelled", coaching_slot(booked=False), "CANCEL"),
    ],
)
def test_calendar_invites_keep_their_method_beside_the_html(world: World, kind: str, build: Case, method: str) -> None:
    ids, secrets = build(world)
    lib_email.deliver(kind=kind, ids=[str(i) for i in ids], sealed=lib_email._seal(secrets) if secrets else "")
    assert mail.outbox
    for message in mail.outbox:
        parts = {part.get_content_type(): part for part in message.message().walk()}
        assert parts["text/calendar"].get_param("method") == method
        assert "text/html" in parts and "text/plain" in parts
        (ics,) = [a for a in message.attachments if a[0].endswith(".ics")]
        assert f"METHOD:{method}" in (ics[1] if isinstance(ics[1], str) else ics[1].decode())


def test_word_documents_are_still_attached(world: World) -> None:
    briefing(world)
    lib_email.deliver(kind="training.introduction", ids=[str(world.booking.pk)])
    lib_email.deliver(kind="training.briefing", ids=[str(world.session.pk)])
    names = {a[0] for m in mail.outbox for a in m.attachments}
    assert names == {"training-overview.docx", "participant-briefing.docx"}


def test_a_subject_is_one_trimmed_line_whatever_the_context(world: World) -> None:
    world.booking.organisation_name = "Evil\r\nBcc: victim@example.org\n  Union  "
    world.booking.save()
    lib_email.deliver(kind="training.introduction", ids=[str(world.booking.pk)])
    for message in mail.outbox:
        assert message.subject == "Introduction: training for Evil Bcc: victim@example.org Union"
        assert message.message()["Bcc"] is None


def test_links_and_bullets_become_html(world: World) -> None:
    power_dynamics(world)
    lib_email.deliver(kind="training.power_dynamics", ids=[str(world.session.pk)])
    html = _html_of(mail.outbox[0])
    assert html.count("<li") == 2
    url = f"/training/sessions/{world.session.pk}/"
    assert re.search(rf'<a href="[^"]*{re.escape(url)}"[^>]*>[^<]*{re.escape(url)}</a>', html)
