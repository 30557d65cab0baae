"""Retention: closed cases are erased a set time after closing; counts stay."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from saferwork.audit.models import AuditEntry
from saferwork.reporting import services, statistics
from saferwork.reporting.models import Attachment, Message, Report, ReportKey, ReportTally
from saferwork.reporting.tests.helpers import submit

pytestmark = pytest.mark.django_db


def _closed_report(client, org, handler, closed_on):
    submit(client, org.slug, files=[("note.txt", b"plain words")])
    client.cookies.clear()
    report = Report.objects.order_by("-pk").first()
    services.reply(report=report, user=handler, body="Thank you")
    services.change_status(report=report, user=handler, status="closed", outcome="recorded")
    Report.objects.filter(pk=report.pk).update(closed_on=closed_on)
    return report


@pytest.mark.parametrize(
    ("today", "before", "expected"),
    [
        (date(2026, 11, 20), 12, date(2025, 11, 20)),
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 2, 29)),
        (date(2026, 1, 15), 13, date(2024, 12, 15)),
    ],
)
def test_months_before(today, before, expected):
    assert services.months_before(today, before) == expected


def test_closed_cases_past_retention_are_erased_and_counts_stay(
    client, reporting_org, handler, django_capture_on_commit_callbacks
):
    today = date(2026, 11, 20)
    old = _closed_report(client, reporting_org, handler, date(2025, 11, 20))
    recent = _closed_report(client, reporting_org, handler, date(2025, 11, 21))
    submit(client, reporting_org.slug)
    still_open = Report.objects.order_by("-pk").first()
    Report.objects.filter(pk=still_open.pk).update(submitted_on=date(2024, 1, 1))
    old_file = Attachment.objects.get(report=old).storage_name
    assert default_storage.exists(old_file)
    statistics.fold_pending_tallies()
    tallies = sorted(ReportTally.objects.values_list("month", "dimension", "value", "count"))
    assert tallies

    with django_capture_on_commit_callbacks(execute=True):
        assert services.erase_closed_reports(months=12, today=today) == 1

    assert set(Report.objects.values_list("pk", flat=True)) == {recent.pk, still_open.pk}
    assert not Message.objects.filter(report_id=old.pk).exists()
    assert not ReportKey.objects.filter(report_id=old.pk).exists()
    assert not Attachment.objects.filter(report_id=old.pk).exists()
    assert not default_storage.exists(old_file)
    assert default_storage.exists(Attachment.objects.get(report=recent).storage_name)
    # The counters are untouched, so the statistics are the same as before.
    assert sorted(ReportTally.objects.values_list("month", "dimension", "value", "count")) == tallies
    entry = AuditEntry.objects.get(action="saferwork.report.erased")
    assert entry.target_label == f"Report {old.reference}" and entry.data["retention_months"] == 12


def test_statistics_do_not_change_when_cases_are_erased(client, reporting_org, handler, monkeypatch):
    for _ in range(6):
        _closed_report(client, reporting_org, handler, date(2020, 1, 1))
    statistics.fold_pending_tallies()
    today = date.today() + timedelta(days=62)  # the reports' month is now a complete month
    before = statistics.statistics_for(reporting_org, today).csv_rows()
    assert any("6" in row for row in before)
    assert services.erase_closed_reports(months=12) == 6
    assert not Report.objects.exists()
    assert statistics.statistics_for(reporting_org, today).csv_rows() == before


def test_command_uses_the_months_option(client, reporting_org, handler, capsys):
    _closed_report(client, reporting_org, handler, date.today() - timedelta(days=100))
    call_command("erase_closed_reports")
    assert "Erased 0 closed reports." in capsys.readouterr().out
    call_command("erase_closed_reports", "--months", "3")
    assert "Erased 1 closed report." in capsys.readouterr().out
    assert not Report.objects.exists()
    with pytest.raises(ValueError):
        services.erase_closed_reports(months=0)


def test_command_default_comes_from_the_retention_setting(client, reporting_org, handler, capsys, settings):
    _closed_report(client, reporting_org, handler, date.today() - timedelta(days=100))
    settings.REPORTING_RETENTION_MONTHS = 4
    call_command("erase_closed_reports")
    assert "Erased 0 closed reports." in capsys.readouterr().out
    settings.REPORTING_RETENTION_MONTHS = 3
    call_command("erase_closed_reports")
    assert "Erased 1 closed report." in capsys.readouterr().out
    assert not Report.objects.exists()
