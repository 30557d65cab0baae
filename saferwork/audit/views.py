from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time
from typing import Any

from django import forms
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from saferwork.accounts.decorators import sudo_required
from saferwork.audit import services as audit
from saferwork.audit.models import AuditEntry
from saferwork.core.widgets import GovukDateField
from saferwork.lib.csvstream import csv_lines
from saferwork.lib.pagination import peek_page
from saferwork.lib.widgets import PlainSelect
from saferwork.organisations.models import Organisation
from saferwork.organisations.permissions import programme_admin_required


class AuditFilterForm(forms.Form):
    action = forms.CharField(label="Action contains", required=False)
    actor = forms.CharField(label="Person's email contains", required=False)
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.only("id", "name").order_by("name"),
        required=False,
        empty_label="Any",
        widget=PlainSelect,  # every organisation: one pass, not a template per option
    )
    since = GovukDateField(label="From", required=False)
    until = GovukDateField(label="To", required=False)

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "The end date must be the same as or after the start date")
        return data


def _action_filter(text: str) -> dict[str, Any]:
    """ "Action contains": on PostgreSQL, the actions that contain ``text`` (any case), then their entries.

    A ``LIKE '%…%'`` can use no index, and the planner, guessing few matches, scanned and
    sorted the whole log (190 ms for 66,000 rows). Actions are a few dozen names from the
    code: they are read by skipping through the action index (one probe per name), matched
    here as ``UPPER(…) LIKE`` would match them, and the page read off the index of
    (action, newest first).
    """
    if connection.vendor != "postgresql":
        return {"action__icontains": text}
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH RECURSIVE names AS (
                (SELECT action FROM {table} ORDER BY action LIMIT 1)
                UNION ALL
                SELECT (SELECT action FROM {table} WHERE action > names.action ORDER BY action LIMIT 1)
                FROM names WHERE names.action IS NOT NULL
            ) SELECT action FROM names WHERE action IS NOT NULL"""  # noqa: S608
        )
        names = [name for (name,) in cursor.fetchall()]
    wanted = text.upper()
    return {"action__in": [name for name in names if wanted in name.upper()]}


def _filtered_entries(request: HttpRequest) -> tuple[AuditFilterForm, QuerySet[AuditEntry]]:
    form = AuditFilterForm(request.GET or None)
    entries = AuditEntry.objects.select_related("actor", "organisation")
    if form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            found = _action_filter(data["action"])
            names = found.get("action__in", ())
            if len(names) == 1:
                # One action: its entries read newest first off the (action, newest) index.
                # Written as a range, not "=", so PostgreSQL keeps "action" in the sort and
                # only that index gives the order; with "=" the planner, guessing the
                # action's entries spread evenly through time, walked the newest-first
                # index past every other entry (60 ms when they are all old).
                entries = entries.filter(action__gte=names[0], action__lte=names[0])
                entries = entries.order_by("action", "-created_at", "-id")
            else:
                entries = entries.filter(**found)
        if data["actor"]:
            entries = entries.filter(actor__email__icontains=data["actor"])
        if data["organisation"]:
            entries = entries.filter(organisation=data["organisation"])
        tz = timezone.get_current_timezone()
        if data["since"]:
            entries = entries.filter(created_at__gte=datetime.combine(data["since"], time.min, tzinfo=tz))
        if data["until"]:
            entries = entries.filter(created_at__lte=datetime.combine(data["until"], time.max, tzinfo=tz))
    return form, entries


@programme_admin_required
def audit_list(request: HttpRequest) -> HttpResponse:
    """Read-only list of everything the audit log holds, newest first."""
    form, entries = _filtered_entries(request)
    # No exact count of a log this long: the page and whether another follows, in one query.
    # People and organisations come in two small queries for the page's rows, not joined
    # to every matching entry before the sort (a "contains" filter can match thousands).
    entries = entries.select_related(None).prefetch_related("actor", "organisation")
    page = peek_page(entries, 50, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/list.html", {"form": form, "page": page, "query": query.urlencode()})


def _csv_rows(entries: QuerySet[AuditEntry]) -> Iterator[list[str]]:
    yield ["when", "action", "who", "organisation", "target type", "target id", "target"]
    # iterator() with a chunk size streams rows from the database cursor: a log of any
    # length is never held in memory whole.
    for entry in entries.values_list(
        "created_at", "action", "actor__email", "organisation__name", "target_type", "target_id", "target_label"
    ).iterator(chunk_size=2000):
        when, *rest = entry
        yield [timezone.localtime(when).isoformat(timespec="seconds"), *(v or "" for v in rest)]


@require_GET
@programme_admin_required
@sudo_required
def audit_export(request: HttpRequest) -> Any:
    """The filtered audit log as CSV, streamed row by row."""
    _form, entries = _filtered_entries(request)
    with transaction.atomic():
        audit.record(
            action="saferwork.audit.exported",
            actor=request.user,
            organisation=getattr(request, "organisation", None),
            data={"filters": {k: v for k, v in request.GET.items() if v}},
        )
    response = StreamingHttpResponse(
        csv_lines(_csv_rows(entries.order_by("created_at", "id"))), content_type="text/csv"
    )
    response["Content-Disposition"] = 'attachment; filename="saferwork-audit-log.csv"'
    response["Cache-Control"] = "no-store"
    return response
