"""Training's emails, rendered in the worker from ids (see ``saferwork.lib.email``).

Calendar invites and Word documents are attachments of the same :class:`Email` objects as
every other message; the thin tasks in ``tasks.py`` hand these kinds to the one email task.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Q

from saferwork.accounts.models import User
from saferwork.lib.email import Email, renderer
from saferwork.training import documents
from saferwork.training.models import Briefing, Enquiry, Participant, PreMeetingSlot, Session


def _each(
    to: Iterable[str],
    *,
    template: str,
    context: dict[str, Any],
    attachments: list[tuple[str, bytes, str]] | None = None,
) -> list[Email]:
    """One message per person: participants never see each other's addresses."""
    recipients = sorted({address.lower() for address in to if address})
    return [
        Email(to=[address], template=f"training/email/{template}", context=context, attachments=attachments or [])
        for address in recipients
    ]


def trainer_emails(enquiry: Enquiry) -> list[str]:
    return [a.trainer.user.email for a in enquiry.assignments.select_related("trainer__user")]


def organisation_emails(enquiry: Enquiry) -> list[str]:
    return [enquiry.contact_email, enquiry.contact_point_email]


def session_recipients(session: Session) -> list[str]:
    participants = session.participants.filter(status=Participant.Status.CONFIRMED).values_list("email", flat=True)
    trainers = session.trainers.select_related("user").values_list("user__email", flat=True)
    return sorted({*participants, *trainers, *organisation_emails(session.enquiry)} - {""})


@renderer("training.introduction")
def introduction(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    enquiry = Enquiry.objects.get(pk=ids[0])
    names = [a.trainer.name for a in enquiry.assignments.select_related("trainer__user")]
    overview = documents.overview_docx(enquiry, names)
    return _each(
        [*organisation_emails(enquiry), *trainer_emails(enquiry)],
        template="introduction",
        context={"enquiry": enquiry, "trainer_names": names},
        attachments=[("training-overview.docx", overview, documents.DOCX_MIME)],
    )


def _pre_meeting(ids: list[str], *, cancel: bool) -> Iterable[Email]:
    slot = PreMeetingSlot.objects.select_related("enquiry").get(pk=ids[0])
    enquiry = slot.enquiry
    attendees = [*organisation_emails(enquiry), *trainer_emails(enquiry)]
    ics = documents.pre_meeting_invite(slot, sorted({a for a in attendees if a}), cancel=cancel)
    method = "CANCEL" if cancel else "REQUEST"
    return _each(
        attendees,
        template="pre_meeting_cancelled" if cancel else "pre_meeting",
        context={"slot": slot, "enquiry": enquiry},
        attachments=[("pre-meeting.ics", ics, f"{documents.ICS_MIME}; method={method}")],
    )


@renderer("training.pre_meeting")
def pre_meeting(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    return _pre_meeting(ids, cancel=False)


@renderer("training.pre_meeting_cancelled")
def pre_meeting_cancelled(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    return _pre_meeting(ids, cancel=True)


def _session_invite(ids: list[str], *, cancel: bool) -> Iterable[Email]:
    """The session's calendar entry for everyone (``ids`` is the session) or for the
    participants listed after it: a new invite, an update, or a cancellation."""
    session = Session.objects.select_related("organisation", "enquiry").get(pk=ids[0])
    if len(ids) > 1:
        chosen = Participant.objects.filter(session=session, pk__in=[int(pk) for pk in ids[1:]])
        recipients = list(chosen.values_list("email", flat=True))
    else:
        recipients = session_recipients(session)
    cancel = cancel or session.is_cancelled
    method = "CANCEL" if cancel else "REQUEST"
    ics = documents.session_invite(session, recipients, cancel=cancel)
    return _each(
        recipients,
        template="session_cancelled" if cancel else "session_invite",
        context={"session": session},
        attachments=[("training-session.ics", ics, f"{documents.ICS_MIME}; method={method}")],
    )


@renderer("training.session_invite")
def session_invite(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    return _session_invite(ids, cancel=False)


@renderer("training.session_cancelled")
def session_cancelled(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    return _session_invite(ids, cancel=True)


@renderer("training.place_offered")
def place_offered(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    participant = Participant.objects.select_related("session__organisation").get(pk=ids[0])
    session = participant.session
    ics = documents.session_invite(session, [participant.email])
    return _each(
        [participant.email],
        template="place_offered",
        context={"participant": participant, "session": session, "promoted": ids[1:] == ["promoted"]},
        attachments=[("training-session.ics", ics, f"{documents.ICS_MIME}; method=REQUEST")],
    )


@renderer("training.waiting_list")
def waiting_list(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    """Someone was put on a full session's waiting list: where they stand and what happens next."""
    participant = Participant.objects.select_related("session__organisation", "session__enquiry").get(pk=ids[0])
    if participant.status != Participant.Status.WAITING:
        return []  # promoted (or withdrawn) before the worker got here: that email says so
    session = participant.session
    ahead = session.participants.filter(status=Participant.Status.WAITING).filter(
        Q(added_at__lt=participant.added_at) | Q(added_at=participant.added_at, pk__lt=participant.pk)
    )
    return _each(
        [participant.email],
        template="waiting_list",
        context={
            "participant": participant,
            "session": session,
            "place": ahead.count() + 1,
            "contact": session.enquiry,
            "my_training_url": f"{settings.SITE_URL}/training/my/",
        },
    )


@renderer("training.briefing")
def briefing(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    session = Session.objects.select_related("organisation", "enquiry").get(pk=ids[0])
    found = Briefing.objects.filter(organisation=session.organisation).first()
    if found is None:
        return []
    emails = session.participants.filter(status=Participant.Status.CONFIRMED).values_list("email", flat=True)
    return _each(
        emails,
        template="briefing",
        context={"session": session, "briefing": found},
        attachments=[("participant-briefing.docx", documents.briefing_docx(found, session), documents.DOCX_MIME)],
    )


@renderer("training.reminder")
def reminder(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    session = Session.objects.select_related("organisation").get(pk=ids[0])
    return _each(
        [
            *session.participants.filter(status=Participant.Status.CONFIRMED).values_list("email", flat=True),
            *session.trainers.values_list("user__email", flat=True),
        ],
        template="reminder",
        context={"session": session, "days": int(ids[1])},
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
