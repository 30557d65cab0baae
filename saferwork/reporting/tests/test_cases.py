"""Case management for handlers: states, assignment, notes, escalation, audit, the list."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from saferwork.audit.models import AuditEntry
from saferwork.reporting import crypto, selectors, services
from saferwork.reporting.models import Note, Report, ReportingSettings
from saferwork.reporting.tests.helpers import sign_in_handler, submit
from saferwork.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(client, reporting_org, handler):
    submit(client, reporting_org.slug)
    client.cookies.clear()
    return Report.objects.get()


def test_working_days_skip_weekends():
    friday = date(2026, 11, 20)
    assert selectors.add_working_days(friday, 2) == date(2026, 11, 24)
    assert selectors.add_working_days(date(2026, 11, 23), 2) == date(2026, 11, 25)


def test_report_is_dated_not_timed_and_due_in_two_working_days(report, reporting_org):
    today = selectors.today_for(reporting_org)
    assert report.submitted_on == today
    assert report.acknowledge_by == selectors.add_working_days(today, 2)
    field_types = {f.name: f.get_internal_type() for f in Report._meta.get_fields() if hasattr(f, "get_internal_type")}
    assert "DateTimeField" not in field_types.values()


def test_handler_moves_case_through_states_to_closed_with_outcome_and_every_step_is_audited(client, report, handler):
    sign_in_handler(client, handler)
    client.get(reverse("reporting:case_detail", args=[report.pk]))
    for status in ["acknowledged", "assessing", "resolving_formal"]:
        client.post(reverse("reporting:case_status", args=[report.pk]), {"status-status": status})
        report.refresh_from_db()
        assert report.status == status
    assert report.acknowledged_on == selectors.today_for(report.organisation)
    no_outcome = client.post(
        reverse("reporting:case_status", args=[report.pk]), {"status-status": "closed"}, follow=True
    )
    assert "Choose the outcome to close the case" in no_outcome.content.decode()
    assert services.notify_email_of(report) == "private.reporter@example.net"
    client.post(
        reverse("reporting:case_status", args=[report.pk]), {"status-status": "closed", "status-outcome": "upheld"}
    )
    report.refresh_from_db()
    assert report.status == "closed" and report.outcome == "upheld" and report.closed_on
    # Closing erases the reporter's alert email.
    assert report.notify_email is None
    actions = list(AuditEntry.objects.filter(target_id=str(report.pk)).values_list("action", flat=True))
    assert "saferwork.case.opened" in actions and actions.count("saferwork.case.status_changed") == 4
    for entry in AuditEntry.objects.all():
        assert "Quartzberry" not in str(entry.data)


def test_assignment_notes_and_replies(client, report, handler, second_handler, reporting_org):
    sign_in_handler(client, handler)
    client.post(reverse("reporting:case_assign", args=[report.pk]), {"assign-assignee": str(second_handler.pk)})
    report.refresh_from_db()
    assert report.assigned_to == second_handler
    client.post(reverse("reporting:case_note", args=[report.pk]), {"note-body": "Spoke to HR about Ashdown rota"})
    note = Note.objects.get()
    assert b"Ashdown" not in bytes(note.body)
    page = client.get(reverse("reporting:case_detail", args=[report.pk])).content.decode()
    assert "Spoke to HR about Ashdown rota" in page
    # Someone from another organisation cannot be assigned.
    stranger = factories.member(factories.OrganisationFactory(), is_case_handler=True)
    client.post(reverse("reporting:case_assign", args=[report.pk]), {"assign-assignee": str(stranger.pk)})
    report.refresh_from_db()
    assert report.assigned_to == second_handler
    assert AuditEntry.objects.filter(action="saferwork.case.assigned").count() == 1
    assert AuditEntry.objects.filter(action="saferwork.case.note_added").count() == 1


def test_private_notes_never_reach_the_reporter(client, reporting_org, handler):
    receipt = submit(client, reporting_org.slug)
    report = Report.objects.get()
    services.add_note(report=report, user=handler, body="Internal: Juniper line manager")
    client.post(reverse("reporting:follow_up", args=[reporting_org.slug]), {"receipt": receipt})
    page = client.get(reverse("reporting:follow_up_case", args=[reporting_org.slug])).content.decode()
    assert "Juniper" not in page
    assert "A handler will acknowledge it by" in page


def test_step_aside_through_the_page(client, report, handler):
    sign_in_handler(client, handler)
    response = client.post(reverse("reporting:case_step_aside", args=[report.pk]))
    assert response.status_code == 302
    assert client.get(reverse("reporting:case_detail", args=[report.pk])).status_code == 404
    assert AuditEntry.objects.filter(action="saferwork.case.stepped_aside", actor=handler).exists()


def test_reporter_message_alerts_handlers_without_detail(
    client, reporting_org, handler, django_capture_on_commit_callbacks
):
    receipt = submit(client, reporting_org.slug)
    client.post(reverse("reporting:follow_up", args=[reporting_org.slug]), {"receipt": receipt})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("reporting:follow_up_case", args=[reporting_org.slug]), {"body": "It happened again at Larkspur"}
        )
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [handler.email]
    assert "Larkspur" not in mail.outbox[0].body + mail.outbox[0].subject
    assert Report.objects.get().awaiting_handler


def test_overdue_report_is_escalated_to_the_next_handler_once_a_day(
    report, handler, second_handler, reporting_org, django_capture_on_commit_callbacks
):
    late = report.acknowledge_by + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.escalate_overdue(today=late) == 1
    report.refresh_from_db()
    assert report.escalation_level == 1 and report.assigned_to is not None
    first = report.assigned_to
    assert "overdue" in mail.outbox[-1].subject.lower()
    assert services.escalate_overdue(today=late) == 0  # once a day
    services.escalate_overdue(today=late + timedelta(days=1))
    report.refresh_from_db()
    assert report.escalation_level == 2 and report.assigned_to != first
    # Acknowledged reports are not escalated.
    services.change_status(report=report, user=handler, status="acknowledged")
    assert services.escalate_overdue(today=late + timedelta(days=5)) == 0


def test_escalate_command_runs(report):
    call_command("escalate_overdue_reports")  # nothing overdue today: it says so and exits
    assert Report.objects.get().escalation_level == 0


def _many_cases(reporting_org, handler):
    public, _ = crypto.new_keypair()
    today = selectors.today_for(reporting_org)
    Report.objects.bulk_create(
        Report(
            organisation=reporting_org,
            reference=f"R{n:07d}",
            submitted_on=today - timedelta(days=n % 30),
            acknowledge_by=today - timedelta(days=1) if n % 2 else today + timedelta(days=2),
            public_key=public,
            content=b"x",
            receipt_lookup=f"{n:064d}",
            receipt_kdf={},
            receipt_wrapped_private_key=b"x",
            recovery_wrapped_private_key=b"x",
            assigned_to=handler,
        )
        for n in range(120)
    )


def test_case_list_shows_overdue_and_has_bounded_queries(client, reporting_org, handler, django_assert_max_num_queries):
    _many_cases(reporting_org, handler)
    sign_in_handler(client, handler)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("reporting:case_list"))
    html = response.content.decode()
    assert "120 cases" in html and "Overdue" in html and "Page 1 of 3" in html
    overdue = client.get(reverse("reporting:case_list") + "?status=overdue").content.decode()
    assert "60 cases" in overdue


def test_a_case_list_longer_than_the_cap_is_not_counted_to_the_end(client, reporting_org, handler, monkeypatch):
    """Past the cap the list says "more than", and pages go on by Next without a last page number."""
    from saferwork.reporting import views

    monkeypatch.setattr(views, "CASE_COUNT_CAP", 100)
    _many_cases(reporting_org, handler)
    sign_in_handler(client, handler)
    first = client.get(reverse("reporting:case_list") + "?status=all").content.decode()
    assert "More than 100 cases" in first and "Page 1</p>" in first and 'rel="next"' in first
    last = client.get(reverse("reporting:case_list") + "?status=all&page=3").content.decode()
    assert "Page 3</p>" in last and 'rel="next"' not in last and 'rel="prev"' in last
    assert last.count("reporting/cases/") == 20  # 120 cases, 50 a page
    overdue = client.get(reverse("reporting:case_list") + "?status=overdue").content.decode()
    assert "60 cases" in overdue and "Page 1 of 2" in overdue


def test_enabling_reporting_shows_the_recovery_key_once(client, organisation, coordinator):
    handler = factories.member(organisation, is_case_handler=True, email="h@example.org")
    sign_in_handler(client, handler)
    page = client.get(reverse("reporting:settings"))
    assert "Enable reporting" in page.content.decode()
    response = client.post(reverse("reporting:settings"), {"action": "enable"})
    html = response.content.decode()
    assert "This is shown once" in html
    import re

    shown = re.search(r"data-recovery-key>([A-Z2-7-]+)<", html).group(1)
    org_settings = ReportingSettings.objects.get(organisation=organisation)
    assert crypto.public_of(crypto.parse_recovery_key(shown)) == bytes(org_settings.recovery_public_key)
    # The handler who enabled it already has a key sealed to the recovery key.
    assert org_settings.organisation.pk == handler.reporting_key.recovery_wraps.get().organisation_id
    again = client.get(reverse("reporting:settings")).content.decode()
    assert shown not in again and "Support pages" in again
    client.post(
        reverse("reporting:settings"),
        {"who_to_talk_to": "Ask for Morag in HR", "employee_assistance": "", "helplines": "Rape Crisis 0808 500 2222"},
    )
    support = client.get(reverse("reporting:support", args=[organisation.slug])).content.decode()
    assert "Ask for Morag in HR" in support and "Rape Crisis 0808 500 2222" in support
    assert AuditEntry.objects.filter(action="saferwork.reporting.enabled", actor=handler).exists()


def test_seed_reporting_demo_is_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    assert (
        ReportingSettings.objects.filter(organisation__slug__in=["northfield-council", "care-workers-union"]).count()
        == 2
    )
    from saferwork.reporting.models import HandlerKey

    assert HandlerKey.objects.filter(user__email__in=["handler@saferwork.test", "rep@saferwork.test"]).count() == 2


def test_reporter_adds_a_file_later_and_actions_are_dated_not_timed(client, reporting_org, handler):
    from zoneinfo import ZoneInfo

    from django.core.files.uploadedfile import SimpleUploadedFile

    from saferwork.reporting.models import Attachment

    receipt = submit(client, reporting_org.slug)
    client.post(reverse("reporting:follow_up", args=[reporting_org.slug]), {"receipt": receipt})
    response = client.post(
        reverse("reporting:follow_up_case", args=[reporting_org.slug]),
        {"body": "Here is the rota", "file": SimpleUploadedFile("rota.txt", b"Mon Tue Wed")},
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.message is not None
    from saferwork.audit.services import fold_reporter_actions

    fold_reporter_actions(through=selectors.today_for(reporting_org))
    assert AuditEntry.objects.filter(action__startswith="saferwork.report.").count() == 2
    for entry in AuditEntry.objects.filter(action__startswith="saferwork.report."):
        local = entry.created_at.astimezone(ZoneInfo("Europe/London"))
        assert (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)
    client.cookies.clear()
    sign_in_handler(client, handler)
    report = Report.objects.get()
    page = client.get(reverse("reporting:case_detail", args=[report.pk])).content.decode()
    assert "rota.txt" in page and "Here is the rota" in page


def test_abandoned_draft_files_are_purged_but_sent_ones_kept(client, reporting_org, handler, tmp_path):
    import os
    import time

    from django.core.files.uploadedfile import SimpleUploadedFile

    submit(client, reporting_org.slug, files=[("sent.txt", b"kept")])
    client.cookies.clear()
    client.post(
        reverse("reporting:evidence", args=[reporting_org.slug]), {"file": SimpleUploadedFile("a.txt", b"gone")}
    )
    files = sorted((tmp_path / "reporting").iterdir())
    assert len(files) == 2
    call_command("purge_abandoned_report_files")  # both are new: nothing goes yet
    assert len(list((tmp_path / "reporting").iterdir())) == 2
    # Stored files carry their day only, never the time of upload.
    assert all(int(p.stat().st_mtime) % 86400 == 0 for p in files)
    old = time.time() - 3 * 86400
    for path in files:
        os.utime(path, (old, old))
    call_command("purge_abandoned_report_files")
    left = [p.name for p in (tmp_path / "reporting").iterdir()]
    from saferwork.reporting.models import Attachment

    assert left == [Attachment.objects.get().storage_name.split("/")[-1]]


def test_handler_forms_never_fail_on_any_input(client, report, handler):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    sign_in_handler(client, handler)
    names = ["status-status", "status-outcome", "assign-assignee", "reply-body", "note-body", "body"]
    values = st.one_of(st.text(max_size=40), st.sampled_from(["closed", "upheld", str(handler.pk), "99999", ""]))

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        st.sampled_from(["case_status", "case_assign", "case_reply", "case_note"]),
        st.dictionaries(st.sampled_from(names), values),
    )
    def run(view, data):
        response = client.post(reverse(f"reporting:{view}", args=[report.pk]), data)
        assert response.status_code == 302

    run()


def test_case_page_gives_the_reply_and_the_private_note_their_own_ids(client, report, handler):
    from saferwork.core.tests.test_pages import assert_unique_ids

    sign_in_handler(client, handler)
    html = client.get(reverse("reporting:case_detail", args=[report.pk])).content.decode()
    assert_unique_ids(html, "case page")
    assert 'for="id_reply-body"' in html and 'for="id_note-body"' in html
    assert "Only handlers can read this" in html
