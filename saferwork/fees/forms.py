from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from saferwork.fees.models import FeeLine

AMOUNT = re.compile(r"^£?\s*(\d{1,3}(,\d{3})*|\d+)(\.\d{1,2})?$")


class PoundsField(forms.CharField):
    """Pounds typed by a person (£1,234.50) to integer pence."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self, value: Any) -> int:  # type: ignore[override]
        text = (value or "").strip()
        if not text:
            raise forms.ValidationError(f"Enter {self.label.lower() if self.label else 'an amount'}")
        if not AMOUNT.match(text):
            raise forms.ValidationError(f"Enter {str(self.label).lower()} in pounds, like 45.50")
        try:
            pence = int((Decimal(text.replace("£", "").replace(",", "").strip()) * 100).to_integral_value())
        except InvalidOperation as error:  # pragma: no cover - the pattern already refuses these
            raise forms.ValidationError("Enter an amount in pounds, like 45.50") from error
        if pence > 100_000_00:
            raise forms.ValidationError(f"{self.label} must be £100,000 or less")
        return pence


class DocumentForm(forms.Form):
    days = forms.IntegerField(
        label="Days of training",
        min_value=1,
        max_value=60,
        error_messages={"required": "Enter the number of days", "min_value": "Days must be 1 or more"},
    )
    day_rate = PoundsField(label="Day rate", help_text="The programme's standard rate is £450 a day.")
    notes = forms.CharField(
        label="Notes for the organisation",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, how to pay you. Do not include anything said in a session.",
    )


class LineForm(forms.Form):
    kind = forms.ChoiceField(label="Type", choices=FeeLine.Kind.choices)
    description = forms.CharField(
        label="Description", max_length=200, error_messages={"required": "Enter a description"}
    )
    amount = PoundsField(label="Amount")
    receipt = forms.FileField(
        label="Receipt (optional)",
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from django.conf import settings

        super().__init__(*args, **kwargs)
        types = ", ".join(t.upper() for t in settings.FEES_RECEIPT_TYPES)
        self.fields["receipt"].help_text = f"{types}; {settings.FEES_RECEIPT_MAX_BYTES // (1024 * 1024)} MB or less."
