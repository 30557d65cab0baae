"""Organisations' emails, rendered in the worker from ids (see ``saferwork.lib.email``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from saferwork.lib.email import Email, renderer
from saferwork.organisations import selectors
from saferwork.organisations.models import JoinRequest


@renderer("organisations.join_request")
def join_request(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    request = JoinRequest.objects.select_related("organisation").get(pk=ids[0])
    coordinators = selectors.coordinator_emails(request.organisation)
    if coordinators:
        yield Email(
            to=list(coordinators),
            template="organisations/email/join_request",
            context={"join_request": request, "url": f"{settings.SITE_URL}/organisation/join-requests/{request.pk}/"},
        )


@renderer("organisations.join_refused")
def join_refused(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    request = JoinRequest.objects.select_related("organisation").get(pk=ids[0])
    yield Email(to=[request.email], template="organisations/email/join_refused", context={"join_request": request})
