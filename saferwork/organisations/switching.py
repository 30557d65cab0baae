"""Links into another of the person's organisations, and where a switch lands.

Everything a page shows is scoped to the current organisation, so a link to a case, a
session or a fee statement of organisation B opened while A is the current one fails
its lookup. When the person could open it as a member of B, they are offered a switch
(a page with a POST button: following a link must never change state by itself) and
then go on to the page. Whoever could not open it in any of their organisations gets
exactly the 404 or 403 they get today, so nothing tells them it exists.

Two places decide, both here:

* :func:`offers_other_organisation` wraps a ``get_<thing>_for_user(request, …)`` lookup.
  When it fails, the same lookup runs again as each of the person's other memberships;
  the first under which it succeeds is offered. The rule that opens the object is the
  lookup itself, not a copy of it.
* :func:`role_required` (in ``permissions``) offers the organisations where the person
  holds the role the page needs, when the current one lacks it.

After a switch, :func:`mark_landing` remembers where the switch sends the person; if that
page then answers 404 or 403 (or would offer to switch again), the middleware sends them
to the new organisation's dashboard instead: the outcome of the real view is the test,
so no list of "organisation-independent" pages has to be kept up to date.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import unquote, urlsplit

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from saferwork.organisations.models import Membership, Organisation

LANDING_KEY = "organisation_switch_landing"
LANDING_SECONDS = 60  # a redirect is followed at once; an old marker must not linger
_PROBING = "_organisation_probe"

Lookup = TypeVar("Lookup", bound=Callable[..., Any])


class InOtherOrganisation(Exception):  # noqa: N818 (not an error: a page of its own)
    """What was asked for opens in another of the person's organisations.

    ``organisations`` are the ones to offer, in the switcher's order. ``role_labels`` is
    set when the current organisation lacks the role the page needs (then nothing is
    known about an object: the page only names where the person holds that role).
    """

    def __init__(self, organisations: list[Organisation], *, role_labels: list[str] | None = None) -> None:
        super().__init__(", ".join(o.name for o in organisations))
        self.organisations = organisations
        self.role_labels = role_labels or []


def other_memberships(request: HttpRequest) -> list[Membership]:
    current = getattr(request, "membership", None)
    return [m for m in getattr(request, "memberships", []) if current is None or m.pk != current.pk]


def _could_open_page(request: HttpRequest, membership: Membership) -> bool:
    """Whether ``membership`` holds a role the page's ``role_required`` asked for (if it asked)."""
    from saferwork.organisations.permissions import membership_has

    roles = getattr(request, "required_roles", ())
    return not roles or any(membership_has(membership, flag) for flag in roles)


@contextmanager
def acting_as(request: HttpRequest, membership: Membership) -> Iterator[None]:
    """For the length of the block, ``request`` reads as if ``membership`` were current."""
    saved = (request.membership, request.organisation)  # type: ignore[attr-defined]
    request.membership = membership  # type: ignore[attr-defined]
    request.organisation = membership.organisation  # type: ignore[attr-defined]
    setattr(request, _PROBING, True)
    try:
        yield
    finally:
        request.membership, request.organisation = saved  # type: ignore[attr-defined]
        setattr(request, _PROBING, False)


def offers_other_organisation(lookup: Lookup) -> Lookup:
    """Wrap a ``get_<thing>_for_user(request, …)`` lookup that raises 404 (or 403) when the
    current organisation may not open the thing: if one of the person's other memberships
    may, raise :class:`InOtherOrganisation` for it instead.

    The lookups must only read (they run once per membership on a miss). A lookup called
    inside another is not probed twice: while probing, a miss is simply a miss.
    """

    @wraps(lookup)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            return lookup(request, *args, **kwargs)
        except (Http404, PermissionDenied):
            if getattr(request, _PROBING, False):
                raise
            for membership in other_memberships(request):
                if not _could_open_page(request, membership):
                    continue
                with acting_as(request, membership):
                    try:
                        lookup(request, *args, **kwargs)
                    except (Http404, PermissionDenied, InOtherOrganisation):
                        continue
                raise InOtherOrganisation([membership.organisation]) from None
            raise

    return cast(Lookup, wrapper)


def mark_landing(request: HttpRequest, next_url: str) -> None:
    """Remember the page a switch is about to send the person to (see the module docstring)."""
    request.session[LANDING_KEY] = {"path": unquote(urlsplit(next_url).path), "at": int(time.time())}


def take_landing(request: HttpRequest) -> bool:
    """True once, for the request that follows a switch to the page it named."""
    landing = request.session.get(LANDING_KEY)
    if not landing or request.method != "GET" or landing.get("path") != request.path:
        return False
    del request.session[LANDING_KEY]
    return bool(int(landing.get("at", 0)) + LANDING_SECONDS >= time.time())
