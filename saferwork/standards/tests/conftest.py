from __future__ import annotations

from typing import Any

import pytest

from saferwork.standards import services
from saferwork.standards.models import Placement
from saferwork.surveys.models import Department
from saferwork.tests import factories


def place(organisation: Any, users: list[Any], department: Any) -> None:
    for user in users:
        Placement.objects.update_or_create(organisation=organisation, user=user, defaults={"department": department})


@pytest.fixture
def leader(organisation: Any) -> Any:
    return factories.member(organisation, is_leader=True, email="leader@example.org")


@pytest.fixture
def colleague(organisation: Any) -> Any:
    return factories.member(organisation, email="colleague@example.org", with_device=False)


@pytest.fixture
def world(organisation: Any, coordinator: Any, participant: Any, colleague: Any) -> dict[str, Any]:
    """Housing (the participant, the colleague and 10 others), Parks (3 people), a policy
    published to everyone and a handbook to Housing only."""
    housing = Department.objects.create(organisation=organisation, name="Housing")
    parks = Department.objects.create(organisation=organisation, name="Parks")
    others = [factories.member(organisation, email=f"housing{n}@example.org", with_device=False) for n in range(10)]
    park_people = [factories.member(organisation, email=f"parks{n}@example.org", with_device=False) for n in range(3)]
    place(organisation, [participant, colleague, *others], housing)
    place(organisation, park_people, parks)
    policy = services.publish_version(
        organisation=organisation,
        actor=coordinator,
        kind="policy",
        title="Sexual harassment policy",
        label="1.0",
        body="# Our policy\n\nSECRET-POLICY-TEXT applies to everyone.",
        audience=services.Audience(everyone=True),
    )
    handbook = services.publish_version(
        organisation=organisation,
        actor=coordinator,
        kind="handbook",
        title="Managers' handbook",
        label="2027",
        body="Be kind.",
        audience=services.Audience(departments=(housing.pk,)),
    )
    return {
        "housing": housing,
        "parks": parks,
        "others": others,
        "park_people": park_people,
        "policy": policy,
        "handbook": handbook,
    }
