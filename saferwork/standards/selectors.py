"""Reads that standards pages share: scoped fetches, a person's own requests, the report.

Every fetch goes through the current membership's organisation and raises 404 when the
person may not see the thing. A request is read only by its own person: coordinators and
leaders see acknowledgements as suppressed counts, never who has or has not.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404, HttpRequest

from saferwork.lib import suppression
from saferwork.organisations.models import Membership, Organisation
from saferwork.organisations.permissions import membership_has
from saferwork.reporting.selectors import public_route_path
from saferwork.standards.models import Document, DocumentVersion, Placement, Request
from saferwork.surveys.models import Department

ACKNOWLEDGED = "Acknowledged"
NOT_YET = "Not yet acknowledged"
COLUMNS = (ACKNOWLEDGED, NOT_YET)
NOT_RECORDED = "Department not recorded"


def membership(request: HttpRequest) -> Membership:
    found = getattr(request, "membership", None)
    if found is None:
        raise Http404
    return cast(Membership, found)


def manages(request: HttpRequest) -> bool:
    return membership_has(getattr(request, "membership", None), "is_coordinator")


def sees_report(request: HttpRequest) -> bool:
    found = getattr(request, "membership", None)
    return membership_has(found, "is_coordinator") or membership_has(found, "is_leader")


def reporting_url(organisation: Organisation) -> str:
    return public_route_path(organisation) or ""


def threshold() -> int:
    return suppression.check_threshold(settings.STANDARDS_SUPPRESSION_THRESHOLD)


# ---------------------------------------------------------------- a person's own


def my_requests(request: HttpRequest) -> list[Request]:
    """The person's requests for every document's current version, the outstanding first."""
    found = membership(request)
    mine = (
        Request.objects.for_organisation(found.organisation)
        .filter(user=request.user, version__document__current_version=F("version"))
        .select_related("version__document")
        .order_by("version__document__title", "id")
    )
    rows = list(mine)
    return sorted(rows, key=lambda r: r.acknowledged_at is not None)


@dataclass(frozen=True)
class Reading:
    version: DocumentVersion
    own: Request | None  # the reader's own request, if they were asked
    manages: bool
    current: bool


def get_version_for_reader(request: HttpRequest, pk: int, *, draft: bool = False) -> Reading:
    """A published version for the person asked to read it, or for a coordinator or leader;
    with ``draft``, a draft for a coordinator (its preview); else 404. A draft is never
    shown to anyone else, whatever the address they type."""
    found = membership(request)
    version = (
        DocumentVersion.objects.for_organisation(found.organisation)
        .select_related("document", "organisation")
        .filter(pk=pk)
        .first()
    )
    if version is None or (version.is_draft and not (draft and manages(request))):
        raise Http404
    own = Request.objects.filter(version=version, user_id=cast(int, request.user.pk)).first()
    if own is None and not sees_report(request):
        raise Http404
    return Reading(
        version=version,
        own=own,
        manages=manages(request),
        current=version.document.current_version_id == version.pk,
    )


# ---------------------------------------------------------------- coordinators


def documents_of(organisation: Organisation) -> list[Document]:
    return list(
        Document.objects.for_organisation(organisation)
        .filter(current_version__isnull=False)
        .select_related("current_version")
    )


def unpublished_of(organisation: Organisation) -> list[Document]:
    """Documents with no current version (only drafts so far, or withdrawn), for coordinators."""
    return list(Document.objects.for_organisation(organisation).filter(current_version__isnull=True))


def last_withdrawn(document: Document) -> DocumentVersion | None:
    """The version withdrawn last, when the document has no current version."""
    if document.current_version_id is not None:
        return None
    return document.versions.filter(withdrawn_at__isnull=False).order_by("-withdrawn_at", "-id").first()


def drafts_of(document: Document) -> list[DocumentVersion]:
    return list(document.versions.filter(published_at__isnull=True).order_by("-saved_at", "-id"))


def get_draft(request: HttpRequest, pk: int) -> DocumentVersion:
    """A draft of the current organisation, for a coordinator; else 404."""
    found = membership(request)
    draft = (
        DocumentVersion.objects.for_organisation(found.organisation)
        .filter(pk=pk, published_at__isnull=True)
        .select_related("document", "organisation")
        .first()
    )
    if draft is None or not manages(request):
        raise Http404
    return draft


def get_document(request: HttpRequest, pk: int) -> Document:
    found = membership(request)
    document = (
        Document.objects.for_organisation(found.organisation)
        .select_related("current_version", "organisation")
        .filter(pk=pk)
        .first()
    )
    if document is None:
        raise Http404
    return document


def versions_of(document: Document) -> list[DocumentVersion]:
    """The published versions, the latest first (drafts are listed apart)."""
    return list(document.versions.filter(published_at__isnull=False).select_related("published_by"))


def departments_of(organisation: Organisation) -> QuerySet[Department]:
    return cast(QuerySet[Department], Department.objects.for_organisation(organisation).order_by("name"))


def department_sizes(organisation: Organisation) -> list[tuple[Department, int]]:
    """Departments with how many members are placed in each (for the coordinator choosing
    who to ask: the organisation's own staff list, not a count of anyone's answers)."""
    counts = dict(
        Placement.objects.for_organisation(organisation)
        .values("department_id")
        .annotate(n=Count("id"))
        .values_list("department_id", "n")
    )
    return [(d, counts.get(d.pk, 0)) for d in departments_of(organisation)]


def members_of(organisation: Organisation) -> QuerySet[Any]:
    from saferwork.accounts.models import User

    return User.objects.filter(memberships__organisation=organisation, is_active=True).order_by("full_name", "email")


# ---------------------------------------------------------------- the report


@dataclass(frozen=True)
class Rate:
    """Acknowledged, not yet and asked for one line, and the rate when both are shown."""

    acknowledged: suppression.Cell
    not_yet: suppression.Cell
    asked: suppression.Cell

    @property
    def percent_value(self) -> int | None:
        """Only from two shown numbers, so it tells nothing they do not."""
        if self.acknowledged.value is None or self.asked.value is None or not self.asked.value:
            return None
        return round(100 * self.acknowledged.value / self.asked.value)

    @property
    def percent(self) -> str:
        value = self.percent_value
        return suppression.HIDDEN_LABEL if value is None else f"{value}%"


@dataclass(frozen=True)
class DocumentReport:
    document: Document
    version: DocumentVersion
    table: suppression.SuppressedTwoWay

    @property
    def overall(self) -> Rate:
        totals = self.table.column_totals or {}
        assert self.table.grand_total is not None
        return Rate(totals[ACKNOWLEDGED], totals[NOT_YET], self.table.grand_total)

    def departments(self) -> list[tuple[str, Rate]]:
        rows = self.table.row_totals or {}
        return [
            (label, Rate(self.table.cells[label][ACKNOWLEDGED], self.table.cells[label][NOT_YET], rows[label]))
            for label in self.table.row_labels
        ]

    @property
    def table_id(self) -> str:
        return f"by-department-{self.document.pk}"

    def department_rows(self) -> list[tuple[str, Rate, str]]:
        return [(label, rate, "") for label, rate in self.departments()]

    @property
    def heading(self) -> str:
        return f"{self.document.title}, version {self.version.label}"


@dataclass(frozen=True)
class Report:
    """Acknowledgement of every document's current version, by department.

    Each document's table (departments × acknowledged / not yet, with every total) is
    suppressed as one table; the "by document" summary is that table's own totals, so
    nothing on the page or in the files is suppressed twice in two different ways. No
    total across documents is published: it would tie the tables to each other.
    """

    threshold: int
    documents: list[DocumentReport]

    @property
    def footnote(self) -> str:
        return suppression.footnote(self.threshold)

    def summary_rows(self) -> list[tuple[str, Rate, str]]:
        from django.urls import reverse

        return [(d.heading, d.overall, reverse("standards:document", args=[d.document.pk])) for d in self.documents]

    def for_document(self, pk: int) -> DocumentReport | None:
        return next((d for d in self.documents if d.document.pk == pk), None)

    def export_sections(self) -> list[tuple[str, list[list[int | str]]]]:
        """The rows every file is written from: the summary, then one section per document."""
        header: list[int | str] = ["", ACKNOWLEDGED, NOT_YET, "Asked", "Acknowledged (%)"]
        summary: list[list[int | str]] = [["Document", *header[1:]]]
        for d in self.documents:
            rate = d.overall
            summary.append([d.heading, *_line(rate)])
        sections = [("By document", summary)]
        for d in self.documents:
            rows: list[list[int | str]] = [["Department", *header[1:]]]
            rows += [[label, *_line(rate)] for label, rate in d.departments()]
            rows.append(["All departments", *_line(d.overall)])
            sections.append((d.heading, rows))
        return sections

    def csv_rows(self) -> list[list[Any]]:
        rows: list[list[Any]] = [["SaferWork acknowledgement of behavioural standards and policies"], [self.footnote]]
        for title, section in self.export_sections():
            rows += [[], [title], *section]
        return rows


def _line(rate: Rate) -> list[int | str]:
    return [rate.acknowledged.export_value, rate.not_yet.export_value, rate.asked.export_value, rate.percent]


def report(
    organisation: Organisation, *, only: Document | None = None, version: DocumentVersion | None = None
) -> Report:
    """Three queries whatever the number of people: documents, counts, department names.

    With ``version`` (a withdrawn one), that version's table alone: its acknowledgements
    stopped when it was withdrawn, so the figures are its history, suppressed the same way."""
    limit = threshold()
    if version is not None:
        pairs = [(version.document, version)]
    else:
        pairs = [
            (d, cast(DocumentVersion, d.current_version))
            for d in documents_of(organisation)
            if only is None or d.pk == only.pk
        ]
    version_ids = [v.pk for _, v in pairs]
    counts = (
        Request.objects.filter(version_id__in=version_ids)
        .values("version_id", "department_id")
        .annotate(total=Count("id"), acknowledged=Count("id", filter=Q(acknowledged_at__isnull=False)))
        .order_by()
    )
    grid: dict[int, dict[int | None, tuple[int, int]]] = defaultdict(dict)
    for row in counts:
        grid[row["version_id"]][row["department_id"]] = (row["acknowledged"], row["total"])
    names = dict(Department.objects.for_organisation(organisation).values_list("pk", "name"))
    reports = []
    for document, shown in pairs:
        found = grid.get(shown.pk, {})
        table = {
            names.get(dept, NOT_RECORDED) if dept is not None else NOT_RECORDED: {
                ACKNOWLEDGED: ack,
                NOT_YET: total - ack,
            }
            for dept, (ack, total) in sorted(found.items(), key=lambda kv: (kv[0] is None, names.get(kv[0], "")))
        }
        if not table:
            table = {NOT_RECORDED: {ACKNOWLEDGED: 0, NOT_YET: 0}}
        reports.append(
            DocumentReport(
                document=document,
                version=shown,
                table=suppression.suppress_table(
                    table, columns=COLUMNS, threshold=limit, rows_published=True, total_published=True
                ),
            )
        )
    return Report(threshold=limit, documents=reports)
