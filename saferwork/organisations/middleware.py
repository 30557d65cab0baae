from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from saferwork.organisations.models import Membership

SESSION_KEY = "organisation_id"


class CurrentOrganisationMiddleware:
    """Puts the signed-in person's memberships and current organisation on the request.

    One query per request, whatever the number of organisations. The current
    organisation is the one chosen with the switcher, else the first.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.memberships = []  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        request.organisation = None  # type: ignore[attr-defined]
        if request.user.is_authenticated:
            memberships = list(
                Membership.objects.filter(user=request.user, organisation__status="active")
                .select_related("organisation")
                .order_by("organisation__name")
            )
            chosen = request.session.get(SESSION_KEY)
            current = next((m for m in memberships if m.organisation_id == chosen), None)
            if current is None and memberships:
                current = memberships[0]
            request.memberships = memberships  # type: ignore[attr-defined]
            request.membership = current  # type: ignore[attr-defined]
            request.organisation = current.organisation if current else None  # type: ignore[attr-defined]
        return self.get_response(request)
