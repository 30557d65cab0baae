"""Emails with attachments (calendar invites, Word documents). Tasks call these by id."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from saferwork.accounts.models import User
from saferwork.lib.email import Email, renderer
from saferwork.training import documents
from saferwork.training.models import Briefing, Enquiry, Participant, PreMeetingSlot, Session


def _send(
    *, to: Iterable[str], template: str, context: dict[str, Any], attachments: list[tuple[str, bytes, str]]
) -> None:
    recipients = sorted({address.lower() for address in to if address})
    if not recipients:
        return
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"training/email/{template}_subject.txt", context).split())
    body = render_to_string(f"training/email/{template}_body.txt", context)
    # One message per person: participants never see each other's addresses.
    for address in recipients:
        message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[address])
        for name, content, mimetype in attachments:
            message.attach(name, content, mimetype)
        message.send()


def trainer_emails(enquiry: Enquiry) -> list[str]:
    return [a.trainer.user.email for a in enquiry.assignments.select_related("trainer__user")]


def organisation_emails(enquiry: Enquiry) -> list[str]:
    return [enquiry.contact_email, enquiry.contact_point_email]


def send_introduction(enquiry: Enquiry) -> None:
    names = [a.trainer.name for a in enquiry.assignments.select_related("trainer__user")]
    overview = documents.overview_docx(enquiry, names)
    _send(
        to=[*organisation_emails(enquiry), *trainer_emails(enquiry)],
        template="introduction",
        context={"enquiry": enquiry, "trainer_names": names},
        attachments=[("training-overview.docx", overview, documents.DOCX_MIME)],
    )


def send_pre_meeting_invite(slot: PreMeetingSlot, *, cancel: bool = False) -> None:
    enquiry = slot.enquiry
    attendees = [*organisation_emails(enquiry), *trainer_emails(enquiry)]
    ics = documents.pre_meeting_invite(slot, sorted({a for a in attendees if a}), cancel=cancel)
    method = "CANCEL" if cancel else "REQUEST"
    _send(
        to=attendees,
        template="pre_meeting_cancelled" if cancel else "pre_meeting",
        context={"slot": slot, "enquiry": enquiry},
        attachments=[("pre-meeting.ics", ics, f"{documents.ICS_MIME}; method={method}")],
    )


def session_recipients(session: Session) -> list[str]:
    participants = session.participants.filter(status=Participant.Status.CONFIRMED).values_list("email", flat=True)
    trainers = session.trainers.select_related("user").values_list("user__email", flat=True)
    return sorted({*participants, *trainers, *organisation_emails(session.enquiry)} - {""})


def send_session_invite(session: Session, to: list[str] | None = None, *, cancel: bool = False) -> None:
    """Send the session's calendar entry: a new invite, an update, or a cancellation."""
    recipients = to if to is not None else session_recipients(session)
    cancel = cancel or session.is_cancelled
    method = "CANCEL" if cancel else "REQUEST"
    ics = documents.session_invite(session, recipients, cancel=cancel)
    _send(
        to=recipients,
        template="session_cancelled" if cancel else "session_invite",
        context={"session": session},
        attachments=[("training-session.ics", ics, f"{documents.ICS_MIME}; method={method}")],
    )


def send_place_offered(participant: Participant) -> None:
    session = participant.session
    ics = documents.session_invite(session, [participant.email])
    _send(
        to=[participant.email],
        template="place_offered",
        context={"participant": participant, "session": session},
        attachments=[("training-session.ics", ics, f"{documents.ICS_MIME}; method=REQUEST")],
    )


def send_briefing(session: Session) -> None:
    briefing = Briefing.objects.filter(organisation=session.organisation).first()
    if briefing is None:
        return
    emails = session.participants.filter(status=Participant.Status.CONFIRMED).values_list("email", flat=True)
    _send(
        to=emails,
        template="briefing",
        context={"session": session, "briefing": briefing},
        attachments=[("participant-briefing.docx", documents.briefing_docx(briefing, session), documents.DOCX_MIME)],
    )


def send_reminder(session: Session, days: int) -> None:
    _send(
        to=[
            *session.participants.filter(status=Participant.Status.CONFIRMED).values_list("email", flat=True),
            *session.trainers.values_list("user__email", flat=True),
        ],
        template="reminder",
        context={"session": session, "days": days},
        attachments=[],
    )


# ---------------------------------------------------------------- queued by kind (lib/email.py)


@renderer("training.verify")
def verify(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    enquiry = Enquiry.objects.get(pk=ids[0])
    yield Email(
        to=[enquiry.contact_email],
        template="training/email/verify",
        context={"enquiry": enquiry, "url": f"{settings.SITE_URL}/training/enquire/verify/{secrets['token']}/"},
    )


@renderer("training.acknowledgement")
def acknowledgement(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    enquiry = Enquiry.objects.get(pk=ids[0])
    yield Email(to=[enquiry.contact_email], template="training/email/acknowledgement", context={"enquiry": enquiry})


@renderer("training.message")
def message(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    """A booking message arrived: tell the trainers and coordinators other than its author."""
    from saferwork.organisations.models import Membership

    enquiry = Enquiry.objects.get(pk=ids[0])
    author_email = User.objects.filter(pk=ids[1]).values_list("email", flat=True).first()
    coordinators = Membership.objects.filter(organisation=enquiry.organisation, is_coordinator=True).values_list(
        "user__email", flat=True
    )
    recipients = sorted({*trainer_emails(enquiry), *coordinators} - {author_email})
    if recipients:
        yield Email(
            to=recipients,
            template="training/email/message",
            context={"enquiry": enquiry, "url": f"{settings.SITE_URL}/training/bookings/{enquiry.pk}/#messages"},
        )


@renderer("training.power_dynamics")
def power_dynamics(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    from saferwork.organisations.models import Membership
    from saferwork.training import selectors

    session = Session.objects.select_related("organisation").get(pk=ids[0])
    warnings = selectors.power_dynamics_warnings(selectors.session_participants(session))
    if not warnings:
        return
    trainers = session.trainers.values_list("user__email", flat=True)
    coordinators = Membership.objects.filter(organisation=session.organisation, is_coordinator=True).values_list(
        "user__email", flat=True
    )
    yield Email(
        to=sorted({*trainers, *coordinators}),
        template="training/email/power_dynamics",
        context={
            "session": session,
            "warnings": warnings,
            "url": f"{settings.SITE_URL}/training/sessions/{session.pk}/",
        },
    )
