from __future__ import annotations

import datetime as dt
import secrets
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from saferwork.accounts.models import User
from saferwork.audit.models import AuditEntry
from saferwork.lib import ratelimit
from saferwork.lib.csvstream import csv_lines
from saferwork.organisations.models import Organisation
from saferwork.organisations.permissions import programme_admin_required, role_required
from saferwork.reporting.selectors import public_route_path
from saferwork.training import csv_import, documents, forms, selectors, services
from saferwork.training.models import (
    CAPACITY_HARD_LIMIT,
    CAPACITY_WARN_ABOVE,
    Enquiry,
    Participant,
    Session,
    TrainerProfile,
    group_size_text,
)
from saferwork.training.tables import trainer_rows


def _user(request: HttpRequest) -> User:
    """The signed-in person: every view that calls this is behind a sign-in check."""
    return cast(User, request.user)


def _form_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _docx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=documents.DOCX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def reporting_route_url(organisation: Organisation) -> str:
    """The organisation's reporting route, only while it is open to reporters (a link to a
    route that is not enabled would be a dead end)."""
    return public_route_path(organisation) or ""


# ---------------------------------------------------------------- public


def course(request: HttpRequest) -> HttpResponse:
    return render(request, "training/course.html", {"day_rate": "£450", "group_size": group_size_text()})


def enquire(request: HttpRequest) -> HttpResponse:
    form = forms.EnquiryForm(request.POST or None)
    limited = False
    if request.method == "POST":
        address = ratelimit.client_address(request)
        limit = settings.RATE_LIMIT_ANONYMOUS_FORM
        if ratelimit.is_limited("training-enquiry", address, limit):
            limited = True
        else:
            ratelimit.hit("training-enquiry", address, limit)
            if form.is_valid():
                services.submit_enquiry(data=form.enquiry_data())
                request.session["enquiry_email"] = form.cleaned_data["contact_email"]
                return redirect("training:enquiry_sent")
    status = 429 if limited else 200
    return render(request, "training/enquire.html", {"form": form, "limited": limited}, status=status)


def enquiry_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "training/enquiry_sent.html", {"email": request.session.get("enquiry_email", "")})


def verify_enquiry(request: HttpRequest, token: str) -> HttpResponse:
    # GET shows a button and POST verifies: mail scanners that follow links change nothing.
    # A link used before says so (and what comes next) instead of asking again.
    found = selectors.enquiry_for_verification(token)
    if found is None:
        return render(request, "training/verify.html", {"invalid": True}, status=404)
    if found.verified_at is not None:
        return render(request, "training/verify.html", {"already": True, "enquiry": found})
    if request.method == "POST":
        enquiry = services.verify_enquiry(token=token)
        if enquiry is None:
            return render(request, "training/verify.html", {"invalid": True}, status=404)
        return render(request, "training/verify.html", {"done": True, "enquiry": enquiry})
    return render(request, "training/verify.html", {})


def register(request: HttpRequest, token: str) -> HttpResponse:
    """A participant puts themselves on a session through the link the coordinator shared."""
    session = (
        Session.objects.select_related("organisation")
        .filter(registration_token=token, status=Session.Status.CONFIRMED)
        .first()
    )
    if session is None:
        raise Http404
    form = forms.RegistrationForm(request.POST or None)
    if request.method == "POST":
        address = ratelimit.client_address(request)
        limit = settings.RATE_LIMIT_ANONYMOUS_FORM
        if ratelimit.is_limited("training-register", address, limit):
            return render(
                request, "training/register.html", {"form": form, "session": session, "limited": True}, status=429
            )
        ratelimit.hit("training-register", address, limit)
        if form.is_valid():
            data = form.cleaned_data
            try:
                participant = services.add_participant(
                    session=session,
                    person=services.NewParticipant(
                        data["name"], data["email"], data["position"], data["manager_email"]
                    ),
                    actor=None,
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                return render(request, "training/register_done.html", {"session": session, "participant": participant})
    return render(request, "training/register.html", {"form": form, "session": session})


# ---------------------------------------------------------------- programme: triage


@programme_admin_required
def board(request: HttpRequest) -> HttpResponse:
    filters = forms.BoardFilterForm(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    enquiries = selectors.triage_board(
        state=criteria.get("state", ""), region=criteria.get("region", ""), q=criteria.get("q", "")
    )
    page = Paginator(enquiries, 25).get_page(request.GET.get("page"))
    page.object_list = selectors.add_session_counts(list(page.object_list))
    counts = selectors.state_counts()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "training/board.html",
        {
            "filters": filters,
            "page": page,
            "states": [(value, label, counts.get(value, 0)) for value, label in Enquiry.State.choices],
            "query": query.urlencode(),
        },
    )


@programme_admin_required
def enquiry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry = selectors.get_enquiry_for_admin(request, pk)
    move_form = forms.MoveForm(initial={"state": enquiry.state})
    note_form = forms.NoteForm()
    if request.method == "POST":
        if "state" in request.POST:
            move_form = forms.MoveForm(request.POST)
            if move_form.is_valid():
                services.move_enquiry(enquiry=enquiry, state=move_form.cleaned_data["state"], actor=_user(request))
                messages.success(request, f"Moved to “{enquiry.get_state_display()}”.")
                return redirect("training:enquiry", pk=enquiry.pk)
        else:
            note_form = forms.NoteForm(request.POST)
            if note_form.is_valid():
                services.add_enquiry_note(enquiry=enquiry, text=note_form.cleaned_data["text"], actor=_user(request))
                messages.success(request, "Note added.")
                return redirect("training:enquiry", pk=enquiry.pk)
    history = [
        {
            "when": entry.created_at,
            "what": selectors.describe_enquiry_event(entry.action, entry.data),
            "who": entry.actor,
        }
        for entry in AuditEntry.objects.filter(
            target_type="training.enquiry", target_id=str(enquiry.pk)
        ).select_related("actor")[:50]
    ]
    return render(
        request,
        "training/enquiry.html",
        {
            "enquiry": enquiry,
            "move_form": move_form,
            "note_form": note_form,
            "notes": enquiry.admin_notes.select_related("author"),
            "history": history,
            "assigned": [a.trainer for a in enquiry.assignments.select_related("trainer__user")],
            "sessions": enquiry.sessions.all(),
            "standing": selectors.enquirer_standing(enquiry),
            "look_alikes": _look_alikes(enquiry),
        },
    )


def _look_alikes(enquiry: Enquiry) -> list[Any]:
    """Organisations already on SaferWork this enquiry may mean, while its own is still new."""
    from saferwork.organisations.selectors import organisations_like

    organisation = enquiry.organisation
    if organisation is None or not enquiry.organisation_created or enquiry.introduced_at is not None:
        return []
    if organisation.status != Organisation.Status.PENDING:
        return []
    return organisations_like(enquiry.organisation_name, email=enquiry.contact_email, exclude=organisation)


@programme_admin_required
@require_POST
def enquiry_organisation(request: HttpRequest, pk: int) -> HttpResponse:
    """The admin confirms that the enquiry is about an organisation already on SaferWork."""
    enquiry = selectors.get_enquiry_for_admin(request, pk)
    # Only one of the organisations the page offered, never any id that was posted.
    offered = {str(found.organisation.pk): found.organisation for found in _look_alikes(enquiry)}
    chosen = offered.get(request.POST.get("organisation", ""))
    if chosen is None:
        messages.error(request, "Choose one of the organisations listed.")
        return redirect("training:enquiry", pk=enquiry.pk)
    try:
        services.match_enquiry_to_organisation(enquiry=enquiry, organisation=chosen, actor=_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"This enquiry is now about {chosen.name}. The introduction will ask its coordinators to approve "
            f"{enquiry.contact_email} joining.",
        )
    return redirect("training:enquiry", pk=enquiry.pk)


@programme_admin_required
def match(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry = selectors.get_enquiry_for_admin(request, pk)
    matches = selectors.rank_trainers(enquiry)
    trainers = TrainerProfile.objects.filter(is_active=True).select_related("user")
    form = forms.PickTrainersForm(
        request.POST or None,
        trainers=trainers,
        initial={"trainers": list(enquiry.assignments.values_list("trainer_id", flat=True))},
    )
    if request.method == "POST" and form.is_valid():
        services.assign_trainers(enquiry=enquiry, trainers=list(form.cleaned_data["trainers"]), actor=_user(request))
        messages.success(request, "Trainers chosen. Check the details, then make the introduction.")
        return redirect("training:enquiry", pk=enquiry.pk)
    chosen = {str(v) for v in (form["trainers"].value() or [])}
    return render(
        request,
        "training/match.html",
        {
            "enquiry": enquiry,
            "matches": matches,
            "pairs": selectors.co_tutor_pairs(matches),
            "form": form,
            "chosen": chosen,
        },
    )


@programme_admin_required
@require_POST
def introduce(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry = selectors.get_enquiry_for_admin(request, pk)
    try:
        services.introduce(enquiry=enquiry, actor=_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Introduction sent to the organisation and the trainer(s), with the overview.")
    return redirect("training:enquiry", pk=enquiry.pk)


@programme_admin_required
def overview_download(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry = selectors.get_enquiry_for_admin(request, pk)
    names = [a.trainer.name for a in enquiry.assignments.select_related("trainer__user")]
    return _docx_response(documents.overview_docx(enquiry, names), f"training-overview-{enquiry.reference}.docx")


# ---------------------------------------------------------------- programme: trainers


@programme_admin_required
def trainers(request: HttpRequest) -> HttpResponse:
    services.ensure_trainer_profiles(host=request.organisation)  # type: ignore[attr-defined]
    pool = list(selectors.trainer_pool())
    counts, next_dates = selectors.upcoming_bookings([t.pk for t in pool], since=timezone.localdate())
    for trainer in pool:
        trainer.upcoming_sessions = counts[trainer.pk]  # type: ignore[attr-defined]
        trainer.next_booked = next_dates[trainer.pk]  # type: ignore[attr-defined]
    return render(request, "training/trainers.html", {"pool": pool, "table_rows": trainer_rows(pool)})


@programme_admin_required
def trainer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    host = request.organisation  # type: ignore[attr-defined]
    profile = TrainerProfile.objects.for_organisation(host).select_related("user").filter(pk=pk).first()
    if profile is None:
        raise Http404
    form = forms.TrainerProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        services.save_trainer_profile(profile=form.save(commit=False), actor=_user(request))
        messages.success(request, f"{profile.name}'s profile saved.")
        return redirect("training:trainers")
    return render(request, "training/trainer_edit.html", {"form": form, "profile": profile})


@programme_admin_required
def briefing_template(request: HttpRequest) -> HttpResponse:
    template = services.default_template()
    form = forms.BriefingTemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        services.update_template(template=form.save(commit=False), actor=_user(request))
        messages.success(request, "Template saved. Organisations that have not edited their briefing will see it.")
        return redirect("training:briefing_template")
    return render(request, "training/briefing_template.html", {"form": form})


# ---------------------------------------------------------------- trainer: availability


@role_required("is_trainer")
def availability(request: HttpRequest) -> HttpResponse:
    trainer = selectors.trainer_profile_for(request)
    if trainer is None and request.organisation.is_programme_host:  # type: ignore[attr-defined]
        services.ensure_trainer_profiles(host=request.organisation)  # type: ignore[attr-defined]
        del request._trainer_profile  # type: ignore[attr-defined]
        trainer = selectors.trainer_profile_for(request)
    if trainer is None:
        raise Http404
    form = forms.AvailabilityForm(request.POST or None)
    if request.method == "POST" and "clear" in request.POST:
        try:
            day = dt.date.fromisoformat(request.POST["clear"])
        except ValueError as bad:
            raise Http404 from bad
        services.clear_availability(trainer=trainer, day=day, actor=_user(request))
        return redirect("training:availability")
    if request.method == "POST" and form.is_valid():
        services.set_availability(
            trainer=trainer,
            dates=form.cleaned_data["dates"],
            available=form.cleaned_data["available"] == "yes",
            actor=_user(request),
        )
        messages.success(request, "Availability saved.")
        return redirect("training:availability")
    today = timezone.localdate()
    return render(
        request,
        "training/availability.html",
        {
            "form": form,
            "trainer": trainer,
            "dates": trainer.availability.filter(date__gte=today),
            "booked": sorted(selectors.booked_dates([trainer.pk], since=today)[trainer.pk]),
        },
    )


@role_required("is_trainer")
def own_profile(request: HttpRequest) -> HttpResponse:
    trainer = selectors.trainer_profile_for(request)
    if trainer is None:
        raise Http404
    form = forms.OwnProfileForm(request.POST or None, instance=trainer)
    if request.method == "POST" and form.is_valid():
        services.save_trainer_profile(profile=form.save(commit=False), actor=_user(request))
        messages.success(request, "Profile saved. The programme uses it to match you with organisations.")
        return redirect("training:own_profile")
    return render(request, "training/own_profile.html", {"form": form, "trainer": trainer})


# ---------------------------------------------------------------- bookings


@login_required
def bookings(request: HttpRequest) -> HttpResponse:
    return render(request, "training/bookings.html", {"bookings": selectors.bookings_for(request)})


@login_required
def booking(request: HttpRequest, pk: int) -> HttpResponse:
    access = selectors.get_booking_for_user(request, pk)
    enquiry = access.enquiry
    slots = list(enquiry.slots.select_related("offered_by__user"))
    booked_slot = next((s for s in slots if s.booked_at), None)
    context: dict[str, Any] = {
        "access": access,
        "enquiry": enquiry,
        "trainers": [a.trainer for a in enquiry.assignments.select_related("trainer__user")],
        "slots": slots,
        "booked_slot": booked_slot,
        "sessions": enquiry.sessions.prefetch_related("trainers__user"),
        "slot_form": forms.SlotForm(),
        "checklist_form": forms.ChecklistForm(
            initial={
                "logistics": enquiry.checklist_logistics,
                "audience": enquiry.checklist_audience,
                "standing": enquiry.checklist_standing,
            }
        ),
        "contact_form": forms.ContactPointForm(
            initial={
                "name": enquiry.contact_point_name,
                "role": enquiry.contact_point_role,
                "email": enquiry.contact_point_email,
                "phone": enquiry.contact_point_phone,
            }
        ),
        "note_form": forms.TrainerNoteForm(),
        "message_form": forms.MessageForm(),
        # Messages are between the organisation and its trainer(s): never the programme.
        "messages_list": enquiry.messages.select_related("author") if access.sees_people else None,
        # Read only when the viewer is one of this booking's trainers: never for admins.
        "trainer_notes": enquiry.trainer_notes.select_related("author__user") if access.is_trainer else None,
    }
    return render(request, "training/booking.html", context)


def _booking_party(request: HttpRequest, pk: int) -> selectors.BookingAccess:
    """The organisation's coordinator or the booking's trainer: the people who liaise."""
    access = selectors.get_booking_for_user(request, pk)
    if not (access.is_coordinator or access.is_trainer):
        raise PermissionDenied("Only the organisation and its trainers can change this booking.")
    return access


@login_required
def offer_slot(request: HttpRequest, pk: int) -> HttpResponse:
    access = selectors.get_booking_for_user(request, pk)
    if access.trainer is None:
        raise PermissionDenied("Only the booking's trainers offer pre-meeting times.")
    form = forms.SlotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        zone = access.enquiry.organisation.time_zone if access.enquiry.organisation else settings.TIME_ZONE
        import zoneinfo

        tz = zoneinfo.ZoneInfo(zone)
        data = form.cleaned_data
        try:
            services.offer_slot(
                enquiry=access.enquiry,
                trainer=access.trainer,
                starts_at=dt.datetime.combine(data["date"], data["start"], tzinfo=tz),
                ends_at=dt.datetime.combine(data["date"], data["end"], tzinfo=tz),
                where=data["where"],
                actor=_user(request),
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, "Time offered. The organisation can now book it.")
            return redirect("training:booking", pk=pk)
    return render(request, "training/slot_form.html", {"form": form, "enquiry": access.enquiry})


@login_required
@require_POST
def book_slot(request: HttpRequest, pk: int, slot_pk: int) -> HttpResponse:
    access = selectors.get_booking_for_user(request, pk)
    if not access.is_coordinator:
        raise PermissionDenied("The organisation books the pre-meeting.")
    slot = access.enquiry.slots.filter(pk=slot_pk).first()
    if slot is None:
        raise Http404
    try:
        services.book_slot(slot=slot, actor=_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Pre-meeting booked. Everyone has been sent a calendar invite.")
    return redirect("training:booking", pk=pk)


@login_required
@require_POST
def cancel_pre_meeting(request: HttpRequest, pk: int, slot_pk: int) -> HttpResponse:
    access = _booking_party(request, pk)
    slot = access.enquiry.slots.filter(pk=slot_pk).first()
    if slot is None:
        raise Http404
    try:
        services.cancel_pre_meeting(slot=slot, actor=_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, "Pre-meeting cancelled. Everyone has been sent a cancellation; offer or book another time."
        )
    return redirect("training:booking", pk=pk)


@login_required
def checklist(request: HttpRequest, pk: int) -> HttpResponse:
    access = _booking_party(request, pk)
    form = forms.ChecklistForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.update_checklist(enquiry=access.enquiry, actor=_user(request), **form.cleaned_data)
        messages.success(request, "Checklist saved.")
        return redirect("training:booking", pk=pk)
    return render(
        request,
        "training/simple_form.html",
        {"form": form, "title": "Pre-meeting checklist", "enquiry": access.enquiry},
    )


@login_required
def contact_point(request: HttpRequest, pk: int) -> HttpResponse:
    access = selectors.get_booking_for_user(request, pk)
    if not access.is_coordinator:
        raise PermissionDenied("The organisation names its point of contact.")
    form = forms.ContactPointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.set_contact_point(enquiry=access.enquiry, actor=_user(request), **form.cleaned_data)
        messages.success(request, "Point of contact saved.")
        return redirect("training:booking", pk=pk)
    return render(
        request,
        "training/simple_form.html",
        {"form": form, "title": "Nominated point of contact", "enquiry": access.enquiry},
    )


@login_required
@require_POST
def post_message(request: HttpRequest, pk: int) -> HttpResponse:
    access = _booking_party(request, pk)
    form = forms.MessageForm(request.POST)
    if form.is_valid():
        services.post_message(enquiry=access.enquiry, author=_user(request), text=form.cleaned_data["message"])
        messages.success(request, "Message sent.")
    else:
        messages.error(request, "Write a message before sending it.")
    return redirect(reverse("training:booking", args=[pk]) + "#messages")


@login_required
@require_POST
def add_trainer_note(request: HttpRequest, pk: int) -> HttpResponse:
    access = selectors.get_booking_for_user(request, pk)
    if access.trainer is None:
        raise Http404
    form = forms.TrainerNoteForm(request.POST)
    if form.is_valid():
        services.add_trainer_note(enquiry=access.enquiry, trainer=access.trainer, text=form.cleaned_data["text"])
        messages.success(request, "Note saved. Only this booking's trainers can read it.")
    return redirect("training:booking", pk=pk)


# ---------------------------------------------------------------- sessions


def _details(form: forms.SessionForm) -> services.SessionDetails:
    data = form.cleaned_data
    return services.SessionDetails(
        date=data["date"],
        start_time=data["start_time"],
        end_time=data["end_time"],
        mode=data["mode"],
        trainers=list(data["trainers"]),
        meeting_link=data["meeting_link"],
        tech_helper_name=data["tech_helper_name"],
        venue=data["venue"],
        access_info=data["access_info"],
        capacity=data["capacity"],
    )


def _booking_trainers(enquiry: Enquiry) -> Any:
    return TrainerProfile.objects.filter(assignments__enquiry=enquiry).select_related("user")


@login_required
def session_new(request: HttpRequest, pk: int) -> HttpResponse:
    access = _booking_party(request, pk)
    enquiry = access.enquiry
    trainers = _booking_trainers(enquiry)
    form = forms.SessionForm(
        request.POST or None,
        trainers=trainers,
        initial={"trainers": list(trainers), "mode": "in_person" if enquiry.delivery_mode == "in_person" else "online"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = services.schedule_session(enquiry=enquiry, details=_details(form), actor=_user(request))
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, "Session confirmed. Calendar invites have been sent.")
            return redirect("training:session", pk=session.pk)
    return render(request, "training/session_form.html", {"form": form, "enquiry": enquiry, "session": None})


@login_required
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session, access = selectors.get_session_for_user(request, pk)
    if not (access.is_coordinator or access.is_trainer):
        raise PermissionDenied
    initial = {
        f: getattr(session, f)
        for f in [
            "date",
            "start_time",
            "end_time",
            "mode",
            "meeting_link",
            "tech_helper_name",
            "venue",
            "access_info",
            "capacity",
        ]
    }
    initial["trainers"] = list(session.trainers.all())
    form = forms.SessionForm(request.POST or None, trainers=_booking_trainers(session.enquiry), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_session(session=session, details=_details(form), actor=_user(request))
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, "Session saved. Anyone affected has been sent an updated invite.")
            return redirect("training:session", pk=session.pk)
    return render(request, "training/session_form.html", {"form": form, "enquiry": session.enquiry, "session": session})


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session, access = selectors.get_session_for_user(request, pk)
    people = selectors.session_participants(session) if access.sees_people else []
    confirmed = [p for p in people if p.status == Participant.Status.CONFIRMED]
    waiting = [p for p in people if p.status == Participant.Status.WAITING]
    counts = session.participants.filter(status=Participant.Status.CONFIRMED).count()
    form = forms.ParticipantForm(managers=[(p.email, p.name) for p in confirmed])
    return render(
        request,
        "training/session.html",
        {
            "session": session,
            "access": access,
            "trainers": session.trainers.select_related("user"),
            "confirmed": confirmed,
            "waiting": waiting,
            "confirmed_count": counts,
            "over_recommended": counts > CAPACITY_WARN_ABOVE,
            "warn_above": CAPACITY_WARN_ABOVE,
            "hard_limit": CAPACITY_HARD_LIMIT,
            "warnings": selectors.power_dynamics_warnings(people) if access.sees_people else [],
            "form": form,
            "capacity_form": forms.CapacityOverrideForm(initial={"capacity": session.capacity}),
            "registration_url": f"{settings.SITE_URL}{reverse('training:register', args=[session.registration_token])}",
            "reporting_url": reporting_route_url(session.organisation),
        },
    )


@login_required
@require_POST
def participant_add(request: HttpRequest, pk: int) -> HttpResponse:
    session, access = selectors.get_session_for_user(request, pk)
    if not access.is_coordinator:
        raise PermissionDenied("The organisation adds participants.")
    managers = list(session.participants.filter(status=Participant.Status.CONFIRMED).values_list("email", "name"))
    form = forms.ParticipantForm(request.POST, managers=managers)
    if form.is_valid():
        data = form.cleaned_data
        try:
            participant = services.add_participant(
                session=session,
                person=services.NewParticipant(data["name"], data["email"], data["position"], data["manager_email"]),
                actor=_user(request),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if participant.status == Participant.Status.WAITING:
                messages.warning(request, f"{participant.name} is on the waiting list: the session is full.")
            else:
                messages.success(request, f"{participant.name} added.")
    else:
        messages.error(request, "Check the participant's details: " + "; ".join(str(e) for e in form.errors.values()))
    return redirect("training:session", pk=pk)


@login_required
@require_POST
def participant_withdraw(request: HttpRequest, pk: int, participant_pk: int) -> HttpResponse:
    session, access = selectors.get_session_for_user(request, pk)
    if not access.is_coordinator:
        raise PermissionDenied
    participant = session.participants.filter(pk=participant_pk).first()
    if participant is None:
        raise Http404
    promoted = services.withdraw_participant(participant=participant, actor=_user(request))
    text = f"{participant.name} withdrawn."
    if promoted:
        text += " " + ", ".join(p.name for p in promoted) + " moved up from the waiting list and has been emailed."
    messages.success(request, text)
    return redirect("training:session", pk=pk)


UPLOAD_KEY = "training_csv_upload"


@login_required
def participant_upload(request: HttpRequest, pk: int) -> HttpResponse:
    session, access = selectors.get_session_for_user(request, pk)
    if not access.is_coordinator:
        raise PermissionDenied
    existing = session.participants.exclude(status=Participant.Status.WITHDRAWN).values_list("email", flat=True)
    form = forms.CsvUploadForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {
        "session": session,
        "form": form,
        "columns": csv_import.COLUMNS,
        "positions": csv_import.position_hint(),
    }
    if request.method == "POST" and "confirm" in request.POST:
        stored = request.session.get(UPLOAD_KEY, {})
        name = stored.get("name") if stored.get("session") == session.pk else None
        if not name or not default_storage.exists(name):
            messages.error(request, "Upload the file again: the checked copy has expired.")
            return redirect("training:participant_upload", pk=pk)
        with default_storage.open(name, "rb") as handle:
            result = csv_import.check_csv(handle, existing_emails=existing)
        default_storage.delete(name)
        request.session.pop(UPLOAD_KEY, None)
        if not result.clean:
            context["result"] = result
            return render(request, "training/upload.html", context)
        services.import_participants(session=session, people=result.people, actor=_user(request))
        messages.success(request, f"{len(result.people)} participants imported.")
        return redirect("training:session", pk=pk)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            form.add_error("file", "The file must be smaller than 2 MB.")
        else:
            result = csv_import.check_csv(upload.file, existing_emails=existing)
            context["result"] = result
            previous = request.session.get(UPLOAD_KEY, {}).get("name")
            if previous and default_storage.exists(previous):
                default_storage.delete(previous)  # only one checked file waits per person
            if result.clean:
                upload.seek(0)
                name = default_storage.save(f"training/uploads/{secrets.token_hex(16)}.csv", File(upload.file))
                request.session[UPLOAD_KEY] = {"session": session.pk, "name": name}
    return render(request, "training/upload.html", context)


@login_required
def participant_template(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The participants file to fill in: its first line and one example row, from the importer's columns."""
    _session, access = selectors.get_session_for_user(request, pk)
    if not access.is_coordinator:
        raise PermissionDenied
    response = StreamingHttpResponse(csv_lines(csv_import.template_rows()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="participants-template.csv"'
    return response


@login_required
@require_POST
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    session, access = selectors.get_session_for_user(request, pk)
    if not (access.is_coordinator or access.is_trainer):
        raise PermissionDenied
    services.cancel_session(session=session, actor=_user(request))
    messages.success(request, "Session cancelled. Everyone invited has been sent a cancellation.")
    return redirect("training:session", pk=pk)


@programme_admin_required
@require_POST
def session_capacity(request: HttpRequest, pk: int) -> HttpResponse:
    session, _access = selectors.get_session_for_user(request, pk)
    form = forms.CapacityOverrideForm(request.POST)
    if form.is_valid():
        try:
            services.override_capacity(session=session, actor=_user(request), **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Places set to {form.cleaned_data['capacity']}.")
    else:
        messages.error(request, "Give the number of places and a reason.")
    return redirect("training:session", pk=pk)


@login_required
@require_POST
def session_send_briefing(request: HttpRequest, pk: int) -> HttpResponse:
    session, access = selectors.get_session_for_user(request, pk)
    if not access.is_coordinator:
        raise PermissionDenied
    try:
        count = services.send_briefing(session=session, actor=_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Briefing sent to {count} participants.")
    return redirect("training:session", pk=pk)


@login_required
def session_invite(request: HttpRequest, pk: int) -> HttpResponse:
    session, access = selectors.get_session_for_user(request, pk)
    if not access.sees_people:
        raise Http404
    content = documents.session_invite(session, [request.user.email])  # type: ignore[union-attr]
    response = HttpResponse(content, content_type="text/calendar")
    response["Content-Disposition"] = 'attachment; filename="training-session.ics"'
    return response


# ---------------------------------------------------------------- briefing


@role_required("is_coordinator")
def briefing(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    current = services.briefing_for(organisation)
    if current.pk is None and not current.reporting_url and reporting_route_url(organisation):
        # Start from the organisation's own reporting route on SaferWork, if it has one.
        current.reporting_url = f"{settings.SITE_URL}{reporting_route_url(organisation)}"
    form = forms.BriefingForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        services.save_briefing(briefing=form.save(commit=False), actor=_user(request))
        messages.success(request, "Briefing saved. Download it or send it to a session's participants.")
        return redirect("training:briefing")
    return render(request, "training/briefing.html", {"form": form, "saved": current.pk is not None})


@role_required("is_coordinator")
def briefing_download(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    return _docx_response(documents.briefing_docx(services.briefing_for(organisation)), "participant-briefing.docx")


# ---------------------------------------------------------------- a participant's own training

# "Email me a new claim link": once every few minutes per person.
CLAIM_LINK_RESEND_LIMIT = (1, 5 * 60)


@login_required
def my_training(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own sessions, briefing, evaluation, badge and data."""
    return render(
        request,
        "training/my_training.html",
        {"places": selectors.own_places(request), "retention_months": settings.PARTICIPANT_RETENTION_MONTHS},
    )


@login_required
def my_session_invite(request: HttpRequest, pk: int) -> HttpResponse:
    participant = selectors.get_own_place(request, pk)
    session = participant.session
    if participant.status != Participant.Status.CONFIRMED or session.is_cancelled:
        raise Http404
    content = documents.session_invite(session, [participant.email])
    response = HttpResponse(content, content_type="text/calendar")
    response["Content-Disposition"] = 'attachment; filename="training-session.ics"'
    return response


@login_required
def my_briefing(request: HttpRequest, pk: int) -> HttpResponse:
    participant = selectors.get_own_place(request, pk)
    if participant.status != Participant.Status.CONFIRMED:
        raise Http404
    from saferwork.training.models import Briefing

    found = Briefing.objects.filter(organisation=participant.organisation).first()
    if found is None:
        raise Http404
    return _docx_response(documents.briefing_docx(found, participant.session), "participant-briefing.docx")


@login_required
@require_POST
def my_claim_link(request: HttpRequest, pk: int) -> HttpResponse:
    from saferwork.delivery.claims import send_new_claim_link
    from saferwork.delivery.services import DeliveryError

    participant = selectors.get_own_place(request, pk)
    identity = f"user:{request.user.pk}"
    if ratelimit.is_limited("badge-claim-resend", identity, CLAIM_LINK_RESEND_LIMIT):
        messages.error(request, "We sent you a new claim link a few minutes ago. Check your email, or try again later.")
        return redirect("training:my_training")
    try:
        send_new_claim_link(participant=participant, actor=_user(request))
    except DeliveryError as error:
        messages.error(request, str(error))
    else:
        ratelimit.hit("badge-claim-resend", identity, CLAIM_LINK_RESEND_LIMIT)
        messages.success(
            request, f"We have emailed a new claim link to {participant.email}. The old link no longer works."
        )
    return redirect("training:my_training")
