from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from saferwork.actions.forms import OwnerChoiceField
from saferwork.actions.selectors import possible_owners
from saferwork.core.widgets import GovukDateField
from saferwork.organisations.models import Organisation
from saferwork.risk import library
from saferwork.risk.models import Assessment, Hazard

NO_PERSONAL = "Do not include anything that identifies a person who reported or answered a survey."


def _rating(label: str, choices: list[tuple[int, str]], what: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[("", "Select")] + choices,  # type: ignore[operator]
        coerce=int,
        error_messages={"required": f"Select the {what}", "invalid_choice": f"Choose the {what} from the list"},
    )


class AssessmentForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of assessment",
        choices=Assessment.Kind.choices,
        widget=forms.RadioSelect,
        help_text="The corporate assessment covers the whole organisation; an activity assessment covers one "
        "department, service or activity and is owned by its manager.",
        error_messages={"required": "Select the kind of assessment"},
    )
    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter a title"})
    department = forms.CharField(label="Department or service (optional)", required=False, max_length=100)
    owner = OwnerChoiceField(
        label="Owner",
        queryset=None,
        empty_label="Select a person",
        help_text="The manager responsible for the assessment and its reviews.",
        error_messages={
            "required": "Select who owns this assessment",
            "invalid_choice": "Select an owner from the list",
        },
    )
    scope = forms.CharField(
        label="What it covers (optional)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=NO_PERSONAL,
    )
    review_on = GovukDateField(label="Review by", error_messages={"required": "Enter the review date"})

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = possible_owners(organisation)


class AssessmentEditForm(AssessmentForm):
    """What the assessment is about and who owns it; the review date changes by recording a review."""

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, organisation=organisation, **kwargs)
        del self.fields["review_on"]


class ShareForm(forms.Form):
    person = OwnerChoiceField(
        label="Share with",
        queryset=None,
        empty_label="Select a person",
        help_text="They can read this assessment but not change it.",
        error_messages={"required": "Select who to share it with", "invalid_choice": "Select a person from the list"},
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["person"]).queryset = possible_owners(organisation)


class ReviewForm(forms.Form):
    note = forms.CharField(
        label="What the review found (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=NO_PERSONAL,
    )
    next_review_on = GovukDateField(label="Next review by", error_messages={"required": "Enter the next review date"})


class HazardForm(forms.Form):
    title = forms.CharField(label="Hazard", max_length=200, error_messages={"required": "Enter the hazard"})
    description = forms.CharField(
        label="How could harm happen? (optional)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=NO_PERSONAL,
    )
    who = forms.MultipleChoiceField(
        label="Who might be harmed",
        choices=library.WHO_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select who might be harmed"},
    )
    factors = forms.MultipleChoiceField(
        label="Risk factors (optional)", required=False, choices=(), widget=forms.CheckboxSelectMultiple
    )
    source = forms.ChoiceField(
        label="Where the risk comes from",
        choices=Hazard.Source.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select where the risk comes from"},
    )
    existing_precautions = forms.CharField(
        label="Precautions already in place (optional)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, matrix: library.Matrix, with_current: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["factors"]).choices = library.factor_choices()
        ratings = [("inherent", "with no precautions"), ("current", "now"), ("target", "to aim for")]
        for prefix, words in ratings if with_current else [r for r in ratings if r[0] != "current"]:
            self.fields[f"{prefix}_likelihood"] = _rating(
                f"Likelihood {words}", matrix.likelihood_choices(), f"likelihood {words}"
            )
            self.fields[f"{prefix}_severity"] = _rating(
                f"Severity {words}", matrix.severity_choices(), f"severity {words}"
            )


class ControlForm(forms.Form):
    description = forms.CharField(
        label="Control",
        max_length=300,
        error_messages={"required": "Enter the control"},
        help_text="A precaution that lowers the risk, for example: two people on every night visit.",
    )
    owner = OwnerChoiceField(
        label="Owner",
        queryset=None,
        empty_label="Select a person",
        error_messages={"required": "Select who owns this control", "invalid_choice": "Select an owner from the list"},
    )
    due_on = GovukDateField(label="Due date", error_messages={"required": "Enter the due date"})
    evidence_note = forms.CharField(
        label="Evidence it is in place (optional)",
        required=False,
        max_length=500,
        help_text="What will show it is done. Files and links go on its action.",
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = possible_owners(organisation)


class RerateForm(forms.Form):
    note = forms.CharField(
        label="Why the rating changed (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, matrix: library.Matrix, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["likelihood"] = _rating("Likelihood now", matrix.likelihood_choices(), "likelihood now")
        self.fields["severity"] = _rating("Severity now", matrix.severity_choices(), "severity now")


class AcceptForm(forms.Form):
    assessment: forms.ModelChoiceField[Assessment] = forms.ModelChoiceField(
        label="Add the hazard to",
        queryset=None,
        empty_label="Select an assessment",
        error_messages={"required": "Select an assessment", "invalid_choice": "Select an assessment from the list"},
    )
    reason = forms.CharField(
        label="Why you accept it",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter why you accept it"},
    )

    def __init__(self, *args: Any, assessments: QuerySet[Assessment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["assessment"]).queryset = assessments
        matrix = library.current_matrix()
        self.fields["likelihood"] = _rating("Likelihood", matrix.likelihood_choices(), "likelihood")
        self.fields["severity"] = _rating("Severity", matrix.severity_choices(), "severity")


class DismissForm(forms.Form):
    reason = forms.CharField(
        label="Why you dismiss it",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter why you dismiss it"},
    )


class DeleteAssessmentForm(forms.Form):
    """Asked only when actions made from the assessment's controls are still open."""

    open_actions = forms.ChoiceField(
        label="What should happen to its open actions?",
        choices=[
            ("keep", "Keep them open in the actions hub: the work still needs doing"),
            ("cancel", "Cancel them: the assessment was made by mistake or is covered elsewhere"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select what should happen to its open actions"},
    )
