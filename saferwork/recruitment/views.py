"""Pages for trainer recruitment: the public call, the panel's work, and the admin's."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from saferwork.accounts.decorators import sudo_required
from saferwork.accounts.models import User
from saferwork.lib import ratelimit
from saferwork.lib.disclosure import BIG, ReaderModel, Undecided, breakdown_model
from saferwork.lib.suppression import Cell, Status, SuppressedTable, suppress_counts
from saferwork.organisations.permissions import programme_admin_required
from saferwork.recruitment import selectors, services
from saferwork.recruitment.calendar import ICS_MIME, panel_schedule_ics
from saferwork.recruitment.forms import (
    AdjustmentsForm,
    ApplicationForm,
    BookingForm,
    ConflictForm,
    CriterionForm,
    DecisionForm,
    ExpertForm,
    FilterForm,
    ModerationForm,
    RecordConflictForm,
    RescheduleForm,
    ResumeRequestForm,
    RoundForm,
    ScoreForm,
    SlotsForm,
    StaffPanellistForm,
)
from saferwork.recruitment.models import (
    Application,
    Background,
    Interview,
    InterviewSlot,
    Panellist,
    Round,
    RoundCount,
    Stage,
)
from saferwork.recruitment.services import RecruitmentError
from saferwork.recruitment.tables import application_rows
from saferwork.training.models import REGIONS

DRAFT_SESSION_KEY = "recruitment_draft_token"
PAGE_SIZE = 50
SUPPRESSION_THRESHOLD = 5
# Pages only programme admins reach show the whole round menu.
ADMIN_ACCESS = {"is_admin": True, "panellist": None, "sees_identities": True}


def _posted(request: HttpRequest) -> Any:
    """The posted data for a form, or None. An empty POST still binds: it shows its errors."""
    return request.POST if request.method == "POST" else None


# ---------------------------------------------------------------- the public call


def _current_draft(request: HttpRequest, round_: Round) -> Application | None:
    return services.find_draft(round_=round_, token=request.session.get(DRAFT_SESSION_KEY, ""))


@never_cache
def apply(request: HttpRequest) -> HttpResponse:
    """The application form, while a round is open. Save a draft, or submit."""
    round_ = selectors.open_round()
    if round_ is None:
        return render(request, "recruitment/apply_closed.html", status=200)
    draft = _current_draft(request, round_)
    submitting = request.POST.get("action") != "save"
    form = ApplicationForm(
        _posted(request), instance=draft, round_=round_, submitting=submitting, use_required_attribute=False
    )
    if request.method == "POST":
        address = ratelimit.client_address(request)
        limit = settings.RATE_LIMIT_RECRUITMENT_APPLY
        if ratelimit.hit("recruitment-apply", address, limit) > limit[0]:
            return render(request, "recruitment/rate_limited.html", status=429)
        if form.is_valid():
            try:
                if submitting:
                    application = services.submit_application(round_=round_, application=draft, data=form.cleaned_data)
                    request.session.pop(DRAFT_SESSION_KEY, None)
                    request.session["recruitment_submitted"] = application.reference
                    return redirect("recruitment:submitted")
                saved_draft, token = services.save_draft(round_=round_, application=draft, data=form.cleaned_data)
                if saved_draft is not None:
                    # The same link went by email; this browser keeps the draft open too.
                    request.session[DRAFT_SESSION_KEY] = token
                return redirect("recruitment:saved")
            except RecruitmentError as exc:
                form.add_error(None, str(exc))
    # A form with errors is the page again, with its error summary: 200, as GOV.UK services answer.
    return render(request, "recruitment/apply.html", {"form": form, "round": round_, "draft": draft})


def saved(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "recruitment/saved.html",
        {"round": selectors.open_round(), "link_days": settings.RECRUITMENT_RESUME_LINK_DAYS},
    )


def submitted(request: HttpRequest) -> HttpResponse:
    reference = request.session.get("recruitment_submitted")
    if not reference:
        return redirect("recruitment:apply")
    return render(request, "recruitment/submitted.html", {"reference": reference})


@never_cache
def resume(request: HttpRequest, token: str) -> HttpResponse:
    """Open a draft from the emailed link; the link then lives in this browser's session."""
    round_ = selectors.open_round()
    if round_ is None or services.find_draft(round_=round_, token=token) is None:
        return render(request, "recruitment/resume_invalid.html", status=404)
    request.session[DRAFT_SESSION_KEY] = token
    return redirect("recruitment:apply")


@never_cache
def resume_request(request: HttpRequest) -> HttpResponse:
    """Ask for a new link to a draft. Says the same whether or not a draft exists."""
    round_ = selectors.open_round()
    if round_ is None:
        return render(request, "recruitment/apply_closed.html")
    form = ResumeRequestForm(_posted(request))
    if request.method == "POST":
        address = ratelimit.client_address(request)
        limit = settings.RATE_LIMIT_RECRUITMENT_RESUME
        if ratelimit.hit("recruitment-resume", address, limit) > limit[0]:
            return render(request, "recruitment/rate_limited.html", status=429)
        if form.is_valid():
            services.resend_resume_link(round_=round_, email=form.cleaned_data["email"])
            return render(request, "recruitment/resume_sent.html", {"round": round_})
    return render(request, "recruitment/resume_request.html", {"form": form})


@never_cache
def withdraw(request: HttpRequest, token: str) -> HttpResponse:
    """The candidate withdraws with the link from their confirmation email."""
    application = services.find_withdrawable(token)
    if application is None:
        return render(request, "recruitment/withdraw.html", {"invalid": True}, status=404)
    if request.method == "POST":
        services.withdraw(application=application)
        return render(request, "recruitment/withdraw.html", {"done": True})
    return render(request, "recruitment/withdraw.html", {"application": application})


# ---------------------------------------------------------------- rounds (programme admins)


@programme_admin_required
def rounds(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    return render(request, "recruitment/rounds.html", {"rounds": organisation.recruitment_rounds.all()})


@programme_admin_required
def round_new(request: HttpRequest) -> HttpResponse:
    form = RoundForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        round_ = services.create_round(
            organisation=request.organisation,  # type: ignore[attr-defined]
            by=request.user,  # type: ignore[arg-type]
            **form.round_fields(),
        )
        messages.success(request, "Round created. Now add the rubric and the panel.")
        return redirect("recruitment:round", pk=round_.pk)
    return render(request, "recruitment/round_form.html", {"form": form})


@programme_admin_required
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.get_round_for_admin(request, pk)
    form = RoundForm(_posted(request), instance=round_)
    if request.method == "POST" and form.is_valid():
        services.update_round(round_=round_, by=request.user, **form.round_fields())  # type: ignore[arg-type]
        messages.success(request, "Round saved.")
        return redirect("recruitment:round", pk=round_.pk)
    return render(request, "recruitment/round_form.html", {"form": form, "round": round_})


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access = selectors.get_round_for_panellist(request, pk)
    round_ = access.round
    criteria = list(round_.criteria.all())
    return render(
        request,
        "recruitment/round.html",
        {
            "round": round_,
            "access": access,
            "shortlisting_criteria": [c for c in criteria if c.stage == Stage.SHORTLISTING],
            "interview_criteria": [c for c in criteria if c.stage == Stage.INTERVIEW],
            "panel": round_.panellists.select_related("user"),
            "counts": round_.applications.exclude(status=Application.Status.DRAFT).count(),
        },
    )


@programme_admin_required
def criterion_add(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.get_round_for_admin(request, pk)
    form = CriterionForm(_posted(request), initial={"stage": request.GET.get("stage", Stage.SHORTLISTING)})
    if request.method == "POST" and form.is_valid():
        try:
            services.add_criterion(round_=round_, by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except RecruitmentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Criterion added.")
            return redirect("recruitment:round", pk=round_.pk)
    return render(request, "recruitment/criterion_form.html", {"form": form, "round": round_})


@programme_admin_required
def criterion_edit(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    round_ = selectors.get_round_for_admin(request, pk)
    criterion = round_.criteria.filter(pk=criterion_pk).first()
    if criterion is None:
        raise Http404
    form = CriterionForm(_posted(request), instance=criterion)
    if request.method == "POST":
        by: Any = request.user
        try:
            if request.POST.get("remove") == "yes":
                services.remove_criterion(criterion=criterion, by=by)
                messages.success(request, "Criterion removed.")
                return redirect("recruitment:round", pk=round_.pk)
            if form.is_valid():
                services.update_criterion(criterion=round_.criteria.get(pk=criterion.pk), by=by, **form.cleaned_data)
                messages.success(request, "Criterion saved.")
                return redirect("recruitment:round", pk=round_.pk)
        except RecruitmentError as exc:
            form.add_error(None, str(exc))
    return render(
        request,
        "recruitment/criterion_form.html",
        {"form": form, "round": round_, "criterion": criterion},
    )


@programme_admin_required
def panel(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.get_round_for_admin(request, pk)
    staff = list(
        User.objects.filter(memberships__organisation=round_.organisation, is_active=True)
        .exclude(recruitment_panels__round=round_)
        .order_by("full_name")
    )
    expert_form = ExpertForm(request.POST if request.POST.get("form") == "expert" else None, prefix="expert")
    staff_form = StaffPanellistForm(
        request.POST if request.POST.get("form") == "staff" else None, staff=staff, prefix="staff"
    )
    if request.method == "POST":
        by: Any = request.user
        try:
            if request.POST.get("form") == "expert" and expert_form.is_valid():
                services.add_expert(round_=round_, by=by, **expert_form.cleaned_data)
                messages.success(request, f"{expert_form.cleaned_data['email']} has been invited to the panel.")
                return redirect("recruitment:panel", pk=round_.pk)
            if request.POST.get("form") == "staff" and staff_form.is_valid():
                user = next(u for u in staff if str(u.pk) == staff_form.cleaned_data["user"])
                services.add_staff_panellist(round_=round_, user=user, by=by)
                messages.success(request, f"{user} has joined the panel.")
                return redirect("recruitment:panel", pk=round_.pk)
            if request.POST.get("form") == "remove":
                seat = round_.panellists.filter(pk=request.POST.get("panellist") or 0).first()
                if seat is None:
                    raise Http404
                services.remove_panellist(panellist=seat, by=by)
                messages.success(request, f"{seat.user} has left the panel.")
                return redirect("recruitment:panel", pk=round_.pk)
        except RecruitmentError as exc:
            messages.error(request, str(exc))
            return redirect("recruitment:panel", pk=round_.pk)
    return render(
        request,
        "recruitment/panel.html",
        {
            "round": round_,
            "access": ADMIN_ACCESS,
            "panel": round_.panellists.select_related("user"),
            "expert_form": expert_form,
            "staff_form": staff_form,
        },
    )


@login_required
def panels(request: HttpRequest) -> HttpResponse:
    """The rounds this person sits on the panel of: an expert's way in."""
    return render(request, "recruitment/panels.html", {"seats": selectors.panels_for_user(request.user)})


# ---------------------------------------------------------------- shortlisting and scoring


def _list_page(request: HttpRequest, pk: int, stage: str) -> HttpResponse:
    access = selectors.get_round_for_panellist(request, pk)
    round_ = access.round
    identities = access.sees_identities
    searchable = access.searches_identities
    filters = FilterForm(request.GET or None, regions=selectors.regions_in(round_), identities=searchable)
    criteria: dict[str, Any] = filters.cleaned_data if filters.is_valid() else {}
    page: Page[Any]
    options: dict[str, Any] = {
        "stage": stage,
        "viewer": access.panellist,
        "identities": searchable,
        "region": criteria.get("region", ""),
        "background": criteria.get("background", ""),
        "status": criteria.get("status", ""),
        "q": criteria.get("q", ""),
        "flagged": criteria.get("flagged", False),
        "sort": criteria.get("sort") or "submitted",
    }
    # The page's ids in the list's order (by the database, or by the scores worked out for
    # every match), then this page's rows with their scores.
    listing = selectors.ordered_ids(round_, **options)
    page = Paginator(listing.ids, PAGE_SIZE).get_page(request.GET.get("page"))
    rows: list[Any] = selectors.page_rows(round_, stage, list(page.object_list), access.panellist, listing.summaries)
    for row in rows:
        # Blind scoring: a panellist sees the others' scores only after submitting their own.
        row.can_see_scores = access.panellist is None or row.summary.mine
        row.wide = row.can_see_scores and row.summary.wide(round_)
        row.named = access.sees_identity_of(row)
    query = request.GET.copy()
    query.pop("page", None)
    bulk_actions = [] if not access.is_admin else _bulk_choices(stage, round_)
    table_rows = application_rows(
        rows,
        round_pk=round_.pk,
        stage=stage,
        identities=identities,
        panellist=access.panellist is not None,
        selectable=bool(bulk_actions),
    )
    return render(
        request,
        "recruitment/applications.html",
        {
            "round": round_,
            "access": access,
            "stage": stage,
            "filters": filters,
            "page": page,
            "rows": rows,
            "table_rows": table_rows,
            "query": query.urlencode(),
            "filter_values": [(k, v) for k, v in criteria.items() if v and k != "flagged"]
            + ([("flagged", "on")] if criteria.get("flagged") else []),
            "bulk_actions": bulk_actions,
            "identities": identities,
            "blockers": services.shortlist_blockers(round_) if access.is_admin and stage == Stage.SHORTLISTING else [],
        },
    )


def _bulk_choices(stage: str, round_: Round) -> list[tuple[str, str]]:
    if stage == Stage.INTERVIEW:
        return []
    # Before the shortlist is agreed the sift decides; afterwards only invitations remain.
    keys = ["invite"] if round_.shortlist_agreed else ["shortlist", "not_shortlisted"]
    return [(key, services.BULK_ACTIONS[key][0]) for key in keys]


@login_required
def applications(request: HttpRequest, pk: int) -> HttpResponse:
    return _list_page(request, pk, Stage.SHORTLISTING)


@login_required
def interviews(request: HttpRequest, pk: int) -> HttpResponse:
    return _list_page(request, pk, Stage.INTERVIEW)


@login_required
def schedule_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """The interview timetable as a calendar file, for everyone on the panel."""
    access = selectors.get_round_for_panellist(request, pk)
    interviews = list(
        Interview.objects.filter(application__round=access.round, cancelled_at__isnull=True, slot__isnull=False)
        .select_related("slot", "application")
        .only("ics_uid", "ics_sequence", "adjustments_confirmed", "cancelled_at", "slot", "application__id")
    )
    response = HttpResponse(panel_schedule_ics(interviews, title=access.round.title), content_type=ICS_MIME)
    response["Content-Disposition"] = 'attachment; filename="interviews.ics"'
    return response


def _score_page(request: HttpRequest, pk: int, app_pk: int, stage: str) -> HttpResponse:
    access = selectors.get_round_for_panellist(request, pk)
    application = selectors.get_application_for_round(access.round, app_pk)
    if stage == Stage.INTERVIEW and not Interview.objects.filter(application=application).exists():
        raise Http404
    if request.method != "POST":
        return _render_score_page(request, access, application, stage)
    seat = access.panellist
    if seat is None or application.conflicts.filter(panellist=seat).exists():
        raise Http404
    if application.score_sheets.filter(panellist=seat, stage=stage).exists():
        raise Http404
    criteria = list(access.round.criteria.filter(stage=stage))
    score_form = ScoreForm(request.POST, criteria=criteria)
    if score_form.is_valid():
        try:
            services.submit_scores(
                application=application,
                panellist=seat,
                stage=stage,
                values=score_form.values(),
                comment=score_form.cleaned_data["comment"],
            )
        except RecruitmentError as exc:
            score_form.add_error(None, str(exc))
        else:
            messages.success(request, "Your scores are saved. You can now see the other panellists' scores.")
            return redirect(request.path)
    # A form with errors is the page again, with its error summary: 200, as GOV.UK services answer.
    return _render_score_page(request, access, application, stage, score_form=score_form)


def _render_score_page(
    request: HttpRequest,
    access: selectors.RoundAccess,
    application: Application,
    stage: str,
    *,
    score_form: ScoreForm | None = None,
    decision_form: DecisionForm | None = None,
    moderation_form: ModerationForm | None = None,
) -> HttpResponse:
    """An application at one stage: the candidate's answers, scoring, and the admin's tools."""
    round_ = access.round
    interview = Interview.objects.filter(application=application).select_related("slot").first()
    seat = access.panellist
    sheets = list(selectors.sheets_for(application, stage))
    mine = next((s for s in sheets if seat is not None and s.panellist_id == seat.pk), None)
    conflict = application.conflicts.filter(panellist=seat).first() if seat is not None else None
    criteria = list(round_.criteria.filter(stage=stage))
    open_for_scores = not (stage == Stage.SHORTLISTING and round_.shortlist_agreed)
    if score_form is None and seat and not mine and not conflict and open_for_scores:
        score_form = ScoreForm(criteria=criteria)
    can_see = seat is None or mine is not None
    totals = [s.weighted_total for s in sheets]
    spreads = selectors.criterion_spreads(round_, sheets, criteria) if can_see else []
    wide_on = [row for row in spreads if row.wide]
    identities = access.sees_identity_of(application)
    decision_opens = services.decision_opens_at(interview)
    admin_tools = access.is_admin and can_see
    if decision_form is None and access.is_admin and stage == Stage.INTERVIEW:
        decision_form = DecisionForm(
            initial={"decision": application.status, "feedback": application.decision_feedback}
        )
    if moderation_form is None and admin_tools and sheets:
        moderation_form = ModerationForm(stage=stage, prefix="moderation")
    return render(
        request,
        "recruitment/score.html",
        {
            "round": round_,
            "access": access,
            "identities": identities,
            "application": application,
            "interview": interview,
            "stage": stage,
            "criteria": criteria,
            "score_form": score_form,
            "scoring_closed": seat is not None and not mine and not conflict and not open_for_scores,
            "conflict": conflict,
            "conflicts": list(application.conflicts.select_related("panellist__user", "recorded_by"))
            if access.is_admin and identities
            else [],
            "conflict_form": ConflictForm() if score_form is not None and seat and not mine and not conflict else None,
            "mine": mine,
            "sheets": sheets if can_see else [],
            "sheet_count": len(sheets),
            "mean": (sum(totals) / len(totals)) if (totals and can_see) else None,
            "spread": (max(totals) - min(totals)) if (totals and can_see) else None,
            "wide_total": bool(totals and can_see and max(totals) - min(totals) >= round_.disagreement_threshold),
            "spreads": spreads,
            "wide_on": wide_on,
            "moderations": list(application.moderations.filter(stage=stage).select_related("moderated_by"))
            if can_see
            else [],
            "moderation_form": moderation_form if admin_tools else None,
            "decision_form": decision_form,
            "decision_opens": decision_opens,
            "decision_open": decision_opens is not None and decision_opens <= timezone.now(),
            "reschedule_form": RescheduleForm(slots=list(InterviewSlot.objects.filter(round=round_).free()))
            if access.is_admin and interview
            else None,
            "adjustments_form": AdjustmentsForm(initial={"adjustments_confirmed": interview.adjustments_confirmed})
            if access.is_admin and interview
            else None,
        },
    )


@login_required
def application_detail(request: HttpRequest, pk: int, app_pk: int) -> HttpResponse:
    return _score_page(request, pk, app_pk, Stage.SHORTLISTING)


@login_required
def interview_detail(request: HttpRequest, pk: int, app_pk: int) -> HttpResponse:
    return _score_page(request, pk, app_pk, Stage.INTERVIEW)


@login_required
@require_POST
def conflict(request: HttpRequest, pk: int, app_pk: int) -> HttpResponse:
    access = selectors.get_round_for_panellist(request, pk)
    application = selectors.get_application_for_round(access.round, app_pk)
    if access.panellist is None:
        raise Http404
    form = ConflictForm(request.POST)
    if form.is_valid():
        try:
            services.declare_conflict(
                application=application, panellist=access.panellist, reason=form.cleaned_data["reason"]
            )
            messages.success(request, "Conflict of interest recorded. You will not score this application.")
        except RecruitmentError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, "Say why you cannot score this application fairly.")
    return redirect("recruitment:application", pk=pk, app_pk=app_pk)


BULK_LIMIT = 2000


def _bulk_selection(request: HttpRequest, round_: Round) -> tuple[str, list[Application]]:
    """The action and the applications it is for.

    Ticked rows arrive as ``ids``; "every application matching these filters" arrives as
    ``scope=all`` with the list's filters; the confirmation posts the ids it showed, as
    one comma-separated field (hundreds of fields would pass Django's field limit).
    """
    params = request.POST if request.method == "POST" else request.GET
    action = params.get("action") or ""
    if action not in services.BULK_ACTIONS:
        raise Http404
    base = round_.applications.exclude(status=Application.Status.DRAFT)
    if request.method == "GET" and params.get("scope") == "all":
        filters = FilterForm(params, regions=selectors.regions_in(round_))
        criteria: dict[str, Any] = filters.cleaned_data if filters.is_valid() else {}
        # Blind scoring holds for an admin who also sits on the panel: "wide disagreement"
        # and the score order count only where they have scored (as on the list page).
        seat = Panellist.objects.filter(round=round_, user=request.user).first()  # type: ignore[misc]
        ids = list(
            selectors.ordered_ids(
                round_,
                viewer=seat,
                region=criteria.get("region", ""),
                background=criteria.get("background", ""),
                status=criteria.get("status", ""),
                q=criteria.get("q", ""),
                flagged=criteria.get("flagged", False),
                sort=criteria.get("sort") or "submitted",
            ).ids[:BULK_LIMIT]
        )
    else:
        raw = [*params.getlist("ids"), *params.get("id_list", "").split(",")]
        ids = [int(x) for x in raw if x.strip().isdigit()][:BULK_LIMIT]
    chosen = list(base.filter(pk__in=ids).only("id", "full_name", "status").order_by("submitted_at", "id"))
    return action, chosen


@programme_admin_required
@sudo_required
def bulk(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then apply, a decision to the selected applications. Needs a fresh 2FA check."""
    round_ = selectors.get_round_for_admin(request, pk)
    action, chosen = _bulk_selection(request, round_)
    label, _new, allowed = services.BULK_ACTIONS[action]
    seat = Panellist.objects.filter(round=round_, user=request.user).first()  # type: ignore[misc]
    if request.method == "POST":
        try:
            done = services.bulk_decide(
                round_=round_,
                application_ids=[a.pk for a in chosen],
                action=action,
                by=request.user,  # type: ignore[arg-type]
            )
        except RecruitmentError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{label}: {done} application{'s' if done != 1 else ''} updated.")
        return redirect("recruitment:applications", pk=round_.pk)
    fits = [a for a in chosen if a.status in allowed]
    return render(
        request,
        "recruitment/bulk_confirm.html",
        {
            "round": round_,
            "access": ADMIN_ACCESS,
            "action": action,
            "label": label,
            "chosen": chosen,
            "fits": fits,
            "id_list": ",".join(str(a.pk) for a in fits),
            "skipped": len(chosen) - len(fits),
            "free_slots": InterviewSlot.objects.filter(round=round_).free().count() if action == "invite" else None,
            "identities": selectors.RoundAccess(round=round_, panellist=seat, is_admin=True).sees_identities,
        },
    )


# ---------------------------------------------------------------- interviews (programme admins)


@programme_admin_required
def slots(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.get_round_for_admin(request, pk)
    form = SlotsForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        services.add_slots(round_=round_, by=request.user, **form.slot_fields())  # type: ignore[arg-type]
        messages.success(request, f"{form.cleaned_data['count']} interview slots added.")
        return redirect("recruitment:slots", pk=round_.pk)
    all_slots = round_.slots.select_related("interview__application")
    # Whoever schedules sees what each shortlisted candidate asked for.
    to_schedule = (
        round_.applications.filter(status__in=[Application.Status.SHORTLISTED, Application.Status.INVITED])
        .select_related("interview__slot")
        .order_by("submitted_at", "id")
        if round_.shortlist_agreed
        else round_.applications.none()
    )
    return render(
        request,
        "recruitment/slots.html",
        {
            "round": round_,
            "access": ADMIN_ACCESS,
            "form": form,
            "slots": all_slots,
            "to_schedule": to_schedule,
            "waiting": sum(1 for a in to_schedule if a.status == Application.Status.SHORTLISTED),
            "bookable": len(services.bookable_slots(round_)),
        },
    )


@programme_admin_required
@require_POST
def send_booking_links(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.get_round_for_admin(request, pk)
    try:
        sent = services.send_booking_links(round_=round_, by=request.user)  # type: ignore[arg-type]
    except RecruitmentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Booking links sent to {sent} candidate{'s' if sent != 1 else ''}.")
    return redirect("recruitment:slots", pk=round_.pk)


@never_cache
def book(request: HttpRequest, token: str) -> HttpResponse:
    """A shortlisted candidate chooses their interview slot from the emailed link."""
    application = services.find_booking(token)
    if application is None:
        return render(request, "recruitment/book.html", {"invalid": True}, status=404)
    interview = (
        Interview.objects.filter(application=application, cancelled_at__isnull=True).select_related("slot").first()
    )
    if application.status != Application.Status.SHORTLISTED:
        return render(request, "recruitment/book.html", {"application": application, "interview": interview})
    free = services.bookable_slots(application.round)
    form = BookingForm(
        _posted(request),
        slots=free,
        initial={"preferences": application.interview_preferences, "access_needs": application.interview_adjustments},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["slot"]:
                services.book_slot(
                    application=application,
                    slot_id=int(data["slot"]),
                    preferences=data["preferences"],
                    access_needs=data["access_needs"],
                )
                return redirect("recruitment:book", token=token)
            services.state_preferences(
                application=application, preferences=data["preferences"], access_needs=data["access_needs"]
            )
            return render(request, "recruitment/book.html", {"application": application, "preferences_saved": True})
        except RecruitmentError as exc:
            # Someone else took the time meanwhile: offer what is free now.
            free = services.bookable_slots(application.round)
            form = BookingForm(request.POST, slots=free)
            if form.is_valid() or "slot" not in form.errors:
                form.add_error("slot" if free else "preferences", str(exc))
    return render(request, "recruitment/book.html", {"application": application, "form": form, "slots": free})


def _interview_for_admin(request: HttpRequest, pk: int, app_pk: int) -> Interview:
    round_ = selectors.get_round_for_admin(request, pk)
    interview = Interview.objects.filter(application__round=round_, application_id=app_pk).select_related(
        "application__round", "slot"
    )
    found = interview.first()
    if found is None:
        raise Http404
    return found


@programme_admin_required
@require_POST
def reschedule(request: HttpRequest, pk: int, app_pk: int) -> HttpResponse:
    interview = _interview_for_admin(request, pk, app_pk)
    round_ = interview.application.round
    form = RescheduleForm(request.POST, slots=list(InterviewSlot.objects.filter(round=round_).free()))
    if form.is_valid():
        slot = round_.slots.get(pk=form.cleaned_data["slot"])
        try:
            services.reschedule_interview(interview=interview, slot=slot, by=request.user)  # type: ignore[arg-type]
            messages.success(request, "Interview moved. The candidate has an updated calendar invite.")
        except RecruitmentError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, "Choose a free slot.")
    return redirect("recruitment:interview", pk=pk, app_pk=app_pk)


@programme_admin_required
@require_POST
def cancel(request: HttpRequest, pk: int, app_pk: int) -> HttpResponse:
    interview = _interview_for_admin(request, pk, app_pk)
    services.cancel_interview(interview=interview, by=request.user)  # type: ignore[arg-type]
    messages.success(request, "Interview cancelled. The candidate's calendar invite has been withdrawn.")
    return redirect("recruitment:interview", pk=pk, app_pk=app_pk)


@programme_admin_required
@require_POST
def adjustments(request: HttpRequest, pk: int, app_pk: int) -> HttpResponse:
    interview = _interview_for_admin(request, pk, app_pk)
    form = AdjustmentsForm(request.POST)
    if form.is_valid():
        services.record_adjustments(
            interview=interview,
            text=form.cleaned_data["adjustments_confirmed"],
            by=request.user,  # type: ignore[arg-type]
        )
        messages.success(request, "Adjustments recorded and sent to the candidate with their invite.")
    return redirect("recruitment:interview", pk=pk, app_pk=app_pk)


@programme_admin_required
@require_POST
def decision(request: HttpRequest, pk: int, app_pk: int) -> HttpResponse:
    """Record the decision after the interview. Refused, on the page, before it has taken place."""
    interview = _interview_for_admin(request, pk, app_pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.decide(
                application=interview.application,
                decision=form.cleaned_data["decision"],
                feedback=form.cleaned_data["feedback"],
                by=request.user,  # type: ignore[arg-type]
            )
        except RecruitmentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Decision recorded.")
            return redirect("recruitment:interview", pk=pk, app_pk=app_pk)
    access = selectors.get_round_for_panellist(request, pk)
    return _render_score_page(request, access, interview.application, Stage.INTERVIEW, decision_form=form)


@programme_admin_required
@require_POST
def moderate(request: HttpRequest, pk: int, app_pk: int, stage: str) -> HttpResponse:
    """Record the moderation of an application at a stage: the agreed score, the reason, any outcome."""
    if stage not in Stage.values:
        raise Http404
    access = selectors.get_round_for_panellist(request, pk)
    application = selectors.get_application_for_round(access.round, app_pk)
    if stage == Stage.INTERVIEW and not Interview.objects.filter(application=application).exists():
        raise Http404
    seat = access.panellist
    if seat is not None and not application.score_sheets.filter(panellist=seat, stage=stage).exists():
        raise Http404  # a panellist who has not scored has not seen the scores being moderated
    form = ModerationForm(request.POST, stage=stage, prefix="moderation")
    if form.is_valid():
        try:
            services.moderate(
                application=application,
                stage=stage,
                agreed_score=form.cleaned_data["agreed_score"],
                reason=form.cleaned_data["reason"],
                outcome=form.cleaned_data["outcome"],
                by=request.user,  # type: ignore[arg-type]
            )
        except RecruitmentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Moderation recorded.")
            name = "recruitment:interview" if stage == Stage.INTERVIEW else "recruitment:application"
            return redirect(name, pk=pk, app_pk=app_pk)
    return _render_score_page(request, access, application, stage, moderation_form=form)


@programme_admin_required
def agree_shortlist(request: HttpRequest, pk: int) -> HttpResponse:
    """Agree the shortlist: the sift ends and the panel sees who is on it. Confirmed first."""
    round_ = selectors.get_round_for_admin(request, pk)
    error = ""
    if request.method == "POST":
        try:
            services.agree_shortlist(round_=round_, by=request.user)  # type: ignore[arg-type]
        except RecruitmentError as exc:
            error = str(exc)
        else:
            messages.success(request, "Shortlist agreed. The panel can now see the shortlisted candidates' names.")
            return redirect("recruitment:applications", pk=round_.pk)
    counts = Counter(round_.applications.exclude(status=Application.Status.DRAFT).values_list("status", flat=True))
    return render(
        request,
        "recruitment/agree_shortlist.html",
        {
            "round": round_,
            "access": ADMIN_ACCESS,
            "blockers": services.shortlist_blockers(round_),
            "error": error,
            "shortlisted": counts[Application.Status.SHORTLISTED],
            "not_shortlisted": counts[Application.Status.NOT_SHORTLISTED],
        },
    )


def _admin_sifts_blind(request: HttpRequest, round_: Round) -> bool:
    """An admin who sits on the panel sees no names on the admin pages during the sift either."""
    if round_.shortlist_agreed:
        return False
    return Panellist.objects.filter(round=round_, user=request.user).exists()  # type: ignore[misc]


@programme_admin_required
def conflicts(request: HttpRequest, pk: int) -> HttpResponse:
    """The admin's conflict check: candidates' names against the panel, during the blind sift.

    An admin who also scores sees references here too; another admin checks the names.
    """
    round_ = selectors.get_round_for_admin(request, pk)
    blind = _admin_sifts_blind(request, round_)
    candidates = list(
        round_.applications.exclude(status__in=[Application.Status.DRAFT, Application.Status.WITHDRAWN])
        .only("id", "full_name", "round_id", "organisation_id", "status")
        .order_by(*(["id"] if blind else ["full_name", "id"]))
    )
    panellists = list(round_.panellists.select_related("user"))
    form = RecordConflictForm(_posted(request), applications=candidates, panellists=panellists, blind=blind)
    if request.method == "POST" and form.is_valid():
        application = next(a for a in candidates if str(a.pk) == form.cleaned_data["application"])
        seat = next(p for p in panellists if str(p.pk) == form.cleaned_data["panellist"])
        try:
            services.record_conflict(
                application=application,
                panellist=seat,
                reason=form.cleaned_data["reason"],
                by=request.user,  # type: ignore[arg-type]
            )
        except RecruitmentError as exc:
            form.add_error(None, str(exc))
        else:
            who = application.reference if blind else application.full_name
            messages.success(request, f"Conflict recorded: {seat.user} will not score {who}.")
            return redirect("recruitment:conflicts", pk=round_.pk)
    recorded = (
        round_.applications.filter(conflicts__isnull=False)
        .values_list(
            "conflicts__pk",
            "full_name",
            "id",
            "conflicts__panellist__user__full_name",
            "conflicts__panellist__user__email",
            "conflicts__reason",
            "conflicts__recorded_by__full_name",
        )
        .order_by(*(["id", "conflicts__pk"] if blind else ["full_name", "conflicts__pk"]))
    )
    return render(
        request,
        "recruitment/conflicts.html",
        {
            "round": round_,
            "access": ADMIN_ACCESS,
            "form": form,
            "blind": blind,
            "recorded": [
                {
                    "candidate": "" if blind else name,
                    "reference": Application(pk=app_id).reference,
                    "panellist": panellist_name or panellist_email,
                    "reason": "" if blind else reason,
                    "recorded_by": recorded_by,
                }
                for _pk, name, app_id, panellist_name, panellist_email, reason, recorded_by in recorded
            ],
        },
    )


# ---------------------------------------------------------------- outcome and cohort


@programme_admin_required
def outcomes(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.get_round_for_admin(request, pk)
    blind = _admin_sifts_blind(request, round_)
    decided = round_.applications.filter(
        status__in=[*services.DECISIONS, Application.Status.NOT_SHORTLISTED]
    ).select_related("appointment")
    return render(
        request,
        "recruitment/outcomes.html",
        {
            "round": round_,
            "access": ADMIN_ACCESS,
            "decided": decided.order_by("status", "id" if blind else "full_name"),
            "blind": blind,
            "unsent": decided.filter(outcome_sent_at__isnull=True).count(),
            "undecided": round_.applications.filter(status=Application.Status.INVITED).count(),
        },
    )


@programme_admin_required
@sudo_required
def send_outcomes(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.get_round_for_admin(request, pk)
    if request.method != "POST" or request.POST.get("confirm") != "yes":
        # Emails cannot be unsent: say who gets which outcome and ask once more.
        unsent = round_.applications.filter(
            status__in=[*services.DECISIONS, Application.Status.NOT_SHORTLISTED], outcome_sent_at__isnull=True
        )
        counts = Counter(unsent.values_list("status", flat=True))
        by_outcome = [(label, counts[value]) for value, label in Application.Status.choices if counts[value]]
        return render(
            request,
            "recruitment/send_outcomes_confirm.html",
            {
                "round": round_,
                "access": ADMIN_ACCESS,
                "by_outcome": by_outcome,
                "unsent": sum(c for _, c in by_outcome),
            },
        )
    sent = services.send_outcomes(round_=round_, by=request.user)  # type: ignore[arg-type]
    messages.success(request, f"Outcome emails sent: {sum(sent.values())}.")
    return redirect("recruitment:outcomes", pk=round_.pk)


@login_required
def agreement(request: HttpRequest) -> HttpResponse:
    """An appointed trainer reads and accepts the trainer agreement."""
    appointment = services.pending_appointment(request.user)  # type: ignore[arg-type]
    if appointment is None:
        raise Http404
    if request.method == "POST":
        if request.POST.get("accept") != "yes":
            messages.error(request, "Tick the box to accept the agreement.")
            return redirect("recruitment:agreement")
        services.accept_agreement(appointment=appointment, user=request.user)  # type: ignore[arg-type]
        messages.success(request, f"Welcome to cohort {appointment.cohort_number}. You are now in the trainer pool.")
        return redirect("core:dashboard")
    return render(request, "recruitment/agreement.html", {"appointment": appointment})


# ---------------------------------------------------------------- counts


def _suppressed_columns(rows: list[tuple[str, str, str, int]], dimension: str, values: list[str]) -> dict[str, Any]:
    """For each stage, the breakdown by ``dimension`` with small cells suppressed.

    The stages are nested (everyone shortlisted applied, and so on), so a reader can
    compare columns: a hidden count is at most the one to its left and at least the one
    to its right. Each column is suppressed on its own (its total, also shown in the
    other table, is never hidden), then the columns are audited together; if a small
    count could still be told from 0 or from the threshold, every cell is hidden.
    """
    counts_by_stage = {}
    for stage in services.STAGES:
        counts = {v: 0 for v in values}
        for s, d, value, n in rows:
            if s == stage and d == dimension:
                counts[value] = counts.get(value, 0) + n
        counts_by_stage[stage] = counts
    columns = {
        stage: suppress_counts(
            counts, threshold=SUPPRESSION_THRESHOLD, total_published=sum(counts.values()) >= SUPPRESSION_THRESHOLD
        )
        for stage, counts in counts_by_stage.items()
    }
    if not _stages_protected(columns):
        columns = {
            stage: suppress_counts(
                counts,
                threshold=SUPPRESSION_THRESHOLD,
                total_published=sum(counts.values()) >= SUPPRESSION_THRESHOLD,
                also_hide=list(counts),
            )
            for stage, counts in counts_by_stage.items()
        }
    if not _stages_protected(columns):
        columns = {stage: _all_hidden(counts) for stage, counts in counts_by_stage.items()}
    return columns


def stages_model(columns: dict[str, SuppressedTable]) -> ReaderModel:
    """What a reader of the stage columns knows: each column adds up, and the stages are nested."""
    model = ReaderModel()
    for stage, table in columns.items():
        model.merge(breakdown_model(table, stage))
    for earlier, later in zip(services.STAGES, services.STAGES[1:], strict=False):
        for label in columns[earlier].cells:
            model.add([((later, "cell", label), 1), ((earlier, "cell", label), -1)], low=None, high=0)
    return model


def _stages_protected(columns: dict[str, SuppressedTable]) -> bool:
    model = stages_model(columns)
    try:
        for stage, table in columns.items():
            items: list[tuple[tuple[str, ...], Cell]] = [
                ((stage, "cell", label), cell) for label, cell in table.cells.items()
            ]
            items += [((stage, "total"), table.total)] if table.total is not None else []
            for key, cell in items:
                if cell.status is Status.SMALL and not (
                    model.possible(key, 0, 0) and model.possible(key, SUPPRESSION_THRESHOLD, BIG)
                ):
                    return False
    except Undecided:
        return False
    return True


def _all_hidden(counts: dict[str, int]) -> SuppressedTable:
    def hidden(n: int) -> Cell:
        return Cell(Status.SMALL if n < SUPPRESSION_THRESHOLD else Status.COMPLEMENTARY, SUPPRESSION_THRESHOLD, n)

    return SuppressedTable(
        SUPPRESSION_THRESHOLD,
        {label: hidden(n) for label, n in counts.items()},
        hidden(sum(counts.values())),
        withheld=True,
    )


@programme_admin_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """Counts by stage, background and region; kept after erasure, suppressed below 5."""
    round_ = selectors.get_round_for_admin(request, pk)
    if round_.erased_at is not None:
        rows = [(c.stage, c.dimension, c.value, c.count) for c in RoundCount.objects.filter(round=round_)]
    else:
        rows = services.live_counts(round_)
    backgrounds = [label for _value, label in Background.choices]
    labels = dict(Background.choices)
    rows = [(s, d, labels.get(v, v) if d == "background" else v, n) for s, d, v, n in rows]
    # Every region is listed, with applicants or not: a row shown only for regions with
    # applicants would tell a reader its hidden count is not 0.
    regions = sorted(set(REGIONS) | {v for _s, d, v, _n in rows if d == "region"})
    tables = []
    for title, dimension, values in [("By background", "background", backgrounds), ("By region", "region", regions)]:
        columns = _suppressed_columns(rows, dimension, values)
        keys = list(columns["applied"].cells)
        tables.append(
            {
                "title": title,
                "rows": [(key, [columns[stage][key] for stage in services.STAGES]) for key in keys],
                "totals": [columns[stage].total for stage in services.STAGES],
            }
        )
    return render(
        request,
        "recruitment/report.html",
        {
            "round": round_,
            "access": ADMIN_ACCESS,
            "stages": ["Applied", "Shortlisted", "Interviewed", "Appointed"],
            "tables": tables,
            "threshold": SUPPRESSION_THRESHOLD,
            "footnote": suppress_counts({"a": 9}).footnote,
            "retention_months": settings.RECRUITMENT_RETENTION_MONTHS,
        },
    )
