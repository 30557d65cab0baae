from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from saferwork.audit.models import AuditEntry
from saferwork.organisations.models import Organisation
from saferwork.organisations.permissions import programme_admin_required


class AuditFilterForm(forms.Form):
    action = forms.CharField(label="Action contains", required=False)
    actor = forms.CharField(label="Person's email contains", required=False)
    organisation = forms.ModelChoiceField(
        label="Organisation", queryset=Organisation.objects.order_by("name"), required=False, empty_label="Any"
    )
    since = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "The end date must be the same as or after the start date")
        return data


@programme_admin_required
def audit_list(request: HttpRequest) -> HttpResponse:
    """Read-only list of everything the audit log holds, newest first."""
    form = AuditFilterForm(request.GET or None)
    entries = AuditEntry.objects.select_related("actor", "organisation")
    if form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            entries = entries.filter(action__icontains=data["action"])
        if data["actor"]:
            entries = entries.filter(actor__email__icontains=data["actor"])
        if data["organisation"]:
            entries = entries.filter(organisation=data["organisation"])
        tz = timezone.get_current_timezone()
        if data["since"]:
            entries = entries.filter(created_at__gte=datetime.combine(data["since"], time.min, tzinfo=tz))
        if data["until"]:
            entries = entries.filter(created_at__lte=datetime.combine(data["until"], time.max, tzinfo=tz))
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/list.html", {"form": form, "page": page, "query": query.urlencode()})
