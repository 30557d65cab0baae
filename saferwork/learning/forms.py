"""Forms for authoring modules, assigning them, and the learner's answers.

Scenario choices and knowledge-check questions are written in plain text (see the
parsers below) so that authoring needs no JavaScript.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from saferwork.core.widgets import GovukDateField
from saferwork.delivery.forms import ClaimForm
from saferwork.learning.models import REFLECTION_TEXT_MAX, Step, StepKind

__all__ = ["ClaimForm"]

CHOICES_HELP = (
    "One choice a line: what the person might do | the feedback they see | the number of the step it leads "
    "to (leave the number out to go on to the next step)."
)
QUESTIONS_HELP = (
    "One question to a block, with a blank line between blocks. The first line is the question; then one "
    "line per option, starting “* ” for the right answer and “- ” for the others; then a line starting "
    "“> ” with the feedback."
)


# ---------------------------------------------------------------- text formats


def parse_choices(text: str) -> list[dict[str, Any]]:
    choices = []
    for number, line in enumerate((raw for raw in text.splitlines() if raw.strip()), start=1):
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise ValidationError(f"Choice {number} needs what the person might do and its feedback, split by |")
        target: int | None = None
        if len(parts) > 2 and parts[2]:
            if not parts[2].isdigit():
                raise ValidationError(f"Choice {number}: the step it leads to must be a number")
            target = int(parts[2])
        choices.append({"label": parts[0][:300], "feedback": parts[1][:1000], "next": target})
    if not choices:
        raise ValidationError("Enter at least one choice")
    return choices


def format_choices(choices: list[dict[str, Any]]) -> str:
    lines = []
    for c in choices:
        line = f"{c['label']} | {c['feedback']}"
        if c.get("next") is not None:
            line += f" | {c['next']}"
        lines.append(line)
    return "\n".join(lines)


def parse_questions(text: str) -> list[dict[str, Any]]:
    blocks = [b for b in "\n".join(line.rstrip() for line in text.splitlines()).split("\n\n") if b.strip()]
    questions = []
    for number, block in enumerate(blocks, start=1):
        lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
        options: list[str] = []
        correct: int | None = None
        feedback = ""
        for line in lines[1:]:
            if line.startswith(("* ", "- ")):
                if line.startswith("* "):
                    if correct is not None:
                        raise ValidationError(f"Question {number} has more than one right answer")
                    correct = len(options)
                options.append(line[2:].strip()[:300])
            elif line.startswith("> "):
                feedback = line[2:].strip()[:1000]
            else:
                raise ValidationError(f"Question {number}: start each option with “* ” or “- ”, feedback with “> ”")
        if len(options) < 2:
            raise ValidationError(f"Question {number} needs at least two options")
        if correct is None:
            raise ValidationError(f"Question {number} needs a right answer, marked with “* ”")
        questions.append({"text": lines[0][:500], "options": options, "correct": correct, "feedback": feedback})
    if not questions:
        raise ValidationError("Enter at least one question")
    return questions


def format_questions(questions: list[dict[str, Any]]) -> str:
    blocks = []
    for q in questions:
        lines = [q["text"]]
        lines += [("* " if i == q["correct"] else "- ") + option for i, option in enumerate(q["options"])]
        if q.get("feedback"):
            lines.append(f"> {q['feedback']}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


# ---------------------------------------------------------------- authoring


class ModuleForm(forms.Form):
    title = forms.CharField(max_length=200, error_messages={"required": "Enter the module's title"})
    summary = forms.CharField(
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the learner will get from it, in a sentence or two.",
    )
    minutes = forms.IntegerField(
        label="About how many minutes it takes",
        min_value=1,
        max_value=600,
        initial=15,
        error_messages={"required": "Enter about how many minutes it takes"},
    )


class StepForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of step",
        choices=StepKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of step"},
    )
    title = forms.CharField(max_length=200, error_messages={"required": "Enter the step's title"})
    body = forms.CharField(
        label="Text (Markdown)",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=(
            "Headings with #, lists with -, links as [words](https://…). Raw HTML is shown as text. "
            "[[reporting]] and [[support]] link the learner's own organisation's reporting route and support page."
        ),
    )
    choices = forms.CharField(
        label="Scenario choices", required=False, widget=forms.Textarea(attrs={"rows": 5}), help_text=CHOICES_HELP
    )
    questions = forms.CharField(
        label="Knowledge check questions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=QUESTIONS_HELP,
    )
    pass_mark = forms.IntegerField(
        label="Pass mark (percentage of right answers)", required=False, min_value=1, max_value=100, initial=80
    )
    prompt = forms.CharField(label="Reflection question", required=False, max_length=500)
    media_file = forms.FileField(
        label="Video or audio file",
        required=False,
        help_text="MP4 or WebM video, or MP3, M4A or Ogg audio. It is kept on our own server.",
    )
    captions = forms.FileField(label="Captions (WebVTT, .vtt)", required=False)
    transcript = forms.CharField(
        label="Transcript", required=False, max_length=40000, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args: Any, step: Step | None = None, **kwargs: Any) -> None:
        if step is not None and not kwargs.get("initial"):
            kwargs["initial"] = {
                "kind": step.kind,
                "title": step.title,
                "body": step.body,
                "choices": format_choices(step.choices) if step.choices else "",
                "questions": format_questions(step.questions) if step.questions else "",
                "pass_mark": step.pass_mark if step.kind == StepKind.CHECK else 80,
                "prompt": step.prompt,
                "transcript": step.transcript,
            }
        self.step = step
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        structured: dict[str, Any] = {}
        if kind == StepKind.SCENARIO:
            try:
                structured["choices"] = parse_choices(data.get("choices", ""))
            except ValidationError as error:
                self.add_error("choices", error)
        elif kind == StepKind.CHECK:
            try:
                structured["questions"] = parse_questions(data.get("questions", ""))
            except ValidationError as error:
                self.add_error("questions", error)
            if not data.get("pass_mark"):
                self.add_error("pass_mark", "Enter the pass mark")
            structured["pass_mark"] = data.get("pass_mark") or 0
        elif kind == StepKind.REFLECTION:
            if not data.get("prompt", "").strip():
                self.add_error("prompt", "Enter the question the learner reflects on")
            structured["prompt"] = data.get("prompt", "").strip()
        elif kind == StepKind.MEDIA:
            has_media = bool(self.step and self.step.media_name)
            has_captions = bool(self.step and self.step.captions_name)
            if not data.get("media_file") and not has_media:
                self.add_error("media_file", "Select a video or audio file")
            if not data.get("captions") and not has_captions:
                self.add_error("captions", "Select a captions file (WebVTT)")
            if not data.get("transcript", "").strip():
                self.add_error("transcript", "Enter a transcript")
        elif kind == StepKind.CONTENT and not data.get("body", "").strip():
            self.add_error("body", "Enter the text of the step")
        data["structured"] = structured
        return data


# ---------------------------------------------------------------- assigning


def parse_people(text: str) -> list[tuple[str, str]]:
    """Lines of “email, department” (department optional)."""
    people = []
    for number, line in enumerate((raw for raw in text.splitlines() if raw.strip()), start=1):
        email, _, department = line.partition(",")
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(f"Line {number}: “{email[:80]}” is not an email address") from None
        people.append((email, department.strip()))
    return people


class AssignForm(forms.Form):
    members = forms.MultipleChoiceField(
        label="Members of your organisation", required=False, widget=forms.CheckboxSelectMultiple
    )
    department = forms.CharField(
        label="Their department", required=False, max_length=120, help_text="For the completion report by department."
    )
    emails = forms.CharField(
        label="Or assign by email address",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One person a line: email address, department. Anyone without an account here is invited.",
    )
    staff_list = forms.FileField(
        label="Or upload a list (CSV or Excel)",
        required=False,
        help_text="The first row names the columns “email” and “department”; the departments must already exist.",
    )
    due_on = GovukDateField(
        label="Finish by (optional)",
        required=False,
        help_text=(
            "For example, 27 3 2027. Learners see it; those who have not finished get an email "
            "reminder from three days before, at most every three days."
        ),
    )

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = members  # type: ignore[attr-defined]

    def clean_emails(self) -> list[tuple[str, str]]:
        return parse_people(self.cleaned_data.get("emails", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("members") or data.get("emails") or data.get("staff_list")) and not self.errors:
            raise ValidationError("Choose members, enter email addresses or upload a list")
        return data


class OpenForm(forms.Form):
    open = forms.ChoiceField(choices=[("yes", "yes"), ("no", "no")])


# ---------------------------------------------------------------- learners


class ScenarioForm(forms.Form):
    choice = forms.TypedChoiceField(
        label="What would you do?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what you would do"},
    )

    def __init__(self, *args: Any, step: Step, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["choice"].choices = [(i, c["label"]) for i, c in enumerate(step.choices)]  # type: ignore[attr-defined]


class CheckForm(forms.Form):
    def __init__(self, *args: Any, step: Step, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index, question in enumerate(step.questions):
            self.fields[f"q{index}"] = forms.TypedChoiceField(
                label=f"{index + 1}. {question['text']}",
                coerce=int,
                choices=list(enumerate(question["options"])),
                widget=forms.RadioSelect,
                error_messages={"required": f"Answer question {index + 1}"},
            )

    def answers(self) -> list[int | None]:
        return [self.cleaned_data.get(name) for name in self.fields]


class ReflectionForm(forms.Form):
    text = forms.CharField(
        label="Your reflection",
        max_length=REFLECTION_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Write your reflection (a few words are enough)"},
    )
