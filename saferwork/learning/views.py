"""Learning pages: authoring, assigning, the learner's module and steps, the completion report.

Every learner page is server-rendered, works without JavaScript and carries "Exit this
page". Learners are plain members (participants), so they sign in without a second factor.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from saferwork.accounts.decorators import sudo_required
from saferwork.audit import services as audit
from saferwork.badges import services as badges
from saferwork.learning import documents, forms, markdown, ranges, selectors, services
from saferwork.learning.models import Enrolment, Module, ModuleVersion, Step, StepKind
from saferwork.organisations.models import Membership
from saferwork.organisations.permissions import role_required
from saferwork.surveys.models import Department
from saferwork.surveys.staff_list import check_staff_list

author_required = role_required("is_programme_admin", "is_coordinator")
coordinator_required = role_required("is_coordinator")
report_required = role_required("is_coordinator", "is_leader")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The assignment list is for finding someone to remove, not a register: it is capped.
ASSIGNMENTS_SHOWN = 500


def _base(request: HttpRequest, **context: Any) -> dict[str, Any]:
    organisation = selectors.membership(request).organisation
    links = selectors.organisation_links(organisation)
    return {"organisation": organisation, "reporting_url": links["reporting_url"], **context}


def _read(upload: Any) -> tuple[str, bytes] | None:
    return (upload.name, upload.read()) if upload else None


# ---------------------------------------------------------------- learner: home and module


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    organisation = selectors.membership(request).organisation
    services.claim_enrolments(user=request.user, organisation=organisation)
    context = _base(
        request,
        modules=selectors.learner_modules(request),
        authors=selectors.is_programme_admin(request) or selectors.is_coordinator(request),
        manages=selectors.is_coordinator(request),
        sees_report=selectors.sees_report(request),
    )
    return render(request, "learning/home.html", context)


def _learner_module(request: HttpRequest, pk: int) -> selectors.LearnerModule:
    for found in selectors.learner_modules(request):
        if found.module.pk == pk:
            return found
    raise Http404


def _step_rows(version: ModuleVersion, enrolment: Enrolment | None) -> list[dict[str, Any]]:
    steps = list(version.steps.all())
    progress = selectors.progress_of(enrolment) if enrolment else {}
    rows = []
    for step in steps:
        done = step.pk in progress and progress[step.pk].completed_at is not None
        reachable = enrolment is not None and enrolment.version_id == version.pk
        reachable = reachable and enrolment is not None and step.position <= enrolment.furthest_position
        rows.append({"step": step, "done": done, "reachable": reachable})
    return rows


@login_required
@require_GET
def module(request: HttpRequest, pk: int) -> HttpResponse:
    found = _learner_module(request, pk)
    enrolment = found.enrolment
    rows = _step_rows(found.version, enrolment)
    context = _base(
        request,
        module=found.module,
        version=found.version,
        enrolment=enrolment,
        rows=rows,
        done=sum(1 for r in rows if r["done"]),
    )
    return render(request, "learning/module.html", context)


@login_required
@require_POST
def start(request: HttpRequest, pk: int) -> HttpResponse:
    found = _learner_module(request, pk)
    organisation = selectors.membership(request).organisation
    try:
        enrolment = services.take_up(module=found.module, organisation=organisation, user=request.user)
        services.start(enrolment=enrolment)
    except services.LearningError as error:
        messages.error(request, str(error))
        return redirect("learning:module", pk)
    return redirect("learning:step", enrolment.pk, enrolment.current_position)


# ---------------------------------------------------------------- learner: steps


def _render_step(
    request: HttpRequest, enrolment: Enrolment, step: Step, steps: list[Step], **extra: Any
) -> HttpResponse:
    organisation = enrolment.organisation
    links = selectors.organisation_links(organisation)
    index = [s.pk for s in steps].index(step.pk)
    context = _base(
        request,
        enrolment=enrolment,
        version=enrolment.version,
        step=step,
        number=index + 1,
        count=len(steps),
        previous=steps[index - 1] if index else None,
        body=mark_safe(markdown.render(step.body, **links)),  # noqa: S308 - sanitised by nh3
        **extra,
    )
    return render(request, f"learning/step_{step.kind}.html", context)


def _next_url(enrolment: Enrolment, target: int | None) -> HttpResponse:
    if target is None:
        return redirect("learning:module", enrolment.module_id)
    return redirect("learning:step", enrolment.pk, target)


@login_required
def step(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    enrolment = selectors.get_enrolment_for_learner(request, pk)
    if enrolment.version is None:
        raise Http404
    steps = list(enrolment.version.steps.all())
    current = next((s for s in steps if s.position == position), None)
    if current is None:
        raise Http404
    if position > enrolment.furthest_position:
        return redirect("learning:step", enrolment.pk, enrolment.current_position)
    progress = selectors.progress_of(enrolment).get(current.pk)
    if request.method == "GET":
        services.resume_at(enrolment=enrolment, position=position)
    kind = current.kind
    if kind in (StepKind.CONTENT, StepKind.MEDIA):
        if request.method == "POST":
            target = services.complete_step(enrolment=enrolment, step=current)
            return _next_url(enrolment, target)
        return _render_step(request, enrolment, current, steps, progress=progress)
    if kind == StepKind.SCENARIO:
        scenario = forms.ScenarioForm(request.POST or None, step=current)
        if request.method == "POST" and scenario.is_valid():
            services.complete_step(enrolment=enrolment, step=current, choice=scenario.cleaned_data["choice"])
            return redirect("learning:step", enrolment.pk, position)
        chosen = None
        target = None
        if progress is not None and progress.choice is not None and request.method == "GET":
            chosen = current.choices[progress.choice]
            target = chosen.get("next")
            if target is None:
                later = [s.position for s in steps if s.position > position]
                target = later[0] if later else None
        return _render_step(request, enrolment, current, steps, form=scenario, chosen=chosen, target=target)
    if kind == StepKind.CHECK:
        check = forms.CheckForm(request.POST or None, step=current)
        result = None
        if request.method == "POST" and check.is_valid():
            result = services.answer_check(enrolment=enrolment, step=current, answers=check.answers())
            enrolment.refresh_from_db()
            if not result.passed:
                check = forms.CheckForm(step=current)
        marked = (
            [{"question": q, "right": r} for q, r in zip(current.questions, result.right, strict=True)]
            if result
            else []
        )
        later = [s.position for s in steps if s.position > position]
        return _render_step(
            request,
            enrolment,
            current,
            steps,
            form=check,
            result=result,
            marked=marked,
            progress=progress,
            target=later[0] if later else None,
        )
    # Reflection: the learner's own words, sealed; nobody else's page ever opens them.
    own = selectors.own_reflection(enrolment, current, request.user)
    reflection = forms.ReflectionForm(request.POST or None, initial={"text": own.text if own else ""})
    if request.method == "POST" and reflection.is_valid():
        services.save_reflection(
            enrolment=enrolment, step=current, owner=request.user, text=reflection.cleaned_data["text"]
        )
        enrolment.refresh_from_db()
        later = [s.position for s in steps if s.position > position]
        messages.success(request, "Your reflection is saved. Only you can read it.")
        return _next_url(enrolment, later[0] if later else None)
    return _render_step(request, enrolment, current, steps, form=reflection)


@login_required
@require_GET
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = selectors.get_enrolment_for_learner(request, pk)
    if enrolment.completed_at is None:
        raise Http404
    name = request.user.get_full_name()  # type: ignore[union-attr]
    response = HttpResponse(documents.certificate_pdf(enrolment, name=name), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{enrolment.module.slug}.pdf"'
    return response


@login_required
def badge(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = selectors.get_enrolment_for_learner(request, pk)
    if enrolment.completed_at is None or enrolment.version is None:
        raise Http404
    title = enrolment.version.title
    form = forms.ClaimForm(
        request.POST if request.method == "POST" else None,
        neutral_name="Self-paced workplace learning",
        topic_name=title,
    )
    if request.method == "POST" and not enrolment.credential_id and form.is_valid():
        try:
            services.claim_badge(enrolment=enrolment, show_topic=form.show_topic, user=request.user)
        except (services.LearningError, badges.BadgeError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Your badge has been issued.")
            return redirect("learning:badge", pk)
    return render(request, "learning/badge.html", _base(request, enrolment=enrolment, form=form))


def _step_visible(request: HttpRequest, step: Step) -> bool:
    if selectors.authorable(request).filter(pk=step.version.module_id).exists():
        return True
    organisation = selectors.membership(request).organisation
    return Enrolment.objects.for_organisation(organisation).filter(user=request.user, version=step.version).exists()


@login_required
@require_GET
def media(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    """A media step's file or captions, read through Django (never a link to the bucket)."""
    step = Step.objects.select_related("version").filter(pk=pk, kind=StepKind.MEDIA).first()
    if step is None or not _step_visible(request, step):
        raise Http404
    if what == "file" and step.media_name:
        name, content_type = step.media_name, step.media_type
    elif what == "captions" and step.captions_name:
        name, content_type = step.captions_name, "text/vtt; charset=utf-8"
    else:
        raise Http404
    response = ranges.file_response(
        default_storage.open(name, "rb"),
        size=default_storage.size(name),
        content_type=content_type,
        range_header=request.headers.get("Range", ""),
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response


# ---------------------------------------------------------------- authors


@author_required
@require_GET
def author_list(request: HttpRequest) -> HttpResponse:
    modules = list(selectors.authorable(request).order_by("organisation_id", "id"))
    newest = selectors.titles(m.pk for m in modules)
    current = selectors.published(m.pk for m in modules)
    rows = [{"module": m, "newest": newest.get(m.pk), "published": current.get(m.pk)} for m in modules]
    return render(request, "learning/author_list.html", _base(request, rows=rows))


@author_required
def module_new(request: HttpRequest) -> HttpResponse:
    organisation = selectors.membership(request).organisation
    shared = selectors.is_programme_admin(request)
    form = forms.ModuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = services.create_module(
            organisation=None if shared else organisation, actor=request.user, **form.cleaned_data
        )
        messages.success(request, "Module created. Add its steps, then publish it.")
        return redirect("learning:author_module", created.pk)
    return render(request, "learning/module_form.html", _base(request, form=form, shared=shared))


@author_required
def author_module(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_module_for_author(request, pk)
    version = found.versions.order_by("-number").first()
    assert version is not None
    form = None
    if not version.is_published:
        form = forms.ModuleForm(
            request.POST or None,
            initial={"title": version.title, "summary": version.summary, "minutes": version.minutes},
        )
        if request.method == "POST" and form.is_valid():
            services.update_details(version=version, **form.cleaned_data)
            messages.success(request, "Details saved.")
            return redirect("learning:author_module", pk)
    elif request.method == "POST":
        raise PermissionDenied
    context = _base(
        request,
        module=found,
        version=version,
        steps=list(version.steps.all()),
        form=form,
        live=services.latest_published(found),
    )
    return render(request, "learning/author_module.html", context)


@author_required
@require_POST
def module_draft(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_module_for_author(request, pk)
    draft = services.draft_of(module=found)
    messages.success(request, f"Version {draft.number} is a draft. Learners who started keep their version.")
    return redirect("learning:author_module", pk)


@author_required
@require_POST
def module_publish(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_module_for_author(request, pk)
    version = found.versions.order_by("-number").first()
    assert version is not None
    try:
        services.publish(version=version, actor=request.user)
    except services.LearningError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Version {version.number} is published.")
    return redirect("learning:author_module", pk)


def _draft_or_404(found: Module) -> ModuleVersion:
    version = found.versions.order_by("-number").first()
    if version is None or version.is_published:
        raise Http404
    return version


def _save_step(request: HttpRequest, form: forms.StepForm, version: ModuleVersion, step: Step | None) -> Step | None:
    data = form.cleaned_data
    try:
        return services.save_step(
            version=version,
            step=step,
            content=services.StepContent(
                kind=data["kind"],
                title=data["title"],
                body=data.get("body", ""),
                data=data["structured"],
                transcript=data.get("transcript", ""),
            ),
            media=_read(data.get("media_file")),
            captions=_read(data.get("captions"))[1] if data.get("captions") else None,  # type: ignore[index]
        )
    except services.LearningError as error:
        form.add_error(None, str(error))
        return None


@author_required
def step_new(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_module_for_author(request, pk)
    version = _draft_or_404(found)
    initial = {"kind": request.GET.get("kind", StepKind.CONTENT), "pass_mark": 80}
    form = forms.StepForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid() and _save_step(request, form, version, None):
        messages.success(request, "Step added.")
        return redirect("learning:author_module", pk)
    return render(request, "learning/step_form.html", _base(request, form=form, module=found, version=version))


@author_required
def step_edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_step_for_author(request, pk)
    version = found.version
    if version.is_published:
        raise Http404
    form = forms.StepForm(request.POST or None, request.FILES or None, step=found)
    if request.method == "POST" and form.is_valid() and _save_step(request, form, version, found):
        messages.success(request, "Step saved.")
        return redirect("learning:author_module", version.module_id)
    preview = mark_safe(markdown.render(found.body))  # noqa: S308 - sanitised by nh3
    return render(
        request,
        "learning/step_form.html",
        _base(request, form=form, module=version.module, version=version, step=found, preview=preview),
    )


@author_required
@require_POST
def step_move(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_step_for_author(request, pk)
    try:
        services.move_step(step=found, up=request.POST.get("direction") == "up")
    except services.LearningError as error:
        messages.error(request, str(error))
    return redirect("learning:author_module", found.version.module_id)


@author_required
@require_POST
def step_delete(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_step_for_author(request, pk)
    module_id = found.version.module_id
    try:
        services.delete_step(step=found)
    except services.LearningError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Step removed.")
    return redirect("learning:author_module", module_id)


@author_required
def preview(request: HttpRequest, pk: int, position: int = 1) -> HttpResponse:
    """The newest version (the draft, if there is one) as a learner would see it, step by step.

    Nothing is recorded: no enrolment, progress, check attempt or reflection is written;
    a scenario shows its feedback and a check is marked in the response only.
    """
    found = selectors.get_module_for_author(request, pk)
    version = found.versions.order_by("-number").first()
    assert version is not None
    steps = list(version.steps.all())
    current = next((s for s in steps if s.position == position), None)
    if current is None:
        if not steps:
            messages.error(request, "Add a step to preview the module.")
            return redirect("learning:author_module", pk)
        raise Http404
    later = [s.position for s in steps if s.position > position]
    following = later[0] if later else None
    organisation = selectors.membership(request).organisation
    links = selectors.organisation_links(organisation)
    index = steps.index(current)
    context = _base(
        request,
        preview_version=version,
        version=version,
        step=current,
        number=index + 1,
        count=len(steps),
        previous=steps[index - 1] if index else None,
        body=mark_safe(markdown.render(current.body, **links)),  # noqa: S308 - sanitised by nh3
        target=following,
    )

    def onward() -> HttpResponse:
        if following is None:
            messages.success(request, "That was the last step. Nothing was recorded.")
            return redirect("learning:author_module", pk)
        return redirect("learning:preview", pk, following)

    post = request.POST if request.method == "POST" else None
    if current.kind == StepKind.SCENARIO:
        scenario = forms.ScenarioForm(post, step=current)
        if post is not None and scenario.is_valid():
            chosen = current.choices[scenario.cleaned_data["choice"]]
            context.update(chosen=chosen, target=chosen.get("next") or following)
            scenario = forms.ScenarioForm(step=current)
        context["form"] = scenario
    elif current.kind == StepKind.CHECK:
        check = forms.CheckForm(post, step=current)
        if post is not None and check.is_valid():
            result = services.mark_check(step=current, answers=check.answers())
            marked = [{"question": q, "right": r} for q, r in zip(current.questions, result.right, strict=True)]
            context.update(result=result, marked=marked)
            if not result.passed:
                check = forms.CheckForm(step=current)
        context["form"] = check
    elif current.kind == StepKind.REFLECTION:
        reflection = forms.ReflectionForm(post)
        if post is not None and reflection.is_valid():
            messages.success(request, "In a preview, reflections are not saved.")
            return onward()
        context["form"] = reflection
    elif post is not None:
        return onward()
    return render(request, f"learning/step_{current.kind}.html", context)


# ---------------------------------------------------------------- coordinators


@coordinator_required
@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    organisation = selectors.membership(request).organisation
    modules = list(selectors.library(organisation).order_by("organisation_id", "id"))
    current = selectors.published(m.pk for m in modules)
    offered = set(organisation_offers(organisation))
    rows = [{"module": m, "version": current[m.pk], "open": m.pk in offered} for m in modules if m.pk in current]
    return render(request, "learning/manage.html", _base(request, rows=rows))


def organisation_offers(organisation: Any) -> list[int]:
    from saferwork.learning.models import ModuleOffer

    return list(ModuleOffer.objects.for_organisation(organisation).values_list("module_id", flat=True))


@coordinator_required
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.membership(request).organisation
    found = selectors.get_module_for_coordinator(request, pk)
    version = services.latest_published(found)
    members = (
        Membership.objects.filter(organisation=organisation, user__is_active=True)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    choices = [(str(m.user_id), f"{m.user} ({m.user.email})") for m in members]
    emails = {str(m.user_id): m.user.email for m in members}
    form = forms.AssignForm(request.POST or None, request.FILES or None, members=choices)
    if request.method == "POST" and form.is_valid():
        people: list[services.Assignee] = []
        department = services.department_named(organisation=organisation, name=form.cleaned_data["department"])
        people += [
            services.Assignee(emails[m], department.pk if department else None) for m in form.cleaned_data["members"]
        ]
        for email, name in form.cleaned_data["emails"]:
            named = services.department_named(organisation=organisation, name=name)
            people.append(services.Assignee(email, named.pk if named else None))
        upload = form.cleaned_data.get("staff_list")
        if upload:
            departments = {d.name.casefold(): d.pk for d in Department.objects.filter(organisation=organisation)}
            checked = check_staff_list(upload, filename=upload.name, departments=departments)
            if not checked.clean:
                for line, message in checked.errors[:10]:
                    form.add_error("staff_list", f"Line {line}: {message}" if line else message)
            people += [services.Assignee(row.email, row.department_id) for row in checked.rows]
        if not form.errors:
            try:
                created, invited = services.assign(
                    module=found,
                    organisation=organisation,
                    people=people,
                    actor=request.user,
                    due_on=form.cleaned_data.get("due_on"),
                )
            except services.LearningError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request, f"Assigned to {created} {'person' if created == 1 else 'people'}; {invited} invited."
                )
                return redirect("learning:manage")
    counts = selectors.enrolment_counts(organisation, found)
    return render(
        request, "learning/assign.html", _base(request, form=form, module=found, version=version, counts=counts)
    )


@coordinator_required
@require_GET
def assignments(request: HttpRequest, pk: int) -> HttpResponse:
    """Who a module is assigned to (addresses, departments, due dates), to remove someone."""
    organisation = selectors.membership(request).organisation
    found = selectors.get_module_for_coordinator(request, pk)
    people = list(selectors.assignments(organisation, found)[: ASSIGNMENTS_SHOWN + 1])
    context = _base(
        request,
        module=found,
        version=services.latest_published(found),
        people=people[:ASSIGNMENTS_SHOWN],
        more=len(people) > ASSIGNMENTS_SHOWN,
        shown=ASSIGNMENTS_SHOWN,
    )
    return render(request, "learning/assignments.html", context)


@coordinator_required
def unassign(request: HttpRequest, pk: int, enrolment: int) -> HttpResponse:
    """Confirm, then remove one assignment (see ``services.unassign`` for what the learner keeps)."""
    found = selectors.get_module_for_coordinator(request, pk)
    assignment = selectors.get_assignment_for_coordinator(request, found, enrolment)
    if request.method == "POST":
        services.unassign(enrolment=assignment, actor=request.user)
        messages.success(request, f"{assignment.email} is no longer assigned this module.")
        return redirect("learning:assignments", pk)
    context = _base(request, module=found, version=services.latest_published(found), assignment=assignment)
    return render(request, "learning/unassign.html", context)


@coordinator_required
@require_POST
def module_open(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.membership(request).organisation
    found = selectors.get_module_for_coordinator(request, pk)
    is_open = request.POST.get("open") == "yes"
    try:
        services.open_to_all(module=found, organisation=organisation, actor=request.user, is_open=is_open)
    except services.LearningError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Open to every member." if is_open else "No longer open to every member.")
    return redirect("learning:manage")


@report_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    organisation = selectors.membership(request).organisation
    found = selectors.completion_report(organisation)
    return render(request, "learning/report.html", _base(request, report=found))


@report_required
@sudo_required
@require_GET
def report_export(request: HttpRequest, fmt: str) -> HttpResponse:
    organisation = selectors.membership(request).organisation
    found = selectors.completion_report(organisation)
    with transaction.atomic():
        audit.record(
            action="saferwork.learning.report_exported",
            actor=request.user,
            organisation=organisation,
            data={"format": fmt},
        )
    stamp = f"{timezone.localdate():%Y-%m-%d}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            documents.csv_stream(found, organisation=organisation.name), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="learning-completion-{stamp}.csv"'
        return response  # type: ignore[return-value]
    if fmt == "xlsx":
        return FileResponse(
            documents.xlsx_file(found, organisation=organisation.name),
            as_attachment=True,
            filename=f"learning-completion-{stamp}.xlsx",
            content_type=XLSX,
        )  # type: ignore[return-value]
    raise Http404
