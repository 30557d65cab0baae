from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from saferwork.delivery import selectors, services
from saferwork.delivery.forms import AttendanceForm, EvaluationForm, EvaluationFormVersionForm, FollowUpForm
from saferwork.delivery.models import EvaluationAnswer, EvaluationFormVersion, FollowUpRequest
from saferwork.lib import ratelimit
from saferwork.lib.pagination import peek_page
from saferwork.organisations.permissions import programme_admin_required, role_required
from saferwork.training.models import Participant
from saferwork.training.selectors import trainer_profile_for


@login_required
def sessions(request: HttpRequest) -> HttpResponse:
    """Sessions to mark and their evaluation state, for trainers and coordinators."""
    trainer = trainer_profile_for(request)
    # 50 a page, newest first, without counting them all.
    page = peek_page(selectors.sessions_for(request), 50, request.GET.get("page"))
    return render(
        request,
        "delivery/sessions.html",
        {
            "sessions": page.object_list,
            "page": page,
            "threshold": settings.EVALUATION_RESULTS_THRESHOLD,
            "trainer_summary": selectors.trainer_summary(trainer) if trainer else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    access = selectors.get_session_for_user(request, pk)
    if not access.can_mark_attendance:
        raise PermissionDenied("Only the session's trainers and the organisation's coordinators mark attendance.")
    session = access.session
    participants = list(
        session.participants.filter(status=Participant.Status.CONFIRMED).select_related("attendance").order_by("name")
    )
    blocked = services.can_record_attendance(session)
    form = AttendanceForm(request.POST if request.method == "POST" else None, participants=participants)
    if request.method == "POST" and not blocked and form.is_valid():
        try:
            result = services.record_attendance(session=session, marks=form.marks(), actor=request.user)
        except services.DeliveryError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Attendance saved: {result.attended} attended, {result.absent} absent. "
                f"{result.links_sent} evaluation and badge links sent.",
            )
            return redirect("delivery:results", pk=session.pk)
    return render(
        request,
        "delivery/attendance.html",
        {"access": access, "session": session, "form": form, "blocked": blocked, "participants": participants},
    )


@login_required
def results(request: HttpRequest, pk: int) -> HttpResponse:
    access = selectors.get_session_for_user(request, pk)
    answers = EvaluationAnswer.objects.filter(session=access.session)
    summary = selectors.evaluation_summary(selectors.open_answers(answers), with_free_text=access.sees_free_text)
    waiting = answers.filter(release__isnull=True).count()
    record = getattr(access.session, "attendance_record", None)
    return render(
        request,
        "delivery/results.html",
        {"access": access, "session": access.session, "summary": summary, "record": record, "waiting": waiting},
    )


# ---------------------------------------------------------------- the evaluation, for attendees (no account)


@never_cache
@require_http_methods(["GET", "POST"])
def evaluate(request: HttpRequest, token: str) -> HttpResponse:
    """The attendee's one-time form. A valid answer costs one database round trip (see
    ``services.submit_evaluation``): the link is not looked up first, spending it says
    whether it was good, and the form's wording comes from this process's memory."""
    address = ratelimit.client_address(request)
    limit = settings.RATE_LIMIT_EVALUATION_LINK
    if ratelimit.is_limited("evaluation-link", address, limit):
        return render(request, "delivery/rate_limited.html", status=429)
    version = EvaluationFormVersion.current_cached()
    form = EvaluationForm(request.POST if request.method == "POST" else None, version=version)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_evaluation(token=token, version=version, answers=form.cleaned_data)
        except services.DeliveryError:
            # Unknown and spent links look the same once spent links are deleted.
            ratelimit.hit("evaluation-link", address, limit)
            return render(request, "delivery/evaluation_unavailable.html", status=404)
        return redirect("delivery:evaluation_thanks")
    found = services.find_evaluation_token(token)
    if found is None or found.used:
        ratelimit.hit("evaluation-link", address, limit)
        return render(request, "delivery/evaluation_unavailable.html", status=404 if found is None else 410)
    return render(request, "delivery/evaluate.html", {"form": form, "version": version, "session": found.session})


def evaluation_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "delivery/evaluation_thanks.html", {"version": EvaluationFormVersion.current_cached()})


# ---------------------------------------------------------------- the form's wording (programme admins)


@programme_admin_required
@require_http_methods(["GET", "POST"])
def evaluation_form(request: HttpRequest) -> HttpResponse:
    current = EvaluationFormVersion.current()
    form = EvaluationFormVersionForm(
        request.POST if request.method == "POST" else None, instance=None if request.method == "POST" else current
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in EvaluationFormVersionForm.Meta.fields}
        version = services.publish_form_version(actor=request.user, fields=fields)
        messages.success(request, f"Version {version.number} of the evaluation form is now in use.")
        return redirect("delivery:evaluation_form")
    versions = EvaluationFormVersion.objects.select_related("created_by").all()
    return render(request, "delivery/evaluation_form.html", {"form": form, "current": current, "versions": versions})


@programme_admin_required
def programme_evaluations(request: HttpRequest) -> HttpResponse:
    """Delivered sessions, newest first, with how many answered: results open at the threshold."""
    paginator = Paginator(selectors.delivered_sessions(), 50)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "delivery/programme_evaluations.html",
        {"page": page, "threshold": settings.EVALUATION_RESULTS_THRESHOLD},
    )


# ---------------------------------------------------------------- follow-up


@role_required("is_coordinator")
@require_http_methods(["GET", "POST"])
def follow_up(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    delivered = organisation.training_sessions.filter(attendance_record__isnull=False).exists()
    form = FollowUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and delivered and form.is_valid():
        services.request_follow_up(organisation=organisation, actor=request.user, topics=form.cleaned_data["topics"])
        messages.success(request, "Your request was sent to the programme team. They will contact you.")
        return redirect("delivery:follow_up")
    requests = organisation.follow_up_requests.all()[:20]
    return render(request, "delivery/follow_up.html", {"form": form, "delivered": delivered, "requests": requests})


@programme_admin_required
def follow_ups(request: HttpRequest) -> HttpResponse:
    rows = FollowUpRequest.objects.select_related("organisation", "requested_by").all()[:200]
    return render(request, "delivery/follow_ups.html", {"requests": rows, "states": FollowUpRequest.State.choices})


@programme_admin_required
@require_POST
def follow_up_state(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = FollowUpRequest.objects.filter(pk=pk).first()
    state = request.POST.get("state", "")
    if follow_up is None or state not in FollowUpRequest.State.values:
        raise Http404
    services.set_follow_up_state(follow_up=follow_up, state=state, actor=request.user)
    messages.success(request, f"{follow_up.organisation.name}: {follow_up.get_state_display().lower()}.")
    return redirect("delivery:follow_ups")
