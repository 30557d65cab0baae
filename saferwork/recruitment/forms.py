from __future__ import annotations

from typing import Any, cast

from django import forms

from saferwork.core.widgets import PhoneField
from saferwork.recruitment.models import SCORE_MAX, SCORE_MIN, Application, Background, Criterion, Round, Stage
from saferwork.recruitment.services import word_count

REGIONS = [
    "East Midlands",
    "East of England",
    "London",
    "North East",
    "North West",
    "Northern Ireland",
    "Scotland",
    "South East",
    "South West",
    "Wales",
    "West Midlands",
    "Yorkshire and the Humber",
]

_DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class RoundForm(forms.ModelForm):
    class Meta:
        model = Round
        fields = [
            "title",
            "opens_at",
            "closes_at",
            "role_description",
            "task_prompt",
            "task_word_limit",
            "agreement_text",
            "disagreement_threshold",
        ]
        widgets = {"opens_at": _DT, "closes_at": _DT}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", "The closing date must be after the opening date.")
        return data


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = ["stage", "name", "question", "weight", "descriptor_1", "descriptor_2", "descriptor_3", "descriptor_4"]
        widgets = {"stage": forms.RadioSelect, "question": forms.Textarea(attrs={"rows": 2})}


class ExpertForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=200)
    email = forms.EmailField(label="Email address")


class StaffPanellistForm(forms.Form):
    user = forms.ChoiceField(label="Member of programme staff")

    def __init__(self, *args: Any, staff: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["user"]).choices = [("", "Choose a person")] + [
            (str(u.pk), f"{u} ({u.email})") for u in staff
        ]


class ApplicationForm(forms.ModelForm):
    """The public form. Saving a draft needs only an email address; submitting needs all."""

    REQUIRED_TO_SUBMIT = [
        "full_name",
        "email",
        "region",
        "background",
        "union_details",
        "experience_training",
        "experience_subject",
        "availability",
        "task_answer",
    ]

    region = forms.ChoiceField(label="Region", choices=[("", "Choose your region"), *[(r, r) for r in REGIONS]])
    background = forms.ChoiceField(
        label="Which best describes your link to the trade union movement?",
        choices=Background.choices,
        widget=forms.RadioSelect,
    )
    consent = forms.BooleanField(
        label="I agree that the programme may use the information in this application to assess it",
        help_text=(
            "Only programme staff and the independent experts on the panel read it. If you are not "
            "appointed, it is erased some months after the round closes; only counts are kept."
        ),
        required=False,
    )

    class Meta:
        model = Application
        fields = [
            "full_name",
            "email",
            "phone",
            "region",
            "background",
            "union_details",
            "experience_training",
            "experience_subject",
            "availability",
            "interview_adjustments",
            "task_answer",
            "consent",
        ]
        field_classes = {"phone": PhoneField}
        widgets = {
            "union_details": forms.Textarea(attrs={"rows": 4}),
            "experience_training": forms.Textarea(attrs={"rows": 5}),
            "experience_subject": forms.Textarea(attrs={"rows": 5}),
            "availability": forms.Textarea(attrs={"rows": 3}),
            "interview_adjustments": forms.Textarea(attrs={"rows": 3}),
            "task_answer": forms.Textarea(attrs={"rows": 16, "class": "govuk-js-character-count"}),
        }
        help_texts = {
            "phone": "Optional.",
            "union_details": "Which unions you belong to or work for, and your roles: employee, rep, activist, tutor.",
            "availability": "Roughly how many days a year, and any days of the week you cannot do.",
            "interview_adjustments": "Optional. Tell us anything we should arrange so you can take part fully.",
        }

    def __init__(self, *args: Any, round_: Round, submitting: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.round = round_
        self.submitting = submitting
        for name, field in self.fields.items():
            field.required = submitting and name in self.REQUIRED_TO_SUBMIT
        self.fields["email"].required = True
        self.fields["task_answer"].label = "Your answer to the written task"
        self.fields["task_answer"].help_text = f"Up to {round_.task_word_limit} words."

    def clean_task_answer(self) -> str:
        answer: str = self.cleaned_data.get("task_answer", "")
        words = word_count(answer)
        if self.submitting and words > self.round.task_word_limit:
            raise forms.ValidationError(
                f"Your answer must be {self.round.task_word_limit} words or fewer (it is {words} words)."
            )
        return answer

    def clean_consent(self) -> bool:
        consent = bool(self.cleaned_data.get("consent"))
        if self.submitting and not consent:
            raise forms.ValidationError("Tick the box to agree to how we use your information.")
        return consent


class ResumeRequestForm(forms.Form):
    email = forms.EmailField(label="Email address")


class ScoreForm(forms.Form):
    """One radio group per criterion, each choice showing its descriptor."""

    comment = forms.CharField(
        label="Notes for the moderation discussion (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, criteria: list[Criterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for c in criteria:
            label = c.name if not c.question else f"{c.name}: {c.question}"
            self.fields[f"criterion_{c.pk}"] = forms.TypedChoiceField(
                label=f"{label} (weight {c.weight})",
                choices=[(str(n), f"{n} – {text}") for n, text in c.descriptors],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": f"Score “{c.name}” from {SCORE_MIN} to {SCORE_MAX}."},
            )
        self.order_fields([f"criterion_{c.pk}" for c in criteria] + ["comment"])

    def values(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"criterion_{c.pk}"] for c in self.criteria}


class ConflictForm(forms.Form):
    reason = forms.CharField(
        label="Why you cannot score this application fairly",
        max_length=300,
        help_text="For example: you know the candidate, manage them or work closely with them.",
    )


class BulkForm(forms.Form):
    action = forms.ChoiceField(choices=[("shortlist", ""), ("not_shortlisted", ""), ("invite", "")])
    ids = forms.CharField()

    def id_list(self) -> list[int]:
        return [int(x) for x in self.cleaned_data["ids"].split(",") if x.strip().isdigit()]


class SlotsForm(forms.Form):
    first_start = forms.DateTimeField(label="First interview starts", widget=_DT)
    minutes = forms.IntegerField(label="Length of each interview, in minutes", min_value=15, max_value=240, initial=45)
    gap_minutes = forms.IntegerField(
        label="Break between interviews, in minutes", min_value=0, max_value=120, initial=15
    )
    count = forms.IntegerField(label="Number of slots", min_value=1, max_value=60, initial=8)
    location = forms.CharField(label="Where, or the meeting link", max_length=300)


class RescheduleForm(forms.Form):
    slot = forms.ChoiceField(label="New slot")

    def __init__(self, *args: Any, slots: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django.utils import timezone

        cast(forms.ChoiceField, self.fields["slot"]).choices = [
            (str(s.pk), f"{timezone.localtime(s.starts_at):%a %-d %b %Y %H:%M} – {s.location}") for s in slots
        ]


class AdjustmentsForm(forms.Form):
    adjustments_confirmed = forms.CharField(
        label="Adjustments we have arranged", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Outcome for the candidate",
        choices=[
            (Application.Status.SUCCESSFUL, "Successful"),
            (Application.Status.RESERVE, "Reserve"),
            (Application.Status.UNSUCCESSFUL, "Unsuccessful"),
        ],
        widget=forms.RadioSelect,
    )
    feedback = forms.CharField(
        label="Feedback to the candidate", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


class FilterForm(forms.Form):
    q = forms.CharField(label="Search by name, email or reference", required=False)
    region = forms.ChoiceField(label="Region", required=False)
    background = forms.ChoiceField(label="Background", required=False, choices=[("", "Any"), *Background.choices])
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any"), *[c for c in Application.Status.choices if c[0] != Application.Status.DRAFT]],
    )
    flagged = forms.BooleanField(label="Only wide disagreement", required=False)
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[("submitted", "Date submitted"), ("mean", "Mean score"), ("spread", "Spread"), ("name", "Name")],
    )

    def __init__(self, *args: Any, regions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["region"]).choices = [("", "Any"), *[(r, r) for r in regions]]


STAGE_CHOICES = Stage.choices
