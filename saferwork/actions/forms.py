from __future__ import annotations

from typing import Any, cast

from django import forms

from saferwork.actions import selectors, sources
from saferwork.actions.models import Action
from saferwork.actions.services import EVIDENCE_TYPES, MAX_EVIDENCE_BYTES, ActionError, check_evidence_url
from saferwork.core.widgets import GovukDateField
from saferwork.lib.filecleaning import describe
from saferwork.organisations.models import Organisation


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.email})" if obj.full_name else obj.email


class ActionForm(forms.Form):
    title = forms.CharField(
        label="What needs to be done", max_length=200, error_messages={"required": "Enter what needs to be done"}
    )
    description = forms.CharField(
        label="Details (optional)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why it matters and what done looks like. Do not include anything that identifies a person "
        "who reported or answered a survey.",
    )
    department = forms.CharField(
        label="Department or service (optional)",
        required=False,
        max_length=100,
        help_text="For example, Housing or Waste and recycling.",
    )
    owner = OwnerChoiceField(
        label="Owner",
        queryset=None,
        empty_label="Select a person",
        help_text="The person who makes sure it is done. They get a reminder when it is overdue.",
        error_messages={"required": "Select who owns this action", "invalid_choice": "Select an owner from the list"},
    )
    due_on = GovukDateField(label="Due date", error_messages={"required": "Enter the due date"})

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = selectors.possible_owners(organisation)  # type: ignore[attr-defined]


STATUS_CHOICES = Action.Status.choices


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        choices=STATUS_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a status"},
    )
    note = forms.CharField(
        label="Note for the history (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example, what was done or why it was cancelled. 500 characters or fewer.",
    )


class EvidenceFileForm(forms.Form):
    file = forms.FileField(
        label="File", error_messages={"required": "Choose a file to upload", "empty": "The selected file is empty"}
    )
    file_label = forms.CharField(
        label="What it shows (optional)", required=False, max_length=200, help_text="For example, Minutes of 3 March"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            f"{describe(EVIDENCE_TYPES)}; {MAX_EVIDENCE_BYTES // (1024 * 1024)} MB or less. "
            "Hidden details such as the author, GPS position and editing history are removed."
        )


class EvidenceLinkForm(forms.Form):
    url = forms.CharField(
        label="Link",
        max_length=500,
        help_text="A page on another site (starting https://) or on SaferWork (starting /).",
        error_messages={"required": "Enter the link"},
    )
    link_label = forms.CharField(label="What it shows (optional)", required=False, max_length=200)

    def clean_url(self) -> str:
        try:
            return check_evidence_url(self.cleaned_data["url"])
        except ActionError as exc:
            raise forms.ValidationError(str(exc)) from exc


class FilterForm(forms.Form):
    status = forms.MultipleChoiceField(
        label="Status", required=False, choices=STATUS_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    owner = forms.TypedChoiceField(label="Owner", required=False, coerce=int, empty_value=None)
    source_kind = forms.ChoiceField(label="Comes from", required=False)
    overdue = forms.BooleanField(label="Only overdue actions", required=False)

    def __init__(self, *args: Any, organisation: Organisation, show_owner: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only people who own an action: a large organisation's every member would be a long list.
        owners = selectors.owners_of_actions(organisation).values_list("pk", "full_name", "email")
        owner_field = cast(forms.ChoiceField, self.fields["owner"])
        owner_field.choices = [("", "Anyone")] + [(pk, name or email) for pk, name, email in owners]
        kind_field = cast(forms.ChoiceField, self.fields["source_kind"])
        kind_field.choices = [("", "Anywhere")] + [(k.key, k.label) for k in sources.all_kinds()]
        if not show_owner:
            del self.fields["owner"]

    def filters(self) -> selectors.ActionFilters:
        if not self.is_valid():
            return selectors.ActionFilters()
        data = self.cleaned_data
        return selectors.ActionFilters(
            statuses=list(data.get("status") or []),
            owner_id=data.get("owner"),
            overdue=bool(data.get("overdue")),
            source_kind=data.get("source_kind") or "",
        )


class ReadAccessForm(forms.Form):
    user = OwnerChoiceField(
        label="Person",
        queryset=None,
        empty_label="Select a person",
        help_text="A member of the organisation without a leader or coordinator role, such as a union safety "
        "representative. They will see every action and its evidence, and change nothing.",
        error_messages={"required": "Select who gets read access", "invalid_choice": "Select a person from the list"},
    )
    reason = forms.CharField(
        label="Why they have access",
        max_length=200,
        initial="Union safety representative",
        error_messages={"required": "Enter why they have access"},
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (  # type: ignore[attr-defined]
            selectors.possible_owners(organisation)
            .exclude(memberships__organisation=organisation, memberships__is_leader=True)
            .exclude(memberships__organisation=organisation, memberships__is_coordinator=True)
        )
