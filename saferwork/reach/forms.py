from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms

from saferwork.lib.widgets import PlainSelect, set_plain_choices
from saferwork.organisations.models import Organisation
from saferwork.reach.selectors import ReachFilters
from saferwork.training.models import REGIONS, TrainerProfile

MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


class MonthField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "For example, 2026-01")
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def clean(self, value: Any) -> dt.date | None:  # type: ignore[override]
        value = (value or "").strip()
        if not value:
            return None
        match = MONTH.match(value)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise forms.ValidationError(f"Enter “{self.label}” as a year and month, like 2026-01")
        return dt.date(int(match.group(1)), int(match.group(2)), 1)


class PeriodForm(forms.Form):
    start = MonthField(label="From month")
    end = MonthField(label="To month")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "“To month” must be the same as or after “From month”")
        return data

    def filters(self) -> ReachFilters:
        if not self.is_valid():
            return ReachFilters()
        return ReachFilters(start=self.cleaned_data.get("start"), end=self.cleaned_data.get("end"))


def _organisation_choices() -> list[tuple[Any, str]]:
    rows = Organisation.objects.exclude(kind=Organisation.Kind.PROGRAMME_HOST).order_by("name")
    return [("", "All organisations"), *rows.values_list("pk", "name")]


def _trainer_choices() -> list[tuple[Any, str]]:
    rows = TrainerProfile.objects.order_by("user__full_name").values_list("pk", "user__full_name", "user__email")
    return [("", "All trainers"), *((pk, name or email) for pk, name, email in rows)]


class ProgrammeFiltersForm(PeriodForm):
    # Hundreds of organisations: the choices are read as (id, name) pairs, not model
    # instances, and written in one pass (PlainSelect), not a template per option.
    organisation = forms.TypedChoiceField(coerce=int, empty_value=None, required=False, widget=PlainSelect)
    region = forms.ChoiceField(
        required=False, choices=[("", "All regions")] + [(r, r) for r in REGIONS], widget=PlainSelect
    )
    trainer = forms.TypedChoiceField(coerce=int, empty_value=None, required=False, widget=PlainSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read once per form: validating and rendering then use the same list (one query each).
        set_plain_choices(self.fields["organisation"], _organisation_choices())  # type: ignore[arg-type]
        set_plain_choices(self.fields["trainer"], _trainer_choices())  # type: ignore[arg-type]

    def filters(self) -> ReachFilters:
        if not self.is_valid():
            return ReachFilters()
        data = self.cleaned_data
        return ReachFilters(
            start=data.get("start"),
            end=data.get("end"),
            organisation_id=data.get("organisation"),
            region=data.get("region") or "",
            trainer_id=data.get("trainer"),
        )


class DataRequestForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        help_text="The address your organisation used when it booked your place.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )


class ErasureForm(forms.Form):
    keep_badges = forms.BooleanField(
        label="Keep my badge valid",
        required=False,
        help_text=(
            "Your badge does not contain your name or email address, only a salted hash of it. "
            "If you do not keep it, it is revoked and will show as revoked to anyone who checks it."
        ),
    )
    confirm = forms.BooleanField(
        label="I understand that this cannot be undone",
        error_messages={"required": "Confirm that you understand this cannot be undone"},
    )
