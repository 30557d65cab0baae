"""GOV.UK Frontend form patterns for Django form fields, without inline script or style."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.forms.boundfield import BoundField
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

register = template.Library()

_INPUT_CLASS = {
    "textarea": ("govuk-textarea", "govuk-textarea--error"),
    "select": ("govuk-select", "govuk-select--error"),
    "file": ("govuk-file-upload", "govuk-file-upload--error"),
    "input": ("govuk-input", "govuk-input--error"),
}


def _kind(field: BoundField) -> str:
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.ClearableFileInput | forms.FileInput):
        return "file"
    return "input"


@register.simple_tag
def field(bound: BoundField, label_class: str = "", width: str = "", hint: str = "") -> SafeString:
    """Render a label, hint, error message and control in the GOV.UK pattern."""
    kind = _kind(bound)
    field_id = bound.id_for_label or bound.html_name
    help_text = hint or bound.help_text
    described = [f"{field_id}-hint"] if help_text else []
    if bound.errors:
        described.append(f"{field_id}-error")
    context: dict[str, Any] = {
        "field": bound,
        "kind": kind,
        "field_id": field_id,
        "help_text": help_text,
        "described_by": " ".join(described),
        "label_class": label_class,
    }
    if kind in _INPUT_CLASS:
        base, error = _INPUT_CLASS[kind]
        classes = [base, bound.field.widget.attrs.get("class", "")]
        if width:
            classes.append(f"govuk-input--width-{width}")
        if bound.errors:
            classes.append(error)
        attrs: dict[str, str | bool] = {"class": " ".join(c for c in classes if c)}
        if described:
            attrs["aria-describedby"] = " ".join(described)
        context["control"] = bound.as_widget(attrs=attrs)
    return SafeString(render_to_string("core/includes/field.html", context))


@register.inclusion_tag("core/includes/error_summary.html")
def error_summary(*forms_: forms.BaseForm) -> dict[str, Any]:
    items: list[tuple[str, Any]] = []
    for form in forms_:
        if form is None or not form.is_bound:
            continue
        for message in form.non_field_errors():
            items.append(("", message))
        for name, errors in form.errors.items():
            if name == "__all__":
                continue
            bound = form[name]
            anchor = bound.id_for_label or bound.auto_id
            if _kind(bound) in {"checkboxes", "radios"}:
                anchor = f"{bound.auto_id}_0"
            items.append((anchor, errors[0]))
    return {"items": items}
