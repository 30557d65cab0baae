"""A reporter's actions cannot be ordered against other activity in the audit log.

On PostgreSQL this also compares system columns: ``xmin`` (the writing transaction) and
``ctid`` (the physical place) of audit rows against the report rows.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection

from saferwork.audit import services as audit
from saferwork.audit.models import AuditEntry, PendingReporterEntry
from saferwork.reporting import selectors
from saferwork.reporting.models import Report
from saferwork.reporting.tests.helpers import follow_up, submit
from saferwork.reporting.tests.test_union_sharing import employer, employer_handler, share_url  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def system_columns(table: str) -> dict[str, tuple[str, str]]:
    """id → (xmin, ctid) on PostgreSQL; empty elsewhere."""
    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id::text, xmin::text, ctid::text FROM {table}")  # noqa: S608
        return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}


def handler_action(report: Report, handler: Any, name: str) -> AuditEntry:
    from django.db import transaction

    with transaction.atomic():
        return audit.record(action=name, actor=handler, organisation=report.organisation, target=report)


def test_reporter_entries_sit_neither_between_handler_entries_nor_beside_each_other(
    client: Any,
    reporting_org: Any,
    handler: Any,
    employer: Any,  # noqa: F811
    employer_handler: Any,  # noqa: F811 - someone on the employer's side must be able to read the copy
) -> None:
    receipt = submit(client, reporting_org.slug)
    union_report = Report.objects.get(organisation=reporting_org)
    before = handler_action(union_report, handler, "saferwork.case.opened")
    follow_up(client, reporting_org.slug, receipt)
    response = client.post(
        share_url(reporting_org), {"action": "send", "employer": str(employer.pk), "parts": ["where"]}
    )
    assert response.status_code == 200
    after = handler_action(union_report, handler, "saferwork.case.opened")
    copy = Report.objects.get(organisation=employer)

    # Nothing of the reporter's reaches the log before the fold.
    reporter = AuditEntry.objects.filter(action__startswith="saferwork.report.")
    assert not reporter.exists() and PendingReporterEntry.objects.count() == 3
    call_command("fold_reporter_audit", verbosity=0)  # today's entries wait for the day to end
    assert PendingReporterEntry.objects.count() == 3
    audit.fold_reporter_actions(through=selectors.today_for(reporting_org))
    assert PendingReporterEntry.objects.count() == 0

    entries = list(reporter)
    assert {e.action for e in entries} == {"saferwork.report.submitted", "saferwork.report.shared_with_employer"}
    for entry in entries:
        # Day only, and after both handler entries by id: not between them.
        local = entry.created_at.astimezone(ZoneInfo(reporting_org.time_zone))
        assert (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)
        assert entry.pk > after.pk > before.pk
    # In the list (newest first) the day's reporter entries come after every timed entry of that day.
    listed = list(AuditEntry.objects.filter(target_id__in=[str(union_report.pk), str(copy.pk)]))
    assert [e.pk for e in listed[:2]] == [after.pk, before.pk]

    audit_rows = system_columns(AuditEntry._meta.db_table)
    report_rows = system_columns(Report._meta.db_table)
    if audit_rows:
        report_xmins = {xmin for xmin, _ in report_rows.values()}
        folded = {audit_rows[str(e.pk)][0] for e in entries}
        # All written by the fold's one transaction, none by a reporter's.
        assert len(folded) == 1 and not folded & report_xmins
        assert audit_rows[str(before.pk)][0] not in folded
        ctid = {pk: tuple(int(n) for n in c.strip("()").split(",")) for pk, (_, c) in audit_rows.items()}
        assert all(ctid[str(e.pk)] > ctid[str(after.pk)] for e in entries)
