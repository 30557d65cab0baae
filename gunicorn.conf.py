"""gunicorn settings for ``make serve``: access logs without reporters (see saferwork/lib/privatelog.py)."""

import os

from saferwork.lib.privatelog import ACCESS_LOG_FORMAT, AccessLogger

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
accesslog = "-"
access_log_format = ACCESS_LOG_FORMAT
logger_class = AccessLogger
# gunicorn's own error log has no request lines; keep its default time stamps.
