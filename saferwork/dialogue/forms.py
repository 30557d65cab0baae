from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from saferwork.core.widgets import GovukDateField
from saferwork.dialogue.models import NOTE_TEXT_MAX, PLAN_TEXT_MAX, CohortMember
from saferwork.training.forms import TimeInput
from saferwork.training.models import DeliveryMode, Position


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.email})" if obj.full_name else obj.email


class CohortForm(forms.Form):
    name = forms.CharField(label="Name of the cohort", max_length=200)
    description = forms.CharField(
        label="What the cohort is for (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    facilitator = PersonField(
        label="Facilitator (optional)", queryset=None, required=False, empty_label="No facilitator yet"
    )

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = people  # type: ignore[attr-defined]


class MemberForm(forms.Form):
    user = PersonField(label="Person", queryset=None, empty_label="Select a person")
    position = forms.ChoiceField(label="Their position", choices=[("", "Select a position"), *Position.choices])
    managed_by = forms.ModelChoiceField(
        label="Line managed by someone in this cohort (optional)",
        queryset=CohortMember.objects.none(),
        required=False,
        empty_label="Nobody in this cohort",
        help_text="We warn when a cohort mixes line managers with the staff they manage: "
        "people may not feel able to speak freely.",
    )

    def __init__(self, *args: Any, people: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people  # type: ignore[attr-defined]
        self.fields["managed_by"].queryset = members  # type: ignore[attr-defined]


class SessionForm(forms.Form):
    title = forms.CharField(
        label="Title", max_length=200, help_text="For example, Session 1: what power does in a team"
    )
    date = GovukDateField(label="Date")
    start_time = forms.TimeField(label="Start", widget=TimeInput(), initial=dt.time(10, 0))
    end_time = forms.TimeField(label="End", widget=TimeInput(), initial=dt.time(12, 0))
    mode = forms.ChoiceField(label="Online or in person?", choices=DeliveryMode.choices, widget=forms.RadioSelect)
    meeting_link = forms.URLField(label="Meeting link (online)", required=False, assume_scheme="https")
    venue = forms.CharField(label="Venue (in person)", max_length=300, required=False)
    pre_reading = forms.CharField(
        label="Pre-reading (optional)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What to read, watch or think about before the session.",
    )
    pre_reading_link = forms.URLField(label="Pre-reading link (optional)", required=False, assume_scheme="https")
    prompts = forms.CharField(
        label="Discussion prompts for the facilitator (optional)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One prompt a line. Only the facilitator and coordinators see them.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "The end time must be after the start time")
        if data.get("mode") == DeliveryMode.ONLINE and not data.get("meeting_link"):
            self.add_error("meeting_link", "Enter the meeting link for an online session")
        if data.get("mode") == DeliveryMode.IN_PERSON and not data.get("venue"):
            self.add_error("venue", "Enter the venue for an in-person session")
        return data


class AttendanceForm(forms.Form):
    attended = forms.MultipleChoiceField(
        label="Who came", required=False, widget=forms.CheckboxSelectMultiple, help_text="Tick everyone who attended."
    )

    def __init__(self, *args: Any, members: list[CohortMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [(str(m.pk), m.name) for m in members]  # type: ignore[attr-defined]


class PlanItemForm(forms.Form):
    what = forms.CharField(
        label="What will you do?",
        max_length=PLAN_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what you will do"},
    )
    due_on = GovukDateField(label="By when?", error_messages={"required": "Enter when you will do it by"})
    how = forms.CharField(
        label="How will you know it has worked?",
        max_length=PLAN_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter how you will know it has worked"},
    )


class PlanItemEditForm(PlanItemForm):
    done = forms.BooleanField(label="I have done this", required=False)


class CoachForm(forms.Form):
    user = PersonField(label="Member to make a coach", queryset=None, empty_label="Select a person")

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people  # type: ignore[attr-defined]


class MatchForm(forms.Form):
    participant = PersonField(label="Participant", queryset=None, empty_label="Select a person")

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = people  # type: ignore[attr-defined]


class SlotForm(forms.Form):
    date = GovukDateField(label="Date")
    start = forms.TimeField(label="Start", widget=TimeInput())
    end = forms.TimeField(label="End", widget=TimeInput())
    where = forms.CharField(label="Where, or the meeting link", max_length=300)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", "The end time must be after the start time")
        return data


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Your notes",
        required=False,
        max_length=NOTE_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Only you can read these notes. Nobody else can, not the participant, not the organisation.",
    )


class ThreadForm(forms.Form):
    title = forms.CharField(label="Title", max_length=150)
    body = forms.CharField(label="What do you want to say?", max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Your reply",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter your reply"},
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=300, error_messages={"required": "Enter the reason"})
