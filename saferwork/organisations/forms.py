from __future__ import annotations

from django import forms


class JoinDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("refuse", "Refuse")])
    reason = forms.CharField(
        label="How did you check that this person should have this role?",
        help_text=(
            "For example: confirmed by phone with the organisation's chief executive. This goes in the audit log."
        ),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: object, reason_required: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.reason_required = reason_required
        if not reason_required:
            self.fields["reason"].label = "Note for the audit log (optional)"
            self.fields["reason"].help_text = ""

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if self.reason_required and data.get("decision") == "approve" and not str(data.get("reason", "")).strip():
            self.add_error("reason", "Say how you checked that this person should have this role")
        return data
