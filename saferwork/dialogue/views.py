"""Leadership dialogue pages: cohorts and sessions, action plans, coaching, the community of practice."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from saferwork.dialogue import documents, forms, selectors, services
from saferwork.dialogue.models import Coach, Cohort, CohortMember
from saferwork.organisations.permissions import role_required

coordinator_required = role_required("is_coordinator")
figures_required = role_required("is_coordinator", "is_leader")


def _base(request: HttpRequest, **context: Any) -> dict[str, Any]:
    """What every dialogue page shows: the organisation's safe reporting route."""
    organisation = selectors.membership(request).organisation
    return {"reporting_url": selectors.reporting_url(organisation), "organisation": organisation, **context}


def _ics(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=documents.ICS_MIME)
    response["Content-Disposition"] = f'attachment; filename="{name}.ics"'
    return response


def _error(form: Any, exc: services.DialogueError) -> None:
    form.add_error(None, str(exc))


# ---------------------------------------------------------------- home and figures


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    organisation = selectors.membership(request).organisation
    coach = selectors.coach_for(request)
    context = _base(
        request,
        cohorts=list(selectors.visible_cohorts(request)),
        manages=selectors.is_coordinator(request),
        sees_figures=selectors.sees_figures(request),
        coach=coach,
        match=selectors.my_match(request),
        open_reports=selectors.moderation_queue(request).count() if selectors.is_coordinator(request) else 0,
    )
    if context["sees_figures"]:
        context["figures"] = selectors.figures(organisation)
    return render(request, "dialogue/home.html", context)


# ---------------------------------------------------------------- cohorts


@coordinator_required
def cohort_new(request: HttpRequest) -> HttpResponse:
    organisation = selectors.membership(request).organisation
    form = forms.CohortForm(request.POST or None, people=selectors.possible_members(organisation))
    if request.method == "POST" and form.is_valid():
        try:
            cohort = services.create_cohort(organisation=organisation, actor=request.user, **form.cleaned_data)
        except services.DialogueError as exc:
            _error(form, exc)
        else:
            messages.success(request, "Cohort created. Add its people and sessions.")
            return redirect("dialogue:cohort", cohort.pk)
    return render(request, "dialogue/cohort_form.html", _base(request, form=form))


@login_required
def cohort(request: HttpRequest, pk: int) -> HttpResponse:
    access = selectors.get_cohort_for_user(request, pk)
    members = selectors.cohort_members(access.cohort)
    form = None
    if access.manages:
        people = selectors.possible_members(access.cohort.organisation).exclude(pk__in=[m.user_id for m in members])
        member_qs = CohortMember.objects.filter(
            cohort=access.cohort, status=CohortMember.Status.CONFIRMED
        ).select_related("user")
        form = forms.MemberForm(request.POST or None, people=people, members=member_qs)
        if request.method == "POST" and form.is_valid():
            try:
                _, warnings = services.add_member(cohort=access.cohort, actor=request.user, **form.cleaned_data)
            except services.DialogueError as exc:
                _error(form, exc)
            else:
                messages.success(request, "Added to the cohort.")
                for warning in warnings:
                    messages.warning(request, warning)
                return redirect("dialogue:cohort", pk)
    elif request.method == "POST":
        raise PermissionDenied
    context = _base(
        request,
        access=access,
        cohort=access.cohort,
        members=members if access.facilitates else [],
        warnings=selectors.cohort_warnings(access.cohort, members) if access.facilitates else [],
        sessions=list(selectors.sessions_of(access.cohort)),
        form=form,
        today=selectors.today_for(access.cohort.organisation),
    )
    return render(request, "dialogue/cohort.html", context)


@coordinator_required
@require_POST
def member_withdraw(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    access = selectors.get_cohort_for_user(request, pk)
    member = access.cohort.members.filter(pk=member_pk).first()
    if member is None:
        raise Http404
    services.withdraw_member(member=member, actor=request.user)
    messages.success(request, f"{member.name} has left the cohort.")
    return redirect("dialogue:cohort", pk)


def _details(data: dict[str, Any]) -> services.SessionDetails:
    values: dict[str, Any] = {k: v if v is not None else "" for k, v in data.items()}
    return services.SessionDetails(**values)


@coordinator_required
def session_new(request: HttpRequest, pk: int) -> HttpResponse:
    access = selectors.get_cohort_for_user(request, pk)
    form = forms.SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.schedule_session(
                cohort=access.cohort, details=_details(form.cleaned_data), actor=request.user
            )
        except services.DialogueError as exc:
            _error(form, exc)
        else:
            messages.success(request, "Session scheduled. Everyone in the cohort has been sent a calendar invite.")
            return redirect("dialogue:session", session.pk)
    return render(request, "dialogue/session_form.html", _base(request, form=form, cohort=access.cohort, session=None))


@coordinator_required
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session, access = selectors.get_session_for_user(request, pk)
    initial = {name: getattr(session, name) for name in forms.SessionForm.base_fields}
    form = forms.SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        before = session.ics_sequence
        try:
            services.update_session(session=session, details=_details(form.cleaned_data), actor=request.user)
        except services.DialogueError as exc:
            _error(form, exc)
        else:
            moved = session.ics_sequence != before
            messages.success(
                request,
                "Session changed. The invite has been sent again: calendars update the entry they hold."
                if moved
                else "Session changed.",
            )
            return redirect("dialogue:session", session.pk)
    return render(
        request, "dialogue/session_form.html", _base(request, form=form, cohort=access.cohort, session=session)
    )


@coordinator_required
@require_POST
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    session, _ = selectors.get_session_for_user(request, pk)
    services.cancel_session(session=session, actor=request.user)
    messages.success(request, "Session cancelled. Everyone has been sent a calendar cancellation.")
    return redirect("dialogue:session", session.pk)


@login_required
def session(request: HttpRequest, pk: int) -> HttpResponse:
    session, access = selectors.get_session_for_user(request, pk)
    members = selectors.cohort_members(access.cohort) if access.facilitates else []
    form = None
    if access.facilitates:
        marks = selectors.attendance_for(session)
        form = forms.AttendanceForm(
            request.POST or None,
            members=members,
            initial={"attended": [str(m) for m, came in marks.items() if came]},
        )
        if request.method == "POST" and form.is_valid():
            came = services.record_attendance(
                session=session, attended={int(v) for v in form.cleaned_data["attended"]}, actor=request.user
            )
            messages.success(request, f"Attendance recorded: {came} of {len(members)} came.")
            return redirect("dialogue:session", pk)
    elif request.method == "POST":
        raise PermissionDenied
    context = _base(request, session=session, access=access, cohort=access.cohort, form=form, members=members)
    return render(request, "dialogue/session.html", context)


@login_required
@require_GET
def session_invite(request: HttpRequest, pk: int) -> HttpResponse:
    session, _ = selectors.get_session_for_user(request, pk)
    return _ics(documents.session_invite(session, [getattr(request.user, "email", "")]), "dialogue-session")


# ---------------------------------------------------------------- action plans


@login_required
def plan(request: HttpRequest) -> HttpResponse:
    organisation = selectors.membership(request).organisation
    form = forms.PlanItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_plan_item(organisation=organisation, owner=request.user, **form.cleaned_data)
        except services.DialogueError as exc:
            _error(form, exc)
        else:
            messages.success(request, "Added to your action plan. Only you can read it.")
            return redirect("dialogue:plan")
    return render(
        request,
        "dialogue/plan.html",
        _base(request, items=selectors.own_plan(request), form=form, match=selectors.my_match(request)),
    )


@login_required
def plan_item(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.get_own_item(request, pk)
    initial = {"what": item.what, "due_on": item.due_on, "how": item.how, "done": item.done}
    form = forms.PlanItemEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_plan_item(item=item, **form.cleaned_data)
        except services.DialogueError as exc:
            _error(form, exc)
        else:
            messages.success(request, "Your action has been saved.")
            return redirect("dialogue:plan")
    return render(
        request, "dialogue/plan_item.html", _base(request, item=item, form=form, match=selectors.my_match(request))
    )


@login_required
@require_POST
def plan_item_share(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.get_own_item(request, pk)
    match = selectors.my_match(request)
    share = request.POST.get("share") == "yes"
    if share and match is None:
        raise Http404
    try:
        services.share_plan_item(item=item, coach=match.coach if share and match else None, actor=request.user)
    except services.DialogueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"Shared with {match.coach}." if share and match else "No longer shared with your coach."
        )
    return redirect("dialogue:plan")


@login_required
def plan_item_promote(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.get_own_item(request, pk)
    if request.method == "POST":
        try:
            services.promote_plan_item(item=item)
        except services.DialogueError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                "Thank you. Your action will appear in the organisation's actions hub without your name, "
                "together with others, in a day or more.",
            )
        return redirect("dialogue:plan")
    return render(request, "dialogue/promote.html", _base(request, item=item))


@login_required
@require_POST
def plan_item_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.get_own_item(request, pk)
    services.delete_plan_item(item=item)
    messages.success(request, "Deleted from your action plan.")
    return redirect("dialogue:plan")


# ---------------------------------------------------------------- coaching


@coordinator_required
def coaches(request: HttpRequest) -> HttpResponse:
    organisation = selectors.membership(request).organisation
    found = list(selectors.coaches_with_load(organisation))
    people = selectors.possible_members(organisation).exclude(pk__in=[c.user_id for c in found if c.active])
    form = forms.CoachForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        try:
            services.make_coach(organisation=organisation, user=form.cleaned_data["user"], actor=request.user)
        except services.DialogueError as exc:
            _error(form, exc)
        else:
            messages.success(request, "They are now a coach.")
            return redirect("dialogue:coaches")
    from saferwork.dialogue.models import CoachMatch

    matches = CoachMatch.objects.for_organisation(organisation).select_related("participant", "coach__user")
    return render(request, "dialogue/coaches.html", _base(request, coaches=found, form=form, matches=list(matches)))


@coordinator_required
def coach_match(request: HttpRequest) -> HttpResponse:
    """Match a participant to a coach: the ranked coaches first, as trainers are to bookings."""
    organisation = selectors.membership(request).organisation
    form = forms.MatchForm(request.GET or None, people=selectors.possible_members(organisation))
    ranked: list[Coach] = []
    participant = None
    if form.is_valid():
        participant = form.cleaned_data["participant"]
        ranked = selectors.rank_coaches(organisation, participant)
    if request.method == "POST":
        participant = selectors.possible_members(organisation).filter(pk=request.POST.get("participant")).first()
        coach = Coach.objects.for_organisation(organisation).filter(pk=request.POST.get("coach"), active=True).first()
        if participant is None or coach is None:
            raise Http404
        try:
            services.match_coach(coach=coach, participant=participant, actor=request.user)
        except services.DialogueError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{participant} is matched with {coach}.")
        return redirect("dialogue:coaches")
    return render(request, "dialogue/match.html", _base(request, form=form, ranked=ranked, participant=participant))


@coordinator_required
@require_POST
def coach_stop(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.membership(request).organisation
    coach = Coach.objects.for_organisation(organisation).filter(pk=pk).first()
    if coach is None:
        raise Http404
    services.stop_coaching(coach=coach, actor=request.user)
    messages.success(request, f"{coach} is no longer a coach.")
    return redirect("dialogue:coaches")


@login_required
def coaching(request: HttpRequest) -> HttpResponse:
    """A participant's coaching (free slots of their coach, their bookings); a coach's slots."""
    from django.utils import timezone

    from saferwork.dialogue.models import CoachingSlot

    coach = selectors.coach_for(request)
    match = selectors.my_match(request)
    organisation = selectors.membership(request).organisation
    now = timezone.now()
    form = forms.SlotForm(request.POST or None) if coach else None
    if request.method == "POST":
        if coach is None or form is None:
            raise PermissionDenied
        if form.is_valid():
            zone = zoneinfo.ZoneInfo(organisation.time_zone)
            day = form.cleaned_data["date"]
            try:
                services.offer_slot(
                    coach=coach,
                    starts_at=dt.datetime.combine(day, form.cleaned_data["start"], tzinfo=zone),
                    ends_at=dt.datetime.combine(day, form.cleaned_data["end"], tzinfo=zone),
                    where=form.cleaned_data["where"],
                    actor=request.user,
                )
            except services.DialogueError as exc:
                _error(form, exc)
            else:
                messages.success(request, "Time offered to the people you coach.")
                return redirect("dialogue:coaching")
    slots = CoachingSlot.objects.for_organisation(organisation).select_related("booked_by", "coach__user")
    context = _base(
        request,
        coach=coach,
        match=match,
        form=form,
        my_slots=list(slots.filter(coach=coach).filter(cancelled=False)) if coach else [],
        shared=selectors.shared_with_me(coach) if coach else [],
        free=list(slots.filter(coach=match.coach, booked_by__isnull=True, cancelled=False, starts_at__gt=now))
        if match
        else [],
        booked=list(slots.filter(booked_by=request.user, cancelled=False)),
        now=now,
    )
    return render(request, "dialogue/coaching.html", context)


@login_required
@require_POST
def slot_book(request: HttpRequest, pk: int) -> HttpResponse:
    slot = selectors.get_bookable_slot(request, pk)
    try:
        services.book_slot(slot=slot, participant=request.user)
    except services.DialogueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Coaching session booked. You and your coach have been sent a calendar invite.")
    return redirect("dialogue:coaching")


@login_required
@require_POST
def slot_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    slot, _ = selectors.get_slot_for_user(request, pk)
    services.cancel_booking(slot=slot, actor=request.user)
    messages.success(request, "Coaching session cancelled. A calendar cancellation has been sent.")
    return redirect("dialogue:coaching")


@login_required
@require_GET
def slot_invite(request: HttpRequest, pk: int) -> HttpResponse:
    slot, _ = selectors.get_slot_for_user(request, pk)
    return _ics(documents.coaching_invite(slot, [getattr(request.user, "email", "")]), "coaching-session")


@login_required
def slot_notes(request: HttpRequest, pk: int) -> HttpResponse:
    """The coach's own notes on a session. The participant gets a 404 like everyone else."""
    slot, is_coach = selectors.get_slot_for_user(request, pk)
    coach = selectors.coach_for(request)
    if not is_coach or coach is None:
        raise Http404
    note = selectors.own_note(slot, coach)
    form = forms.NoteForm(request.POST or None, initial={"text": note.text if note else ""})
    if request.method == "POST" and form.is_valid():
        try:
            services.save_note(slot=slot, coach=coach, text=form.cleaned_data["text"])
        except services.DialogueError as exc:
            _error(form, exc)
        else:
            messages.success(request, "Notes saved. Only you can read them.")
            return redirect("dialogue:slot_notes", pk)
    return render(request, "dialogue/notes.html", _base(request, slot=slot, form=form))


# ---------------------------------------------------------------- community of practice


@login_required
def community(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    space = selectors.space_for(request, pk)
    form = forms.ThreadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        thread = services.start_thread(space=space, author=request.user, **form.cleaned_data)
        messages.success(request, "Your thread has been posted.")
        return redirect("dialogue:thread", thread.pk)
    threads = list(selectors.threads_in(space, moderator=space.moderates)[:100])
    return render(request, "dialogue/community.html", _base(request, space=space, threads=threads, form=form))


@login_required
def thread(request: HttpRequest, pk: int) -> HttpResponse:
    found, space = selectors.get_thread_for_user(request, pk)
    posts = list(selectors.posts_in(found, moderator=space.moderates))
    if not posts:
        raise Http404
    form = forms.ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.reply(thread=found, author=request.user, body=form.cleaned_data["body"])
        messages.success(request, "Your reply has been posted.")
        return redirect("dialogue:thread", pk)
    return render(request, "dialogue/thread.html", _base(request, thread=found, space=space, posts=posts, form=form))


@login_required
def post_report(request: HttpRequest, pk: int) -> HttpResponse:
    post, space = selectors.get_post_for_user(request, pk)
    form = forms.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.report_post(post=post, reporter=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, "Thank you. The moderators will look at this post.")
        return redirect("dialogue:thread", post.thread_id)
    return render(request, "dialogue/post_action.html", _base(request, post=post, form=form, what="report"))


@login_required
def post_moderate(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    if what not in {"hide", "restore"}:
        raise Http404
    post, space = selectors.get_post_for_user(request, pk)
    if not space.moderates:
        raise PermissionDenied
    form = forms.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        action = services.hide_post if what == "hide" else services.restore_post
        action(post=post, moderator=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, "Post hidden." if what == "hide" else "Post restored.")
        return redirect("dialogue:thread", post.thread_id)
    return render(request, "dialogue/post_action.html", _base(request, post=post, form=form, what=what))


@login_required
def moderation(request: HttpRequest) -> HttpResponse:
    """Open reports in the spaces this person moderates (coordinators: all; facilitators: their cohorts')."""
    if not (selectors.is_coordinator(request) or _facilitates_any(request)):
        raise PermissionDenied
    reports = list(selectors.moderation_queue(request)[:200])
    if request.method == "POST":
        report = next((r for r in reports if str(r.pk) == request.POST.get("report")), None)
        if report is None:
            raise Http404
        services.dismiss_report(report=report, moderator=request.user, reason="Dismissed")
        messages.success(request, "Report dismissed; the post stays visible.")
        return redirect("dialogue:moderation")
    return render(request, "dialogue/moderation.html", _base(request, reports=reports))


def _facilitates_any(request: HttpRequest) -> bool:
    organisation = selectors.membership(request).organisation
    return Cohort.objects.for_organisation(organisation).filter(facilitator=request.user).exists()
