"""A ``<select>`` written in one pass: long lists of organisations or trainers without one template per option.

Django renders each ``<option>`` through its own widget template; a filter listing 400
organisations spent most of its page's time there. This widget writes the same HTML
(same attributes, escaped labels, the chosen option ``selected``) straight from the
choices.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


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
            return f'<option value="{escape(text)}"{" selected" if selected else ""}>{escape(label)}</option>'

        for option_value, label in self.choices:
            if isinstance(label, list | tuple):
                parts.append(f'<optgroup label="{escape(option_value)}">')
                parts.extend(option(v, sub) for v, sub in label)
                parts.append("</optgroup>")
            else:
                parts.append(option(option_value, label))
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value and label is escaped above
