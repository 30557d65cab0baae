from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command

from saferwork.actions import services
from saferwork.actions.models import Action
from saferwork.audit.models import AuditEntry
from saferwork.organisations.models import Membership
from saferwork.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Queue the day's reminders and run the tasks (and the emails they send) at once."""

    def go(today: dt.date | None = None) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return services.queue_overdue_reminders(today=today)

    return go


def test_owner_gets_one_email_listing_every_overdue_action(run, make_action, owner, today):
    make_action(title="Brief the night-shift supervisors", due_on=today - dt.timedelta(days=3))
    make_action(title="Put up the reporting posters", due_on=today - dt.timedelta(days=1))
    make_action(title="Not due yet", due_on=today)
    assert run() == 2
    (message,) = mail.outbox
    assert message.to == [owner.email]
    assert message.subject == "2 overdue actions at Home Union"
    assert "Brief the night-shift supervisors" in message.body and "Put up the reporting posters" in message.body
    assert "Not due yet" not in message.body
    assert "(3 days ago)" in message.body and "/actions/" in message.body


def test_at_most_once_a_day_and_again_the_next_day(run, make_action, today):
    action = make_action(due_on=today - dt.timedelta(days=1))
    assert run() == 1
    assert run() == 0
    assert len(mail.outbox) == 1
    assert run(today + dt.timedelta(days=1)) == 1
    assert len(mail.outbox) == 2
    assert AuditEntry.objects.filter(action="saferwork.action.reminder_queued", target_id=str(action.pk)).count() == 2


@pytest.mark.parametrize("status", ["done", "cancelled"])
def test_never_for_done_or_cancelled_actions(run, make_action, today, status):
    make_action(due_on=today - dt.timedelta(days=5), status=status)
    assert run() == 0 and not mail.outbox


def test_in_progress_actions_are_reminded_too(run, make_action, today):
    make_action(due_on=today - dt.timedelta(days=5), status="in_progress")
    assert run() == 1 and len(mail.outbox) == 1


def test_an_action_closed_after_queueing_is_left_out_of_the_email(
    make_action, leader, today, django_capture_on_commit_callbacks
):
    action = make_action(due_on=today - dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.queue_overdue_reminders()
    services.change_status(action=action, status="done", actor=leader)
    for callback in callbacks:
        callback()
    assert not mail.outbox


def test_no_reminder_to_someone_who_has_left_the_organisation(run, make_action, owner, today):
    make_action(due_on=today - dt.timedelta(days=1))
    Membership.objects.filter(user=owner).delete()
    assert run() == 0 and not mail.outbox


def test_owners_in_two_organisations_get_one_email_each(run, make_action, owner, today, other_organisation):
    make_action(due_on=today - dt.timedelta(days=1))
    other_leader = factories.member(other_organisation, is_leader=True)
    factories.MembershipFactory(user=owner, organisation=other_organisation)
    services.create_action(
        organisation=other_organisation,
        title="Their action",
        due_on=today - dt.timedelta(days=2),
        owner=owner,
        actor=other_leader,
    )
    assert run() == 2
    assert sorted(m.subject for m in mail.outbox) == [
        "1 overdue action at Home Union",
        "1 overdue action at Other Employer",
    ]
    other = next(m for m in mail.outbox if "Other Employer" in m.subject)
    assert "Their action" in other.body and "Publish the harassment policy" not in other.body


def test_a_new_due_date_starts_a_new_reminder_cycle(run, make_action, leader, today):
    action = make_action(due_on=today - dt.timedelta(days=1))
    run()
    services.update_action(
        action=action,
        actor=leader,
        **{**{n: getattr(action, n) for n in services.EDITABLE}, "due_on": today - dt.timedelta(days=2)},
    )
    assert Action.objects.get().last_reminded_on is None
    assert run() == 1


def test_the_daily_command_queues_the_reminders(make_action, today, django_capture_on_commit_callbacks):
    make_action(due_on=today - dt.timedelta(days=1))
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_action_reminders", stdout=out)
    assert out.getvalue().strip() == "Reminders queued for 1 overdue action."
    assert len(mail.outbox) == 1
