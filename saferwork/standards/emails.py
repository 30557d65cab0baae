"""Standards' emails, rendered in the worker from ids (see ``saferwork.lib.email``).

One message per person: nobody sees who else was asked. A person who acknowledged in the
meantime is left out of a reminder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse

from saferwork.lib.email import Email, renderer
from saferwork.standards.models import DocumentVersion, Request


def _emails(version: DocumentVersion, requests: Iterable[Request], *, template: str) -> Iterable[Email]:
    url = f"{settings.SITE_URL}{reverse('standards:read', args=[version.pk])}"
    for found in requests:
        yield Email(
            to=[found.user.email],
            template=f"standards/email/{template}",
            context={
                "version": version,
                "document": version.document,
                "organisation": version.organisation,
                "person": found.user,
                "url": url,
            },
        )


def _version(pk: str) -> DocumentVersion | None:
    return DocumentVersion.objects.select_related("document", "organisation").filter(pk=pk).first()


@renderer("standards.asked")
def asked(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    version = _version(ids[0])
    if version is None:
        return []
    moment = dt.datetime.fromisoformat(ids[1])
    requests = (
        Request.objects.filter(version=version, asked_at=moment, acknowledged_at__isnull=True)
        .select_related("user")
        .order_by("id")
    )
    return _emails(version, requests, template="asked")


@renderer("standards.reminder")
def reminder(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    version = _version(ids[0])
    if version is None or version.document.current_version_id != version.pk:
        return []
    day = dt.date.fromisoformat(ids[1])
    requests = (
        Request.objects.filter(version=version, last_reminded_on=day, acknowledged_at__isnull=True)
        .select_related("user")
        .order_by("id")
    )
    return _emails(version, requests, template="reminder")
