"""Survey pages: the builder and distribution for coordinators, and the answering for respondents."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from saferwork.accounts.decorators import sudo_required
from saferwork.audit import services as audit
from saferwork.lib import ratelimit
from saferwork.lib.csvstream import csv_lines
from saferwork.organisations.permissions import role_required
from saferwork.surveys import comments, exports, results, selectors, services
from saferwork.surveys.forms import (
    AddQuestionForm,
    ConditionForm,
    DepartmentForm,
    ItemForm,
    PageForm,
    ResumeForm,
    SectionForm,
    StaffListForm,
    SurveySettingsForm,
)
from saferwork.surveys.models import Answer, Draft, Kind, Question, QuestionItem, Survey, SurveyDepartment
from saferwork.surveys.staff_list import check_staff_list

# Named permissions for surveys, on the existing role flags: a coordinator builds and
# distributes surveys (DESIGN.md: "run surveys"), a leader reads suppressed results.
can_manage_surveys = role_required("is_coordinator")
can_view_survey_results = role_required("is_leader")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

COOKIE = "sw_survey"
COOKIE_AGE = 60 * 60 * 24 * 90
RATE_LIMIT = getattr(settings, "RATE_LIMIT_SURVEY_ANSWER", (300, 60 * 60))
RATE_LIMIT_LINK = getattr(settings, "RATE_LIMIT_SURVEY_LINK", (30, 60 * 60))


def _posted(request: HttpRequest) -> Any:
    """The POST data for a POST, even an empty one (a page with every question skipped is valid)."""
    return request.POST if request.method == "POST" else None


def _organisation(request: HttpRequest) -> Any:
    return request.organisation  # type: ignore[attr-defined]


def _to_builder(survey: Any, part: str) -> HttpResponse:
    """Back to the builder, scrolled to the part that was just changed."""
    return redirect(reverse("surveys:builder", args=[survey.pk]) + f"#{part}")


def _refused(request: HttpRequest, error: Exception) -> None:
    text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    messages.error(request, text)


# ---------------------------------------------------------------- coordinators: the builder


@can_manage_surveys
@require_http_methods(["GET", "POST"])
def survey_list(request: HttpRequest) -> HttpResponse:
    form = SurveySettingsForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        survey = services.create_survey(organisation=_organisation(request), actor=request.user, **form.cleaned_data)
        messages.success(request, "Survey created. Add departments and questions, then preview and launch it.")
        return redirect("surveys:builder", pk=survey.pk)
    surveys = Survey.objects.for_organisation(_organisation(request)).order_by("-created_at", "-id")[:100]
    return render(request, "surveys/list.html", {"surveys": surveys, "form": form})


@can_manage_surveys
def builder(request: HttpRequest, pk: int) -> HttpResponse:
    survey = services.close_if_due(selectors.get_survey_for_user(request, pk))
    return render(
        request,
        "surveys/builder.html",
        {
            "survey": survey,
            "pages": selectors.pages(survey),
            "departments": survey.departments.select_related("department"),
            "department_form": DepartmentForm(),
            "section_form": SectionForm(),
            "problems": services.launch_problems(survey) if survey.is_draft else [],
        },
    )


@can_manage_surveys
@require_http_methods(["GET", "POST"])
def survey_settings(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.get_survey_for_user(request, pk)
    initial = {name: getattr(survey, name) for name in services.SETTINGS_FIELDS}
    form = SurveySettingsForm(_posted(request), initial=initial, survey=survey)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k not in form.fields or not form.fields[k].disabled}
        try:
            services.update_settings(survey=survey, actor=request.user, changes=changes)
        except (services.SurveyError, ValidationError) as error:
            form.add_error(None, "; ".join(error.messages) if isinstance(error, ValidationError) else str(error))
        else:
            # A locked field is disabled in the form, so a changed value posted anyway (an
            # old tab, a crafted request) is ignored: say so rather than let it look saved.
            tried = [
                form.fields[name].label or name
                for name in Survey.LOCKED_AT_LAUNCH
                if form.fields[name].disabled
                and request.POST.get(name, "").strip() not in ("", str(getattr(survey, name)))
            ]
            if tried:
                messages.error(
                    request,
                    f"Not changed: {', '.join(str(t) for t in tried).lower()}. The thresholds were fixed "
                    "at launch and are printed on the survey's first page. Your other settings were saved.",
                )
            else:
                messages.success(request, "Settings saved.")
            return redirect("surveys:builder", pk=survey.pk)
    return render(request, "surveys/settings.html", {"survey": survey, "form": form})


@can_manage_surveys
@require_POST
def department_add(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.get_survey_for_user(request, pk)
    form = DepartmentForm(request.POST)
    if form.is_valid():
        try:
            services.add_department(survey=survey, actor=request.user, name=form.cleaned_data["name"])
        except (services.SurveyError, ValidationError) as error:
            _refused(request, error)
    else:
        messages.error(request, "Enter the department's name.")
    return _to_builder(survey, "departments")


@can_manage_surveys
@require_POST
def department_remove(request: HttpRequest, pk: int, department_pk: int) -> HttpResponse:
    survey = selectors.get_survey_for_user(request, pk)
    taking_part = survey.departments.filter(pk=department_pk).first()
    if taking_part is None:
        raise Http404("No such department.")
    try:
        services.remove_department(taking_part=taking_part, actor=request.user)
    except (services.SurveyError, ValidationError) as error:
        _refused(request, error)
    return _to_builder(survey, "departments")


@can_manage_surveys
@require_POST
def section_add(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.get_survey_for_user(request, pk)
    form = SectionForm(request.POST)
    if form.is_valid():
        try:
            services.add_section(survey=survey, actor=request.user, title=form.cleaned_data["title"])
        except (services.SurveyError, ValidationError) as error:
            _refused(request, error)
    else:
        messages.error(request, "Enter the page title.")
    return _to_builder(survey, "pages")


@can_manage_surveys
@require_POST
def section_remove(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    survey = selectors.get_survey_for_user(request, pk)
    section = survey.sections.filter(pk=section_pk).first()
    if section is None:
        raise Http404("No such page.")
    try:
        services.remove_section(section=section, actor=request.user)
    except (services.SurveyError, ValidationError) as error:
        _refused(request, error)
    return _to_builder(survey, "pages")


@can_manage_surveys
@require_http_methods(["GET", "POST"])
def question_add(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.get_survey_for_user(request, pk)
    form = AddQuestionForm(_posted(request), survey=survey, initial={"section": request.GET.get("section")})
    if request.method == "POST" and form.is_valid():
        try:
            services.add_question(
                section=form.cleaned_data["section"], item=form.cleaned_data["item"], actor=request.user
            )
        except (services.SurveyError, ValidationError) as error:
            form.add_error(None, "; ".join(error.messages) if isinstance(error, ValidationError) else str(error))
        else:
            messages.success(request, "Question added.")
            return _to_builder(survey, "pages")
    return render(request, "surveys/question_add.html", {"survey": survey, "form": form})


def _question(survey: Survey, question_pk: int) -> Question:
    question = survey.questions.select_related("item", "section", "show_if__item").filter(pk=question_pk).first()
    if question is None:
        raise Http404("No such question.")
    return question


@can_manage_surveys
@require_http_methods(["GET", "POST"])
def question_condition(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    survey = selectors.get_survey_for_user(request, pk)
    question = _question(survey, question_pk)
    chosen = request.POST.get("show_if") or request.GET.get("show_if") or question.show_if_id
    depends_on = survey.questions.select_related("item").filter(pk=chosen).first() if chosen else None
    initial = {"show_if": depends_on, "show_if_values": [str(v) for v in question.show_if_values]}
    form = ConditionForm(_posted(request), initial=initial, question=question, depends_on=depends_on)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_condition(
                question=question,
                actor=request.user,
                show_if=form.cleaned_data["show_if"],
                show_if_values=[int(v) for v in form.cleaned_data["show_if_values"]],
            )
        except (services.SurveyError, ValidationError) as error:
            form.add_error(None, "; ".join(error.messages) if isinstance(error, ValidationError) else str(error))
        else:
            messages.success(request, "Condition saved.")
            return _to_builder(survey, "pages")
    return render(request, "surveys/condition.html", {"survey": survey, "question": question, "form": form})


@can_manage_surveys
@require_POST
def question_remove(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    survey = selectors.get_survey_for_user(request, pk)
    question = _question(survey, question_pk)
    try:
        services.remove_question(question=question, actor=request.user)
    except (services.SurveyError, ValidationError) as error:
        _refused(request, error)
    return _to_builder(survey, "pages")


@can_manage_surveys
def preview(request: HttpRequest, pk: int, number: int = 0) -> HttpResponse:
    """The survey as a respondent sees it; nothing is stored, every condition is spelled out."""
    survey = selectors.get_survey_for_user(request, pk)
    all_pages = selectors.pages(survey)
    if number == 0:
        return render(request, "surveys/respond/start.html", _start_context(survey, preview=True))
    if number > len(all_pages):
        raise Http404("No such page.")
    page = all_pages[number - 1]
    form = PageForm(questions=page.questions, initial_answers={})
    return render(
        request,
        "surveys/respond/page.html",
        {
            "survey": survey,
            "page": page,
            "form": form,
            "total": len(all_pages),
            "preview": True,
            "next_url": reverse("surveys:preview_page", args=[survey.pk, number + 1])
            if number < len(all_pages)
            else reverse("surveys:builder", args=[survey.pk]),
            "conditions": {q.pk: q for q in page.questions if q.show_if_id},
        },
    )


@can_manage_surveys
@require_POST
def launch(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.get_survey_for_user(request, pk)
    try:
        services.launch(survey=survey, actor=request.user)
    except services.SurveyError as error:
        _refused(request, error)
    else:
        messages.success(request, "The survey is open. Its thresholds are now fixed.")
    return redirect("surveys:builder", pk=survey.pk)


@can_manage_surveys
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.get_survey_for_user(request, pk)
    services.close(survey=survey, actor=request.user)
    messages.success(request, "The survey is closed. Unfinished answers were kept; every address was deleted.")
    return redirect("surveys:builder", pk=survey.pk)


@can_manage_surveys
@require_http_methods(["GET", "POST"])
def items(request: HttpRequest) -> HttpResponse:
    form = ItemForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.create_item(
                organisation=_organisation(request),
                actor=request.user,
                code=data["code"],
                kind=data["kind"],
                text=data["text"],
                hint=data["hint"],
                topic=data["topic"],
                options=form.option_list(),
            )
        except services.SurveyError as error:
            form.add_error("code" if "code" in str(error) or "item" in str(error) else "options", str(error))
        else:
            messages.success(request, f"{data['code']} added to your organisation's questions.")
            return redirect("surveys:items")
    bank = QuestionItem.objects.filter(organisation__isnull=True)
    own = QuestionItem.objects.filter(organisation=_organisation(request))
    return render(request, "surveys/items.html", {"form": form, "bank": bank, "own": own})


# ---------------------------------------------------------------- coordinators: distribution


@can_manage_surveys
@require_http_methods(["GET", "POST"])
def distribution(request: HttpRequest, pk: int) -> HttpResponse:
    survey = services.close_if_due(selectors.get_survey_for_user(request, pk))
    form = StaffListForm(_posted(request), request.FILES if request.method == "POST" else None)
    check = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["staff_list"]
        departments = {d.department.name.casefold(): d.pk for d in survey.departments.select_related("department")}
        already = set(survey.invitations.filter(sent=True).values_list("email", flat=True))
        check = check_staff_list(upload.file, filename=upload.name, departments=departments, existing_emails=already)
        if check.clean:
            try:
                services.import_staff_list(survey=survey, actor=request.user, rows=check.rows)
            except services.SurveyError as error:
                form.add_error("staff_list", str(error))
            else:
                messages.success(request, f"The list is clean: {check.count} people are ready to be invited.")
                return redirect("surveys:distribution", pk=survey.pk)
        else:
            form.add_error("staff_list", f"The staff list has {len(check.errors)} problems. Nothing was imported.")
    return render(
        request,
        "surveys/distribution.html",
        {
            "survey": survey,
            "form": form,
            "check": check,
            "counts": selectors.invitation_counts(survey),
            "site_url": settings.SITE_URL,
            "unused": survey.invitations.filter(sent=True).count(),
        },
    )


@can_manage_surveys
@require_POST
def invitations_send(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.get_survey_for_user(request, pk)
    try:
        sent = services.send_invitations(survey=survey, actor=request.user)
    except services.SurveyError as error:
        _refused(request, error)
    else:
        messages.success(request, f"{sent} invitations are on their way. Only the counts per department are kept.")
    return redirect("surveys:distribution", pk=survey.pk)


@can_manage_surveys
@require_POST
def invitations_discard(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.get_survey_for_user(request, pk)
    services.discard_staff_list(survey=survey, actor=request.user)
    messages.success(request, "The checked list was deleted. No invitation was sent from it.")
    return redirect("surveys:distribution", pk=survey.pk)


@can_manage_surveys
@require_POST
def reminders_send(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.get_survey_for_user(request, pk)
    try:
        count = services.send_reminders(survey=survey, actor=request.user)
    except services.SurveyError as error:
        _refused(request, error)
    else:
        messages.success(request, f"Reminders are on their way to the {count} people whose invitation is unused.")
    return redirect("surveys:distribution", pk=survey.pk)


# ---------------------------------------------------------------- respondents (no account)


def respondent_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """No-store, rate-limited POSTs, nothing sensitive in an error report."""

    @wraps(view)
    @sensitive_post_parameters()
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST":
            address = ratelimit.client_address(request)
            if ratelimit.is_limited("survey-answer", address, RATE_LIMIT):
                response = render(request, "surveys/respond/rate_limited.html", status=429)
            else:
                ratelimit.hit("survey-answer", address, RATE_LIMIT)
                response = view(request, *args, **kwargs)
        else:
            response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response

    return wrapper


def _start_context(survey: Survey, **extra: Any) -> dict[str, Any]:
    return {"survey": survey, "organisation": survey.organisation, **extra}


def _with_cookie(response: HttpResponse, survey: Survey, code: str) -> HttpResponse:
    response.set_cookie(
        COOKIE,
        f"{survey.pk}:{code}",
        max_age=COOKIE_AGE,
        httponly=True,
        secure=not settings.DEBUG and getattr(settings, "SESSION_COOKIE_SECURE", False),
        samesite="Lax",
        path="/survey/",
    )
    return response


def _cookie(request: HttpRequest) -> tuple[int | None, str]:
    raw = request.COOKIES.get(COOKIE, "")
    survey_id, _, code = raw.partition(":")
    return (int(survey_id) if survey_id.isdigit() else None), code


def _current_draft(request: HttpRequest) -> Draft | None:
    return services.find_draft(_cookie(request)[1])


def _closed(request: HttpRequest, survey: Survey | None, *, started: bool) -> HttpResponse:
    return render(request, "surveys/respond/closed.html", {"survey": survey, "started": started}, status=410)


@respondent_page
@require_http_methods(["GET", "POST"])
def open_link(request: HttpRequest, link: str) -> HttpResponse:
    taking_part = (
        SurveyDepartment.objects.select_related("survey__organisation", "department").filter(open_link=link).first()
    )
    if taking_part is None:
        ratelimit.hit("survey-link", ratelimit.client_address(request), RATE_LIMIT_LINK)
        raise Http404("No survey here.")
    survey = services.close_if_due(taking_part.survey)
    if not survey.is_open_on():
        return _closed(request, survey, started=False)
    draft = _current_draft(request)
    if draft is not None and draft.survey_id == survey.pk:
        return redirect("surveys:answer")
    if request.method == "POST":
        try:
            code = services.start(taking_part=taking_part)
        except services.SurveyClosed:
            return _closed(request, survey, started=False)
        return _with_cookie(redirect("surveys:answer"), survey, code)
    return render(request, "surveys/respond/start.html", _start_context(survey, open_link=True))


@respondent_page
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    address = ratelimit.client_address(request)
    if ratelimit.is_limited("survey-link", address, RATE_LIMIT_LINK):
        return render(request, "surveys/respond/rate_limited.html", status=429)
    found, spent = services.find_invitation(token)
    if found is None:
        draft = _current_draft(request)
        if spent and draft is not None:
            return redirect("surveys:answer")  # their own link, on their own device: carry on
        ratelimit.hit("survey-link", address, RATE_LIMIT_LINK)
        template = "surveys/respond/used.html" if spent else "surveys/respond/not_valid.html"
        return render(request, template, status=410 if spent else 404)
    survey = services.close_if_due(found.survey)
    if not survey.is_open_on():
        return _closed(request, survey, started=False)
    if request.method == "POST":
        try:
            taking_part = services.spend_invitation(token=token)
            code = services.start(taking_part=taking_part)
        except services.InvitationUsed:
            return render(request, "surveys/respond/used.html", status=410)
        except services.SurveyClosed:
            return _closed(request, survey, started=False)
        except services.SurveyError:
            return render(request, "surveys/respond/not_valid.html", status=404)
        return _with_cookie(redirect("surveys:answer"), survey, code)
    return render(request, "surveys/respond/start.html", _start_context(survey, invitation=True))


def _draft_or_closed(request: HttpRequest) -> Draft | HttpResponse:
    survey_id, code = _cookie(request)
    draft = services.find_draft(code)
    if draft is None:
        survey = Survey.objects.select_related("organisation").filter(pk=survey_id).first() if survey_id else None
        if survey is not None:
            survey = services.close_if_due(survey)
            if not survey.is_open_on():
                return _closed(request, survey, started=True)
        return redirect("surveys:resume")
    survey = services.close_if_due(draft.survey)
    if not survey.is_open_on():
        return _closed(request, survey, started=True)
    return draft


@respondent_page
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, number: int = 0) -> HttpResponse:
    found = _draft_or_closed(request)
    if isinstance(found, HttpResponse):
        return found
    draft = found
    survey = draft.survey
    all_pages = selectors.pages(survey)
    if number == 0:
        upcoming = selectors.next_page(all_pages, draft.pages_done, draft.answers)
        if upcoming is None:
            return redirect("surveys:check")
        return redirect("surveys:answer_page", number=upcoming.number)
    if number > min(len(all_pages), draft.pages_done + 1):
        return redirect("surveys:answer")
    page = all_pages[number - 1]
    questions = selectors.visible(page, draft.answers)
    if not questions:
        return redirect("surveys:answer")
    form = PageForm(_posted(request), questions=questions, initial_answers=draft.answers)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_page(code=_cookie(request)[1], section=page.section, answers=form.answers())
        except services.SurveyClosed:
            return _closed(request, survey, started=True)
        wrote = any(q.item.kind == Kind.TEXT and form.cleaned_data.get(str(q.pk)) for q in questions)
        following = selectors.next_page(all_pages, number, {**draft.answers, **form.answers()})
        then = reverse("surveys:answer_page", args=[following.number]) if following else reverse("surveys:check")
        if wrote:
            return redirect(reverse("surveys:support") + f"?then={then}")
        return redirect(then)
    previous = next((p for p in reversed(all_pages[: number - 1]) if selectors.visible(p, draft.answers)), None)
    return render(
        request,
        "surveys/respond/page.html",
        {
            "survey": survey,
            "page": page,
            "form": form,
            "total": len(all_pages),
            "resume_code": _cookie(request)[1],
            "back_url": reverse("surveys:answer_page", args=[previous.number]) if previous else "",
        },
    )


@respondent_page
def support(request: HttpRequest) -> HttpResponse:
    """After a free-text answer: where to report, the tribunal time limit, and that nothing was passed on."""
    found = _draft_or_closed(request)
    if isinstance(found, HttpResponse):
        return found
    then = request.GET.get("then", "")
    if not then.startswith("/survey/"):
        then = reverse("surveys:answer")
    organisation = found.survey.organisation
    return render(
        request,
        "surveys/respond/support.html",
        {
            "survey": found.survey,
            "then": then,
            "reporting_url": _reporting_url(organisation),
            "time_limit": _time_limit(),
        },
    )


def _reporting_url(organisation: Any) -> str:
    from saferwork.reporting.models import ReportingSettings

    if ReportingSettings.objects.filter(organisation=organisation, enabled=True).exists():
        return reverse("reporting:start", args=[organisation.slug])
    return ""


def _time_limit() -> Any:
    from django.utils import timezone

    from saferwork.law.models import LegalRule
    from saferwork.law.selectors import RuleMissing, rule_on

    try:
        return rule_on(LegalRule.Key.TRIBUNAL_TIME_LIMIT_MONTHS, timezone.localdate())
    except RuleMissing:
        return None


@respondent_page
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest) -> HttpResponse:
    found = _draft_or_closed(request)
    if isinstance(found, HttpResponse):
        return found
    all_pages = selectors.pages(found.survey)
    if selectors.next_page(all_pages, found.pages_done, found.answers) is not None:
        return redirect("surveys:answer")
    if request.method == "POST":
        try:
            services.finish(code=_cookie(request)[1])
        except services.SurveyClosed:
            return _closed(request, found.survey, started=True)
        response = redirect("surveys:done")
        response.delete_cookie(COOKIE, path="/survey/")
        return response
    last = next((p for p in reversed(all_pages) if selectors.visible(p, found.answers)), None)
    return render(
        request,
        "surveys/respond/check.html",
        {"survey": found.survey, "back_url": reverse("surveys:answer_page", args=[last.number]) if last else ""},
    )


@respondent_page
def done(request: HttpRequest) -> HttpResponse:
    return render(request, "surveys/respond/done.html")


@respondent_page
@require_http_methods(["GET", "POST"])
def resume(request: HttpRequest) -> HttpResponse:
    form = ResumeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        draft = services.find_draft(form.cleaned_data["code"])
        if draft is None:
            ratelimit.hit("survey-link", ratelimit.client_address(request), RATE_LIMIT_LINK)
            form.add_error("code", "No answers in progress have this resume code. Check it and try again.")
        else:
            return _with_cookie(redirect("surveys:answer"), draft.survey, form.cleaned_data["code"])
    return render(request, "surveys/respond/resume.html", {"form": form})


# ---------------------------------------------------------------- leaders: results


def _leader_results(request: HttpRequest, pk: int) -> results.Results:
    """The cut asked for (``?department=``, ``?who=``), released or refused; 404 for another organisation's."""
    survey = services.close_if_due(selectors.get_survey_for_user(request, pk))
    if survey.is_draft:
        raise Http404("This survey has not launched.")
    department_id = _number(request.GET.get("department", ""), "No such department.")
    who = _number(request.GET.get("who", ""), "No such answer.")
    try:
        found = results.survey_results(survey, department_id=department_id, who=who)
    except SurveyDepartment.DoesNotExist as error:
        raise Http404("No such department.") from error
    except ValueError as error:
        raise Http404("No such answer.") from error
    return results.release(results=found, actor=request.user)


def _number(raw: str, missing: str) -> int | None:
    if not raw or raw in (results.ALL, "anyone"):
        return None
    if not raw.isdigit():
        raise Http404(missing)
    return int(raw)


@can_view_survey_results
@require_GET
def results_list(request: HttpRequest) -> HttpResponse:
    surveys = (
        Survey.objects.for_organisation(_organisation(request))
        .exclude(status=Survey.Status.DRAFT)
        .order_by("-created_at", "-id")[:100]
    )
    return render(request, "surveys/results_list.html", {"surveys": surveys})


def _export_url(name: str, pk: int, query: str) -> str:
    return reverse(name, args=[pk]) + (f"?{query}" if query else "")


@can_view_survey_results
@require_GET
def results_page(request: HttpRequest, pk: int) -> HttpResponse:
    from saferwork.reach.selectors import bar_chart

    found = _leader_results(request, pk)
    query = request.GET.urlencode()
    for number, item in enumerate(found.items, start=1):
        if not item.withheld:
            label, cells, _total = item.summary()
            item.chart = bar_chart(
                id=f"chart-{number}",
                title=f"{item.code}, {label}",
                rows=list(zip(item.choices, cells, strict=True)),
                threshold=found.threshold,
            )
    return render(
        request,
        "surveys/results.html",
        {
            "results": found,
            "survey": found.survey,
            "heatmap": found.heatmap() if found.shown else None,
            "csv_url": _export_url("surveys:results_csv", pk, query),
            "xlsx_url": _export_url("surveys:results_xlsx", pk, query),
            "docx_url": _export_url("surveys:results_docx", pk, query),
            "pdf_url": _export_url("surveys:results_pdf", pk, query),
            "action_ref": f"{found.survey.pk}:{found.key}",
        },
    )


def _exported(request: HttpRequest, pk: int, fmt: str) -> results.Results | HttpResponse:
    found = _leader_results(request, pk)
    if not found.shown:
        messages.error(request, "There are no results of this selection to download.")
        return redirect(_export_url("surveys:results", pk, request.GET.urlencode()))
    with transaction.atomic():
        audit.record(
            action="saferwork.surveys.results_exported",
            actor=request.user,
            organisation=found.survey.organisation,
            target=found.survey,
            data={"format": fmt, "cut": found.key},
        )
    return found


@can_view_survey_results
@sudo_required
@require_GET
def results_csv(request: HttpRequest, pk: int) -> HttpResponse:
    found = _exported(request, pk, "csv")
    if isinstance(found, HttpResponse):
        return found
    response = StreamingHttpResponse(csv_lines(results.csv_rows(found)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{pk}-results.csv"'
    return response  # type: ignore[return-value]


@can_view_survey_results
@sudo_required
@require_GET
def results_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    found = _exported(request, pk, "xlsx")
    if isinstance(found, HttpResponse):
        return found
    return FileResponse(  # type: ignore[return-value]
        exports.xlsx_file(found), as_attachment=True, filename=f"survey-{pk}-results.xlsx", content_type=XLSX
    )


@can_view_survey_results
@sudo_required
@require_GET
def results_docx(request: HttpRequest, pk: int) -> HttpResponse:
    found = _exported(request, pk, "docx")
    if isinstance(found, HttpResponse):
        return found
    response = HttpResponse(exports.docx_bytes(found), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="survey-{pk}-results.docx"'
    return response


@can_view_survey_results
@sudo_required
@require_GET
def results_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    found = _exported(request, pk, "pdf")
    if isinstance(found, HttpResponse):
        return found
    response = HttpResponse(exports.pdf_bytes(found), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="survey-{pk}-results.pdf"'
    return response


# ---------------------------------------------------------------- coordinators: the redaction pass


COMMENTS_PAGE = 20


@can_manage_surveys
@require_GET
def comments_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Every free-text answer of a closed wave, with names, places, roles and dates highlighted."""
    from django.core.paginator import Paginator

    survey = services.close_if_due(selectors.get_survey_for_user(request, pk))
    if survey.status != Survey.Status.CLOSED:
        raise Http404("Comments can be reviewed once the survey has closed.")
    names = list(survey.departments.values_list("department__name", flat=True))
    waiting = request.GET.get("show") != "reviewed"
    answers = (
        Answer.objects.filter(question__survey=survey, question__item__kind=Kind.TEXT, reviewed=not waiting)
        .exclude(text="")
        .select_related("question__item")
        .order_by("id")
    )
    page = Paginator(answers, COMMENTS_PAGE).get_page(request.GET.get("page"))
    rows = [
        (
            answer,
            comments.highlight(answer.text, names),
            answer.redacted if answer.reviewed else comments.suggest(answer.text, names),
        )
        for answer in page
    ]
    return render(
        request,
        "surveys/comments.html",
        {"survey": survey, "page": page, "rows": rows, "waiting": waiting, "kinds": comments.KIND_LABELS},
    )


@can_manage_surveys
@require_POST
def comment_review(request: HttpRequest, pk: int, answer_pk: Any) -> HttpResponse:
    survey = selectors.get_survey_for_user(request, pk)
    answer = (
        Answer.objects.filter(question__survey=survey, question__item__kind=Kind.TEXT, pk=answer_pk)
        .select_related("question__item")
        .first()
    )
    if answer is None:
        raise Http404("No such comment.")
    left_out = request.POST.get("decision") == "leave_out"
    try:
        services.review_comment(answer=answer, actor=request.user, text=request.POST.get("text", ""), left_out=left_out)
    except services.SurveyError as error:
        _refused(request, error)
    else:
        messages.success(request, "Comment left out." if left_out else "Comment cleared for leaders, as edited.")
    return redirect(
        reverse("surveys:comments", args=[survey.pk])
        + (f"?page={request.POST.get('page')}" if request.POST.get("page", "").isdigit() else "")
    )
