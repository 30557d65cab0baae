from __future__ import annotations

from typing import Any

from django import forms

from saferwork.standards.models import BODY_MAX, Document
from saferwork.standards.services import Audience

EMAILS_MAX = 20_000


class AudienceFields(forms.Form):
    """Who is asked: everyone, chosen departments, named people (or, for a new version,
    everyone asked for the version it replaces)."""

    who = forms.ChoiceField(
        label="Who is asked to read and acknowledge it?",
        widget=forms.RadioSelect,
        choices=[
            ("everyone", "Everyone in the organisation"),
            ("departments", "The people in chosen departments"),
            ("people", "Named people"),
        ],
    )
    departments = forms.MultipleChoiceField(
        label="Departments (if you chose them above)", required=False, widget=forms.CheckboxSelectMultiple, choices=[]
    )
    emails = forms.CharField(
        label="Email addresses of the people to ask (if you chose named people)",
        required=False,
        max_length=EMAILS_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One address a line. They must already be members of the organisation.",
    )

    def __init__(
        self,
        *args: Any,
        departments: list[tuple[Any, int]],
        members: dict[str, int],
        previous: bool = False,
        draft: bool = False,
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        self.members = members
        # Saving a draft asks nobody: who is asked is chosen when it is published.
        self.draft = draft
        if draft:
            self.fields["who"].required = False
        self.fields["departments"].choices = [  # type: ignore[attr-defined]
            (str(d.pk), f"{d.name} ({n} {'person' if n == 1 else 'people'})") for d, n in departments
        ]
        if previous:
            self.fields["who"].choices = [  # type: ignore[attr-defined]
                ("previous", "Everyone asked to acknowledge the version it replaces"),
                *self.fields["who"].choices,  # type: ignore[attr-defined]
            ]
            self.fields["who"].initial = "previous"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        who = data.get("who")
        if self.draft:
            return data
        if who == "departments" and not data.get("departments"):
            self.add_error("departments", "Select at least one department")
        if who == "people":
            lines = [line.strip().lower() for line in (data.get("emails") or "").splitlines() if line.strip()]
            if not lines:
                self.add_error("emails", "Enter the email address of at least one person")
            unknown = [line for line in lines if line not in self.members]
            if unknown:
                shown = ", ".join(unknown[:5]) + (" and others" if len(unknown) > 5 else "")
                self.add_error("emails", f"Not a member of the organisation: {shown}")
        return data

    def audience(self) -> Audience:
        data = self.cleaned_data
        who = data["who"]
        if who == "everyone":
            return Audience(everyone=True)
        if who == "previous":
            return Audience(previous=True)
        if who == "departments":
            return Audience(departments=tuple(int(d) for d in data["departments"]))
        lines = {line.strip().lower() for line in data["emails"].splitlines() if line.strip()}
        return Audience(people=tuple(sorted(self.members[line] for line in lines)))


class VersionFields(forms.Form):
    label = forms.CharField(
        label="Version",
        max_length=40,
        error_messages={"required": "Enter the version, for example 1.0"},
        help_text="For example, 1.0 or March 2027",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )
    summary = forms.CharField(
        label="What changed (optional)",
        required=False,
        max_length=500,
        help_text="People see this when they are asked to read a new version.",
    )
    body = forms.CharField(
        label="Text of the document",
        required=False,
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text="Write it in Markdown: # for a heading, - for a list item, **bold**, [a link](https://…). "
        "Or leave this empty and choose a PDF.",
    )
    upload = forms.FileField(
        label="Or a PDF (optional)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        help_text="Up to 10 MB. The text above is easier to read on a phone.",
    )

    keeps_file = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("body") or "").strip() and not data.get("upload") and not self.keeps_file:
            self.add_error("body", "Write the text of the document or choose a PDF")
        elif (data.get("body") or "").strip() and data.get("upload"):
            self.add_error("upload", "Write the text or choose a PDF, not both")
        return data


class DocumentForm(VersionFields, AudienceFields):
    kind = forms.ChoiceField(
        label="What kind of document is it?", widget=forms.RadioSelect, choices=Document.Kind.choices
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="As people in the organisation know it",
        error_messages={"required": "Enter the document's title"},
    )

    field_order = ["kind", "title", "label", "summary", "body", "upload", "who", "departments", "emails"]


class NewVersionForm(VersionFields, AudienceFields):
    field_order = ["label", "summary", "body", "upload", "who", "departments", "emails"]


class AskMoreForm(AudienceFields):
    pass


class DraftForm(VersionFields):
    """Change a draft: its text, or a PDF in place of the one it has."""

    field_order = ["label", "summary", "body", "upload"]

    def __init__(self, *args: Any, keeps_file: bool = False, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.keeps_file = keeps_file
        if keeps_file:
            self.fields["upload"].label = "A different PDF (optional)"
            self.fields["upload"].help_text = "Leave this empty to keep the PDF the draft has, or write a text instead."


class PublishDraftForm(AudienceFields):
    pass


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why is it being withdrawn?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the audit log and in the duty record. People who were asked are not told.",
        error_messages={"required": "Say why it is being withdrawn"},
    )


class AcknowledgeForm(forms.Form):
    confirm = forms.BooleanField(
        label="I have read this version and I understand that it applies to me",
        error_messages={"required": "Tick the box to confirm you have read it and understand it applies to you"},
    )


class DepartmentForm(forms.Form):
    name = forms.CharField(label="Department name", max_length=120)


class StaffListForm(forms.Form):
    staff_list = forms.FileField(
        label="Staff list (CSV or Excel)",
        help_text="Two columns with these headings on the first line: email, department. "
        "Departments must be in the list above.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
