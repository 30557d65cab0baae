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

Rendering happens here and nowhere else (:func:`render`). The subject and the plain-text
body are rendered with autoescaping off, whatever the template says: a name such as
"Care Workers' Union" reaches the reader as typed, not as ``Care Workers&#x27; Union``.
The subject is then folded onto one trimmed line, so nothing in the context can add a
header. The HTML alternative is built from that same text body by :func:`text_blocks`
(paragraphs, bullet and numbered lines, links) and one shared, autoescaped template,
``email/base.html``: no email kind has a second, hand-written HTML template. Every
message ends with a :class:`Signature`: by default the programme's named contact (who
also receives replies); reporting's emails sign as the organisation's reporting team and
never name a handler or, to a reporter, the organisation.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any, cast

import nacl.secret
import nacl.utils
from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import Context, engines
from django.template.backends.django import DjangoTemplates
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Signature:
    """Who signs a message and how to reach them: the last lines of its text and HTML.

    ``email`` is shown, linked in the HTML part and used as the Reply-To; an email that
    must not invite replies (anything about a report) leaves it empty and says in
    ``how_to_reach`` where to write instead.
    """

    name: str
    role: str = ""
    email: str = ""
    how_to_reach: str = ""

    def lines(self) -> list[str]:
        return [line for line in (self.name, self.role, self.email, self.how_to_reach) if line]


def programme_signature() -> Signature:
    """The programme's named contact (``PROGRAMME_CONTACT_*`` settings)."""
    return Signature(
        name=settings.PROGRAMME_CONTACT_NAME,
        role=settings.PROGRAMME_CONTACT_ROLE,
        email=settings.PROGRAMME_CONTACT_EMAIL,
    )


@dataclass
class Email:
    """One message to send: rendered from ``<template>_subject.txt`` and ``<template>_body.txt``.

    ``signature`` ``None`` signs with :func:`programme_signature`. The body templates end
    with their last sentence: the signature is added by :func:`render`.
    """

    to: list[str]
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)
    signature: Signature | None = None


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


def registered_kinds() -> list[str]:
    """Every kind the apps' ``emails.py`` modules register (imports them all first)."""
    for config in apps.get_app_configs():
        module = f"{config.name}.emails"
        if config.name.startswith("saferwork.") and importlib.util.find_spec(module) is not None:
            import_module(module)
    return sorted(
        kind for kind, func in _RENDERERS.items() if func.__module__ == f"saferwork.{kind.split('.', 1)[0]}.emails"
    )


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
        send(email)


# ---------------------------------------------------------------- rendering


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render(email: Email) -> Rendered:
    """The subject line, the plain-text body (signed) and its HTML alternative."""
    context = {"site_url": settings.SITE_URL, **email.context}
    subject = one_line(_render_plain(f"{email.template}_subject.txt", context))
    body = _tidy(_render_plain(f"{email.template}_body.txt", context))
    signature = email.signature or programme_signature()
    text = "\n\n".join(part for part in (body, "\n".join(signature.lines())) if part) + "\n"
    html = render_to_string(
        "email/base.html",
        {
            "service_name": settings.SITE_NAME,
            "subject": subject,
            "blocks": text_blocks(body),
            "signature": [_runs(line) for line in signature.lines()],
        },
    )
    return Rendered(subject=subject, text=text, html=html)


def send(email: Email) -> None:
    """Render ``email`` and send it: a plain-text body with an HTML alternative."""
    recipients = [address for address in email.to if address]
    if not recipients:
        return
    rendered = render(email)
    signature = email.signature or programme_signature()
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
        reply_to=[signature.email] if signature.email else None,
    )
    message.attach_alternative(rendered.html, "text/html")
    for name, content, mimetype in email.attachments:
        message.attach(name, content, mimetype)
    message.send()


def _render_plain(name: str, context: dict[str, Any]) -> str:
    # Plain text is never HTML-escaped: the context decides, not each template remembering
    # {% autoescape off %}. The HTML part is escaped separately (email/base.html).
    engine = cast(DjangoTemplates, engines["django"]).engine
    return engine.get_template(name).render(Context(context, autoescape=False))


def one_line(text: str) -> str:
    """``text`` on one trimmed line: every run of whitespace, CR and LF included, is one space."""
    return " ".join(text.split())


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


_LINK = re.compile(r"(?P<url>https?://[^\s<>\"]+)|(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)")
_TRAILING = ".,;:!?)'"
_BULLET = re.compile(r"^\s*[-*\u2022]\s+(?P<text>.*)$")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+(?P<text>.*)$")


@dataclass(frozen=True)
class Run:
    """A piece of a line: plain text, or a link (``href`` set) showing ``text``."""

    text: str
    href: str = ""


@dataclass
class Block:
    """A paragraph (``kind`` "p", one item of lines) or a list ("ul", "ol": one item per entry)."""

    kind: str
    items: list[list[list[Run]]]


def _runs(line: str) -> list[Run]:
    runs: list[Run] = []
    position = 0
    for match in _LINK.finditer(line):
        found = match.group(0)
        end = match.end()
        if match.group("url"):
            while found and found[-1] in _TRAILING:
                found, end = found[:-1], end - 1
            href = found
        else:
            href = f"mailto:{found}"
        if match.start() > position:
            runs.append(Run(line[position : match.start()]))
        runs.append(Run(found, href))
        position = end
    if position < len(line):
        runs.append(Run(line[position:]))
    return runs


def text_blocks(body: str) -> list[Block]:
    """The text body as HTML blocks: blank lines part paragraphs, a line break stays a line
    break, lines starting "- " or "1. " make a list (an indented line continues an entry),
    and addresses become links. Only text travels: the template escapes every character."""
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", body):
        paragraph: list[list[Run]] = []
        current: Block | None = None
        for line in chunk.split("\n"):
            bullet, numbered = _BULLET.match(line), _NUMBERED.match(line)
            item = bullet or numbered
            if item:
                kind = "ul" if bullet else "ol"
                if paragraph:
                    blocks.append(Block("p", [paragraph]))
                    paragraph = []
                if current is None or current.kind != kind:
                    current = Block(kind, [])
                    blocks.append(current)
                current.items.append([_runs(item.group("text"))])
            elif current is not None and line[:1].isspace() and line.strip():
                current.items[-1].append(_runs(line.strip()))
            elif line.strip():
                current = None
                paragraph.append(_runs(line.strip()))
        if paragraph:
            blocks.append(Block("p", [paragraph]))
    return blocks


# ---------------------------------------------------------------- sealed secrets


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


# ---------------------------------------------------------------- system checks


def check_programme_contact(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """A signature without a name, or with an address nobody can write to, stops the server."""
    from django.core import checks
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    errors: list[Any] = []
    if not settings.PROGRAMME_CONTACT_NAME.strip():
        message = "PROGRAMME_CONTACT_NAME is empty: emails would be signed by nobody."
        errors.append(checks.Error(message, id="email.E001"))
    try:
        validate_email(settings.PROGRAMME_CONTACT_EMAIL)
    except ValidationError:
        errors.append(checks.Error("PROGRAMME_CONTACT_EMAIL is not an email address.", id="email.E002"))
    return errors


def check_programme_contact_is_not_the_demo(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    from django.core import checks

    if settings.PROGRAMME_CONTACT_EMAIL.lower().endswith(".invalid"):
        return [
            checks.Warning(
                "PROGRAMME_CONTACT_EMAIL is the demo address: set PROGRAMME_CONTACT_NAME, "
                "PROGRAMME_CONTACT_ROLE and PROGRAMME_CONTACT_EMAIL so emails are signed by a real contact.",
                id="email.W001",
            )
        ]
    return []
