"""Policy audits against the checklists, and the duty record with its exports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from saferwork.accounts.decorators import sudo_required
from saferwork.actions import selectors as action_selectors
from saferwork.audit import services as audit_log
from saferwork.duty import documents, selectors, services
from saferwork.duty.forms import AnswerForm, CompareForm, PeriodForm, StartAuditForm
from saferwork.duty.models import PolicyAudit
from saferwork.duty.record import duty_record
from saferwork.lib.dutysteps import Step
from saferwork.organisations.permissions import role_required
from saferwork.organisations.switching import offers_other_organisation

AUDIT_ROLES = ("is_leader", "is_coordinator")
RECORD_ROLES = ("is_leader", "is_coordinator", "is_programme_admin")
audit_required = role_required(*AUDIT_ROLES)
record_required = role_required(*RECORD_ROLES)


@offers_other_organisation
def get_audit_for_user(request: HttpRequest, pk: int) -> PolicyAudit:
    """The audit, if it belongs to the current organisation; 404 otherwise."""
    organisation = getattr(request, "organisation", None)
    audit = (
        PolicyAudit.objects.for_organisation(organisation)
        .select_related("organisation", "checklist", "created_by")
        .filter(pk=pk)
        .first()
        if organisation is not None
        else None
    )
    if audit is None:
        raise Http404
    return audit


@audit_required
@require_http_methods(["GET", "POST"])
def audits(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    form = StartAuditForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            audit = services.start_audit(
                organisation=organisation,
                checklist=form.cleaned_data["checklist"],
                size=form.cleaned_data["size"],
                carry_from=form.cleaned_data["carry_from"],
                actor=request.user,
            )
        except services.AuditError as exc:
            form.add_error("carry_from", str(exc))
        else:
            messages.success(request, "Audit started")
            return redirect("duty:audit", audit.pk)
    return render(
        request,
        "duty/audits.html",
        {"form": form, "audits": list(selectors.audits_for(organisation)), "checklists": selectors.latest_checklists()},
    )


@audit_required
@require_GET
def audit(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_audit_for_user(request, pk)
    rows = selectors.rows_for(found)
    sections: dict[str, list[selectors.Row]] = {}
    for row in rows:
        sections.setdefault(row.item.section, []).append(row)
    answered = sum(1 for r in rows if r.answer)
    return render(
        request,
        "duty/audit.html",
        {
            "audit": found,
            "sections": sections,
            "answered": answered,
            "total": len(rows),
            "gaps": sum(1 for r in rows if r.answer and r.answer.is_gap),
            "unconfirmed": sum(1 for r in rows if not r.item.confirmed),
        },
    )


def _item(audit: PolicyAudit, item_id: str) -> Any:
    item = audit.checklist.items.filter(item_id=item_id).first()
    if item is None or not item.applies_to(audit.organisation.kind, audit.size):
        raise Http404
    return item


@audit_required
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, pk: int, item_id: str) -> HttpResponse:
    found = get_audit_for_user(request, pk)
    item = _item(found, item_id)
    current = found.answers.filter(item=item).first()
    initial = {"status": current.status, "note": current.note, "evidence_url": current.evidence_url} if current else {}
    form = AnswerForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST":
        if found.is_complete:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.answer_item(
                    audit=found,
                    item=item,
                    status=data["status"],
                    note=data["note"],
                    evidence_url=data["evidence_url"],
                    upload=data["evidence_file"],
                    remove_file=data["remove_file"],
                    actor=request.user,
                )
            except services.AuditError as exc:
                form.add_error("evidence_file", str(exc))
            else:
                messages.success(request, f"Answer saved for {item.item_id}")
                return redirect("duty:audit", found.pk)
    return render(request, "duty/answer.html", {"audit": found, "item": item, "answer": current, "form": form})


@audit_required
@require_GET
def answer_file(request: HttpRequest, pk: int, item_id: str) -> HttpResponse:
    found = get_audit_for_user(request, pk)
    current = found.answers.filter(item__item_id=item_id).first()
    if current is None or not current.evidence_file:
        raise Http404
    return FileResponse(  # type: ignore[return-value]
        current.evidence_file.open("rb"),
        as_attachment=True,
        filename=current.evidence_file_name or "evidence",
        content_type=current.evidence_content_type or "application/octet-stream",
    )


@audit_required
@require_GET
def gaps(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_audit_for_user(request, pk)
    rows = [r for r in selectors.rows_for(found) if r.answer and r.answer.is_gap]
    return render(request, "duty/gaps.html", {"audit": found, "rows": rows})


@audit_required
@require_POST
def gap_action(request: HttpRequest, pk: int, answer_pk: int) -> HttpResponse:
    found = get_audit_for_user(request, pk)
    gap = found.answers.filter(pk=answer_pk).select_related("item", "audit").first()
    if gap is None:
        raise Http404
    try:
        action = services.gap_to_action(answer=gap, actor=request.user)
    except services.AuditError as exc:
        messages.error(request, str(exc))
        return redirect("duty:gaps", found.pk)
    messages.success(request, f"Action made, due {action.due_on:%-d %B %Y}: change its owner or date on its page")
    return redirect("duty:gaps", found.pk)


@audit_required
@require_POST
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_audit_for_user(request, pk)
    services.complete_audit(audit=found, actor=request.user)
    messages.success(request, "Audit completed: it is kept as it stands, dated today")
    return redirect("duty:audit", found.pk)


@audit_required
@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    form = CompareForm(request.GET or None, organisation=request.organisation)  # type: ignore[attr-defined]
    comparison = selectors.compare(form.cleaned_data["first"], form.cleaned_data["second"]) if form.is_valid() else None
    return render(request, "duty/compare.html", {"form": form, "comparison": comparison})


# ---------------------------------------------------------------- the duty record


def _period(request: HttpRequest) -> tuple[PeriodForm, dt.date, dt.date, bool]:
    today = action_selectors.today_for(request.organisation)  # type: ignore[attr-defined]
    default_start = dt.date(today.year - 1, today.month, 1)
    form = PeriodForm(request.GET or None, today=today)
    if request.GET and form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"], True
    if not request.GET:
        form = PeriodForm(initial={"start": default_start, "end": today}, today=today)
    return form, default_start, today, not request.GET


def _steps_html(steps: tuple[Step, ...]) -> SafeString:
    """A section's steps as list items, every value escaped. Written here rather than in a
    template loop: a module lists up to ``MAX_STEPS`` of them and the template engine would
    take most of the page's time over them (same markup as the template's other lists)."""
    items = []
    for step in steps:
        title = format_html('<a class="govuk-link" href="{}">{}</a>', step.url, step.title) if step.url else step.title
        parts = [format_html("<strong>{}</strong>: {}", f"{step.on:%-d %B %Y}", title)]
        if step.detail:
            parts.append(format_html('<br><span class="govuk-body-s">{}</span>', step.detail))
        parts += [format_html('<br><span class="govuk-body-s">Evidence: {}</span>', e) for e in step.evidence]
        items.append(format_html('<li class="govuk-!-margin-bottom-3">{}</li>', format_html_join("", "{}", zip(parts))))
    return format_html_join("\n", "{}", zip(items))


@record_required
@require_GET
def record(request: HttpRequest) -> HttpResponse:
    form, start, end, ok = _period(request)
    found = duty_record(request.organisation, start, end) if ok else None  # type: ignore[attr-defined]
    query = f"start={start.isoformat()}&end={end.isoformat()}"
    sections = [(s, _steps_html(s.steps)) for s in found.sections] if found else []
    return render(request, "duty/record.html", {"form": form, "record": found, "query": query, "sections": sections})


@record_required
@sudo_required
@require_GET
def record_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in {"docx", "pdf"}:
        raise Http404
    try:
        start = dt.date.fromisoformat(request.GET.get("start", ""))
        end = dt.date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        raise Http404 from None
    if start > end:
        raise Http404
    organisation = request.organisation  # type: ignore[attr-defined]
    found = duty_record(organisation, start, end)
    content = documents.docx_bytes(found) if fmt == "docx" else documents.pdf_bytes(found)
    with transaction.atomic():
        audit_log.record(
            action="saferwork.duty_record.exported",
            actor=request.user,
            organisation=organisation,
            data={"format": fmt, "start": start.isoformat(), "end": end.isoformat(), "steps": found.step_count},
        )
    response = HttpResponse(content, content_type=documents.DOCX_MIME if fmt == "docx" else "application/pdf")
    response["Content-Disposition"] = f'attachment; filename="duty-record-{start:%Y-%m-%d}-to-{end:%Y-%m-%d}.{fmt}"'
    return response
