from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers

from saferwork.lib.redirects import is_safe_next
from saferwork.organisations.models import Membership
from saferwork.organisations.switching import InOtherOrganisation, take_landing

SESSION_KEY = "organisation_id"


class CurrentOrganisationMiddleware:
    """Puts the signed-in person's memberships and current organisation on the request.

    One query per request, whatever the number of organisations. The current
    organisation is the one chosen with the switcher, else the first.

    It also answers a page that opens in another of the person's organisations
    (:class:`~saferwork.organisations.switching.InOtherOrganisation`) with an offer to
    switch, and sends a switch whose page does not exist in the new organisation to its
    dashboard.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.memberships = []  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        request.organisation = None  # type: ignore[attr-defined]
        request.landed_after_switch = False  # type: ignore[attr-defined]
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
            request.landed_after_switch = take_landing(request)  # type: ignore[attr-defined]
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if getattr(request, "landed_after_switch", False) and isinstance(
            exception, Http404 | PermissionDenied | InOtherOrganisation
        ):
            # The page the person switched from is not there (or not theirs) in the new
            # organisation: its dashboard, rather than an error for a choice they just made.
            organisation = request.organisation  # type: ignore[attr-defined]
            messages.info(request, f"The page you were on is not part of {organisation}, so here is its home page.")
            return redirect("core:dashboard")
        if isinstance(exception, InOtherOrganisation):
            return offer_switch(request, exception)
        return None


def offer_switch(request: HttpRequest, found: InOtherOrganisation) -> HttpResponse:
    """The page that offers to switch to where a link leads, with a POST button per organisation."""
    if request.method in {"GET", "HEAD"}:
        go_on = request.get_full_path()
        unsent = False
    else:
        # What was posted is not replayed: the button goes back to the page it came from.
        referer = request.headers.get("referer", "")
        host = f"{request.scheme}://{request.get_host()}"
        go_on = referer.removeprefix(host) if referer.startswith(host + "/") else ""
        go_on = go_on if is_safe_next(request, go_on) else ""
        unsent = True
    response = render(
        request,
        "organisations/switch_offer.html",
        {
            "organisations": found.organisations,
            "role_labels": found.role_labels,
            "next": go_on,
            "unsent": unsent,
        },
    )
    add_never_cache_headers(response)
    return response
