"""Files the training programme sends: calendar invites (ICS) and Word documents (DOCX)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from docx import Document
from icalendar import Calendar, Event, vCalAddress, vText

from saferwork.training.models import Briefing, Enquiry, PreMeetingSlot, Session, group_size_text

ICS_MIME = "text/calendar"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _organizer_address() -> str:
    from email.utils import parseaddr

    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "no-reply@saferwork.invalid"


def calendar_invite(
    *,
    uid: str,
    sequence: int,
    summary: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    location: str,
    description: str,
    attendees: Iterable[str],
    cancel: bool = False,
) -> bytes:
    """One VEVENT in a VCALENDAR: METHOD:REQUEST, or METHOD:CANCEL for a cancellation.

    The UID never changes for an event and SEQUENCE rises with each change, so calendar
    programs update the entry they already hold rather than adding a second one.
    """
    cal = Calendar()
    cal.add("prodid", "-//SaferWork//Training programme//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancel else "REQUEST")
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    # UTC times: every calendar program reads them without needing a VTIMEZONE.
    event.add("dtstart", starts_at.astimezone(dt.UTC))
    event.add("dtend", ends_at.astimezone(dt.UTC))
    event.add("summary", summary)
    event.add("location", location)
    event.add("description", description)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{_organizer_address()}")
    organizer.params["cn"] = vText(settings.SITE_NAME)
    event["organizer"] = organizer
    for email in attendees:
        attendee = vCalAddress(f"mailto:{email}")
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee, encode=False)
    cal.add_component(event)
    return cal.to_ical()


def session_invite(session: Session, attendees: Iterable[str], *, cancel: bool = False) -> bytes:
    """The session's invite; ``cancel`` sends one person a cancellation (they withdrew)."""
    location = (session.meeting_link or "Online") if session.mode == "online" else session.venue
    description = (
        "Tackling and preventing sexual harassment: a full-day training session.\n"
        "Nothing said in the session is recorded or reported back. The session is not the place "
        "for formal reports: use your organisation's reporting route, linked from the session page."
    )
    return calendar_invite(
        uid=session.ics_uid,
        sequence=session.ics_sequence,
        summary=f"Training: tackling and preventing sexual harassment ({session.organisation.name})",
        starts_at=session.starts_at(),
        ends_at=session.ends_at(),
        location=location,
        description=description,
        attendees=attendees,
        cancel=cancel or session.is_cancelled,
    )


def pre_meeting_invite(slot: PreMeetingSlot, attendees: Iterable[str], *, cancel: bool = False) -> bytes:
    return calendar_invite(
        uid=slot.ics_uid,
        sequence=slot.ics_sequence,
        summary=f"Training pre-meeting: {slot.enquiry.organisation_name}",
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        location=slot.where or "To be confirmed",
        description=(
            "Pre-meeting with your trainer(s): timings and logistics; who the training is for and how many; "
            "where your organisation stands on tackling and preventing sexual harassment."
        ),
        attendees=attendees,
        cancel=cancel,
    )


def _docx_bytes(document: object) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)  # type: ignore[attr-defined]
    return buffer.getvalue()


def overview_docx(enquiry: Enquiry, trainer_names: list[str]) -> bytes:
    """The introduction's overview: who does what, for the organisation, trainers and programme."""
    doc = Document()
    doc.add_heading("Training overview: roles and responsibilities", level=0)
    doc.add_paragraph(
        f"Organisation: {enquiry.organisation_name}. Reference: {enquiry.reference}. "
        f"Trainer(s): {', '.join(trainer_names) or 'to be confirmed'}."
    )
    sections = {
        "The organisation": [
            "Book a pre-meeting with the trainer(s) from the times they offer, and hold it before any session.",
            f"Agree timings and logistics, who the training is for and how many people: {group_size_text()} a session.",
            "Share where you stand: policy, action plan, toolkit or other training used.",
            "Plan peer-to-peer groups: avoid mixing senior leaders with reps, or line managers with their staff.",
            "Name a point of contact (name, role, email, phone) for participants after the session.",
            "Edit the participant briefing (point of contact, Employee Assistance Programme, policy and reporting "
            "links, support before and after) and send it to participants.",
            "For online sessions, provide a named tech helper unless a second trainer co-tutors.",
            "Pay the trainer's day rate (£450 by default) and expenses: travel, accommodation, preparation time.",
        ],
        "The trainer(s)": [
            "Offer pre-meeting times and hold the pre-meeting; adapt the day to the audience.",
            "Deliver the course as developed by the programme, over a full day (10:00 to 16:00 by default).",
            "Treat everything said in the pre-meeting and the session in the strictest confidence.",
            "Give informal guidance only: no advice for HR or investigation processes.",
            "Ask participants for an evaluation of the day; nothing else is reported back.",
        ],
        "The programme": [
            "Hold the initial conversation and introduce suitable trainer(s).",
            "Stay available if a question or a need for further discussion arises.",
            "Keep track of reach: the number of sessions and attendees, their positions in the union structure "
            "and general feedback. No details of any conversation are ever collected.",
        ],
    }
    for heading, items in sections.items():
        doc.add_heading(heading, level=1)
        for item in items:
            doc.add_paragraph(item, style="List Bullet")
    doc.add_heading("What the training is not", level=1)
    doc.add_paragraph(
        "The session is not a place to make formal reports. People may draw on their experience, so support "
        "is signposted before and after, and the organisation's reporting route is linked from every session page."
    )
    return _docx_bytes(doc)


def briefing_docx(briefing: Briefing, session: Session | None = None) -> bytes:
    """The organisation's participant briefing, as an editable Word document."""
    doc = Document()
    doc.add_heading("Participant briefing: tackling and preventing sexual harassment", level=0)
    doc.add_paragraph(briefing.organisation.name)
    if session is not None:
        when = f"{session.date:%A %-d %B %Y}, {session.start_time:%H:%M} to {session.end_time:%H:%M}"
        where = session.meeting_link if session.mode == "online" else session.venue
        doc.add_paragraph(f"When: {when}. Where: {where or 'to be confirmed'}.")
    doc.add_heading("About the training", level=1)
    doc.add_paragraph(briefing.introduction)
    doc.add_heading("How the day runs", level=1)
    doc.add_paragraph(briefing.about_the_day)
    doc.add_heading("Not a place for formal reports", level=1)
    doc.add_paragraph(briefing.not_a_reporting_space)
    if briefing.reporting_url:
        doc.add_paragraph(f"Reporting route: {briefing.reporting_url}")
    if briefing.policy_url:
        doc.add_paragraph(f"Our sexual harassment policy: {briefing.policy_url}")
    doc.add_heading("Your point of contact", level=1)
    contact = ", ".join(
        part
        for part in [briefing.contact_name, briefing.contact_role, briefing.contact_email, briefing.contact_phone]
        if part
    )
    doc.add_paragraph(contact or "To be confirmed.")
    doc.add_heading("Support before and after", level=1)
    doc.add_paragraph(briefing.support_before)
    doc.add_paragraph(briefing.support_after)
    if briefing.eap:
        doc.add_heading("Employee Assistance Programme", level=1)
        doc.add_paragraph(briefing.eap)
    return _docx_bytes(doc)
