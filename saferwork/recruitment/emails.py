"""Recruitment's emails, rendered in the worker from ids (see ``saferwork.lib.email``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from saferwork.lib.email import Email, renderer
from saferwork.recruitment.calendar import ICS_MIME, interview_ics
from saferwork.recruitment.models import Application, Interview, Panellist


def _url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


@renderer("recruitment.expert_invitation")
def expert_invitation(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    panellist = Panellist.objects.select_related("round", "user").get(pk=ids[0])
    user, new_account = panellist.user, ids[1] == "1"
    if new_account:
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        link = _url(reverse("accounts:password_reset_confirm", args=[uid, default_token_generator.make_token(user)]))
    else:
        link = _url(reverse("recruitment:panels"))
    yield Email(
        to=[user.email],
        template="recruitment/email/expert_invitation",
        context={"round": panellist.round, "link": link, "new_account": new_account, "name": user.full_name},
    )


@renderer("recruitment.resume_link")
def resume_link(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    application = Application.objects.select_related("round").get(pk=ids[0])
    yield Email(
        to=[application.email],
        template="recruitment/email/resume_link",
        context={
            "application": application,
            "round": application.round,
            "link": _url(reverse("recruitment:resume", args=[secrets["token"]])),
            "days": settings.RECRUITMENT_RESUME_LINK_DAYS,
        },
    )


@renderer("recruitment.confirmation")
def confirmation(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    application = Application.objects.select_related("round").get(pk=ids[0])
    yield Email(
        to=[application.email],
        template="recruitment/email/confirmation",
        context={
            "application": application,
            "round": application.round,
            "withdraw_link": _url(reverse("recruitment:withdraw", args=[secrets["token"]])),
        },
    )


@renderer("recruitment.outcome")
def outcome(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    application = Application.objects.select_related("round").get(pk=ids[0])
    round_ = application.round
    context: dict[str, Any] = {"application": application, "round": round_}
    if "token" in secrets:
        context["invitation_url"] = _url(reverse("accounts:accept_invitation", args=[secrets["token"]]))
        context["agreement_url"] = _url(reverse("recruitment:agreement"))
        context["cohort_number"] = round_.cohort_number
    yield Email(to=[application.email], template=f"recruitment/email/outcome_{application.status}", context=context)


@renderer("recruitment.interview")
def interview(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    """The candidate's interview invite, its update or its cancellation (``ids[1]`` is the
    calendar method, REQUEST or CANCEL), with the .ics file."""
    found = Interview.objects.select_related("application__round", "slot").get(pk=ids[0])
    method = ids[1]  # interview_ics refuses anything but REQUEST or CANCEL
    application = found.application
    if not application.email:  # erased since the task was queued
        return
    template = "cancelled" if method == "CANCEL" else ("rescheduled" if found.ics_sequence else "invite")
    yield Email(
        to=[application.email],
        template=f"recruitment/email/interview_{template}",
        context={"interview": found, "application": application, "round": application.round},
        attachments=[("interview.ics", interview_ics(found, method=method), f"{ICS_MIME}; method={method}")],
    )


@renderer("recruitment.booking_link")
def booking_link(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    from saferwork.recruitment.services import bookable_slots

    application = Application.objects.select_related("round").get(pk=ids[0])
    if not application.email:  # erased since the email was queued
        return
    free = bookable_slots(application.round)
    yield Email(
        to=[application.email],
        template="recruitment/email/booking_link",
        context={
            "application": application,
            "round": application.round,
            "link": _url(reverse("recruitment:book", args=[secrets["token"]])),
            # The link has no expiry date of its own: the times on offer run out.
            "last_start": free[-1].starts_at if free else None,
            "contact_name": settings.PROGRAMME_CONTACT_NAME,
        },
    )
