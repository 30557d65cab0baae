from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from saferwork.accounts.decorators import sudo_required
from saferwork.audit import services as audit
from saferwork.lib import ratelimit
from saferwork.organisations.permissions import programme_admin_required, role_required
from saferwork.reach import exports, services
from saferwork.reach.forms import DataRequestForm, ErasureForm, PeriodForm, ProgrammeFiltersForm
from saferwork.reach.selectors import ReachReport, chart_for, reach_report

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(request: HttpRequest, report: ReachReport, form: Any, *, scope: str, export_base: str) -> HttpResponse:
    for breakdown in report.breakdowns:
        breakdown.svg = chart_for(breakdown, threshold=report.threshold) if breakdown.chart else None
    query = request.GET.urlencode()
    return render(
        request,
        "reach/dashboard.html",
        {
            "report": report,
            "form": form,
            "scope": scope,
            "csv_url": f"{export_base}export.csv" + (f"?{query}" if query else ""),
            "xlsx_url": f"{export_base}export.xlsx" + (f"?{query}" if query else ""),
        },
    )


def _programme_report(request: HttpRequest) -> tuple[ReachReport, ProgrammeFiltersForm]:
    form = ProgrammeFiltersForm(request.GET or None)
    return reach_report(form.filters(), with_trainers=True), form


def _organisation_report(request: HttpRequest) -> tuple[ReachReport, PeriodForm]:
    form = PeriodForm(request.GET or None)
    return reach_report(form.filters(), organisation=request.organisation), form  # type: ignore[attr-defined]


@programme_admin_required
@require_GET
def programme_dashboard(request: HttpRequest) -> HttpResponse:
    report, form = _programme_report(request)
    return _page(request, report, form, scope="Programme-wide", export_base="/programme/reach/")


@role_required("is_coordinator", "is_leader")
@require_GET
def organisation_dashboard(request: HttpRequest) -> HttpResponse:
    report, form = _organisation_report(request)
    return _page(request, report, form, scope=request.organisation.name, export_base="/reach/")  # type: ignore[attr-defined]


def _exported(request: HttpRequest, fmt: str, scope: str) -> None:
    with transaction.atomic():
        audit.record(
            action="saferwork.reach.exported",
            actor=request.user,
            organisation=request.organisation,  # type: ignore[attr-defined]
            data={"format": fmt, "scope": scope, "filters": request.GET.dict()},
        )


def _csv(report: ReachReport, scope: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(exports.csv_stream(report, scope=scope), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reach-{timezone.localdate():%Y-%m-%d}.csv"'
    return response


def _xlsx(report: ReachReport, scope: str) -> FileResponse:
    return FileResponse(
        exports.xlsx_file(report, scope=scope),
        as_attachment=True,
        filename=f"reach-{timezone.localdate():%Y-%m-%d}.xlsx",
        content_type=XLSX,
    )


@programme_admin_required
@sudo_required
@require_GET
def programme_export(request: HttpRequest, fmt: str) -> HttpResponse:
    report, _form = _programme_report(request)
    _exported(request, fmt, "programme")
    # The decorators expect HttpResponse; streaming responses serve the same purpose.
    return _csv(report, "Programme-wide") if fmt == "csv" else _xlsx(report, "Programme-wide")  # type: ignore[return-value]


@role_required("is_coordinator", "is_leader")
@sudo_required
@require_GET
def organisation_export(request: HttpRequest, fmt: str) -> HttpResponse:
    report, _form = _organisation_report(request)
    name = request.organisation.name  # type: ignore[attr-defined]
    _exported(request, fmt, "organisation")
    return _csv(report, name) if fmt == "csv" else _xlsx(report, name)  # type: ignore[return-value]


# ---------------------------------------------------------------- a participant's own data (no account)


@never_cache
@require_http_methods(["GET", "POST"])
def my_data(request: HttpRequest) -> HttpResponse:
    form = DataRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        address = ratelimit.client_address(request)
        limit = settings.RATE_LIMIT_DATA_REQUEST
        if ratelimit.is_limited("data-request", address, limit):
            return render(request, "reach/my_data.html", {"form": form, "limited": True}, status=429)
        if form.is_valid():
            ratelimit.hit("data-request", address, limit)
            services.send_data_access_link(email=form.cleaned_data["email"])
            return render(request, "reach/my_data_sent.html", {"hours": settings.DATA_ACCESS_LINK_HOURS})
    return render(request, "reach/my_data.html", {"form": form})


def _access_or_gone(request: HttpRequest, token: str) -> Any:
    access = services.get_data_access(token)
    if access is None:
        return None, render(request, "reach/my_data_expired.html", status=404)
    return access, None


@never_cache
@require_http_methods(["GET", "POST"])
def my_data_access(request: HttpRequest, token: str) -> HttpResponse:
    access, gone = _access_or_gone(request, token)
    if gone:
        return gone
    form = ErasureForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = services.erase_on_request(access=access, keep_badges=form.cleaned_data["keep_badges"])
        return render(request, "reach/my_data_erased.html", {"result": result})
    records = services.participant_records(access.email)
    return render(request, "reach/my_data_access.html", {"form": form, "records": records, "token": token})


@never_cache
@require_GET
def my_data_download(request: HttpRequest, token: str) -> HttpResponse:
    access, gone = _access_or_gone(request, token)
    if gone:
        return gone
    response = HttpResponse(
        json.dumps(services.data_export(access.email), indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="my-saferwork-data.json"'
    return response
