from __future__ import annotations

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
