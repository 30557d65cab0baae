from __future__ import annotations

from django import forms

from saferwork.badges.verification import MAX_INPUT_CHARACTERS


class PasteForm(forms.Form):
    credential = forms.CharField(
        label="Badge credential",
        help_text="Paste the whole JSON document (it starts with {) or the JWT (three parts separated by dots).",
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "autocomplete": "off"}),
        max_length=MAX_INPUT_CHARACTERS,
        error_messages={"required": "Paste a badge credential"},
    )


class EmailCheckForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        help_text="We hash it with this badge's salt and compare. The address is not stored.",
        error_messages={
            "required": "Enter an email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="Why are you revoking this badge?",
        help_text="Kept in the audit log and shown to programme admins only; the public page shows just the date.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "Enter the reason for revoking this badge"},
    )
    confirm = forms.BooleanField(
        label="I understand that revoking cannot be undone",
        error_messages={"required": "Confirm that you understand revoking cannot be undone"},
    )


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[("", "All badges"), ("active", "Not revoked"), ("revoked", "Revoked")],
    )
