"""The actions hub: every action of the organisation, one place to follow them up."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from saferwork.accounts.decorators import sudo_required
from saferwork.actions import selectors, services, sources
from saferwork.actions.forms import (
    ActionForm,
    EvidenceFileForm,
    EvidenceLinkForm,
    FilterForm,
    ReadAccessForm,
    StatusForm,
)
from saferwork.actions.history import describe_history
from saferwork.actions.models import Action, Evidence, ReadAccess
from saferwork.actions.permissions import (
    can_manage_actions,
    can_see_all_actions,
    can_work_on,
    manage_actions_required,
)
from saferwork.lib.csvstream import csv_lines
from saferwork.organisations.switching import offers_other_organisation

PAGE_SIZE = 25


def _membership(request: HttpRequest) -> Any:
    membership = getattr(request, "membership", None)
    if membership is None:
        raise PermissionDenied("You do not belong to an organisation.")
    return membership


@offers_other_organisation
def get_action_for_user(request: HttpRequest, pk: int, *, work: bool = False, manage: bool = False) -> Action:
    """The action, if it belongs to the current organisation and the person may see it:
    its managers (leaders and coordinators), members given read access, and its owner.
    Anyone else gets a 404, so
    nothing tells them it exists; ``work``/``manage`` then ask for more, else 403."""
    membership = getattr(request, "membership", None)
    if membership is None:
        raise Http404
    action = (
        Action.objects.for_organisation(membership.organisation)
        .select_related("organisation", "owner", "created_by")
        .filter(pk=pk)
        .first()
    )
    if action is None or not (can_see_all_actions(membership) or action.owner_id == request.user.pk):
        raise Http404
    if manage and not can_manage_actions(membership):
        raise PermissionDenied("Only leaders and coordinators can change this action.")
    if work and not can_work_on(membership, action):
        raise PermissionDenied
    return action


def _filter_form(request: HttpRequest, *, manager: bool) -> FilterForm:
    return FilterForm(request.GET or None, organisation=request.organisation, show_owner=manager)  # type: ignore[attr-defined]


def _filters_in_query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@require_GET
def hub(request: HttpRequest) -> HttpResponse:
    """Every action of the organisation for leaders, coordinators and members given read
    access; one's own for an owner."""
    membership = _membership(request)
    manager = can_manage_actions(membership)
    sees_all = manager or can_see_all_actions(membership)
    organisation = membership.organisation
    today = selectors.today_for(organisation)
    form = _filter_form(request, manager=sees_all)
    found = selectors.actions_for(
        organisation, filters=form.filters(), today=today, owner=None if sees_all else request.user
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(action, action.is_overdue(today)) for action in page]
    return render(
        request,
        "actions/hub.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": _filters_in_query(request),
            "manager": manager,
            "sees_all": sees_all,
            "counts": selectors.counts_for(organisation, today=today, owner=None if sees_all else request.user),
            "today": today,
        },
    )


def _source_from_query(request: HttpRequest) -> tuple[str, str, sources.Source]:
    """The source a "new action from ..." link names, checked for this organisation; 404 if not."""
    kind = request.GET.get("source_kind", sources.MANUAL) or sources.MANUAL
    ref = request.GET.get("source_ref", "")
    try:
        return kind, ref, sources.resolve(request.organisation, kind, ref)  # type: ignore[attr-defined]
    except sources.UnknownSource:
        raise Http404 from None


@manage_actions_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    """A new action; with ``?source_kind=…&source_ref=…`` it answers that source."""
    organisation = request.organisation  # type: ignore[attr-defined]
    kind, ref, source = _source_from_query(request)
    form = ActionForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            action = services.create_action(
                organisation=organisation,
                title=data["title"],
                description=data["description"],
                department=data["department"],
                owner=data["owner"],
                due_on=data["due_on"],
                source_kind=kind,
                source_ref=ref,
                actor=request.user,
            )
        except services.ActionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Action added")
            return redirect("actions:detail", action.pk)
    return render(
        request,
        "actions/form.html",
        {"form": form, "action": None, "source": source, "source_kind_label": sources.label_of(kind), "kind": kind},
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_action_for_user(request, pk, manage=True)
    initial = {name: getattr(action, name) for name in services.EDITABLE}
    form = ActionForm(request.POST or None, initial=initial, organisation=action.organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_action(action=action, actor=request.user, **{n: data[n] for n in services.EDITABLE})
        except services.ActionError as exc:
            form.add_error("owner", str(exc))
        else:
            messages.success(request, "Action updated")
            return redirect("actions:detail", action.pk)
    return render(
        request,
        "actions/form.html",
        {"form": form, "action": action, "source": None, "source_kind_label": action.source_kind_label},
    )


def _render_detail(request: HttpRequest, action: Action, **forms: Any) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    today = selectors.today_for(action.organisation)
    source_url = ""
    if action.source_ref:
        try:
            source_url = sources.resolve(action.organisation, action.source_kind, action.source_ref).url
        except sources.UnknownSource:
            source_url = ""  # the source has gone: the label snapshot still says what it was
    context = {
        "action": action,
        "overdue": action.is_overdue(today),
        "source_url": source_url,
        "evidence": list(action.evidence.select_related("added_by")),
        "history": describe_history(selectors.history(action)),
        "manager": can_manage_actions(membership),
        "can_work": can_work_on(membership, action),
        "status_form": forms.get("status_form") or StatusForm(initial={"status": action.status}),
        "file_form": forms.get("file_form") or EvidenceFileForm(),
        "link_form": forms.get("link_form") or EvidenceLinkForm(),
    }
    return render(request, "actions/detail.html", context)


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, get_action_for_user(request, pk))


@login_required
@require_POST
def change_status(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_action_for_user(request, pk, work=True)
    form = StatusForm(request.POST)
    if form.is_valid():
        services.change_status(
            action=action, status=form.cleaned_data["status"], note=form.cleaned_data["note"], actor=request.user
        )
        messages.success(request, f"Status changed to {action.get_status_display().lower()}")
        return redirect("actions:detail", action.pk)
    return _render_detail(request, action, status_form=form)


@login_required
@require_POST
def add_evidence(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    action = get_action_for_user(request, pk, work=True)
    if kind == "file":
        file_form = EvidenceFileForm(request.POST, request.FILES)
        if file_form.is_valid():
            try:
                services.add_evidence_file(
                    action=action,
                    upload=file_form.cleaned_data["file"],
                    label=file_form.cleaned_data["file_label"],
                    actor=request.user,
                )
            except services.ActionError as exc:
                file_form.add_error("file", str(exc))
            else:
                messages.success(request, "Evidence added")
                return redirect("actions:detail", action.pk)
        return _render_detail(request, action, file_form=file_form)
    if kind == "link":
        link_form = EvidenceLinkForm(request.POST)
        if link_form.is_valid():
            try:
                services.add_evidence_link(
                    action=action,
                    url=link_form.cleaned_data["url"],
                    label=link_form.cleaned_data["link_label"],
                    actor=request.user,
                )
            except services.ActionError as exc:
                link_form.add_error("url", str(exc))
            else:
                messages.success(request, "Evidence added")
                return redirect("actions:detail", action.pk)
        return _render_detail(request, action, link_form=link_form)
    raise Http404


def _evidence(action: Action, evidence_pk: int) -> Evidence:
    found = action.evidence.filter(pk=evidence_pk, organisation_id=action.organisation_id).first()
    if found is None:
        raise Http404
    return found


@login_required
@require_POST
def remove_evidence(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    action = get_action_for_user(request, pk, work=True)
    services.remove_evidence(evidence=_evidence(action, evidence_pk), actor=request.user)
    messages.success(request, "Evidence removed")
    return redirect("actions:detail", action.pk)


@login_required
@require_GET
def evidence_file(request: HttpRequest, pk: int, evidence_pk: int) -> FileResponse:
    action = get_action_for_user(request, pk)
    evidence = _evidence(action, evidence_pk)
    if not evidence.file:
        raise Http404
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.file_name or "evidence",
        content_type=evidence.content_type or "application/octet-stream",
    )


@sudo_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_action_for_user(request, pk, manage=True)
    if request.method == "POST":
        title = action.title
        services.delete_action(action=action, actor=request.user)
        messages.success(request, f"Action deleted: {title}")
        return redirect("actions:hub")
    return render(request, "actions/delete.html", {"action": action, "evidence_count": action.evidence.count()})


CSV_HEADER = [
    "id",
    "title",
    "department",
    "owner",
    "owner email",
    "due date",
    "status",
    "overdue",
    "closed on",
    "comes from",
    "source",
    "evidence",
]


def _csv_rows(request: HttpRequest, form: FilterForm) -> Iterator[list[Any]]:
    organisation = request.organisation  # type: ignore[attr-defined]
    today = selectors.today_for(organisation)
    yield CSV_HEADER
    found = selectors.actions_for(organisation, filters=form.filters(), today=today)
    statuses = dict(Action.Status.choices)
    for row in found.values_list(
        "pk",
        "title",
        "department",
        "owner__full_name",
        "owner__email",
        "due_on",
        "status",
        "closed_on",
        "source_kind",
        "source_label",
        "evidence_count",  # type: ignore[misc]  # an annotation django-stubs cannot see
    ).iterator(chunk_size=2000):
        pk, title, department, owner_name, owner_email, due_on, status, closed_on, kind, label, evidence = row
        overdue = status in Action.OPEN and due_on < today
        yield [
            pk,
            title,
            department,
            owner_name or "",
            owner_email or "",
            due_on.isoformat(),
            statuses.get(status, status),
            "yes" if overdue else "no",
            closed_on.isoformat() if closed_on else "",
            sources.label_of(kind),
            label,
            evidence,
        ]


@manage_actions_required
@sudo_required
@require_GET
def export(request: HttpRequest) -> Any:
    """The filtered hub as CSV, streamed; every text cell made inert for spreadsheets."""
    form = _filter_form(request, manager=True)
    services.record_export(
        organisation=request.organisation,  # type: ignore[attr-defined]
        actor=request.user,
        filters={k: request.GET.getlist(k) for k in request.GET if k != "page"},
    )
    response = StreamingHttpResponse(csv_lines(_csv_rows(request, form)), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="actions.csv"'
    return response


def new_action_url(source_kind: str, source_ref: str) -> str:
    """The address of the prefilled form, for other apps' templates and views."""
    from urllib.parse import urlencode

    return f"{reverse('actions:create')}?{urlencode({'source_kind': source_kind, 'source_ref': source_ref})}"


# ---------------------------------------------------------------- read access (union safety representatives)


@manage_actions_required
@require_http_methods(["GET", "POST"])
def readers(request: HttpRequest) -> HttpResponse:
    """Who may read the whole hub without managing it; leaders and coordinators give and take it."""
    organisation = request.organisation  # type: ignore[attr-defined]
    form = ReadAccessForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.grant_read_access(
                organisation=organisation,
                user=form.cleaned_data["user"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except services.ActionError as exc:
            form.add_error("user", str(exc))
        else:
            messages.success(request, "Read access given")
            return redirect("actions:readers")
    grants = (
        ReadAccess.objects.for_organisation(organisation)
        .select_related("user", "granted_by")
        .order_by("user__full_name", "user__email")
    )
    return render(request, "actions/readers.html", {"form": form, "grants": grants})


@manage_actions_required
@require_POST
def revoke_reader(request: HttpRequest, grant_pk: int) -> HttpResponse:
    grant = ReadAccess.objects.for_organisation(request.organisation).filter(pk=grant_pk).first()  # type: ignore[attr-defined]
    if grant is None:
        raise Http404
    services.revoke_read_access(grant=grant, actor=request.user)
    messages.success(request, "Read access removed")
    return redirect("actions:readers")
