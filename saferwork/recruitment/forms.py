from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils import timezone

from saferwork.core.widgets import GovukDateField, PhoneField
from saferwork.lib.widgets import PlainSelect
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

_TIME = re.compile(r"^(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{1,2}))?\s*(?P<half>am|pm)?$", re.IGNORECASE)


class TimeOfDayField(forms.CharField):
    """A time typed as people write it: 14:30, 9:05, 2pm, 2.30pm.

    GOV.UK has no time picker, and the browser's ``type="time"`` is as hard to use as its
    date picker, so this is a short text box. Each error says which part is wrong.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("help_text", "Use the 24-hour clock, for example 09:30 or 14:00.")
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "text", "autocomplete": "off", "spellcheck": "false"})

    def _name(self) -> str:
        return str(self.label or "The time")

    def clean(self, value: Any) -> dt.time | None:  # type: ignore[override]
        text = (super().clean(value) or "").strip().replace(" ", "")
        if not text:
            return None
        found = _TIME.match(text)
        if found is None:
            raise forms.ValidationError(f"{self._name()} must be hours and minutes, like 14:30.", code="invalid")
        hour, minute, half = int(found["hour"]), int(found["minute"] or 0), (found["half"] or "").lower()
        if half:
            if not 1 <= hour <= 12:
                raise forms.ValidationError(f"The hour in {self._name().lower()} must be from 1 to 12 with am or pm.")
            hour = hour % 12 + (12 if half == "pm" else 0)
        elif hour > 23:
            raise forms.ValidationError(f"The hour in {self._name().lower()} must be from 0 to 23.", code="hour")
        if found["minute"] is not None and len(found["minute"]) != 2 or minute > 59:
            raise forms.ValidationError(
                f"The minutes in {self._name().lower()} must be 2 digits from 00 to 59.", code="minute"
            )
        return dt.time(hour, minute)


def _as_time_text(value: dt.datetime | None) -> str:
    return f"{timezone.localtime(value):%H:%M}" if value else ""


def combine(day: dt.date, time: dt.time) -> dt.datetime:
    """A date and a time on the clock in the programme's time zone, as an aware moment."""
    return timezone.make_aware(dt.datetime.combine(day, time))


class RoundForm(forms.ModelForm):
    """A round. Its opening and closing moments are typed as a GOV.UK date and a time."""

    opens_on = GovukDateField(label="Opening date")
    opens_time = TimeOfDayField(label="Opening time", initial="09:00")
    closes_on = GovukDateField(label="Closing date")
    closes_time = TimeOfDayField(label="Closing time", initial="17:00")

    class Meta:
        model = Round
        fields = [
            "title",
            "role_description",
            "task_prompt",
            "task_word_limit",
            "agreement_text",
            "disagreement_threshold",
            "criterion_spread_threshold",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk:
            for prefix in ("opens", "closes"):
                moment = getattr(instance, f"{prefix}_at")
                self.initial[f"{prefix}_on"] = timezone.localtime(moment).date()
                self.initial[f"{prefix}_time"] = _as_time_text(moment)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for prefix in ("opens", "closes"):
            if data.get(f"{prefix}_on") and data.get(f"{prefix}_time"):
                data[f"{prefix}_at"] = combine(data[f"{prefix}_on"], data[f"{prefix}_time"])
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_on", "The closing date and time must be after the opening date and time.")
        return data

    def round_fields(self) -> dict[str, Any]:
        """What the service saves: the model's fields, the moments already combined."""
        names = [*self._meta.fields, "opens_at", "closes_at"]  # type: ignore[misc]
        return {name: self.cleaned_data[name] for name in names}


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
    first_day = GovukDateField(label="Day of the interviews")
    first_time = TimeOfDayField(label="First interview starts at")
    minutes = forms.IntegerField(label="Length of each interview, in minutes", min_value=15, max_value=240, initial=45)
    gap_minutes = forms.IntegerField(
        label="Break between interviews, in minutes", min_value=0, max_value=120, initial=15
    )
    count = forms.IntegerField(label="Number of slots", min_value=1, max_value=60, initial=8)
    location = forms.CharField(label="Where, or the meeting link", max_length=300)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("first_day") and data.get("first_time"):
            data["first_start"] = combine(data["first_day"], data["first_time"])
            if data["first_start"] <= timezone.now():
                self.add_error("first_day", "The first interview must be in the future.")
        return data

    def slot_fields(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in ("first_start", "minutes", "gap_minutes", "count", "location")}


def slot_label(slot: Any) -> str:
    """ "Tuesday 12 May 2026, 10:00 to 10:45 – Online", in the programme's time zone."""
    start, end = timezone.localtime(slot.starts_at), timezone.localtime(slot.ends_at)
    return f"{start:%A} {start.day} {start:%B %Y, %H:%M} to {end:%H:%M} – {slot.location}"


class RescheduleForm(forms.Form):
    slot = forms.ChoiceField(label="New slot")

    def __init__(self, *args: Any, slots: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["slot"]).choices = [(str(s.pk), slot_label(s)) for s in slots]


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


class ModerationForm(forms.Form):
    """What the moderation agreed, and why. The outcome is optional: it may be decided later."""

    agreed_score = forms.DecimalField(
        label="Agreed weighted score",
        min_value=Decimal(SCORE_MIN),
        max_value=Decimal(SCORE_MAX),
        max_digits=3,
        decimal_places=2,
        help_text=f"From {SCORE_MIN} to {SCORE_MAX}, as the panel agreed it, for example 2.75.",
    )
    reason = forms.CharField(
        label="Reason for the agreed score",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=3000,
        help_text="What the panel discussed and why it settled on this score. Kept on the record.",
    )
    outcome = forms.ChoiceField(label="Outcome agreed at moderation", widget=forms.RadioSelect, required=False)

    def __init__(self, *args: Any, stage: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if stage == Stage.INTERVIEW:
            choices = [
                (Application.Status.SUCCESSFUL, "Successful"),
                (Application.Status.RESERVE, "Reserve"),
                (Application.Status.UNSUCCESSFUL, "Unsuccessful"),
            ]
        else:
            choices = [
                (Application.Status.SHORTLISTED, "Shortlist"),
                (Application.Status.NOT_SHORTLISTED, "Do not shortlist"),
            ]
        cast(forms.ChoiceField, self.fields["outcome"]).choices = [*choices, ("", "Decide later")]
        self.fields["outcome"].initial = ""


class RecordConflictForm(forms.Form):
    """A programme admin records a conflict a panellist has told them of, by candidate name."""

    application = forms.ChoiceField(label="Candidate")
    panellist = forms.ChoiceField(label="Panellist")
    reason = forms.CharField(label="Why they cannot score this application fairly", max_length=300)

    def __init__(
        self, *args: Any, applications: list[Any], panellists: list[Any], blind: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["application"]).choices = [("", "Choose a candidate")] + [
            (str(a.pk), a.reference if blind else f"{a.full_name} ({a.reference})") for a in applications
        ]
        cast(forms.ChoiceField, self.fields["panellist"]).choices = [("", "Choose a panellist")] + [
            (str(p.pk), str(p.user)) for p in panellists
        ]


class BookingForm(forms.Form):
    """A candidate chooses an interview slot, or says which times would suit them."""

    slot = forms.ChoiceField(
        label="Choose a time for your interview",
        widget=forms.RadioSelect,
        required=False,
        # The choices are the times still free: a time missing from them was just taken.
        error_messages={"invalid_choice": "That time has just been taken. Choose another time."},
    )
    preferences = forms.CharField(
        label="If none of these times suits you, which days and times would? (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
    )
    access_needs = forms.CharField(
        label="Access needs and adjustments for the interview (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text="For example captions, a British Sign Language interpreter, breaks, or step-free access.",
    )

    def __init__(self, *args: Any, slots: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["slot"]).choices = [(str(s.pk), slot_label(s)) for s in slots]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("slot") and not (data.get("preferences") or "").strip() and "slot" not in self.errors:
            if cast(forms.ChoiceField, self.fields["slot"]).choices:
                self.add_error(
                    "slot", "Choose a time for your interview, or tell us which days and times would suit you."
                )
            else:
                # Every time has gone, so the page offers none: the error goes where they can answer.
                self.add_error("preferences", "Tell us which days and times would suit you for the interview.")
        return data


SORT_CHOICES = [("submitted", "Date submitted"), ("mean", "Mean score"), ("spread", "Spread"), ("name", "Name")]


class FilterForm(forms.Form):
    q = forms.CharField(label="Search by name, email or reference", required=False)
    # The shortlist's filters are drawn on every page of the list: PlainSelect writes each
    # in one pass instead of a widget template per option.
    region = forms.ChoiceField(label="Region", required=False, widget=PlainSelect)
    background = forms.ChoiceField(
        label="Background", required=False, choices=[("", "Any"), *Background.choices], widget=PlainSelect
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any"), *[c for c in Application.Status.choices if c[0] != Application.Status.DRAFT]],
        widget=PlainSelect,
    )
    flagged = forms.BooleanField(label="Only wide disagreement", required=False)
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SORT_CHOICES, widget=PlainSelect)

    def __init__(self, *args: Any, regions: list[str], identities: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["region"]).choices = [("", "Any"), *[(r, r) for r in regions]]
        if not identities:
            # Name-blind sifting: no search or sort by who the candidate is.
            self.fields["q"].label = "Search by reference"
            sort = cast(forms.ChoiceField, self.fields["sort"])
            sort.choices = [c for c in SORT_CHOICES if c[0] != "name"]


STAGE_CHOICES = Stage.choices
