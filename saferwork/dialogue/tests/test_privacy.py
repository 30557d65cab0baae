"""Action plans and coaching notes: unreadable by every role but their owner (and the chosen coach)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from saferwork.dialogue.models import CoachingNote, PlanItem
from saferwork.tests import factories

pytestmark = pytest.mark.django_db

PRIVATE = ("SECRET-PLAN", "SECRET-HOW", "SECRET-NOTE")


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


def _assert_reads_nothing(client: Any, world: dict[str, Any]) -> None:
    for url in _pages(world):
        response = client.get(url)
        body = response.content.decode() if response.status_code == 200 else ""
        for secret in PRIVATE:
            assert secret not in body, f"{secret} readable at {url}"
    assert client.get(reverse("dialogue:plan_item", args=[world["item"].pk])).status_code == 404
    assert client.get(reverse("dialogue:slot_notes", args=[world["slot"].pk])).status_code in {403, 404}


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
    "role", ["coordinator", "leader", "other_participant", "other_coach_user", "programme_admin", "outsider"]
)
def test_no_other_role_reads_plans_or_notes(
    role: str, request: Any, verified_client: Any, world: dict[str, Any]
) -> None:
    _assert_reads_nothing(verified_client(request.getfixturevalue(role)), world)


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
