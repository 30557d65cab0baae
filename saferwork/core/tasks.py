"""The one email task: it carries a message kind and ids, renders in the worker, returns nothing."""

from __future__ import annotations

import logging

from django_tasks import task

from saferwork.lib.email import EmailNotSent, deliver

logger = logging.getLogger(__name__)


@task()
def send_email(*, kind: str, ids: list[str], sealed: str = "") -> None:
    try:
        deliver(kind=kind, ids=ids, sealed=sealed)
    except Exception as exc:
        # The stored traceback and the log keep the kind and the error class only: an SMTP
        # error's text names the recipient, a template error may quote the context.
        logger.error("Email %s not sent: %s", kind, type(exc).__name__)
        raise EmailNotSent(kind) from None
