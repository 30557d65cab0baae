"""Action plans and coaching notes: unreadable by every role but their owner (and the chosen coach)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from saferwork.dialogue.models import CoachingNote, PlanItem
from saferwork.tests import factories

pytestmark = pytest.mark.django_db

PRIVATE = ("SECRET-PLAN", "SECRET-HOW", "SECRET-NOTE", "UNSHARED-PLAN", "UNSHARED-HOW")
# What the participant's own coach may not read: the items not shared with them.
UNSHARED = ("UNSHARED-PLAN", "UNSHARED-HOW")


@pytest.fixture
def case_handler(organisation: Any) -> Any:
    return factories.member(organisation, is_case_handler=True, email="handler@example.org")


@pytest.fixture
def facilitator(organisation: Any, world: dict[str, Any]) -> Any:
    """The cohort's facilitator: runs its sessions and moderates its space, reads no plan."""
    from saferwork.dialogue.models import Cohort

    user = factories.member(organisation, email="facilitator@example.org")
    Cohort.objects.filter(pk=world["cohort"].pk).update(facilitator=user)
    return user


@pytest.fixture
def unshared(organisation: Any, participant: Any, world: dict[str, Any]) -> Any:
    from saferwork.dialogue import services

    return services.add_plan_item(
        organisation=organisation,
        owner=participant,
        what="UNSHARED-PLAN kept to myself",
        due_on=world["item"].due_on,
        how="UNSHARED-HOW I will notice",
    )


def _pages(world: dict[str, Any]) -> list[str]:
    return [
        reverse("dialogue:home"),
        reverse("dialogue:plan"),
        reverse("dialogue:plan_item", args=[world["item"].pk]),
        reverse("dialogue:plan_item_promote", args=[world["item"].pk]),
        reverse("dialogue:coaching"),
        reverse("dialogue:slot_notes", args=[world["slot"].pk]),
        reverse("dialogue:cohort", args=[world["cohort"].pk]),
        reverse("dialogue:session", args=[world["sessions"][0].pk]),
        reverse("dialogue:coaches"),
        reverse("dialogue:community"),
        reverse("dialogue:thread", args=[world["thread"].pk]),
        reverse("actions:hub"),
        "/programme/audit/",
    ]


def _assert_reads_nothing(client: Any, world: dict[str, Any], secrets: tuple[str, ...] = PRIVATE) -> None:
    items = [world["item"], *([world["unshared"]] if "unshared" in world else [])]
    urls = _pages(world) + [reverse("dialogue:plan_item", args=[i.pk]) for i in items]
    for url in urls:
        response = client.get(url)
        body = response.content.decode() if response.status_code == 200 else ""
        for secret in secrets:
            assert secret not in body, f"{secret} readable at {url}"
    for item in items:
        assert client.get(reverse("dialogue:plan_item", args=[item.pk])).status_code == 404
        assert client.get(reverse("dialogue:plan_item_promote", args=[item.pk])).status_code == 404
        # Nor changed, shared, promoted or deleted by anyone but its owner.
        edit = {"what": "CHANGED", "due_on_day": "1", "due_on_month": "1", "due_on_year": "2031", "how": "x"}
        assert client.post(reverse("dialogue:plan_item", args=[item.pk]), edit).status_code == 404
        assert client.post(reverse("dialogue:plan_item_share", args=[item.pk]), {"share": "yes"}).status_code == 404
        assert client.post(reverse("dialogue:plan_item_promote", args=[item.pk])).status_code == 404
        assert client.post(reverse("dialogue:plan_item_delete", args=[item.pk])).status_code == 404
        kept = PlanItem.objects.get(pk=item.pk)
        assert kept.what.startswith(("SECRET-PLAN", "UNSHARED-PLAN"))
    assert client.get(reverse("dialogue:slot_notes", args=[world["slot"].pk])).status_code in {403, 404}
    assert client.post(reverse("dialogue:slot_notes", args=[world["slot"].pk]), {"text": "x"}).status_code in {403, 404}
    assert CoachingNote.objects.get(pk=world["note"].pk).text.startswith("SECRET-NOTE")


def test_plan_and_notes_are_sealed_at_rest(world: dict[str, Any]) -> None:
    item = PlanItem.objects.get(pk=world["item"].pk)
    note = CoachingNote.objects.get(pk=world["note"].pk)
    assert b"SECRET" not in bytes(item.sealed) and b"SECRET" not in bytes(note.sealed)
    assert item.what == "SECRET-PLAN speak up first" and note.text.startswith("SECRET-NOTE")
    # Padded: a short and a long plan have the same length at rest.
    other = PlanItem(organisation=item.organisation, owner=item.owner)
    other.seal({"what": "x" * 300, "how": "", "due_on": "2030-01-01", "done": False})
    assert len(bytes(other.sealed)) == len(bytes(item.sealed))


def test_owner_reads_own_plan(verified_client: Any, participant: Any, world: dict[str, Any]) -> None:
    client = verified_client(participant)
    assert "SECRET-PLAN" in client.get(reverse("dialogue:plan")).content.decode()
    assert "Only you can read your action plan" in client.get(reverse("dialogue:plan")).content.decode()
    assert client.get(reverse("dialogue:slot_notes", args=[world["slot"].pk])).status_code == 404


def test_chosen_coach_reads_the_shared_item_and_their_notes_only(
    verified_client: Any, coach_user: Any, world: dict[str, Any]
) -> None:
    client = verified_client(coach_user)
    assert "SECRET-PLAN" in client.get(reverse("dialogue:coaching")).content.decode()
    assert "SECRET-NOTE" in client.get(reverse("dialogue:slot_notes", args=[world["slot"].pk])).content.decode()
    assert client.get(reverse("dialogue:plan_item", args=[world["item"].pk])).status_code == 404


@pytest.mark.parametrize(
    "role",
    [
        "coordinator",
        "leader",
        "case_handler",
        "facilitator",
        "other_participant",
        "other_coach_user",
        "programme_admin",
        "outsider",
    ],
)
def test_no_other_role_reads_plans_or_notes(
    role: str, request: Any, verified_client: Any, world: dict[str, Any], unshared: Any
) -> None:
    _assert_reads_nothing(verified_client(request.getfixturevalue(role)), {**world, "unshared": unshared})


def test_a_person_with_every_flag_reads_no_plan_or_note(
    verified_client: Any, organisation: Any, world: dict[str, Any], unshared: Any
) -> None:
    everything = factories.member(
        organisation, is_coordinator=True, is_leader=True, is_case_handler=True, email="all@example.org"
    )
    _assert_reads_nothing(verified_client(everything), {**world, "unshared": unshared})


def test_the_coach_reads_only_what_was_shared_with_them(
    verified_client: Any, coach_user: Any, world: dict[str, Any], unshared: Any
) -> None:
    client = verified_client(coach_user)
    coaching = client.get(reverse("dialogue:coaching")).content.decode()
    assert "SECRET-PLAN" in coaching  # the shared item
    _assert_reads_nothing(client, {**world, "unshared": unshared, "slot": _other_slot(world)}, secrets=UNSHARED)
    # Their own notes stay theirs to read and write.
    assert client.get(reverse("dialogue:slot_notes", args=[world["slot"].pk])).status_code == 200


def _other_slot(world: dict[str, Any]) -> Any:
    """A slot of another coach, whose notes the participant's coach may not open."""
    import datetime as dt

    from django.utils import timezone

    from saferwork.dialogue import services
    from saferwork.dialogue.models import Coach, CoachingNote

    other = Coach.objects.exclude(pk=world["coach"].pk).get()
    start = timezone.now() + dt.timedelta(days=3)
    slot = services.offer_slot(
        coach=other, starts_at=start, ends_at=start + dt.timedelta(hours=1), where="Room 9", actor=other.user
    )
    services.save_note(slot=slot, coach=other, text="SECRET-NOTE of the other coach")
    world["note"] = CoachingNote.objects.get(slot=slot)
    return slot


def test_unsharing_and_rematching_take_the_coach_off(
    verified_client: Any,
    participant: Any,
    coordinator: Any,
    other_coach_user: Any,
    coach_user: Any,
    world: dict[str, Any],
) -> None:
    from saferwork.dialogue import services
    from saferwork.dialogue.models import Coach

    other = Coach.objects.get(user=other_coach_user)
    services.match_coach(coach=other, participant=participant, actor=coordinator)
    assert "SECRET-PLAN" not in verified_client(coach_user).get(reverse("dialogue:coaching")).content.decode()
    assert "SECRET-PLAN" not in verified_client(other_coach_user).get(reverse("dialogue:coaching")).content.decode()


def test_a_member_cannot_share_with_someone_elses_coach(
    participant: Any, other_coach_user: Any, world: dict[str, Any]
) -> None:
    from saferwork.dialogue import services
    from saferwork.dialogue.models import Coach

    with pytest.raises(services.DialogueError):
        services.share_plan_item(item=world["item"], coach=Coach.objects.get(user=other_coach_user), actor=participant)


def test_stranger_in_the_organisation_is_not_in_the_cohort(
    verified_client: Any, organisation: Any, world: dict[str, Any]
) -> None:
    stranger = factories.member(organisation, email="stranger@example.org", with_device=False)
    client = verified_client(stranger)
    assert client.get(reverse("dialogue:cohort", args=[world["cohort"].pk])).status_code == 404
    assert client.get(reverse("dialogue:thread", args=[world["thread"].pk])).status_code == 404
