"""Fees' emails, rendered in the worker from ids (see ``saferwork.lib.email``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from saferwork.fees.models import FeeDocument, pounds
from saferwork.lib.email import Email, renderer


@renderer("fees.sent")
def sent(ids: list[str], secrets: dict[str, str]) -> Iterable[Email]:
    document = FeeDocument.objects.select_related("enquiry", "trainer").get(pk=ids[0])
    enquiry = document.enquiry
    yield Email(
        to=sorted(e for e in {enquiry.contact_email, enquiry.contact_point_email} if e),
        template="fees/email/sent",
        context={
            "document": document,
            "total": pounds(document.total_pence()),
            "trainer": document.trainer.name,
            "url": f"{settings.SITE_URL}/fees/{document.pk}/",
        },
    )
