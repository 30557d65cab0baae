"""The reporter's question pages (one thing per page) and the handlers' case forms."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from saferwork.core.widgets import GovukDateField
from saferwork.reporting import crypto
from saferwork.reporting.models import Report

TEXT_LIMIT = 10_000
MAX_RECEIPT_KEYS = 3  # Argon2id parameter sets tried for one receipt


def _text(label: str, *, required: bool = False, hint: str = "", rows: int = 5, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_LIMIT,
        help_text=hint,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


class QuestionForm(forms.Form):
    """One question page. ``title`` is the page's heading; ``summary`` names it on the
    check-your-answers page."""

    title = ""
    summary = ""
    step = ""

    def answers(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            data[name] = value.isoformat() if isinstance(value, date) else value
        return data


BEHAVIOURS = [
    ("comments", "Comments, jokes or questions of a sexual nature (about your body, clothes, private life)"),
    ("looks", "Staring, leering or gestures"),
    ("messages", "Sexual messages, images, emails or posts, including online"),
    ("touching", "Unwanted touching, hugging, kissing or standing too close"),
    ("advances", "Unwanted advances, requests for dates or sexual favours"),
    ("pressure", "Promises or threats tied to your job if you go along with it or refuse"),
    ("assault", "Sexual assault"),
    ("other", "Something else"),
]
ROLES = [
    ("self", "It happened to me"),
    ("witness", "I saw or heard it happen to someone else"),
    ("told", "Someone told me it happened to them"),
]
PLACES = [
    ("own_premises", "At my usual workplace"),
    ("elsewhere_org", "Elsewhere in the organisation"),
    ("third_party", "At a client's, customer's or other organisation's premises"),
    ("online", "Online (email, messages, video calls, social media)"),
    ("travel", "While travelling for work"),
    ("social", "At a work social event"),
    ("other", "Somewhere else"),
]
PEOPLE = [
    ("colleague", "A colleague"),
    ("manager", "My manager"),
    ("senior", "A more senior person"),
    ("customer", "A customer, client or service user"),
    ("contractor", "A contractor or supplier"),
    ("public", "A member of the public"),
    ("unknown", "I do not know who"),
]
YES_NO_UNSURE = [("yes", "Yes"), ("no", "No"), ("unsure", "I am not sure")]
WANTS = [
    ("support", "Support for me only"),
    ("informal", "Sort it out informally (for example a conversation with the person)"),
    ("formal", "Formal action (a formal complaint or investigation)"),
    ("record", "Just record it for now"),
]


class AboutYouForm(QuestionForm):
    title = "Are you reporting something that happened to you?"
    summary = "Who is reporting"
    step = "about-you"
    role = forms.ChoiceField(
        label=title,
        choices=ROLES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether it happened to you"},
    )


class WhatForm(QuestionForm):
    title = "What happened?"
    summary = "What happened"
    step = "what-happened"
    behaviours = forms.MultipleChoiceField(
        label="What kind of behaviour was it?",
        help_text="Select all that apply.",
        choices=BEHAVIOURS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the kind of behaviour, or Something else"},
    )
    description = _text(
        "Tell us what happened",
        required=True,
        hint="In your own words. You can add more later. Details such as dates, places and names can identify you.",
        rows=8,
        error_messages={"required": "Tell us what happened"},
    )


class WhenForm(QuestionForm):
    title = "When did it happen?"
    summary = "When"
    step = "when"
    first_date = GovukDateField(
        label="When did it happen, or first happen? (optional)",
        required=False,
        help_text="For example, 27 3 2026. Leave it empty if you are not sure.",
        error_name="The date it first happened",
    )
    last_date = GovukDateField(
        label="When did it last happen? (optional)",
        required=False,
        help_text="For example, 27 3 2026. This date matters for some time limits, such as a claim to an "
        "Employment Tribunal.",
        error_name="The date it last happened",
    )
    ongoing = forms.ChoiceField(
        label="Is it still happening?",
        choices=YES_NO_UNSURE,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether it is still happening"},
    )
    when_detail = forms.CharField(
        label="Anything else about when (optional)",
        required=False,
        max_length=500,
        help_text="For example: most Fridays since June.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = date.today()
        for name in ("first_date", "last_date"):
            if data.get(name) and data[name] > today:
                self.add_error(name, "The date must be today or in the past")
        if data.get("first_date") and data.get("last_date") and data["last_date"] < data["first_date"]:
            self.add_error("last_date", "The last time must be the same as or after the first time")
        return data


class WhereForm(QuestionForm):
    title = "Where did it happen?"
    summary = "Where"
    step = "where"
    place = forms.ChoiceField(
        label=title, choices=PLACES, widget=forms.RadioSelect, error_messages={"required": "Select where it happened"}
    )
    place_detail = forms.CharField(label="Tell us more about where (optional)", required=False, max_length=500)


class WhoForm(QuestionForm):
    title = "Who did it?"
    summary = "Who did it"
    step = "who"
    people = forms.MultipleChoiceField(
        label="Who was it?",
        help_text="Select all that apply. You do not have to give anyone's name.",
        choices=PEOPLE,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select who did it, or I do not know who"},
    )
    who_detail = _text("Anything you want to tell us about them (optional)", rows=3)


class WitnessesForm(QuestionForm):
    title = "Did anyone else see or hear it?"
    summary = "Witnesses"
    step = "witnesses"
    witnesses = forms.ChoiceField(
        label=title,
        choices=YES_NO_UNSURE,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether anyone else saw or heard it"},
    )
    witness_detail = _text("Who, if you want to say (optional)", rows=3)


class ImpactForm(QuestionForm):
    title = "How has it affected you?"
    summary = "Impact"
    step = "impact"
    impact = _text(
        "How has it affected you, or the person it happened to? (optional)",
        hint="For example on your health, your work or how safe you feel. You can leave this empty.",
    )


class WantsForm(QuestionForm):
    title = "What would you like to happen?"
    summary = "What you would like to happen"
    step = "what-next"
    wants = forms.ChoiceField(
        label=title,
        choices=WANTS,
        widget=forms.RadioSelect,
        help_text="You can change your mind later.",
        error_messages={"required": "Select what you would like to happen"},
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label="Upload a file (optional)",
        required=False,
        help_text="Photos, screenshots or documents: JPG, PNG, WEBP, PDF, DOCX, ODT or TXT. "
        "We remove the hidden details (such as location and camera) from photos, and the author, title and "
        "dates from PDF, Word and OpenDocument files, before they are stored. What a document says, and its "
        "comments or tracked changes, can still hold your name: check them first.",
    )


class IdentityForm(QuestionForm):
    title = "Do you want to give your name?"
    summary = "Your name"
    step = "your-name"
    named = forms.ChoiceField(
        label=title,
        choices=[
            ("no", "No, I want to stay anonymous"),
            ("yes", "Yes, the people handling my report can know who I am"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you want to give your name"},
    )
    name = forms.CharField(label="Your name (if you give it)", required=False, max_length=200)
    contact = forms.CharField(
        label="How they can contact you (optional, if you give your name)",
        required=False,
        max_length=300,
        help_text="For example a phone number or a personal email address.",
    )
    notify_email = forms.EmailField(
        label="Email for 'you have a new message' alerts (optional)",
        required=False,
        max_length=254,
        help_text="Only used to tell you there is a new message. Handlers never see it; it is stored "
        "encrypted and erased when your case closes. Use an address your employer cannot read.",
        error_messages={"invalid": "Enter an email address like name@example.org"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("named") == "yes" and not data.get("name", "").strip():
            self.add_error("name", "Enter your name, or choose to stay anonymous")
        if data.get("named") == "no":
            data["name"] = ""
            data["contact"] = ""
        return data


class ExcludeForm(QuestionForm):
    title = "Is there anyone who should not see your report?"
    summary = "People who must not see it"
    step = "who-can-see"
    excluded = forms.MultipleChoiceField(
        label=title,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="These people handle reports here. Anyone you select is never given a key to your report, "
        "your messages or your files. Leave all unselected if everyone may.",
    )

    def __init__(
        self,
        *args: Any,
        handlers: list[tuple[str, str]] | None = None,
        recovery_holders: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["excluded"].choices = handlers or []  # type: ignore[attr-defined]
        if recovery_holders:
            self.fields["excluded"].help_text += " " + recovery_key_note(recovery_holders)


def recovery_key_note(holders: str) -> str:
    """What a reporter must know about the recovery key before trusting an exclusion."""
    return (
        "One thing can still open every report, yours included: the organisation's recovery key, kept for "
        f"emergencies such as a handler losing their password. It is kept by: {holders}."
    )


STEPS: list[type[QuestionForm]] = [
    AboutYouForm,
    WhatForm,
    WhenForm,
    WhereForm,
    WhoForm,
    WitnessesForm,
    ImpactForm,
    WantsForm,
]
AFTER_EVIDENCE: list[type[QuestionForm]] = [IdentityForm, ExcludeForm]
ALL_STEPS = [*STEPS, *AFTER_EVIDENCE]
STEP_BY_SLUG = {form.step: form for form in ALL_STEPS}


def summarise(
    answers: dict[str, dict[str, Any]], *, handler_names: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Rows for a summary list: exactly what handlers will see (the notification email is
    never among them)."""
    rows = []
    for form_class in ALL_STEPS:
        step_answers = answers.get(form_class.step, {})
        for name, form_field in form_class.base_fields.items():
            if name == "notify_email":
                continue
            value = step_answers.get(name)
            choices = dict(getattr(form_field, "choices", []) or [])
            if name == "excluded":
                choices = handler_names or {}
            if isinstance(value, list):
                shown = [str(choices.get(v, v)) for v in value]
            elif value in (None, ""):
                shown = []
            elif isinstance(form_field, forms.DateField):
                try:
                    shown = [f"{date.fromisoformat(str(value)):%-d %B %Y}"]
                except ValueError:
                    shown = [str(value)]
            else:
                shown = [str(choices.get(value, value))]
            if name == "excluded" and not shown:
                shown = ["Nobody"]
            rows.append({"step": form_class.step, "label": form_field.label, "values": shown})
    return rows


class ReceiptForm(forms.Form):
    receipt = forms.CharField(
        label="Your receipt",
        required=False,
        max_length=40,
        help_text="The 16 numbers you were given when you sent your report.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}),
    )
    # Filled in by the browser when JavaScript derives the key itself (one per parameter
    # set in use, comma-separated): then the receipt never leaves the reporter's device.
    receipt_key = forms.CharField(required=False, max_length=65 * MAX_RECEIPT_KEYS, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text = data.get("receipt_key", "")
        if text:
            keys: list[bytes] = []
            for part in text.split(",")[:MAX_RECEIPT_KEYS]:
                try:
                    raw = bytes.fromhex(part)
                except ValueError:
                    raw = b""
                if len(raw) != crypto.KEY_BYTES:
                    raise forms.ValidationError("The receipt is not right")
                keys.append(raw)
            data["key_bytes"] = keys
            return data
        receipt = crypto.normalise_receipt(data.get("receipt", ""))
        if receipt is None:
            self.add_error("receipt", "Enter the 16 numbers of your receipt")
        data["receipt"] = receipt
        return data


class SubmitForm(forms.Form):
    """The check page's button; with JavaScript the browser adds a receipt and its key."""

    receipt = forms.CharField(required=False, max_length=16, widget=forms.HiddenInput)
    receipt_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        receipt = crypto.normalise_receipt(data.get("receipt", "") or "")
        try:
            key = bytes.fromhex(data.get("receipt_key", "") or "")
        except ValueError:
            key = b""
        if receipt and len(key) == crypto.KEY_BYTES:
            data["client"] = (receipt, key)
        else:
            data["client"] = None
        return data


class ReporterMessageForm(forms.Form):
    body = _text("Add information or reply", required=True, error_messages={"required": "Write your message"})
    file = forms.FileField(
        label="Add a file (optional)",
        required=False,
        help_text="JPG, PNG, WEBP, PDF, DOCX, ODT or TXT. "
        "Hidden details (such as location or author) are removed before the file is stored.",
    )


# The case page holds four forms: each has its own prefix, so that every field has its
# own id and a label (or an error link) can never reach a box in another form.
class HandlerMessageForm(forms.Form):
    prefix = "reply"
    body = _text(
        "Write to the reporter",
        required=True,
        hint="The reporter reads this when they next open their report with their receipt.",
        error_messages={"required": "Write your message"},
    )


class NoteForm(forms.Form):
    prefix = "note"
    body = _text(
        "Private note for handlers",
        required=True,
        hint="Only handlers can read this. The reporter never sees private notes.",
        rows=3,
        error_messages={"required": "Write your note"},
    )


class StatusForm(forms.Form):
    prefix = "status"
    status = forms.ChoiceField(label="Status", choices=Report.Status.choices)
    outcome = forms.ChoiceField(
        label="Outcome (when closing)", required=False, choices=[("", "Choose an outcome"), *Report.Outcome.choices]
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == Report.Status.CLOSED and not data.get("outcome"):
            self.add_error("outcome", "Choose the outcome to close the case")
        return data


class AssignForm(forms.Form):
    prefix = "assign"
    assignee = forms.ChoiceField(label="Assigned to", required=False)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", "Nobody"), *choices]  # type: ignore[attr-defined]


class SupportPagesForm(forms.Form):
    recovery_key_holders = forms.CharField(
        label="Who keeps the recovery key",
        required=False,
        max_length=200,
        help_text="In plain words, for example: our HR director and the union branch secretary. Reporters are "
        "told that these people can open every report, even one that excludes some handlers.",
    )
    who_to_talk_to = _text(
        "Who to talk to", hint="Named people or roles a worker can talk to in confidence, and how to reach them."
    )
    employee_assistance = _text("Employee Assistance Programme", hint="How to reach it, and what it offers.")
    helplines = _text(
        "External helplines",
        hint="For example Rape Crisis, Victim Support, ACAS, your union. Phone numbers and web addresses as text.",
    )


class RecoveryForm(forms.Form):
    recovery_key = forms.CharField(
        label="Organisation recovery key",
        max_length=200,
        help_text="The key shown once when reporting was enabled, like ABCD-EFGH-…",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": "Enter the recovery key"},
    )
    password = forms.CharField(
        label="Your current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )

    def clean_recovery_key(self) -> bytes:
        raw = crypto.parse_recovery_key(self.cleaned_data["recovery_key"])
        if raw is None:
            raise forms.ValidationError("The recovery key is not right")
        return raw


def _recovery_key_field(*, required: bool, hint: str) -> forms.CharField:
    return forms.CharField(
        label="Organisation recovery key",
        required=required,
        max_length=200,
        help_text=hint,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": "Enter the recovery key"},
    )


class GrantAccessForm(forms.Form):
    """Give a case handler the organisation's reports."""

    handler = forms.ChoiceField(
        label="Who should be able to read reports?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select a handler", "invalid_choice": "Select a handler"},
    )
    recovery_key = _recovery_key_field(
        required=False,
        hint="Only if you hold it: it gives them every report, including ones you cannot open yourself. "
        "Leave it empty to give them the reports you can read.",
    )

    def __init__(self, *args: Any, handlers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handler"].choices = handlers  # type: ignore[attr-defined]

    def clean_recovery_key(self) -> bytes | None:
        text = self.cleaned_data.get("recovery_key", "")
        if not text:
            return None
        raw = crypto.parse_recovery_key(text)
        if raw is None:
            raise forms.ValidationError("The recovery key is not right")
        return raw


class RotateRecoveryKeyForm(forms.Form):
    recovery_key = _recovery_key_field(
        required=True, hint="The key you have now, like ABCD-EFGH-…. It stops working once the new one is made."
    )
    confirm = forms.BooleanField(
        label="I will keep the new recovery key offline and destroy every copy of the old one",
        error_messages={"required": "Confirm that you will keep the new key safe and destroy the old one"},
    )

    def clean_recovery_key(self) -> bytes:
        raw = crypto.parse_recovery_key(self.cleaned_data["recovery_key"])
        if raw is None:
            raise forms.ValidationError("The recovery key is not right")
        return raw


class AcasForm(forms.Form):
    """ACAS early conciliation dates, to show the reporter the paused tribunal date.

    Used for one answer and never stored."""

    acas_day_a = GovukDateField(
        label="Day A: the date ACAS received your early conciliation notification",
        required=True,
        error_name="Day A",
        error_messages={"required": "Enter the date ACAS received your notification"},
    )
    acas_day_b = GovukDateField(
        label="Day B: the date on your early conciliation certificate",
        required=True,
        error_name="Day B",
        error_messages={"required": "Enter the date on your certificate"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day_a, day_b = data.get("acas_day_a"), data.get("acas_day_b")
        if day_a and day_b and day_b < day_a:
            self.add_error("acas_day_b", "The certificate date must be the same as or after Day A")
        return data


class RecordEntryForm(forms.Form):
    """What the reporter writes into their private record."""

    text = _text(
        "What happened",
        required=True,
        hint="In your own words: what was said or done, who was there, anything you kept (messages, photos, notes).",
        rows=8,
        error_messages={"required": "Write what happened"},
    )
    happened_on = GovukDateField(
        label="When did it happen? (optional)",
        required=False,
        help_text="For example, 27 3 2026.",
        error_name="The date it happened",
    )

    def clean_happened_on(self) -> date | None:
        value: date | None = self.cleaned_data.get("happened_on")
        if value and value > date.today():
            raise forms.ValidationError("The date must be today or in the past")
        return value


class DeleteRecordForm(forms.Form):
    confirm = forms.BooleanField(
        label="I understand that my record will be deleted for good and cannot be brought back",
        error_messages={"required": "Confirm that you want to delete your record for good"},
    )


class RecordSendForm(forms.Form):
    """Where to send a private record as a report: this organisation or a union."""

    send_to = forms.ChoiceField(
        label="Who do you want to send it to?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select who to send it to", "invalid_choice": "Select who to send it to"},
    )

    def __init__(self, *args: Any, destinations: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["send_to"].choices = destinations  # type: ignore[attr-defined]


SHAREABLE_STEPS = [form for form in ALL_STEPS if form is not ExcludeForm]


class ShareForm(forms.Form):
    """Choose the employer and the parts of a union-held report to share with it."""

    employer = forms.ChoiceField(
        label="Your employer",
        help_text="Only employers that receive reports through SaferWork are listed.",
        error_messages={"required": "Select your employer", "invalid_choice": "Select your employer"},
    )
    parts = forms.MultipleChoiceField(
        label="What to share",
        help_text="Select the parts of your report your employer may see. Your messages with the union, "
        "its notes and your files are never shared.",
        choices=[(form.step, form.summary) for form in SHAREABLE_STEPS],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one part to share"},
    )

    def __init__(self, *args: Any, employers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employer"].choices = [("", "Choose an employer"), *employers]  # type: ignore[attr-defined]


class ShareExcludeForm(forms.Form):
    excluded = forms.MultipleChoiceField(
        label="Is there anyone at your employer who should not see it?",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="These people handle reports at your employer. Anyone you select is never given a key to it.",
    )

    def __init__(self, *args: Any, handlers: list[tuple[str, str]], recovery_holders: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["excluded"].choices = handlers  # type: ignore[attr-defined]
        if recovery_holders:
            self.fields["excluded"].help_text += " " + recovery_key_note(recovery_holders)
