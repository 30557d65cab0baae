from __future__ import annotations

from datetime import date

from django import forms

from saferwork.core.widgets import GovukDateField
from saferwork.law.models import LegalRule


class LegalRuleForm(forms.ModelForm):
    source_url = forms.URLField(label="Source address", required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = LegalRule
        fields = ["value", "applies_from", "summary", "source_title", "source_url", "confirmed", "note"]
        field_classes = {"applies_from": GovukDateField}
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}
        labels = {"value": "Value", "applies_from": "Applies to events on or after", "confirmed": "Confirmed"}

    def clean_applies_from(self) -> date:
        # The key is not a field of this form, so ModelForm leaves the one-value-per-date
        # constraint unchecked: without this the database would refuse the row (a 500).
        applies_from = self.cleaned_data["applies_from"]
        clash = LegalRule.objects.filter(key=self.instance.key, applies_from=applies_from).exclude(pk=self.instance.pk)
        if applies_from and clash.exists():
            raise forms.ValidationError(
                f"Another value of this rule already applies from {applies_from:%-d %B %Y}. "
                "Choose another date, or correct that value instead."
            )
        return applies_from
