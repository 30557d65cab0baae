from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation

from saferwork.lib.email import deliver
from saferwork.organisations.models import ROLE_FLAGS

logger = logging.getLogger(__name__)


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, sending through the one email mechanism (``accounts.password_reset``).

    As Django does, it sends during the request (the person is waiting for it) and a
    failure is logged, not shown: the page must not tell whether the address has an
    account. The log line names the kind and the error class only, never the address.
    """

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        try:
            deliver(kind="accounts.password_reset", ids=[str(context["user"].pk)])
        except Exception as exc:
            logger.error("Email accounts.password_reset not sent: %s", type(exc).__name__)


class SignInForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address like name@example.org",
        },
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )


APP_CODE_HINT = "The 6-digit code from your authenticator app."
BACKUP_CODE_HINT = "The 6-digit code from your authenticator app, or one of your 10-digit backup codes."


class CodeForm(forms.Form):
    """A second-factor code. Backup codes are named only to someone who has some left:
    while setting up there are none yet, and naming them sends people looking."""

    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text=APP_CODE_HINT,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "govuk-input--width-10",
            }
        ),
        error_messages={"required": "Enter the code"},
    )

    def __init__(self, *args: Any, backup_codes: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if backup_codes:
            self.fields["code"].help_text = BACKUP_CODE_HINT

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit():
            raise forms.ValidationError("The code must be made of numbers only")
        return code


class SetPasswordForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=200, error_messages={"required": "Enter your full name"})
    password = forms.CharField(
        label="Create a password",
        strip=False,
        help_text="At least 12 characters. A few unrelated words make a strong password.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Create a password"},
    )

    def __init__(self, *args: object, email: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.email = email

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        from saferwork.accounts.models import User

        password_validation.validate_password(
            password, User(email=self.email, full_name=self.data.get("full_name", ""))
        )
        return password


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address like name@example.org",
        },
    )
    full_name = forms.CharField(label="Full name", max_length=200, required=False)
    flags = forms.MultipleChoiceField(
        label="What they will do",
        help_text="Leave all unticked for a participant. Every other role must set up two-factor sign-in.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: object, allow_programme_admin: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        choices = [(k, v) for k, v in ROLE_FLAGS.items() if allow_programme_admin or k != "is_programme_admin"]
        self.fields["flags"].choices = choices  # type: ignore[attr-defined]
