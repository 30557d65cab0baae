"""One place that decides where a ``next`` value may send a person.

Every view that redirects to a ``next`` taken from the request goes through
:func:`safe_next`: a value from a query string or form is untrusted input, and
``redirect()`` treats a value without a slash as a URL pattern name (``next=dashboard``
raised ``NoReverseMatch``, a server error).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def default_next() -> str:
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def is_safe_next(request: HttpRequest, candidate: str) -> bool:
    """A path on this site: starts with one slash, no scheme, no other host."""
    return (
        bool(candidate)
        and candidate.startswith("/")
        and not candidate.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    )


def safe_next(request: HttpRequest, default: str | None = None) -> str:
    """The request's ``next`` (POST first, then GET) if it is a path on this site, else ``default``.

    ``default`` is the dashboard unless given; pass ``""`` to learn that there was none.
    """
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if is_safe_next(request, candidate):
        return candidate
    return default_next() if default is None else default
