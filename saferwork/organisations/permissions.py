"""One decorator for every permission check on an organisation membership."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from saferwork.organisations.models import ROLE_FLAGS, Membership
from saferwork.organisations.switching import InOtherOrganisation, other_memberships

View = Callable[..., HttpResponse]


def membership_has(membership: Membership | None, flag: str) -> bool:
    if membership is None:
        return False
    if flag == "is_programme_admin":
        return membership.is_programme_admin and membership.organisation.is_programme_host
    return membership.has(flag)


def role_required(*flags: str) -> Callable[[View], View]:
    """Allow the view when the current membership holds any of ``flags``; else 403.

    When the current organisation lacks the role but another of the person's
    organisations gives it, they are offered a switch there instead of the 403 (this
    says nothing about what the page would show: only where they hold the role).
    """
    for flag in flags:
        if flag not in ROLE_FLAGS:
            raise ValueError(f"Unknown role flag {flag!r}")

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = getattr(request, "membership", None)
            if not any(membership_has(membership, flag) for flag in flags):
                elsewhere = [m for m in other_memberships(request) if any(membership_has(m, f) for f in flags)]
                if elsewhere:
                    labels = [ROLE_FLAGS[f] for f in flags if any(membership_has(m, f) for m in elsewhere)]
                    raise InOtherOrganisation([m.organisation for m in elsewhere], role_labels=labels)
                raise PermissionDenied("Your role in this organisation does not allow this.")
            # A lookup that offers another organisation offers only one where this role is held too.
            request.required_roles = flags  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


programme_admin_required = role_required("is_programme_admin")
