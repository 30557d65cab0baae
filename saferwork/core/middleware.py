"""Pages that must never be kept by a browser or a proxy."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every response to a signed-in person (their pages and
    exports: cases, the audit log, reach exports) and on every page where someone without
    an account writes or reads something personal (reporting, evaluations, password
    reset, invitations, personal-data links). no-store also keeps these pages out of the
    back/forward cache, so Back after signing out or "Exit this page" cannot show them.

    One place rather than a decorator on each view, so a new page or export is covered
    without anyone remembering to add it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.prefixes = tuple(settings.NO_STORE_PATH_PREFIXES)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path_info.startswith(self.prefixes):
            add_never_cache_headers(response)  # max-age=0, no-cache, no-store, must-revalidate, private
        return response
