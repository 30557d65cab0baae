"""A ``<select>`` written in one pass: long lists of organisations or trainers without one template per option.

Django renders each ``<option>`` through its own widget template; a filter listing 400
organisations spent most of its page's time there. This widget writes the same HTML
(same attributes, escaped labels, the chosen option ``selected``) straight from the
choices.
"""

from __future__ import annotations

from html import escape  # Django's escape is this, behind a check for lazy strings on every call
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import SafeString, mark_safe


def set_plain_choices(field: forms.ChoiceField, choices: list[tuple[Any, str]]) -> None:
    """Give a choice field (value, label) pairs as they are.

    Setting ``field.choices`` runs Django's normalising over every pair, for the field and
    again for its widget: a thousand calls for 400 organisations, on every page of the
    filter. Pairs read straight from ``values_list`` are already in the normal form.
    """
    field._choices = choices  # type: ignore[attr-defined]
    field.widget._choices = choices  # type: ignore[attr-defined]


class PlainSelect(forms.Select):
    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = set(self.format_value(value))
        parts = [f"<select{flatatt(final)}>"]
        found = False

        def option(option_value: Any, label: Any) -> str:
            nonlocal found
            text = "" if option_value is None else str(option_value)
            selected = not found and text in chosen
            found = found or selected
            return f'<option value="{escape(text)}"{" selected" if selected else ""}>{escape(str(label))}</option>'

        for option_value, label in self.choices:
            if isinstance(label, list | tuple):
                parts.append(f'<optgroup label="{escape(str(option_value))}">')
                parts.extend(option(v, sub) for v, sub in label)
                parts.append("</optgroup>")
            else:
                parts.append(option(option_value, label))
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value and label is escaped above
