from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms

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


class ProgrammeFiltersForm(PeriodForm):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.exclude(kind=Organisation.Kind.PROGRAMME_HOST).order_by("name"),
        required=False,
        empty_label="All organisations",
    )
    region = forms.ChoiceField(required=False, choices=[("", "All regions")] + [(r, r) for r in REGIONS])
    trainer = forms.ModelChoiceField(
        queryset=TrainerProfile.objects.select_related("user").order_by("user__full_name"),
        required=False,
        empty_label="All trainers",
    )

    def filters(self) -> ReachFilters:
        if not self.is_valid():
            return ReachFilters()
        data = self.cleaned_data
        return ReachFilters(
            start=data.get("start"),
            end=data.get("end"),
            organisation_id=data["organisation"].pk if data.get("organisation") else None,
            region=data.get("region") or "",
            trainer_id=data["trainer"].pk if data.get("trainer") else None,
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
