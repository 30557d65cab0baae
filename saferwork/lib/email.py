"""Email goes through Django's backends, queued as a background task after commit."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.template.loader import render_to_string


def send_templated_email(*, to: list[str], template: str, context: dict[str, Any]) -> None:
    """Render ``<template>_subject.txt`` and ``<template>_body.txt`` and queue the email.

    The email is only queued once the surrounding transaction commits, so a rolled-back
    change never sends a message about itself.
    """
    from saferwork.core.tasks import send_email

    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}_body.txt", context)
    transaction.on_commit(lambda: send_email.enqueue(to=to, subject=subject, body=body))
