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
    if getattr(widget, "is_govuk_date", False):
        return "date"
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


_REQUIRED = str(forms.Field.default_error_messages["required"])
_OPTIONAL = " (optional)"
# The openings of Django's own messages, which never say which field they are about.
_DJANGO_GENERIC = (
    "Enter a valid",
    "Ensure this value",
    "Select a valid choice",
    "Enter a whole number",
    "Enter a number",
    "Enter a list of values",
    "The submitted file",
    "No file was submitted",
    "Upload a valid image",
)


def _plain_label(bound: BoundField) -> str:
    return str(bound.label or bound.name.replace("_", " ")).removesuffix(_OPTIONAL).strip()


def _lower_first(text: str) -> str:
    # "Your name" -> "your name", but "EAP details" and "ACAS" keep their capitals.
    return text if len(text) > 1 and text[1].isupper() else text[:1].lower() + text[1:]


def error_message(bound: BoundField, message: Any) -> str:
    """An error in GOV.UK's words: every message names the field it is about.

    Django's generic "This field is required." says nothing in an error summary that lists
    twelve of them, so it becomes "Enter your name", "Select a region", "Answer ‘Who is
    the training for?’"; Django's other generic messages ("Enter a valid email address.")
    get the label in front. Messages written for the field are left as they are.
    """
    label = _plain_label(bound)
    kind = _kind(bound)
    if str(message) == _REQUIRED:
        if label.endswith("?"):
            return f"Answer “{label}”"
        if kind == "checkbox":
            return f"Tick “{label}” to go on"
        if kind in {"select", "radios", "checkboxes"}:
            return f"Select {_lower_first(label)}"
        if kind == "file":
            return f"Choose a file for {_lower_first(label)}"
        return f"Enter {_lower_first(label)}"
    if str(message).startswith(_DJANGO_GENERIC) and label.lower() not in str(message).lower():
        return f"{label}: {_lower_first(str(message))}"
    return str(message)


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
        "error": error_message(bound, bound.errors[0]) if bound.errors else "",
    }
    if kind == "date":
        context["help_text"] = help_text or "For example, 27 3 2027"
        context["described_by"] = f"{field_id}-hint" + (f" {field_id}-error" if bound.errors else "")
        data = bound.form.data if bound.form.is_bound else None
        context["parts"] = bound.field.widget.parts(bound.html_name, bound.value(), data, invalid=bool(bound.errors))
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
            elif _kind(bound) == "date":
                # The first box the error is about: "must include a year" leads to the year.
                wrong = bound.field.widget.wrong_parts(bound.html_name, form.data) or ["day"]
                anchor = f"{bound.auto_id}_{wrong[0]}"
            items.append((anchor, error_message(bound, errors[0])))
    return {"items": items}


@register.filter
def field_error(bound: BoundField) -> str:
    """The field's first error in GOV.UK's words, for templates that lay a field out by hand."""
    return error_message(bound, bound.errors[0]) if bound.errors else ""
