from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from saferwork.actions.services import ActionError, check_evidence_url
from saferwork.core.widgets import GovukDateField
from saferwork.duty import selectors
from saferwork.duty.models import AuditAnswer, Checklist, OrganisationSize, PolicyAudit
from saferwork.duty.services import EVIDENCE_TYPES, MAX_EVIDENCE_BYTES
from saferwork.lib.filecleaning import describe
from saferwork.organisations.models import Organisation


class ChecklistField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} (version {obj.version})"


class AuditField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        state = f"completed {obj.completed_on:%-d %b %Y}" if obj.completed_on else "in progress"
        return f"{obj.checklist.title} v{obj.checklist.version}, started {obj.started_on:%-d %b %Y} ({state})"


class StartAuditForm(forms.Form):
    checklist = ChecklistField(
        label="Checklist",
        queryset=Checklist.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select a checklist", "invalid_choice": "Select a checklist from the list"},
    )
    size = forms.ChoiceField(
        label="How many workers does the organisation have?",
        choices=OrganisationSize.choices,
        widget=forms.RadioSelect,
        help_text="Some items apply only to larger organisations.",
        error_messages={"required": "Select how many workers the organisation has"},
    )
    carry_from = AuditField(
        label="Carry answers over from an earlier audit (optional)",
        queryset=PolicyAudit.objects.none(),
        required=False,
        empty_label="Start with no answers",
        help_text="Answers are matched by item, including items renamed in a newer version. You review each one.",
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        latest = [c.pk for c in selectors.latest_checklists()]
        self.fields["checklist"].queryset = Checklist.objects.filter(pk__in=latest).order_by("title")  # type: ignore[attr-defined]
        self.fields["carry_from"].queryset = PolicyAudit.objects.for_organisation(organisation).select_related(  # type: ignore[attr-defined]
            "checklist"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        checklist, carry_from = data.get("checklist"), data.get("carry_from")
        if checklist and carry_from and carry_from.checklist.key != checklist.key:
            self.add_error("carry_from", "Choose an earlier audit of the same checklist, or start with no answers")
        return data


class AnswerForm(forms.Form):
    status = forms.ChoiceField(
        label="Is this met?",
        choices=AuditAnswer.Status.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether this item is met"},
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What is in place and what is missing. Do not name anyone who reported or complained.",
    )
    evidence_url = forms.CharField(
        label="Link to the evidence (optional)",
        required=False,
        max_length=500,
        help_text="A SaferWork page (starting /), such as a training session or an action, or a page elsewhere "
        "starting https://.",
    )
    evidence_file = forms.FileField(label="Upload evidence (optional)", required=False)
    remove_file = forms.BooleanField(label="Remove the file uploaded before", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evidence_file"].help_text = (
            f"{describe(EVIDENCE_TYPES)}; {MAX_EVIDENCE_BYTES // (1024 * 1024)} MB or less. "
            "Hidden details such as the author and editing history are removed."
        )

    def clean_evidence_url(self) -> str:
        url = self.cleaned_data.get("evidence_url", "").strip()
        if not url:
            return ""
        try:
            return check_evidence_url(url)
        except ActionError as exc:
            raise forms.ValidationError(str(exc)) from exc


class CompareForm(forms.Form):
    first = AuditField(label="First audit", queryset=PolicyAudit.objects.none(), empty_label="Select an audit")
    second = AuditField(label="Second audit", queryset=PolicyAudit.objects.none(), empty_label="Select an audit")

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        audits = PolicyAudit.objects.for_organisation(organisation).select_related("checklist")
        self.fields["first"].queryset = audits  # type: ignore[attr-defined]
        self.fields["second"].queryset = audits  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("first") and data.get("second") and data["first"].checklist.key != data["second"].checklist.key:
            self.add_error("second", "Choose two audits of the same checklist")
        return data


class PeriodForm(forms.Form):
    start = GovukDateField(label="From", error_messages={"required": "Enter the first day of the period"})
    end = GovukDateField(label="To", error_messages={"required": "Enter the last day of the period"})

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "The last day must be the same as or after the first day")
        elif start and end and (end - start).days > 366 * 10:
            self.add_error("start", "The period must be 10 years or shorter")
        return data
