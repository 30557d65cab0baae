from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command

from saferwork.actions import services as actions
from saferwork.audit.models import AuditEntry
from saferwork.lib import dutysteps
from saferwork.organisations.models import Membership
from saferwork.risk import duty as risk_duty
from saferwork.risk import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def go(today: dt.date | None = None) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return services.queue_review_reminders(today=today)

    return go


def test_owner_is_reminded_once_a_day_when_a_review_falls_due(run, make_assessment, manager, today):
    due = make_assessment(title="Night shifts at the depots", review_on=today - dt.timedelta(days=2))
    make_assessment(title="Not due yet", review_on=today + dt.timedelta(days=5))
    assert run() == 1
    (message,) = mail.outbox
    assert message.to == [manager.email]
    assert message.subject == "Risk assessment due for review: Night shifts at the depots"
    assert "was due for review on" in message.body and "(2 days ago)" in message.body
    assert f"/risk/{due.pk}/#review" in message.body and "Not due yet" not in message.body
    assert run() == 0 and len(mail.outbox) == 1
    assert run(today + dt.timedelta(days=1)) == 1 and len(mail.outbox) == 2
    assert AuditEntry.objects.filter(action="saferwork.risk.review_reminder_queued").count() == 2


def test_no_reminder_once_reviewed_or_for_someone_who_left(run, make_assessment, manager, leader, today):
    reviewed = make_assessment(review_on=today)
    services.record_review(assessment=reviewed, next_review_on=today + dt.timedelta(days=90), actor=leader)
    assert run() == 0
    make_assessment(title="Left behind", review_on=today)
    Membership.objects.filter(user=manager).delete()
    assert run() == 0 and not mail.outbox


def test_the_command_queues_the_reminders(make_assessment, today, django_capture_on_commit_callbacks):
    make_assessment(review_on=today - dt.timedelta(days=1))
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_risk_review_reminders", stdout=out)
    assert "Review reminders queued for 1 assessment." in out.getvalue()
    assert len(mail.outbox) == 1


def test_duty_record_has_assessments_reviews_and_controls_implemented_with_evidence(
    organisation,
    make_assessment,
    make_hazard,
    make_control,
    done_with_evidence,
    leader,
    today,
    django_assert_max_num_queries,
):
    assert "risk" in dutysteps.registered()
    assessment = make_assessment(title="Corporate assessment", kind="corporate")
    hazard = make_hazard(assessment)
    done_with_evidence(make_control(hazard, description="Code of conduct at every event"))
    no_evidence = services.control_to_action(control=make_control(hazard, description="Not evidenced"), actor=leader)
    actions.change_status(action=no_evidence, status="done", actor=leader)
    services.record_review(assessment=assessment, next_review_on=today + dt.timedelta(days=90), actor=leader)
    assert "risk" in dutysteps.registered()
    # Only the risk register's own provider: the counts, four lists and the re-rated risks'
    # matrices (the other modules' sections have their own bounds).
    with django_assert_max_num_queries(6):
        section = risk_duty.section(organisation, today, today)
    assert section is not None
    titles = [step.title for step in section.steps]
    assert "Corporate risk assessment made: Corporate assessment" in titles
    assert "Risk assessment reviewed: Corporate assessment" in titles
    assert "Control implemented: Code of conduct at every event" in titles
    assert "Control implemented: Not evidenced" not in titles
    figures = {f.label: f.value for f in section.figures}
    assert figures["Risk assessments made"] == 1 and figures["Controls implemented with evidence"] == 1
    # Outside the period: nothing to say.
    assert all(
        s.key != "risk"
        for s in dutysteps.sections(organisation, today - dt.timedelta(days=400), today - dt.timedelta(days=300))
    )
