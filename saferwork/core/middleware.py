"""Middleware that protects every page at once: request body caps and no-store caching."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
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


class RequestBodyLimitMiddleware:
    """A body bigger than the cap gets a calm 413 page, and not one byte of it is read.

    Django would otherwise stream a whole 60 MB upload to a temporary file before the view
    could refuse it. The cap for a form with files is ``MAX_UPLOAD_REQUEST_BYTES`` (the
    largest file accepted anywhere, plus room for the form around it); any other body is
    capped at ``DATA_UPLOAD_MAX_MEMORY_SIZE``. A body sent without a length is never read
    by Django at all. Proxies should set the same cap (nginx: ``client_max_body_size``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body whose length it cannot parse
        with_files = request.META.get("CONTENT_TYPE", "").startswith("multipart/")
        cap = settings.MAX_UPLOAD_REQUEST_BYTES if with_files else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if cap is not None and length > cap:
            context = {"with_files": with_files, "limit_mb": max(1, settings.MAX_UPLOAD_FILE_BYTES // (1024 * 1024))}
            return render(request, "413.html", context, status=413)
        return self.get_response(request)
