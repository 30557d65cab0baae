"""GOV.UK Frontend widgets that Django does not have."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

# (suffix, label, width class) of the three boxes, in the order people write a UK date.
DATE_PARTS = (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4))


class GovukDateInput(forms.Widget):
    """GOV.UK's date input: separate day, month and year boxes, never the browser's picker.

    The browser's ``type="date"`` shows "mm/dd/yyyy" in many locales and is hard to use
    with a screen reader; GOV.UK research found three labelled number boxes work for
    everyone. The widget hands the field an ISO date string (``YYYY-M-D``), so any
    ``forms.DateField`` with ``%Y-%m-%d`` among its input formats accepts it; a missing or
    impossible part makes the field's own "Enter a valid date" error. A single ISO value
    posted under the field's own name (older clients, scripts) is still accepted.
    """

    is_govuk_date = True

    def parts(self, name: str, value: Any, data: Any = None, *, invalid: bool = False) -> list[dict[str, Any]]:
        """The three boxes with their names, what to show in them and (when the field is
        ``invalid``) whether each is one the error is about."""
        shown = self._typed(name, data) if data is not None else None
        if shown is None:
            shown = self._split(value)
        wrong = self.wrong_parts(name, data) if invalid else []
        return [
            {
                "suffix": suffix,
                "label": label,
                "width": width,
                "name": f"{name}_{suffix}",
                "value": shown[i],
                "error": invalid and (not wrong or suffix in wrong),
            }
            for i, (suffix, label, width) in enumerate(DATE_PARTS)
        ]

    @classmethod
    def wrong_parts(cls, name: str, data: Any) -> list[str]:
        """The boxes a date error is about, as GOV.UK marks them: the empty ones when only
        some were filled, else a year not of 4 digits, else any that is not a number. An
        empty list means the date as a whole is wrong (impossible, or refused by the form)."""
        typed = cls._typed(name, data) if data is not None else None
        if typed is None:
            return []
        pieces = list(zip((suffix for suffix, _, _ in DATE_PARTS), (part.strip() for part in typed), strict=True))
        # In the order GovukDateField checks them, so the boxes marked are the ones its message names.
        return (
            [suffix for suffix, part in pieces if not part]
            or [suffix for suffix, part in pieces if suffix == "year" and len(part) != 4]
            or [suffix for suffix, part in pieces if not part.isdigit()]
        )

    @staticmethod
    def _typed(name: str, data: Any) -> list[str] | None:
        typed = [str(data.get(f"{name}_{suffix}", "")) for suffix, _, _ in DATE_PARTS]
        return typed if any(typed) else None

    @staticmethod
    def _split(value: Any) -> list[str]:
        if isinstance(value, dt.date):
            return [str(value.day), str(value.month), str(value.year)]
        if isinstance(value, str) and value:
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                pieces = value.split("-")
                return [pieces[2], pieces[1], pieces[0]] if len(pieces) == 3 else ["", "", ""]
            return [str(day.day), str(day.month), str(day.year)]
        return ["", "", ""]

    def value_from_datadict(self, data: Any, files: Any, name: str) -> str:
        typed = self._typed(name, data)
        if typed is None:
            return str(data.get(name, "") or "")
        day, month, year = (part.strip() for part in typed)
        return f"{year}-{month}-{day}"

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and self._typed(name, data) is None

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        field_id = (attrs or {}).get("id") or f"id_{name}"
        return SafeString(
            render_to_string("core/widgets/date_input.html", {"field_id": field_id, "parts": self.parts(name, value)})
        )


class GovukDateField(forms.DateField):
    """A date in GOV.UK's three boxes, with messages that say what is wrong.

    The messages name the date by its label ("Preferred date must include a month."), or
    by ``error_name`` when the label is a question ("The date it last happened must
    include a year.").
    """

    widget = GovukDateInput

    def __init__(self, *, error_name: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m-%d", "%d/%m/%Y"])
        super().__init__(**kwargs)
        self.error_name = error_name

    def to_python(self, value: Any) -> dt.date | None:
        label = self.error_name or str(self.label or "The date").removesuffix(" (optional)")
        if isinstance(value, str) and value.count("-") == 2:
            year, month, day = value.split("-")
            missing = [name for name, part in (("day", day), ("month", month), ("year", year)) if not part]
            if missing and len(missing) < 3:
                raise forms.ValidationError(f"{label} must include a {' and a '.join(missing)}.", code="invalid")
            if year and len(year) != 4:
                raise forms.ValidationError(
                    f"{label} must have a 4-digit year, like 2027."
                    if self.error_name
                    else f"{label}: enter the year as 4 digits, like 2027.",
                    code="invalid",
                )
            if all(part.isdigit() for part in (year, month, day)):
                try:
                    return dt.date(int(year), int(month), int(day))
                except ValueError as impossible:
                    raise forms.ValidationError(f"{label} must be a real date.", code="invalid") from impossible
            if self.error_name:
                raise forms.ValidationError(f"{label} must be in numbers, like 27 3 2027.", code="invalid")
        return super().to_python(value)


_PHONE_ALLOWED = set("0123456789 +()-.")


def validate_phone(value: str) -> None:
    """A phone number people could actually dial: digits, spaces and + ( ) - only, 7 to 15 digits."""
    digits = sum(ch.isdigit() for ch in value)
    if set(value) - _PHONE_ALLOWED or not 7 <= digits <= 15:
        raise forms.ValidationError(
            "Enter a phone number, like 020 7946 0000 or +44 7700 900 982.", code="invalid_phone"
        )


class PhoneField(forms.CharField):
    """A UK or international phone number, checked before anyone tries to ring it."""

    default_validators = [validate_phone]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)
        self.widget.attrs.update({"type": "tel", "autocomplete": "tel"})
