from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from saferwork.core.widgets import GovukDateField, PhoneField
from saferwork.training.models import (
    ANYWHERE,
    CAPACITY_HARD_LIMIT,
    CAPACITY_WARN_ABOVE,
    REGIONS,
    Briefing,
    BriefingTemplate,
    DeliveryMode,
    Enquiry,
    EnquiryMode,
    Position,
    TrainerProfile,
    group_size_text,
)

REGION_CHOICES = [(r, r) for r in REGIONS]
YES_NO = [("yes", "Yes"), ("no", "No")]


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


class EnquiryForm(forms.Form):
    organisation_name = forms.CharField(label="Organisation name", max_length=200)
    organisation_kind = forms.ChoiceField(
        label="Type of organisation",
        choices=[("union", "Union"), ("employer", "Employer"), ("other", "Other")],
        widget=forms.RadioSelect,
    )
    contact_name = forms.CharField(label="Your name", max_length=200)
    contact_role = forms.CharField(label="Your role", max_length=200)
    contact_email = forms.EmailField(label="Your email address", help_text="We will send a link to check it.")
    contact_phone = PhoneField(label="Your phone number (optional)", required=False)
    audience = forms.MultipleChoiceField(
        label="Who is the training for?",
        help_text="Select all that apply. We recommend peer-to-peer groups.",
        choices=Position.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    expected_participants = forms.IntegerField(label="How many people in total?", min_value=1, max_value=5000)
    expected_sessions = forms.IntegerField(
        label="How many sessions?",
        min_value=1,
        max_value=200,
        initial=1,
        help_text=f"A session takes {group_size_text()}.",
    )
    region = forms.ChoiceField(label="Region", choices=[("", "Choose a region"), *REGION_CHOICES])
    venue = forms.CharField(label="Venue, if you have one (optional)", max_length=300, required=False)
    delivery_mode = forms.ChoiceField(
        label="Online or in person?", choices=EnquiryMode.choices, widget=forms.RadioSelect
    )
    preferred_date_1 = GovukDateField(label="Preferred date")
    preferred_date_2 = GovukDateField(label="Second preferred date (optional)", required=False)
    preferred_date_3 = GovukDateField(label="Third preferred date (optional)", required=False)
    has_policy = forms.ChoiceField(
        label="Do you have a sexual harassment policy?", choices=YES_NO, widget=forms.RadioSelect
    )
    has_action_plan = forms.ChoiceField(
        label="Do you have an action plan for preventing sexual harassment?", choices=YES_NO, widget=forms.RadioSelect
    )
    used_toolkit = forms.ChoiceField(
        label="Have you used the programme's toolkit?", choices=YES_NO, widget=forms.RadioSelect
    )
    other_training = forms.CharField(
        label="Other training or resources you have used (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    accessibility_needs = forms.CharField(
        label="Accessibility needs (optional)",
        help_text="For example, step-free access, a BSL interpreter, captions, breaks.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    wants_co_tutoring = forms.BooleanField(label="We would like two trainers (co-tutoring)", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = dt.date.today()
        for name in ("preferred_date_1", "preferred_date_2", "preferred_date_3"):
            value = data.get(name)
            if value and value <= today:
                self.add_error(name, "Preferred dates must be in the future.")
        return data

    def enquiry_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        dates = sorted(
            {data[n].isoformat() for n in ("preferred_date_1", "preferred_date_2", "preferred_date_3") if data.get(n)}
        )
        return {
            "organisation_name": data["organisation_name"].strip(),
            "organisation_kind": data["organisation_kind"],
            "contact_name": data["contact_name"],
            "contact_role": data["contact_role"],
            "contact_email": data["contact_email"].lower(),
            "contact_phone": data["contact_phone"],
            "audience": data["audience"],
            "expected_participants": data["expected_participants"],
            "expected_sessions": data["expected_sessions"],
            "region": data["region"],
            "venue": data["venue"],
            "delivery_mode": data["delivery_mode"],
            "preferred_dates": dates,
            "has_policy": data["has_policy"] == "yes",
            "has_action_plan": data["has_action_plan"] == "yes",
            "used_toolkit": data["used_toolkit"] == "yes",
            "other_training": data["other_training"],
            "accessibility_needs": data["accessibility_needs"],
            "wants_co_tutoring": data["wants_co_tutoring"],
        }


class BoardFilterForm(forms.Form):
    q = forms.CharField(label="Organisation, contact or email", required=False)
    state = forms.ChoiceField(label="State", required=False, choices=[("", "All states"), *Enquiry.State.choices])
    region = forms.ChoiceField(label="Region", required=False, choices=[("", "All regions"), *REGION_CHOICES])


class MoveForm(forms.Form):
    state = forms.ChoiceField(label="Move to", choices=Enquiry.State.choices)


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Add a note",
        help_text="Only programme admins can read these notes.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PickTrainersForm(forms.Form):
    trainers = forms.ModelMultipleChoiceField(
        label="Choose one or two trainers",
        queryset=TrainerProfile.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, trainers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["trainers"]
        field.queryset = trainers  # type: ignore[attr-defined]
        field.label_from_instance = lambda t: t.name  # type: ignore[attr-defined]

    def clean_trainers(self) -> Any:
        trainers = self.cleaned_data["trainers"]
        if not 1 <= len(trainers) <= 2:
            raise forms.ValidationError("Choose one or two trainers.")
        return trainers


class TrainerProfileForm(forms.ModelForm):
    regions = forms.MultipleChoiceField(
        label="Regions",
        choices=[*REGION_CHOICES, (ANYWHERE, ANYWHERE)],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    day_rate = forms.DecimalField(label="Day rate in pounds", min_value=0, max_digits=7, decimal_places=2)

    class Meta:
        model = TrainerProfile
        fields = [
            "home_union",
            "regions",
            "delivers_online",
            "delivers_in_person",
            "languages",
            "access_needs_met",
            "co_tutors",
            "experience",
            "sessions_delivered",
            "bio",
            "is_active",
        ]
        widgets = {
            "access_needs_met": forms.Textarea(attrs={"rows": 3}),
            "bio": forms.Textarea(attrs={"rows": 3}),
            "experience": forms.RadioSelect,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from saferwork.organisations.models import Organisation

        self.fields["home_union"].queryset = Organisation.objects.exclude(  # type: ignore[attr-defined]
            kind=Organisation.Kind.PROGRAMME_HOST
        )
        self.fields["day_rate"].initial = self.instance.day_rate_pence / 100

    def save(self, commit: bool = True) -> TrainerProfile:
        profile: TrainerProfile = super().save(commit=False)
        profile.day_rate_pence = int(round(self.cleaned_data["day_rate"] * 100))
        return profile


class AvailabilityForm(forms.Form):
    start = GovukDateField(label="From")
    end = GovukDateField(label="To (optional)", required=False)
    available = forms.ChoiceField(
        label="On these dates I am",
        choices=[("yes", "Available"), ("no", "Not available")],
        widget=forms.RadioSelect,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end") or data.get("start")
        if start and end:
            if end < start:
                self.add_error("end", "The end date must be on or after the start date.")
            elif (end - start).days > 92:
                self.add_error("end", "Set at most three months at a time.")
            else:
                data["dates"] = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
        return data


class SlotForm(forms.Form):
    date = GovukDateField(label="Date")
    start = forms.TimeField(label="Start", widget=TimeInput())
    end = forms.TimeField(label="End", widget=TimeInput())
    where = forms.CharField(label="Where, or the meeting link", max_length=300, required=False)


class ChecklistForm(forms.Form):
    logistics = forms.BooleanField(label="Timings and logistical arrangements agreed", required=False)
    audience = forms.BooleanField(label="Who the training is for, and how many people, discussed", required=False)
    standing = forms.BooleanField(
        label="Where the organisation stands discussed (policy, action plan, toolkit or other training used)",
        required=False,
    )


class ContactPointForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    role = forms.CharField(label="Role", max_length=200)
    email = forms.EmailField(label="Email address")
    phone = PhoneField(label="Phone number")


class TrainerNoteForm(forms.Form):
    text = forms.CharField(label="Add a note", widget=forms.Textarea(attrs={"rows": 4}))


class SessionForm(forms.Form):
    date = GovukDateField(label="Date")
    start_time = forms.TimeField(label="Start", widget=TimeInput(), initial=dt.time(10, 0))
    end_time = forms.TimeField(label="End", widget=TimeInput(), initial=dt.time(16, 0))
    mode = forms.ChoiceField(label="Online or in person?", choices=DeliveryMode.choices, widget=forms.RadioSelect)
    trainers = forms.ModelMultipleChoiceField(
        label="Trainers", queryset=TrainerProfile.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    meeting_link = forms.URLField(label="Meeting link (online)", required=False, assume_scheme="https")
    tech_helper_name = forms.CharField(
        label="Named tech helper (online)",
        help_text="Needed online unless a second trainer co-tutors: moves slides along, plays videos.",
        max_length=200,
        required=False,
    )
    venue = forms.CharField(label="Venue (in person)", max_length=300, required=False)
    access_info = forms.CharField(
        label="Access information (in person)", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    capacity = forms.IntegerField(
        label="Places",
        initial=CAPACITY_HARD_LIMIT,
        min_value=1,
        help_text=f"At most {CAPACITY_HARD_LIMIT}. We recommend {CAPACITY_WARN_ABOVE} for the best conversations.",
    )

    def __init__(self, *args: Any, trainers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["trainers"]
        field.queryset = trainers  # type: ignore[attr-defined]
        field.label_from_instance = lambda t: t.name  # type: ignore[attr-defined]


class CapacityOverrideForm(forms.Form):
    capacity = forms.IntegerField(label="Places", min_value=1, max_value=100)
    reason = forms.CharField(
        label=f"Reason for allowing more than {CAPACITY_HARD_LIMIT}", widget=forms.Textarea(attrs={"rows": 2})
    )


class ParticipantForm(forms.Form):
    name = forms.CharField(label="Full name", max_length=200)
    email = forms.EmailField(label="Email address")
    position = forms.ChoiceField(label="Position in the union structure", choices=[("", "Choose"), *Position.choices])
    manager_email = forms.ChoiceField(
        label="Line managed by someone attending (optional)", choices=[("", "Nobody attending")], required=False
    )

    def __init__(self, *args: Any, managers: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["manager_email"].choices = [("", "Nobody attending"), *(managers or [])]  # type: ignore[attr-defined]


class RegistrationForm(forms.Form):
    name = forms.CharField(label="Full name", max_length=200)
    email = forms.EmailField(label="Email address")
    position = forms.ChoiceField(
        label="Your position in the union structure", choices=Position.choices, widget=forms.RadioSelect
    )
    manager_email = forms.EmailField(
        label="If your line manager is attending, their email address (optional)", required=False
    )


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        label="Upload a CSV file",
        help_text="Columns: name, email, position, manager_email (optional). The position as written on "
        "this page or its code, in any case.",
    )


class BriefingForm(forms.ModelForm):
    policy_url = forms.URLField(label="Link to your sexual harassment policy", required=False, assume_scheme="https")
    reporting_url = forms.URLField(label="Link to your reporting route", required=False, assume_scheme="https")

    class Meta:
        model = Briefing
        fields = [
            "contact_name",
            "contact_role",
            "contact_email",
            "contact_phone",
            "eap",
            "policy_url",
            "reporting_url",
            "introduction",
            "about_the_day",
            "not_a_reporting_space",
            "support_before",
            "support_after",
        ]
        field_classes = {"contact_phone": PhoneField}
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in [
                "eap",
                "introduction",
                "about_the_day",
                "not_a_reporting_space",
                "support_before",
                "support_after",
            ]
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("contact_name", "contact_role", "contact_email", "contact_phone"):
            self.fields[name].required = True


class BriefingTemplateForm(forms.ModelForm):
    class Meta:
        model = BriefingTemplate
        fields = ["introduction", "about_the_day", "not_a_reporting_space", "support_before", "support_after"]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in fields}


class MessageForm(forms.Form):
    message = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 3}))


class OwnProfileForm(forms.ModelForm):
    """What a trainer keeps up to date themselves; experience and day rate stay with the programme."""

    regions = forms.MultipleChoiceField(
        label="Regions you work in",
        choices=[*REGION_CHOICES, (ANYWHERE, ANYWHERE)],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = TrainerProfile
        fields = [
            "regions",
            "delivers_online",
            "delivers_in_person",
            "co_tutors",
            "languages",
            "access_needs_met",
            "bio",
        ]
        widgets = {"access_needs_met": forms.Textarea(attrs={"rows": 3}), "bio": forms.Textarea(attrs={"rows": 3})}
