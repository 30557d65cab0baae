"""The idle timeout without a database write on every request.

``SESSION_SAVE_EVERY_REQUEST`` pushed a signed-in session's expiry forward by saving it
on every page: one ``UPDATE`` of the session row per request. This middleware saves it
only when it was last saved more than ``SESSION_TOUCH_SECONDS`` ago (a minute by
default), so a session still ends after ``SESSION_IDLE_SECONDS`` without a request, give
or take that minute. Sessions changed by the request are saved as before.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

TOUCHED_KEY = "_touched"


class IdleSessionMiddleware:
    """Marks a non-empty session modified at most once a ``SESSION_TOUCH_SECONDS``.

    Sits just after ``SessionMiddleware``: on the way out it runs first, so the session
    middleware then saves the session (with a new expiry) and resends its cookie.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a session that was loaded and holds something: never make one for a visitor.
        if session is None or not getattr(session, "_session_cache", None):
            return response
        now = int(time.time())
        if session.modified or now - int(session.get(TOUCHED_KEY, 0)) >= settings.SESSION_TOUCH_SECONDS:
            session[TOUCHED_KEY] = now
        return response
