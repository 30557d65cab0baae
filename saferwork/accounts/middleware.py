from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

# Pages a signed-in person may reach before their second factor is set up or verified.
_OPEN_PREFIXES = (
    "/account/two-factor/setup/",
    "/account/sign-out/",
    "/accessibility/",
    "/privacy/",
    "/exit/",
    "/healthz/",
    "/health/",
    settings.STATIC_URL,
)


def needs_second_factor(request: HttpRequest) -> bool:
    user = request.user
    if user.is_staff or user.is_superuser:
        return True
    if any(m.role_flags for m in getattr(request, "memberships", [])):
        return True
    # Independent experts on a recruitment panel hold no membership flag, only a seat.
    from saferwork.recruitment.models import Panellist

    return Panellist.objects.filter(user=user).exists()  # type: ignore[misc]


class SecondFactorRequiredMiddleware:
    """Nobody but a participant sees anything until a second factor is verified.

    A person who has no device yet is sent to enrol one; the Django admin is covered
    too, since it sits behind this middleware like every other page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        # Templates read this to leave out links the person cannot follow yet.
        request.second_factor_pending = bool(  # type: ignore[attr-defined]
            user.is_authenticated
            and not user.is_verified()  # type: ignore[union-attr,attr-defined]
            and needs_second_factor(request)
        )
        if request.second_factor_pending and not request.path.startswith(_OPEN_PREFIXES):  # type: ignore[attr-defined]
            return redirect(f"{reverse('accounts:two_factor_setup')}")
        return self.get_response(request)
