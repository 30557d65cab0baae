"""The dashboard's recruitment box: panels to score, an agreement to accept."""

from __future__ import annotations

from typing import Any

from django import template

from saferwork.recruitment.models import Appointment, Panellist

register = template.Library()


@register.inclusion_tag("recruitment/_dashboard.html", takes_context=True)
def recruitment_tasks(context: dict[str, Any]) -> dict[str, Any]:
    user = context["request"].user
    if not user.is_authenticated:
        return {}
    return {
        "seats": list(Panellist.objects.filter(user=user).select_related("round").order_by("-round__opens_at")[:5]),
        "pending_agreement": Appointment.objects.filter(
            email=user.email.lower(), agreement_accepted_at__isnull=True
        ).exists(),
        "is_programme_admin": context.get("is_programme_admin", False),
    }
