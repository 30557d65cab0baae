"""Email is queued as a task that carries a message kind and object ids, nothing else.

Metadata is data (DESIGN.md): a queued task's arguments outlive the request in the task
table (``TASK_BACKEND=database``), in its backups and in the worker's logs. So a task
never holds a recipient, a subject, a body or a link. A call site says *what happened to
which objects*::

    queue_email("reporting.reporter_new_message", ids=[report.pk])

and the worker looks the rest up: each app's ``emails.py`` registers one renderer per
kind with :func:`renderer`; the renderer reads the objects by id (unsealing, for example,
a reporter's notification address from where it is already stored) and returns the
:class:`Email` objects to send.

A one-time link whose plain token exists nowhere but in the request (an invitation, a
resume link) cannot be looked up by id. Either the renderer mints it in the worker (the
evaluation and badge links do this, so no task ever pairs a person with their token), or
the call site passes it in ``secrets``: it is sealed with a key derived from
``SECRET_KEY`` (a database dump alone does not open it, the same protection as the
notification address) and the row is pruned soon after (``manage.py prune_tasks``).

The task returns nothing, and a failure is re-raised as :class:`EmailNotSent` naming only
the kind, so neither the result nor the stored traceback can carry an address.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

import nacl.secret
import nacl.utils
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


@dataclass
class Email:
    """One message to send: rendered from ``<template>_subject.txt`` and ``<template>_body.txt``."""

    to: list[str]
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)


Renderer = Callable[[list[str], dict[str, str]], Iterable[Email]]
_RENDERERS: dict[str, Renderer] = {}


class EmailNotSent(Exception):
    """A queued email failed; the message names the kind only, never an address."""


def renderer(kind: str) -> Callable[[Renderer], Renderer]:
    """Register ``func(ids, secrets) -> Iterable[Email]`` as the renderer of ``kind``.

    ``kind`` is ``"<app>.<what>"``; the function lives in ``saferwork/<app>/emails.py``.
    """

    def register(func: Renderer) -> Renderer:
        _RENDERERS[kind] = func
        return func

    return register


def renderer_for(kind: str) -> Renderer:
    app = kind.split(".", 1)[0]
    if kind not in _RENDERERS:
        try:
            import_module(f"saferwork.{app}.emails")
        except ModuleNotFoundError:
            raise LookupError(f"No email renderers for the app of {kind!r}.") from None
    try:
        return _RENDERERS[kind]
    except KeyError:
        raise LookupError(f"No email renderer for {kind!r}.") from None


def queue_email(kind: str, *, ids: Sequence[int | str] = (), secrets: Mapping[str, str] | None = None) -> None:
    """Queue the email ``kind`` about the objects ``ids`` once the transaction commits.

    Only ``kind``, the ids and (when given) the sealed ``secrets`` reach the task; the
    worker renders. A rolled-back change never sends a message about itself.
    """
    from saferwork.core.tasks import send_email

    renderer_for(kind)  # an unknown kind fails here, in the request, not later in a worker
    args = [str(i) for i in ids]
    sealed = _seal(dict(secrets)) if secrets else ""
    transaction.on_commit(lambda: send_email.enqueue(kind=kind, ids=args, sealed=sealed))


def deliver(*, kind: str, ids: list[str], sealed: str = "") -> None:
    """Render and send ``kind`` (called by the worker)."""
    secrets = _unseal(sealed) if sealed else {}
    with transaction.atomic():
        emails = list(renderer_for(kind)(ids, secrets))
    for email in emails:
        _send(email)


def _send(email: Email) -> None:
    recipients = [address for address in email.to if address]
    if not recipients:
        return
    context = {"site_url": settings.SITE_URL, **email.context}
    subject = " ".join(render_to_string(f"{email.template}_subject.txt", context).split())
    body = render_to_string(f"{email.template}_body.txt", context)
    message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=recipients)
    for name, content, mimetype in email.attachments:
        message.attach(name, content, mimetype)
    message.send()


def _key() -> bytes:
    return hashlib.blake2b(
        settings.SECRET_KEY.encode(), digest_size=nacl.secret.SecretBox.KEY_SIZE, person=b"saferwork-mail"
    ).digest()


def _seal(values: dict[str, str]) -> str:
    box = nacl.secret.SecretBox(_key())
    return base64.b64encode(bytes(box.encrypt(json.dumps(values).encode()))).decode()


def _unseal(sealed: str) -> dict[str, str]:
    box = nacl.secret.SecretBox(_key())
    data: dict[str, str] = json.loads(box.decrypt(base64.b64decode(sealed)))
    return data
