"""Links between a module's steps: a learner's enrolment, or an author's preview of a draft.

The step templates are shared by both, so a preview shows exactly what a learner would
see while its links stay inside the preview (which records nothing).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def step_url(context: Any, position: int) -> str:
    preview = context.get("preview_version")
    if preview is not None:
        return reverse("learning:preview", args=[preview.module_id, position])
    return reverse("learning:step", args=[context["enrolment"].pk, position])


@register.simple_tag(takes_context=True)
def module_url(context: Any) -> str:
    preview = context.get("preview_version")
    if preview is not None:
        return reverse("learning:author_module", args=[preview.module_id])
    return reverse("learning:module", args=[context["enrolment"].module_id])
