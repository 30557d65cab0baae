"""Calendar invites for interviews: one event per interview that updates in place.

The UID never changes; SEQUENCE rises with every change, so calendar programs replace
the earlier invite rather than adding a second; a cancellation is METHOD:CANCEL.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from saferwork.recruitment.models import Interview

ICS_MIME = "text/calendar"


def _organiser_address() -> str:
    from email.utils import parseaddr

    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "no-reply@saferwork.invalid"


def interview_ics(interview: Interview, *, method: str, now: datetime | None = None) -> bytes:
    """The iCalendar file for ``interview``: ``method`` is REQUEST or CANCEL."""
    if method not in {"REQUEST", "CANCEL"}:
        raise ValueError("method must be REQUEST or CANCEL")
    application = interview.application
    slot = interview.slot
    cal = Calendar()
    cal.add("prodid", "-//SaferWork//Trainer recruitment//EN")
    cal.add("version", "2.0")
    cal.add("method", method)
    event = Event()
    event.add("uid", interview.ics_uid)
    event.add("sequence", interview.ics_sequence)
    event.add("dtstamp", now or timezone.now())
    event.add("summary", f"Trainer interview: {application.round.title}")
    if slot is not None:
        event.add("dtstart", slot.starts_at)
        event.add("dtend", slot.ends_at)
        event["location"] = vText(slot.location)
    description = ["Your interview to become a trainer with the programme."]
    if interview.adjustments_confirmed:
        description.append(f"Adjustments arranged for you: {interview.adjustments_confirmed}")
    event.add("description", "\n\n".join(description))
    organiser = vCalAddress(f"mailto:{_organiser_address()}")
    organiser.params["cn"] = vText(settings.SITE_NAME)
    event["organizer"] = organiser
    attendee = vCalAddress(f"mailto:{application.email}")
    attendee.params["cn"] = vText(application.full_name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    event.add("attendee", attendee, encode=False)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    cal.add_component(event)
    return cal.to_ical()


def panel_schedule_ics(interviews: list[Interview], *, title: str, now: datetime | None = None) -> bytes:
    """The interview timetable for the panel: one event per live interview, to subscribe to.

    Events carry only the candidate's reference, never their name: a calendar is often
    shared or synced to places the recruitment data should not reach.
    """
    cal = Calendar()
    cal.add("prodid", "-//SaferWork//Trainer recruitment//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"Interviews: {title}")
    stamp = now or timezone.now()
    for interview in interviews:
        if interview.slot is None or interview.cancelled_at is not None:
            continue
        event = Event()
        event.add("uid", f"panel-{interview.ics_uid}")
        event.add("sequence", interview.ics_sequence)
        event.add("dtstamp", stamp)
        event.add("dtstart", interview.slot.starts_at)
        event.add("dtend", interview.slot.ends_at)
        event.add("summary", f"Interview {interview.application.reference}")
        event["location"] = vText(interview.slot.location)
        if interview.adjustments_confirmed:
            event.add("description", f"Adjustments: {interview.adjustments_confirmed}")
        cal.add_component(event)
    return cal.to_ical()
