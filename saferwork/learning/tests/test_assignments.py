"""Assigning to existing members (their email), due dates and reminders, removing an assignment."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from saferwork.actions.selectors import today_for
from saferwork.audit.models import AuditEntry
from saferwork.learning import selectors, services
from saferwork.learning.models import Enrolment, Module, Reflection
from saferwork.learning.tests.conftest import build_module
from saferwork.tests import factories

pytestmark = pytest.mark.django_db


def _assign(module: Module, organisation: Any, actor: Any, *emails: str, due_on: dt.date | None = None) -> None:
    services.assign(
        module=module,
        organisation=organisation,
        people=[services.Assignee(e) for e in emails],
        actor=actor,
        due_on=due_on,
    )


def test_an_existing_member_assigned_a_module_gets_an_email_with_its_link(
    own_module: Module, organisation: Any, coordinator: Any, learner: Any, django_capture_on_commit_callbacks: Any
) -> None:
    due = today_for(organisation) + dt.timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        _assign(own_module, organisation, coordinator, learner.email, "new.person@example.org", due_on=due)
    to_learner = [m for m in mail.outbox if m.to == [learner.email]]
    assert len(to_learner) == 1
    body = to_learner[0].body
    assert reverse("learning:module", args=[own_module.pk]) in body
    assert "Own module" in to_learner[0].subject
    assert due.strftime("%-d %B %Y") in body
    # The person without an account gets the invitation, not a link to a module they cannot open yet.
    invited = [m for m in mail.outbox if m.to == ["new.person@example.org"]]
    assert len(invited) == 1 and reverse("learning:module", args=[own_module.pk]) not in invited[0].body


def test_assigning_again_sends_no_second_email(
    own_module: Module, organisation: Any, coordinator: Any, learner: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _assign(own_module, organisation, coordinator, learner.email)
    with django_capture_on_commit_callbacks(execute=True):
        _assign(own_module, organisation, coordinator, learner.email)
    assert len([m for m in mail.outbox if m.to == [learner.email]]) == 1


def test_a_due_date_in_the_past_is_refused(own_module: Module, organisation: Any, coordinator: Any) -> None:
    with pytest.raises(services.LearningError):
        _assign(
            own_module, organisation, coordinator, "a@example.org", due_on=today_for(organisation) - dt.timedelta(1)
        )


def test_the_learner_sees_their_due_date(
    client: Any, own_module: Module, organisation: Any, coordinator: Any, learner: Any
) -> None:
    due = today_for(organisation) + dt.timedelta(days=5)
    _assign(own_module, organisation, coordinator, learner.email, due_on=due)
    client.force_login(learner)
    label = due.strftime("%-d %B %Y")
    assert label in client.get(reverse("learning:home")).content.decode()
    page = client.get(reverse("learning:module", args=[own_module.pk])).content.decode()
    assert f"finish this module by <strong>{label}</strong>" in page


# ---------------------------------------------------------------- reminders


def _reminded(day: dt.date, django_capture_on_commit_callbacks: Any) -> list[str]:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_due_reminders(today=day)
    return sorted(address for m in mail.outbox for address in m.to)


def test_reminders_start_near_the_due_date_then_every_few_days_and_stop(
    own_module: Module,
    organisation: Any,
    coordinator: Any,
    learner: Any,
    other_learner: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    today = today_for(organisation)
    due = today + dt.timedelta(days=10)
    _assign(own_module, organisation, coordinator, learner.email, other_learner.email, due_on=due)
    assert _reminded(today, django_capture_on_commit_callbacks) == []  # ten days ahead: too early
    first = due - dt.timedelta(days=services.REMIND_BEFORE_DAYS)
    assert _reminded(first, django_capture_on_commit_callbacks) == sorted([learner.email, other_learner.email])
    assert _reminded(first, django_capture_on_commit_callbacks) == []  # once that day
    assert _reminded(first + dt.timedelta(days=1), django_capture_on_commit_callbacks) == []  # not the next day
    # One of them finishes: only the other is reminded, and after the date the email says overdue.
    Enrolment.objects.filter(email=learner.email).update(completed_at=dt.datetime.now(dt.UTC))
    later = first + dt.timedelta(days=services.REMIND_EVERY_DAYS + 1)
    assert _reminded(later, django_capture_on_commit_callbacks) == [other_learner.email]
    assert mail.outbox[0].subject.startswith("Overdue")
    day = later
    for _ in range(10):
        day += dt.timedelta(days=services.REMIND_EVERY_DAYS)
        _reminded(day, django_capture_on_commit_callbacks)
    assert Enrolment.objects.get(email=other_learner.email).reminders == services.MAX_REMINDERS
    entries = AuditEntry.objects.filter(action="saferwork.learning.reminders_queued")
    assert entries.count() == services.MAX_REMINDERS
    assert all(e.organisation_id == organisation.pk for e in entries)


def test_no_reminder_without_a_due_date_after_removal_or_after_leaving(
    own_module: Module,
    organisation: Any,
    coordinator: Any,
    learner: Any,
    other_learner: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    today = today_for(organisation)
    stayer = factories.member(organisation, email="stayer@example.org", with_device=False)
    _assign(own_module, organisation, coordinator, stayer.email)  # no due date
    _assign(own_module, organisation, coordinator, learner.email, other_learner.email, due_on=today)
    services.unassign(enrolment=Enrolment.objects.get(email=learner.email), actor=coordinator)
    other_learner.memberships.all().delete()
    assert _reminded(today, django_capture_on_commit_callbacks) == []


def test_the_reminder_command_is_quiet_with_nothing_due(capsys: Any) -> None:
    call_command("send_learning_reminders")
    assert "Modules with reminders queued: 0." in capsys.readouterr().out


# ---------------------------------------------------------------- removing an assignment


def test_removing_an_assignment_before_starting_deletes_it(
    own_module: Module, organisation: Any, coordinator: Any, learner: Any
) -> None:
    _assign(own_module, organisation, coordinator, learner.email)
    services.unassign(enrolment=Enrolment.objects.get(email=learner.email), actor=coordinator)
    assert not Enrolment.objects.filter(email=learner.email).exists()
    entry = AuditEntry.objects.get(action="saferwork.learning.assignment_removed")
    assert "started" not in str(entry.data)


def test_removing_a_started_assignment_keeps_the_learners_work_out_of_the_report(
    client: Any, enrolled: Enrolment, own_module: Module, organisation: Any, coordinator: Any, learner: Any
) -> None:
    steps = list(enrolled.version.steps.all())  # type: ignore[union-attr]
    services.complete_step(enrolment=enrolled, step=steps[0])
    services.save_reflection(enrolment=enrolled, step=steps[3], owner=learner, text="mine")
    services.unassign(enrolment=enrolled, actor=coordinator)
    kept = Enrolment.objects.get(pk=enrolled.pk)
    assert kept.unassigned_at is not None and kept.progress.count() == 2
    assert Reflection.objects.filter(enrolment=kept).count() == 1
    assert selectors.completion_report(organisation).modules == []
    assert not selectors.assignments(organisation, own_module).exists()
    client.force_login(learner)
    page = client.get(reverse("learning:module", args=[own_module.pk])).content.decode()
    assert "no longer asks you to take this module" in page
    assert client.get(reverse("learning:step", args=[kept.pk, 1])).status_code == 200
    # Assigned again: back in the report, progress intact.
    _assign(own_module, organisation, coordinator, learner.email)
    again = Enrolment.objects.get(pk=enrolled.pk)
    assert again.unassigned_at is None and again.progress.count() == 2
    assert selectors.completion_report(organisation).modules == ["Own module"]


def test_coordinator_confirms_before_removing(
    verified_client: Any, own_module: Module, organisation: Any, coordinator: Any, learner: Any
) -> None:
    _assign(own_module, organisation, coordinator, learner.email)
    enrolment = Enrolment.objects.get(email=learner.email)
    client = verified_client(coordinator)
    listing = client.get(reverse("learning:assignments", args=[own_module.pk])).content.decode()
    url = reverse("learning:unassign", args=[own_module.pk, enrolment.pk])
    assert learner.email in listing and url in listing
    page = client.get(url).content.decode()
    assert "Nothing they have done is deleted" in page
    assert Enrolment.objects.filter(pk=enrolment.pk).exists()  # a GET removes nothing
    response = client.post(url)
    assert response.status_code == 302
    assert not Enrolment.objects.filter(pk=enrolment.pk).exists()


def test_outsider_and_learner_cannot_list_or_remove_assignments(
    verified_client: Any, client: Any, enrolled: Enrolment, own_module: Module, outsider: Any, learner: Any
) -> None:
    urls = [
        reverse("learning:assignments", args=[own_module.pk]),
        reverse("learning:unassign", args=[own_module.pk, enrolled.pk]),
    ]
    outside = verified_client(outsider)
    client.force_login(learner)
    for url in urls:
        assert outside.get(url).status_code in (403, 404), url
        assert outside.post(url).status_code in (403, 404), url
        assert client.get(url).status_code in (302, 403, 404), url
        assert client.post(url).status_code in (302, 403, 404), url
    assert Enrolment.objects.get(pk=enrolled.pk).unassigned_at is None


def test_another_organisations_assignment_cannot_be_removed_through_a_shared_module(
    verified_client: Any, organisation: Any, coordinator: Any, outsider: Any, other_organisation: Any, learner: Any
) -> None:
    shared = build_module(organisation=None, actor=None, title="Shared")
    _assign(shared, organisation, coordinator, learner.email)
    enrolment = Enrolment.objects.get(email=learner.email)
    url = reverse("learning:unassign", args=[shared.pk, enrolment.pk])
    assert verified_client(outsider).post(url).status_code == 404
    assert Enrolment.objects.filter(pk=enrolment.pk).exists()


def test_assignment_list_queries_do_not_grow(
    verified_client: Any, own_module: Module, organisation: Any, coordinator: Any
) -> None:
    client = verified_client(coordinator)
    url = reverse("learning:assignments", args=[own_module.pk])
    department = services.department_named(organisation=organisation, name="Care")
    services.assign(
        module=own_module,
        organisation=organisation,
        people=[services.Assignee("p0@example.org", department.pk if department else None)],
        actor=coordinator,
    )
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    services.assign(
        module=own_module,
        organisation=organisation,
        people=[services.Assignee(f"p{n}@example.org", department.pk if department else None) for n in range(40)],
        actor=coordinator,
    )
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert len(re.findall(r"p\d+@example.org", page)) >= 40
    assert len(many) == len(few)


# ---------------------------------------------------------------- an author's preview


def test_author_previews_a_draft_as_a_learner_without_recording_anything(
    verified_client: Any, own_module: Module, coordinator: Any, organisation: Any
) -> None:
    from saferwork.learning.models import StepProgress

    draft = services.draft_of(module=own_module)
    services.save_step(
        version=draft,
        step=draft.steps.get(position=1),
        content=services.StepContent(kind="content", title="Read again", body="DRAFT-ONLY-TEXT"),
    )
    client = verified_client(coordinator)
    first = client.get(reverse("learning:preview", args=[own_module.pk, 1])).content.decode()
    assert "DRAFT-ONLY-TEXT" in first and "Nothing you do here is recorded" in first
    assert client.post(reverse("learning:preview", args=[own_module.pk, 1]))["Location"] == reverse(
        "learning:preview", args=[own_module.pk, 2]
    )
    scenario = client.post(reverse("learning:preview", args=[own_module.pk, 2]), {"choice": "0"}).content.decode()
    assert "FEEDBACK-A" in scenario
    failed = client.post(reverse("learning:preview", args=[own_module.pk, 3]), {"q0": "0", "q1": "1"})
    assert "Not passed yet" in failed.content.decode()
    passed = client.post(reverse("learning:preview", args=[own_module.pk, 3]), {"q0": "1", "q1": "0"})
    assert "You passed" in passed.content.decode()
    done = client.post(reverse("learning:preview", args=[own_module.pk, 4]), {"text": "not kept"})
    assert done["Location"] == reverse("learning:author_module", args=[own_module.pk])
    assert not Enrolment.objects.exists() and not StepProgress.objects.exists() and not Reflection.objects.exists()
    # The learners' module still shows the published version.
    assert services.latest_published(own_module).steps.get(position=1).title == "Read"  # type: ignore[union-attr]


def test_preview_is_for_the_modules_authors_only(
    verified_client: Any, client: Any, own_module: Module, outsider: Any, learner: Any
) -> None:
    url = reverse("learning:preview", args=[own_module.pk, 1])
    assert verified_client(outsider).get(url).status_code in (403, 404)
    client.force_login(learner)
    assert client.get(url).status_code in (302, 403, 404)
    assert "Read" not in client.get(url).content.decode()


def test_preview_queries_do_not_grow_with_steps(verified_client: Any, organisation: Any, coordinator: Any) -> None:
    small = build_module(organisation=organisation, actor=coordinator, title="Small")
    big = services.create_module(organisation=organisation, title="Big", summary="", minutes=5, actor=coordinator)
    version = big.versions.get()
    for n in range(30):
        services.save_step(version=version, content=services.StepContent(kind="content", title=f"S{n}", body="x"))
    client = verified_client(coordinator)
    client.get(reverse("learning:preview", args=[small.pk, 1]))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("learning:preview", args=[small.pk, 1]))
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("learning:preview", args=[big.pk, 15]))
    assert len(many) == len(few)


def test_removal_confirmation_queries_do_not_grow(
    verified_client: Any, own_module: Module, organisation: Any, coordinator: Any
) -> None:
    client = verified_client(coordinator)
    _assign(own_module, organisation, coordinator, "first@example.org")
    first = Enrolment.objects.get(email="first@example.org")
    url = reverse("learning:unassign", args=[own_module.pk, first.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _assign(own_module, organisation, coordinator, *(f"n{n}@example.org" for n in range(40)))
    with CaptureQueriesContext(connection) as many:
        assert "first@example.org" in client.get(url).content.decode()
    assert len(many) == len(few)
