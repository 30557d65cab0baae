"""What error reports (the technical 500 page, admin emails, logged tracebacks) may show.

A reporting or survey request's POST holds a receipt, a receipt key, draft answers or a
message; its frames hold the same, plus unsealed private keys. Marking each view with
``sensitive_post_parameters``/``sensitive_variables`` is easy to forget on the next one,
so this filter (``DEFAULT_EXCEPTION_REPORTER_FILTER``) cleanses whole paths:

* on the private paths of ``lib/privatelog.py`` (reporting, evaluation, badge claims,
  surveys, a participant's data), on the handlers' ``/reporting/`` pages and on the
  sign-in, password, invitation and code pages: every POST parameter and every frame
  variable, whatever the view declared;
* everywhere else: any parameter whose name looks like a secret (receipt, key, answer,
  body, message, note, password, code, token, description, detail, email), besides
  Django's own ``API|TOKEN|KEY|SECRET|PASS|SIGNATURE``;
* the filter is active with ``DEBUG`` on too (a developer's screen is a log as well).
"""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest
from django.views.debug import SafeExceptionReporterFilter

from saferwork.lib.privatelog import is_private

WHOLLY_SENSITIVE_PREFIXES = (
    "/reporting/",  # handlers' case pages: replies, notes, unsealed keys
    "/account/",  # sign-in, codes, sudo, password reset and change
    "/invitations/",
    "/recruitment/",  # applications, resume and withdraw links
)
SENSITIVE_NAMES = re.compile(
    r"receipt|key|answer|body|message|note|pass|code|token|secret|description|detail|impact|email|wants|text",
    re.IGNORECASE,
)


def wholly_sensitive(request: HttpRequest | None) -> bool:
    path = getattr(request, "path", "") or ""
    return is_private(path) or path.startswith(WHOLLY_SENSITIVE_PREFIXES)


class SaferworkExceptionReporterFilter(SafeExceptionReporterFilter):
    hidden_settings = re.compile(
        "API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|DATABASE_URL|REDIS_URL|EMAIL_HOST_USER", flags=re.I
    )

    def is_active(self, request: HttpRequest | None) -> bool:
        return True

    def get_post_parameters(self, request: HttpRequest | None) -> Any:
        if request is None:
            return {}
        params = super().get_post_parameters(request)
        cleansed = params.copy()
        for name in cleansed:
            if wholly_sensitive(request) or SENSITIVE_NAMES.search(name):
                cleansed[name] = self.cleansed_substitute
        return cleansed

    def get_traceback_frame_variables(self, request: HttpRequest | None, tb_frame: Any) -> Any:
        variables = super().get_traceback_frame_variables(request, tb_frame)
        if wholly_sensitive(request):
            return [(name, self.cleansed_substitute) for name, _ in variables]
        return [
            (name, self.cleansed_substitute if SENSITIVE_NAMES.search(name) else value) for name, value in variables
        ]

    def get_safe_request_meta(self, request: HttpRequest) -> dict[str, Any]:
        meta = super().get_safe_request_meta(request)
        if wholly_sensitive(request):
            # The query string (tokens travel there), the address and the browser.
            for name in ("QUERY_STRING", "REMOTE_ADDR", "HTTP_USER_AGENT", "HTTP_X_FORWARDED_FOR", "HTTP_REFERER"):
                if name in meta:
                    meta[name] = self.cleansed_substitute
        return meta
