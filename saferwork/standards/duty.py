"""Standards' part of the duty record: versions published (the organisation's own acts,
exact, each a dated step) and the suppressed acknowledgement of each current version.

The figures are the same cells as the standards report's "by document" summary (each
document's table suppressed once), so the record and the report never hide differently.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.urls import reverse

from saferwork.lib.dutysteps import Figure, Section, Step
from saferwork.organisations.models import Organisation
from saferwork.standards import selectors
from saferwork.standards.models import Document, DocumentVersion


def section(organisation: Organisation, start: dt.date, end: dt.date) -> Section | None:
    """A fixed number of queries (versions, then the report's three), whatever the data size."""
    zone = zoneinfo.ZoneInfo(organisation.time_zone)
    published = list(
        DocumentVersion.objects.for_organisation(organisation)
        .filter(published_at__isnull=False)
        .select_related("document")
        .order_by("published_at", "id")
    )
    versions = [v for v in published if v.published_at and start <= v.published_at.astimezone(zone).date() <= end]
    withdrawn = [v for v in published if v.withdrawn_at and start <= v.withdrawn_at.astimezone(zone).date() <= end]
    if not versions and not Document.objects.for_organisation(organisation).exists():
        return None
    steps = tuple(
        Step(
            on=v.published_at.astimezone(zone).date(),  # type: ignore[union-attr]
            title=f"{v.document.get_kind_display()} published: {v.document.title}, version {v.label}",
            detail=v.summary,
            evidence=("The published text", "Who was asked to read and acknowledge it"),
            url=reverse("standards:document", args=[v.document_id]),
        )
        for v in versions
    ) + tuple(
        Step(
            on=v.withdrawn_at.astimezone(zone).date(),  # type: ignore[union-attr]
            title=f"{v.document.get_kind_display()} withdrawn: {v.document.title}, version {v.label}",
            detail=v.withdrawal_reason,
            evidence=("The withdrawn text", "Who had acknowledged it, kept"),
            url=reverse("standards:document", args=[v.document_id]),
        )
        for v in withdrawn
    )
    found = selectors.report(organisation)
    figures = [Figure("Document versions published in the period", len(versions), str(len(versions)))]
    for d in found.documents:
        rate = d.overall
        figures.append(Figure(f"Asked to acknowledge {d.heading}", rate.asked.value, rate.asked.display))
        figures.append(Figure(f"Acknowledged {d.heading}", rate.acknowledged.value, rate.acknowledged.display))
        figures.append(Figure(f"Acknowledgement rate, {d.heading}", rate.percent_value, rate.percent))
    return Section(
        key="standards",
        title="Behavioural standards and policies",
        steps=steps,
        figures=tuple(figures),
        notes=(
            "Acknowledgement figures are for each document's current version today, whatever the period.",
            found.footnote,
        ),
    )
