from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from saferwork.fees import documents, services
from saferwork.fees.forms import DocumentForm, LineForm
from saferwork.fees.models import FeeDocument, pounds
from saferwork.organisations.switching import offers_other_organisation
from saferwork.training.models import Enquiry
from saferwork.training.selectors import is_coordinator_of, trainer_profile_for


@dataclass
class DocumentAccess:
    document: FeeDocument
    is_trainer: bool  # the trainer who wrote it
    is_organisation: bool  # a coordinator of the organisation it is addressed to

    @property
    def can_edit(self) -> bool:
        return self.is_trainer and self.document.is_draft


@offers_other_organisation
def get_document_for_user(request: HttpRequest, pk: int) -> DocumentAccess:
    """The trainer who wrote it, or (once sent) the organisation's coordinators; anyone else 404."""
    document = FeeDocument.objects.select_related("organisation", "enquiry", "trainer__user").filter(pk=pk).first()
    if document is None:
        raise Http404
    trainer = trainer_profile_for(request)
    access = DocumentAccess(
        document=document,
        is_trainer=trainer is not None and document.trainer_id == trainer.pk,
        is_organisation=is_coordinator_of(request, document.organisation_id) and not document.is_draft,
    )
    if not (access.is_trainer or access.is_organisation):
        raise Http404
    return access


@login_required
def index(request: HttpRequest) -> HttpResponse:
    trainer = trainer_profile_for(request)
    membership = getattr(request, "membership", None)
    query = Q(pk__in=[])
    if trainer is not None:
        query |= Q(trainer=trainer)
    if membership is not None and is_coordinator_of(request, membership.organisation_id):
        query |= Q(organisation_id=membership.organisation_id) & ~Q(state=FeeDocument.State.DRAFT)
    rows = list(
        FeeDocument.objects.filter(query)
        .select_related("organisation", "trainer__user", "enquiry")
        .prefetch_related("lines")[:200]
    )
    bookings = (
        Enquiry.objects.filter(assignments__trainer=trainer, introduced_at__isnull=False, organisation__isnull=False)
        .select_related("organisation")
        .order_by("-created_at")
        if trainer is not None
        else Enquiry.objects.none()
    )
    return render(
        request,
        "fees/index.html",
        {"documents": [(d, pounds(d.total_pence(list(d.lines.all())))) for d in rows], "bookings": bookings},
    )


@login_required
@require_POST
def start(request: HttpRequest, enquiry_pk: int, kind: str) -> HttpResponse:
    trainer = trainer_profile_for(request)
    enquiry = (
        Enquiry.objects.filter(pk=enquiry_pk, assignments__trainer=trainer, introduced_at__isnull=False).first()
        if trainer is not None
        else None
    )
    if enquiry is None or kind not in FeeDocument.Kind.values or trainer is None:
        raise Http404
    try:
        document = services.start_document(enquiry=enquiry, trainer=trainer, kind=kind, actor=request.user)
    except services.FeeError as error:
        messages.error(request, str(error))
        return redirect("fees:index")
    return redirect("fees:detail", pk=document.pk)


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_document_for_user(request, pk)
    document = access.document
    lines = list(document.lines.all())
    form = DocumentForm(
        request.POST if request.method == "POST" and "save_document" in request.POST else None,
        initial={"days": document.days, "day_rate": f"{document.day_rate_pence / 100:.2f}", "notes": document.notes},
    )
    line_form = LineForm(
        request.POST if request.method == "POST" and "add_line" in request.POST else None,
        request.FILES if request.method == "POST" and "add_line" in request.POST else None,
    )
    if request.method == "POST":
        if not access.can_edit:
            raise Http404
        try:
            if "save_document" in request.POST and form.is_valid():
                services.update_document(
                    document=document,
                    days=form.cleaned_data["days"],
                    day_rate_pence=form.cleaned_data["day_rate"],
                    notes=form.cleaned_data["notes"],
                    actor=request.user,
                )
                messages.success(request, "Saved.")
                return redirect("fees:detail", pk=pk)
            if "add_line" in request.POST and line_form.is_valid():
                services.add_line(
                    document=document,
                    kind=line_form.cleaned_data["kind"],
                    description=line_form.cleaned_data["description"],
                    amount_pence=line_form.cleaned_data["amount"],
                    receipt=line_form.cleaned_data.get("receipt"),
                    actor=request.user,
                )
                messages.success(request, "Line added.")
                return redirect("fees:detail", pk=pk)
        except services.FeeError as error:
            (line_form if "add_line" in request.POST else form).add_error(None, str(error))
    return render(
        request,
        "fees/detail.html",
        {
            "access": access,
            "document": document,
            "lines": [(line, pounds(line.amount_pence)) for line in lines],
            "fee": pounds(document.fee_pence),
            "day_rate": pounds(document.day_rate_pence),
            "total": pounds(document.total_pence(lines)),
            "form": form,
            "line_form": line_form,
        },
    )


@login_required
@require_POST
def remove_line(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    access = get_document_for_user(request, pk)
    line = access.document.lines.filter(pk=line_pk).first()
    if line is None or not access.can_edit:
        raise Http404
    services.remove_line(line=line, actor=request.user)
    return redirect("fees:detail", pk=pk)


@login_required
@require_POST
def send(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_document_for_user(request, pk)
    if not access.can_edit:
        raise Http404
    services.send_document(document=access.document, actor=request.user)
    messages.success(request, f"{access.document.get_kind_display()} sent to {access.document.organisation.name}.")
    return redirect("fees:detail", pk=pk)


@login_required
@require_POST
def paid(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_document_for_user(request, pk)
    if not access.is_trainer:
        raise Http404
    try:
        services.mark_paid(document=access.document, actor=request.user)
    except services.FeeError as error:
        messages.error(request, str(error))
    return redirect("fees:detail", pk=pk)


@login_required
def receipt(request: HttpRequest, pk: int, line_pk: int) -> FileResponse:
    access = get_document_for_user(request, pk)
    line = access.document.lines.filter(pk=line_pk).exclude(receipt="").first()
    if line is None:
        raise Http404
    return FileResponse(line.receipt.open("rb"), as_attachment=True, filename=line.receipt_name or "receipt")


@login_required
def download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    access = get_document_for_user(request, pk)
    document = access.document
    if fmt == "docx":
        body = documents.docx_bytes(document)
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        body = documents.pdf_bytes(document)
        content_type = "application/pdf"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.reference}.{fmt}"'
    return response
