"""Logs that never record a reporter or respondent (DESIGN.md, "Metadata is data").

An access log line with an address, a time, a path and a user agent for ``/report/...``
is exactly the trace the reporting design keeps out of the tables. So:

* :class:`AccessLogger` (gunicorn's ``logger_class``, see ``gunicorn.conf.py``) writes no
  line at all for a private path, and for every other request a line with no client
  address, no user agent and no time (the method, path, status, size and duration);
* :class:`PrivatePathFilter` (on every handler in ``LOGGING``) rewrites Django's records
  about a request to a private path (``django.request``'s "Not Found: /report/…",
  ``django.server``'s request lines) so they name neither the path nor the address; an
  error's traceback is kept, since it holds code, not the request.

The proxy in front must do the same (README: "Logging"). Kept free of Django imports so
gunicorn's config can load it before the application.
"""

from __future__ import annotations

import logging
from typing import Any

PRIVATE_PREFIXES = (
    "/report/",  # reporting: start, questions, check, follow-up, records, sharing
    "/evaluation/",  # anonymous evaluation links
    "/badge/claim/",  # badge claim links (the token names a participant)
    "/survey/",  # climate surveys, when they arrive
    "/my-data/",  # a participant's own data
    "/exit/",  # "Exit this page": when someone left is itself a trace
)


def is_private(path: str) -> bool:
    return any(path.startswith(prefix) for prefix in PRIVATE_PREFIXES)


class PrivatePathFilter(logging.Filter):
    """Strip the path (and so everything about the person) from records about private paths."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        path = getattr(request, "path", None) or _path_of_server_record(record)
        if path and is_private(path):
            status = getattr(record, "status_code", "")
            record.msg = "%s on a private path (status %s)"
            record.args = (record.levelname, status)
            record.request = None
        return True


def _path_of_server_record(record: logging.LogRecord) -> str:
    # runserver's "GET /report/x/ HTTP/1.1" 200 lines: the request line is an argument.
    for arg in record.args if isinstance(record.args, tuple) else ():
        if isinstance(arg, str) and " /" in arg:
            return arg.split(" ", 2)[1]
    return ""


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # gunicorn is a production dependency only
    _GunicornLogger = object  # type: ignore[assignment,misc]


class AccessLogger(_GunicornLogger):  # type: ignore[misc,valid-type]
    """gunicorn's access log without addresses, user agents or times, silent on private paths."""

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if is_private(environ.get("PATH_INFO", "")):
            return
        super().access(resp, req, environ, request_time)


# %(m)s method, %(U)s path without query, %(s)s status, %(B)s bytes, %(M)s milliseconds.
# No %(h)s (address), %(a)s (user agent), %(t)s (time), %(q)s (query: tokens travel there).
ACCESS_LOG_FORMAT = '"%(m)s %(U)s" %(s)s %(B)s %(M)sms'
