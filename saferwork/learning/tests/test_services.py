"""Authoring, versions, enrolment and completion."""

from __future__ import annotations

from typing import Any

import pytest

from saferwork.accounts.models import Invitation
from saferwork.learning import services, starter
from saferwork.learning.models import Enrolment, Frozen, Module, Reflection, StepProgress
from saferwork.learning.tests.conftest import build_module

pytestmark = pytest.mark.django_db


def _steps(enrolment: Enrolment) -> list[Any]:
    assert enrolment.version is not None
    return list(enrolment.version.steps.all())


def test_starter_modules_ship_as_shared_published_modules_with_every_kind() -> None:
    starter.load()  # the data migration loaded them, unless a transactional test flushed the tables
    assert starter.load() == 0
    for definition in starter.definitions():
        module = Module.objects.get(slug=definition["slug"])
        assert module.organisation is None
        version = services.latest_published(module)
        assert version is not None and version.title == definition["title"]
        kinds = set(version.steps.values_list("kind", flat=True))
        assert {"content", "scenario", "check", "reflection"} <= kinds


def test_disclosure_module_links_the_organisations_reporting_route() -> None:
    starter.load()
    module = Module.objects.get(slug="starter-responding-to-disclosure")
    bodies = " ".join(module.versions.get().steps.values_list("body", flat=True))
    assert "[[reporting]]" in bodies and "[[support]]" in bodies


def test_published_version_refuses_change(own_module: Module) -> None:
    version = own_module.versions.get()
    step = version.steps.first()
    step.title = "Changed"
    with pytest.raises(Frozen):
        step.save()
    version.title = "Changed"
    with pytest.raises(Frozen):
        version.save()
    with pytest.raises(services.LearningError):
        services.save_step(version=version, content=services.StepContent(kind="content", title="x", body="y"))


def test_learner_keeps_the_version_they_started(enrolled: Enrolment, own_module: Module, coordinator: Any) -> None:
    first = enrolled.version
    draft = services.draft_of(module=own_module)
    assert draft.number == 2 and draft.steps.count() == 4
    services.save_step(version=draft, content=services.StepContent(kind="content", title="New", body="New text"))
    services.publish(version=draft, actor=coordinator)
    enrolled.refresh_from_db()
    assert enrolled.version == first
    assert services.latest_published(own_module) == draft


def test_move_and_delete_steps_keep_positions_in_order(organisation: Any, coordinator: Any) -> None:
    module = services.create_module(organisation=organisation, title="M", summary="", minutes=5, actor=coordinator)
    version = module.versions.get()
    for title in ("one", "two", "three"):
        services.save_step(version=version, content=services.StepContent(kind="content", title=title, body=title))
    services.move_step(step=version.steps.get(title="three"), up=True)
    assert list(version.steps.values_list("title", flat=True)) == ["one", "three", "two"]
    services.delete_step(step=version.steps.get(title="one"))
    assert list(version.steps.values_list("position", "title")) == [(1, "three"), (2, "two")]


def test_publish_refuses_choice_leading_nowhere(organisation: Any, coordinator: Any) -> None:
    module = services.create_module(organisation=organisation, title="M", summary="", minutes=5, actor=coordinator)
    version = module.versions.get()
    services.save_step(
        version=version,
        content=services.StepContent(
            kind="scenario", title="S", data={"choices": [{"label": "a", "feedback": "b", "next": 9}]}
        ),
    )
    with pytest.raises(services.LearningError, match="step 9"):
        services.publish(version=version, actor=coordinator)


def test_assign_links_members_and_invites_others(
    own_module: Module, organisation: Any, coordinator: Any, learner: Any
) -> None:
    department = services.department_named(organisation=organisation, name="Housing")
    created, invited = services.assign(
        module=own_module,
        organisation=organisation,
        people=[services.Assignee(learner.email, department.pk), services.Assignee("new@example.org", department.pk)],
        actor=coordinator,
    )
    assert (created, invited) == (2, 1)
    assert own_module.enrolments.get(email=learner.email).user == learner
    assert own_module.enrolments.get(email="new@example.org").user is None
    assert Invitation.objects.filter(organisation=organisation, email="new@example.org", flags=[]).count() == 1
    # Assigning again changes nothing and invites nobody twice.
    assert services.assign(
        module=own_module, organisation=organisation, people=[services.Assignee("new@example.org")], actor=coordinator
    ) == (0, 0)


def test_outsider_module_cannot_be_assigned(own_module: Module, other_organisation: Any, outsider: Any) -> None:
    with pytest.raises(services.LearningError):
        services.assign(
            module=own_module,
            organisation=other_organisation,
            people=[services.Assignee("x@example.org")],
            actor=outsider,
        )


def test_open_module_is_taken_up_by_any_member(
    own_module: Module, organisation: Any, coordinator: Any, learner: Any
) -> None:
    with pytest.raises(services.LearningError):
        services.take_up(module=own_module, organisation=organisation, user=learner)
    services.open_to_all(module=own_module, organisation=organisation, actor=coordinator, is_open=True)
    enrolment = services.take_up(module=own_module, organisation=organisation, user=learner)
    assert enrolment.user == learner and enrolment.department is None


def test_full_run_fail_then_pass_and_complete(enrolled: Enrolment, learner: Any) -> None:
    read, scenario, check, reflect = _steps(enrolled)
    assert services.complete_step(enrolment=enrolled, step=read) == 2
    # Choice B leads to step 4, past the check; the module still needs the check passed.
    assert services.complete_step(enrolment=enrolled, step=scenario, choice=1) == 4
    services.save_reflection(enrolment=enrolled, step=reflect, owner=learner, text="MY-PRIVATE-WORDS")
    enrolled.refresh_from_db()
    assert enrolled.completed_at is None
    failed = services.answer_check(enrolment=enrolled, step=check, answers=[1, 1])
    assert (failed.score, failed.passed) == (50, False)
    enrolled.refresh_from_db()
    assert enrolled.completed_at is None
    passed = services.answer_check(enrolment=enrolled, step=check, answers=[1, 0])
    assert passed.passed and passed.score == 100
    enrolled.refresh_from_db()
    assert enrolled.completed_at is not None
    assert StepProgress.objects.get(enrolment=enrolled, step=check).attempts == 2


def test_reflection_is_sealed_at_rest(enrolled: Enrolment, learner: Any) -> None:
    reflect = _steps(enrolled)[3]
    services.save_reflection(enrolment=enrolled, step=reflect, owner=learner, text="MY-PRIVATE-WORDS")
    row = Reflection.objects.get()
    assert b"MY-PRIVATE-WORDS" not in bytes(row.sealed)
    assert row.text == "MY-PRIVATE-WORDS"
    short, long = bytes(row.sealed), None
    services.save_reflection(enrolment=enrolled, step=reflect, owner=learner, text="x" * 1500)
    long = bytes(Reflection.objects.get().sealed)
    assert len(short) == len(long)  # padded: the length tells nothing


def test_only_the_learner_writes_their_reflection(enrolled: Enrolment, other_learner: Any) -> None:
    with pytest.raises(services.LearningError):
        services.save_reflection(enrolment=enrolled, step=_steps(enrolled)[3], owner=other_learner, text="x")


def test_badge_only_after_completion_and_once(enrolled: Enrolment, learner: Any, programme_host: Any) -> None:
    with pytest.raises(services.LearningError):
        services.claim_badge(enrolment=enrolled, show_topic=False, user=learner)
    Enrolment.objects.filter(pk=enrolled.pk).update(completed_at="2026-01-05T10:00:00Z")
    credential = services.claim_badge(enrolment=enrolled, show_topic=True, user=learner)
    assert credential.achievement.name == "Own module"
    assert learner.email not in str(credential.document)
    with pytest.raises(services.LearningError):
        services.claim_badge(enrolment=enrolled, show_topic=True, user=learner)


def test_shared_module_reaches_every_organisation(
    programme_admin: Any, organisation: Any, other_organisation: Any, coordinator: Any, outsider: Any
) -> None:
    shared = build_module(organisation=None, actor=programme_admin, title="Shared")
    for org, actor in ((organisation, coordinator), (other_organisation, outsider)):
        assert (
            services.assign(
                module=shared, organisation=org, people=[services.Assignee(f"p@{org.slug}.org")], actor=actor
            )[0]
            == 1
        )
