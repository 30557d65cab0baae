from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def organisation(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    return {
        "current_organisation": getattr(request, "organisation", None),
        "current_membership": membership,
        "user_memberships": getattr(request, "memberships", []),
        "second_factor_pending": getattr(request, "second_factor_pending", False),
        "is_programme_admin": bool(
            membership and membership.is_programme_admin and membership.organisation.is_programme_host
        ),
    }
