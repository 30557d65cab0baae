"""Behavioural standards pages: a member's documents to read and acknowledge; coordinators
publish, ask and remind; coordinators and leaders read suppressed acknowledgement rates."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from typing import IO, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from saferwork.accounts.decorators import sudo_required
from saferwork.audit import services as audit
from saferwork.lib.cells import workbook_file
from saferwork.lib.csvstream import csv_lines
from saferwork.organisations.permissions import role_required
from saferwork.standards import forms, selectors, services
from saferwork.surveys import staff_list

coordinator_required = role_required("is_coordinator")
report_required = role_required("is_coordinator", "is_leader")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _base(request: HttpRequest, **context: Any) -> dict[str, Any]:
    organisation = selectors.membership(request).organisation
    return {"organisation": organisation, "reporting_url": selectors.reporting_url(organisation), **context}


def _as_draft(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get("action") == "draft"


def _audience_kwargs(request: HttpRequest, *, previous: bool = False) -> dict[str, Any]:
    organisation = selectors.membership(request).organisation
    members = {e.lower(): pk for pk, e in selectors.members_of(organisation).values_list("pk", "email")}
    return {"departments": selectors.department_sizes(organisation), "members": members, "previous": previous}


# ---------------------------------------------------------------- members


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Documents to read: the person's own requests for every current version."""
    mine = selectors.my_requests(request)
    return render(
        request,
        "standards/home.html",
        _base(
            request,
            to_read=[r for r in mine if not r.acknowledged],
            done=[r for r in mine if r.acknowledged],
            manages=selectors.manages(request),
            sees_report=selectors.sees_report(request),
        ),
    )


@login_required
def read(request: HttpRequest, pk: int) -> HttpResponse:
    """One version to read; the person asked acknowledges it here (a plain form: no script)."""
    reading = selectors.get_version_for_reader(request, pk)
    own = reading.own
    form = forms.AcknowledgeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if own is None or not reading.current:
            raise Http404
        if own.acknowledged:
            return redirect("standards:acknowledged", pk)
        if form.is_valid():
            services.acknowledge(request=own, actor=request.user)
            return redirect("standards:acknowledged", pk)
    elif own is not None:
        services.record_read(request=own)
    return render(
        request,
        "standards/read.html",
        _base(request, reading=reading, version=reading.version, document=reading.version.document, own=own, form=form),
    )


@login_required
@require_GET
def acknowledged(request: HttpRequest, pk: int) -> HttpResponse:
    reading = selectors.get_version_for_reader(request, pk)
    if reading.own is None or not reading.own.acknowledged:
        raise Http404
    return render(
        request,
        "standards/acknowledged.html",
        _base(request, version=reading.version, document=reading.version.document, own=reading.own),
    )


@login_required
@require_GET
def version_file(request: HttpRequest, pk: int) -> FileResponse:
    reading = selectors.get_version_for_reader(request, pk, draft=True)
    version = reading.version
    if not version.file:
        raise Http404
    if reading.own is not None:
        services.record_read(request=reading.own)
    return FileResponse(
        version.file.open("rb"),
        as_attachment=False,
        filename=version.file_name or "document.pdf",
        content_type="application/pdf",
    )


# ---------------------------------------------------------------- coordinators


@report_required
@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    organisation = selectors.membership(request).organisation
    found = selectors.report(organisation)
    return render(
        request,
        "standards/manage.html",
        _base(
            request,
            report=found,
            manages=selectors.manages(request),
            unpublished=selectors.unpublished_of(organisation) if selectors.manages(request) else [],
            department_count=selectors.departments_of(organisation).count(),
        ),
    )


@coordinator_required
def document_new(request: HttpRequest) -> HttpResponse:
    organisation = selectors.membership(request).organisation
    as_draft = _as_draft(request)
    form = forms.DocumentForm(request.POST or None, request.FILES or None, draft=as_draft, **_audience_kwargs(request))
    if request.method == "POST" and form.is_valid() and as_draft:
        data = form.cleaned_data
        try:
            draft = services.save_draft(
                organisation=organisation,
                actor=request.user,
                kind=data["kind"],
                title=data["title"],
                label=data["label"],
                summary=data["summary"],
                body=data["body"] if not data.get("upload") else "",
                upload=data.get("upload"),
            )
        except services.StandardsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Draft saved. Nobody has been asked to read it: publish it when it is ready.")
            return redirect("standards:draft", draft.pk)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = services.publish_version(
                organisation=organisation,
                actor=request.user,
                kind=data["kind"],
                title=data["title"],
                label=data["label"],
                summary=data["summary"],
                body=data["body"] if not data.get("upload") else "",
                upload=data.get("upload"),
                audience=form.audience(),
            )
        except services.StandardsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Published. Everyone you chose has been asked to read and acknowledge it.")
            return redirect("standards:document", version.document_id)
    return render(request, "standards/document_form.html", _base(request, form=form, document=None))


@coordinator_required
def version_new(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors.get_document(request, pk)
    as_draft = _as_draft(request)
    form = forms.NewVersionForm(
        request.POST or None,
        request.FILES or None,
        draft=as_draft,
        **_audience_kwargs(request, previous=document.current_version_id is not None),
    )
    if request.method == "POST" and form.is_valid() and as_draft:
        data = form.cleaned_data
        try:
            draft = services.save_draft(
                organisation=document.organisation,
                document=document,
                actor=request.user,
                label=data["label"],
                summary=data["summary"],
                body=data["body"] if not data.get("upload") else "",
                upload=data.get("upload"),
            )
        except services.StandardsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Draft saved. Nobody has been asked to read it: publish it when it is ready.")
            return redirect("standards:draft", draft.pk)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.publish_version(
                organisation=document.organisation,
                document=document,
                actor=request.user,
                label=data["label"],
                summary=data["summary"],
                body=data["body"] if not data.get("upload") else "",
                upload=data.get("upload"),
                audience=form.audience(),
            )
        except services.StandardsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "New version published. Everyone you chose has been asked to acknowledge it.")
            return redirect("standards:document", document.pk)
    return render(request, "standards/document_form.html", _base(request, form=form, document=document))


@report_required
@require_GET
def document(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_document(request, pk)
    organisation = found.organisation
    progress = selectors.report(organisation, only=found).for_document(found.pk)
    withdrawn = selectors.last_withdrawn(found)
    history = selectors.report(organisation, version=withdrawn).documents[0] if withdrawn is not None else None
    return render(
        request,
        "standards/document.html",
        _base(
            request,
            document=found,
            progress=progress,
            withdrawn=withdrawn,
            history=history,
            versions=selectors.versions_of(found),
            drafts=selectors.drafts_of(found) if selectors.manages(request) else [],
            manages=selectors.manages(request),
            threshold=selectors.threshold(),
        ),
    )


@coordinator_required
@require_GET
def draft(request: HttpRequest, pk: int) -> HttpResponse:
    """The preview: the draft exactly as a reader will see it, and what to do next."""
    found = selectors.get_draft(request, pk)
    return render(
        request, "standards/draft.html", _base(request, version=found, document=found.document, threshold=None)
    )


@coordinator_required
def draft_edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_draft(request, pk)
    initial = {"label": found.label, "summary": found.summary, "body": found.body}
    form = forms.DraftForm(request.POST or None, request.FILES or None, initial=initial, keeps_file=bool(found.file))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_draft(
                version=found,
                actor=request.user,
                label=data["label"],
                summary=data["summary"],
                body=data["body"] if not data.get("upload") else "",
                upload=data.get("upload"),
            )
        except services.StandardsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Draft saved.")
            return redirect("standards:draft", found.pk)
    return render(
        request, "standards/draft_edit.html", _base(request, form=form, version=found, document=found.document)
    )


@coordinator_required
def draft_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose who is asked and publish: the confirmation step before a version is fixed."""
    found = selectors.get_draft(request, pk)
    current = found.document.current_version_id is not None
    form = forms.PublishDraftForm(request.POST or None, **_audience_kwargs(request, previous=current))
    if request.method == "POST" and form.is_valid():
        try:
            services.publish_draft(version=found, audience=form.audience(), actor=request.user)
        except services.StandardsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Published. Everyone you chose has been asked to read and acknowledge it.")
            return redirect("standards:document", found.document_id)
    return render(
        request, "standards/draft_publish.html", _base(request, form=form, version=found, document=found.document)
    )


@coordinator_required
@require_POST
def draft_delete(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_draft(request, pk)
    document_id = found.document_id
    kept = services.delete_draft(version=found, actor=request.user)
    messages.success(request, "Draft deleted.")
    if kept:
        return redirect("standards:document", document_id)
    return redirect("standards:manage")


@coordinator_required
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, with a reason, before the current version is withdrawn."""
    found = selectors.get_document(request, pk)
    if found.current_version is None:
        raise Http404
    form = forms.WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw(version=found.current_version, actor=request.user, reason=form.cleaned_data["reason"])
        except services.StandardsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                "Withdrawn. Nobody is asked or reminded to read it any more; who had acknowledged it is kept.",
            )
            return redirect("standards:document", pk)
    return render(
        request, "standards/withdraw.html", _base(request, form=form, document=found, version=found.current_version)
    )


@coordinator_required
def ask_more(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_document(request, pk)
    if found.current_version is None:
        raise Http404
    form = forms.AskMoreForm(request.POST or None, **_audience_kwargs(request))
    if request.method == "POST" and form.is_valid():
        try:
            added = services.ask_more(version=found.current_version, audience=form.audience(), actor=request.user)
        except services.StandardsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                "They have been asked to read and acknowledge it."
                if added
                else "Everyone you chose had already been asked.",
            )
            return redirect("standards:document", pk)
    return render(request, "standards/ask_more.html", _base(request, form=form, document=found))


@coordinator_required
@require_POST
def remind(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_document(request, pk)
    if found.current_version is None:
        raise Http404
    try:
        services.queue_reminders(version=found.current_version, actor=request.user)
    except services.StandardsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            "Reminders are on their way to everyone who has not acknowledged it yet "
            "(anyone already reminded today is not reminded twice).",
        )
    return redirect("standards:document", pk)


@coordinator_required
def departments(request: HttpRequest) -> HttpResponse:
    """The departments people are counted in, and a staff list that places members in them."""
    organisation = selectors.membership(request).organisation
    add_form = forms.DepartmentForm(request.POST if request.POST.get("form") == "department" else None)
    list_form = forms.StaffListForm(
        request.POST if request.POST.get("form") == "list" else None,
        request.FILES if request.POST.get("form") == "list" else None,
    )
    errors: list[tuple[int, str]] = []
    if request.method == "POST" and add_form.is_bound and add_form.is_valid():
        try:
            services.add_department(organisation=organisation, name=add_form.cleaned_data["name"], actor=request.user)
        except services.StandardsError as exc:
            add_form.add_error("name", str(exc))
        else:
            messages.success(request, "Department added.")
            return redirect("standards:departments")
    if request.method == "POST" and list_form.is_bound and list_form.is_valid():
        names = {d.name.casefold(): d.pk for d in selectors.departments_of(organisation)}
        upload = list_form.cleaned_data["staff_list"]
        checked = staff_list.check_staff_list(
            upload,
            filename=upload.name or "",
            departments=names,
            unknown_department="is not one of the organisation's departments (add it above first)",
        )
        if checked.clean:
            result = services.place_people(
                organisation=organisation,
                rows=[(row.email, row.department_id) for row in checked.rows],
                actor=request.user,
            )
            text = f"Departments recorded for {result.placed} {'member' if result.placed == 1 else 'members'}."
            if result.not_members:
                text += f" {len(result.not_members)} addresses on the list are not members here and were left out."
            messages.success(request, text)
            return redirect("standards:departments")
        errors = checked.errors[:50]
        list_form.add_error("staff_list", "The list has problems: nothing was recorded. Correct the lines below.")
    return render(
        request,
        "standards/departments.html",
        _base(
            request,
            add_form=add_form,
            list_form=list_form,
            errors=errors,
            departments=selectors.department_sizes(organisation),
        ),
    )


# ---------------------------------------------------------------- report and files


@report_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    organisation = selectors.membership(request).organisation
    return render(request, "standards/report.html", _base(request, report=selectors.report(organisation)))


def _exported(request: HttpRequest, fmt: str) -> selectors.Report:
    organisation = selectors.membership(request).organisation
    found = selectors.report(organisation)
    with transaction.atomic():
        audit.record(
            action="saferwork.standards.report_exported",
            actor=request.user,
            organisation=organisation,
            data={"format": fmt},
        )
    return found


@report_required
@sudo_required
@require_GET
def report_csv(request: HttpRequest) -> HttpResponse:
    found = _exported(request, "csv")
    response = StreamingHttpResponse(csv_lines(found.csv_rows()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="acknowledgements-{timezone.localdate():%Y-%m-%d}.csv"'
    return response  # type: ignore[return-value]


def _xlsx_file(found: selectors.Report) -> IO[bytes]:
    """Written in openpyxl's write-only mode to a temporary file the response streams and
    closes (as surveys and reach do); every row through ``SafeSheet``."""
    about = [["SaferWork acknowledgement of behavioural standards and policies"], [found.footnote]]
    sections: list[tuple[str, Iterable[Any]]] = [
        (f"{number} {title}", chain([[title]], rows))
        for number, (title, rows) in enumerate(found.export_sections(), start=1)
    ]
    return workbook_file([("About", about), *sections])


@report_required
@sudo_required
@require_GET
def report_xlsx(request: HttpRequest) -> HttpResponse:
    found = _exported(request, "xlsx")
    return FileResponse(  # type: ignore[return-value]
        _xlsx_file(found),
        as_attachment=True,
        filename=f"acknowledgements-{timezone.localdate():%Y-%m-%d}.xlsx",
        content_type=XLSX,
    )
