from __future__ import annotations

from typing import Any

from django import forms

from saferwork.delivery.models import EvaluationFormVersion
from saferwork.training.models import Participant

ATTENDANCE_CHOICES = [("attended", "Attended"), ("absent", "Absent")]
RATING_WORDS = {1: "1 – Poor", 2: "2 – Fair", 3: "3 – Good", 4: "4 – Very good", 5: "5 – Excellent"}
CONFIDENCE_WORDS = {
    1: "1 – Not at all confident",
    2: "2 – Slightly confident",
    3: "3 – Fairly confident",
    4: "4 – Confident",
    5: "5 – Very confident",
}


class AttendanceForm(forms.Form):
    """One attended/absent choice per confirmed participant: works as plain radios on a phone."""

    # The second button: everyone not marked is marked attended, so a trainer with one
    # absence in twelve marks one person, not twelve.
    EVERYONE_ELSE = "everyone_else"

    def __init__(self, *args: Any, participants: list[Participant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.participants = participants
        self.everyone_else = self.is_bound and self.EVERYONE_ELSE in self.data
        for person in participants:
            current = getattr(person, "attendance", None)
            self.fields[f"p{person.pk}"] = forms.ChoiceField(
                label=person.name,
                help_text=person.get_position_display(),
                choices=ATTENDANCE_CHOICES,
                widget=forms.RadioSelect,
                initial=None if current is None else ("attended" if current.attended else "absent"),
                error_messages={"required": f"Select whether {person.name} attended or was absent"},
                required=not self.everyone_else,
            )

    def marks(self) -> dict[int, bool]:
        return {p.pk: (self.cleaned_data[f"p{p.pk}"] or "attended") == "attended" for p in self.participants}


def _radios(label: str, words: dict[int, str], required_message: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=list(words.items()),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": required_message},
    )


def _evaluation_fields(version: EvaluationFormVersion) -> dict[str, forms.Field]:
    fields: dict[str, forms.Field] = {}
    for name, label in version.rating_questions():
        fields[name] = _radios(label, RATING_WORDS, f"Answer: {label}")
    for name, label in version.confidence_questions():
        fields[f"{name}_before"] = _radios(
            f"{label}: before the session", CONFIDENCE_WORDS, f"Say how confident you felt before: {label}"
        )
        fields[f"{name}_after"] = _radios(f"{label}: now", CONFIDENCE_WORDS, f"Say how confident you feel now: {label}")
    fields["free_text"] = forms.CharField(
        label=version.free_text_label,
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    return fields


# The fields of each form version, built once per process: a version's wording never
# changes (a new wording is a new version), and building ten choice fields cost about as
# much as the rest of an answer.
_FIELDS: dict[tuple[int, int], dict[str, forms.Field]] = {}


class EvaluationForm(forms.Form):
    def __init__(self, *args: Any, version: EvaluationFormVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        key = (version.pk, version.number)
        if key not in _FIELDS:
            _FIELDS.clear()  # only the current version is answered
            _FIELDS[key] = _evaluation_fields(version)
        # The field objects are shared, not deep-copied as Django does by default (the copy
        # cost six times the validation): nothing changes an evaluation form's fields after
        # they are built, neither cleaning nor rendering. Anything that would (a per-request
        # choice, an attribute) belongs in ``_evaluation_fields`` or needs a copy here.
        self.fields = dict(_FIELDS[key])

    def rating_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _ in self.version.rating_questions()]

    def confidence_fields(self) -> list[forms.BoundField]:
        names = []
        for name, _ in self.version.confidence_questions():
            names += [f"{name}_before", f"{name}_after"]
        return [self[name] for name in names]


class EvaluationFormVersionForm(forms.ModelForm):
    class Meta:
        model = EvaluationFormVersion
        fields = [
            "introduction",
            "overall_label",
            "relevance_label",
            "trainers_label",
            "confidence_intro",
            "recognising_label",
            "responding_label",
            "leading_label",
            "free_text_label",
            "free_text_warning",
            "support_text",
        ]
        widgets = {
            "introduction": forms.Textarea(attrs={"rows": 3}),
            "free_text_warning": forms.Textarea(attrs={"rows": 3}),
            "support_text": forms.Textarea(attrs={"rows": 3}),
        }


class ClaimForm(forms.Form):
    wording = forms.ChoiceField(
        label="How should your badge describe the training?",
        help_text="Anyone you show the badge to will see this wording. Your union or role never appears on it.",
        choices=[],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how your badge should describe the training"},
    )

    def __init__(self, *args: Any, neutral_name: str, topic_name: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["wording"].choices = [  # type: ignore[attr-defined]
            ("neutral", f"“{neutral_name}” (does not name the topic)"),
            ("topic", f"“{topic_name}” (names the topic)"),
        ]

    @property
    def show_topic(self) -> bool:
        return self.cleaned_data["wording"] == "topic"


class FollowUpForm(forms.Form):
    topics = forms.CharField(
        label="What would you like to talk about?",
        help_text=(
            "For example your policy, an action plan, a climate survey or more sessions. Do not describe "
            "any incident or name anyone."
        ),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what you would like to talk about"},
    )
