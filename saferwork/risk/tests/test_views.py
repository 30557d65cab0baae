from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from saferwork.actions import services as actions
from saferwork.actions.models import Action
from saferwork.risk import services
from saferwork.risk.models import Assessment, Hazard, Suggestion
from saferwork.tests import factories

pytestmark = pytest.mark.django_db


def main(response: Any) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def date_fields(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


@pytest.fixture
def world(make_assessment, make_hazard, make_control, organisation, leader, today):
    """One assessment with a hazard and a control, and a pending suggestion."""
    assessment = make_assessment()
    hazard = make_hazard(assessment)
    control = make_control(hazard)
    suggestion = Suggestion.objects.create(
        organisation=organisation, origin="reporting", key="k", title="Third parties", detail="d", created_on=today
    )
    return {"assessment": assessment, "hazard": hazard, "control": control, "suggestion": suggestion}


def urls(world: dict[str, Any]) -> list[tuple[str, str]]:
    a, h, c, s = world["assessment"].pk, world["hazard"].pk, world["control"].pk, world["suggestion"].pk
    return [
        ("get", reverse("risk:register")),
        ("get", reverse("risk:create")),
        ("get", reverse("risk:assessment", args=[a])),
        ("post", reverse("risk:share", args=[a])),
        ("post", reverse("risk:review", args=[a])),
        ("get", reverse("risk:hazard_new", args=[a])),
        ("get", reverse("risk:control_new", args=[h])),
        ("get", reverse("risk:rerate", args=[h])),
        ("post", reverse("risk:control_action", args=[c])),
        ("get", reverse("risk:suggestions")),
        ("get", reverse("risk:decide", args=[s])),
    ]


def test_outsider_gets_nothing_from_any_page(verified_client, world, other_organisation):
    outsider = factories.member(other_organisation, is_leader=True, is_coordinator=True)
    client = verified_client(outsider)
    for method, url in urls(world):
        response = getattr(client, method)(url)
        if url == reverse("risk:register"):
            assert response.status_code == 200 and "Housing officers" not in main(response)
        elif url in (reverse("risk:create"), reverse("risk:suggestions")):
            assert response.status_code == 200  # their own organisation's (empty) pages
            assert "Third parties" not in main(response)
        else:
            assert response.status_code in (403, 404), (url, response.status_code)
    assert not Action.objects.exists() and Assessment.objects.get().shared_with.count() == 0


def test_signed_out_person_is_sent_to_sign_in(client, world):
    for method, url in urls(world):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "next=" in response["Location"], url


def test_manager_sees_only_own_and_shared_assessments(verified_client, make_assessment, organisation, manager, leader):
    other_manager = factories.member(organisation, email="other@example.org")
    mine = make_assessment(title="My depot")
    theirs = make_assessment(title="Their library", owner=other_manager)
    shared = make_assessment(title="Shared parks", owner=other_manager)
    services.share_assessment(assessment=shared, user=manager, actor=leader)
    client = verified_client(manager)
    page = main(client.get(reverse("risk:register")))
    assert "My depot" in page and "Shared parks" in page and "Their library" not in page
    assert client.get(reverse("risk:assessment", args=[mine.pk])).status_code == 200
    assert client.get(reverse("risk:assessment", args=[shared.pk])).status_code == 200
    assert client.get(reverse("risk:assessment", args=[theirs.pk])).status_code == 404
    # Shared means read only; the owner may change their own.
    assert client.get(reverse("risk:hazard_new", args=[shared.pk])).status_code == 403
    assert client.get(reverse("risk:hazard_new", args=[mine.pk])).status_code == 200
    # A manager neither creates assessments nor decides suggestions.
    assert client.get(reverse("risk:create")).status_code == 403
    assert client.get(reverse("risk:suggestions")).status_code == 403
    # Leaders see all three.
    everything = main(verified_client(leader).get(reverse("risk:register")))
    assert "My depot" in everything and "Their library" in everything and "Shared parks" in everything


def test_coordinator_creates_an_assessment_with_errors_named_first(verified_client, coordinator, manager, today):
    client = verified_client(coordinator)
    errors = main(client.post(reverse("risk:create"), {"title": ""}))
    assert "Select the kind of assessment" in errors and "Enter a title" in errors
    assert "Select who owns this assessment" in errors and "Enter the review date" in errors
    response = client.post(
        reverse("risk:create"),
        {"kind": "activity", "title": "Night shifts", "owner": manager.pk, **date_fields("review_on", today)},
    )
    assessment = Assessment.objects.get()
    assert response["Location"] == reverse("risk:assessment", args=[assessment.pk])
    assert assessment.owner == manager and assessment.matrix_version == "2026-1"


def test_owner_adds_a_rated_hazard(verified_client, make_assessment, manager):
    assessment = make_assessment()
    client = verified_client(manager)
    errors = main(client.post(reverse("risk:hazard_new", args=[assessment.pk]), {"title": ""}))
    assert "Enter the hazard" in errors and "Select who might be harmed" in errors
    assert "Select the likelihood with no precautions" in errors
    data = {
        "title": "Harassment by contractors on site",
        "who": ["staff", "agency"],
        "factors": ["customer_facing"],
        "source": "third_party",
        "inherent_likelihood": "4",
        "inherent_severity": "4",
        "current_likelihood": "3",
        "current_severity": "4",
        "target_likelihood": "2",
        "target_severity": "3",
    }
    client.post(reverse("risk:hazard_new", args=[assessment.pk]), data)
    hazard = Hazard.objects.get()
    assert (hazard.current_likelihood, hazard.current_severity) == (3, 4) and hazard.factors == ["customer_facing"]
    page = main(client.get(reverse("risk:assessment", args=[assessment.pk])))
    assert "High (12): likelihood possible, severity major" in page and "Customer-facing work" in page


def test_one_click_turns_a_control_into_an_action(verified_client, world, leader):
    client = verified_client(leader)
    response = client.post(reverse("risk:control_action", args=[world["control"].pk]))
    action = Action.objects.get()
    assert response["Location"] == reverse("actions:detail", args=[action.pk])
    page = main(client.get(reverse("actions:detail", args=[action.pk])))
    assert "Risk assessment control" in page and reverse("risk:assessment", args=[world["assessment"].pk]) in page


def test_rerate_page_refuses_until_done_with_evidence(verified_client, world, leader):
    client = verified_client(leader)
    url = reverse("risk:rerate", args=[world["hazard"].pk])
    action = services.control_to_action(control=world["control"], actor=leader)
    page = main(client.get(url))
    assert "is not done yet" in page and "Re-rate</button>" not in page
    client.post(url, {"likelihood": "1", "severity": "1"})
    world["hazard"].refresh_from_db()
    assert world["hazard"].current_likelihood == 4
    actions.add_evidence_link(action=action, url="/rota/", actor=leader)
    actions.change_status(action=action, status="done", actor=leader)
    client.post(url, {"likelihood": "2", "severity": "3"})
    world["hazard"].refresh_from_db()
    assert (world["hazard"].current_likelihood, world["hazard"].current_severity) == (2, 3)


def test_review_and_share_from_the_assessment_page(verified_client, world, manager, organisation, today):
    reader = factories.member(organisation, email="reader@example.org")
    client = verified_client(manager)
    a = world["assessment"]
    errors = main(client.post(reverse("risk:review", args=[a.pk]), date_fields("next_review_on", today)))
    assert "The next review date must be in the future" in errors
    client.post(reverse("risk:review", args=[a.pk]), date_fields("next_review_on", today + dt.timedelta(days=30)))
    client.post(reverse("risk:share", args=[a.pk]), {"person": reader.pk})
    a.refresh_from_db()
    assert a.review_on == today + dt.timedelta(days=30) and list(a.shared_with.all()) == [reader]


def test_leader_accepts_or_dismisses_suggestions_with_reasons(verified_client, world, leader, organisation, today):
    client = verified_client(leader)
    s = world["suggestion"]
    errors = main(client.post(reverse("risk:decide", args=[s.pk]), {"decision": "accept"}))
    assert "Select an assessment" in errors and "Enter why you accept it" in errors
    assert Hazard.objects.count() == 1
    client.post(
        reverse("risk:decide", args=[s.pk]),
        {
            "decision": "accept",
            "accept-assessment": world["assessment"].pk,
            "accept-likelihood": "3",
            "accept-severity": "3",
            "accept-reason": "Seen at the depots",
        },
    )
    s.refresh_from_db()
    assert s.status == "accepted" and Hazard.objects.count() == 2
    other = Suggestion.objects.create(
        organisation=organisation, origin="survey", key="k2", title="Housing", detail="d", created_on=today
    )
    errors = main(client.post(reverse("risk:decide", args=[other.pk]), {"decision": "dismiss"}))
    assert "Enter why you dismiss it" in errors
    client.post(reverse("risk:decide", args=[other.pk]), {"decision": "dismiss", "dismiss-reason": "Covered"})
    other.refresh_from_db()
    assert other.status == "dismissed" and Hazard.objects.count() == 2
    page = main(client.get(reverse("risk:suggestions")))
    assert "Seen at the depots" in page and "Covered" in page


def test_register_and_heatmap_queries_do_not_grow(
    verified_client, leader, organisation, make_assessment, make_hazard, django_assert_max_num_queries
):
    owners = [factories.member(organisation, with_device=False) for _ in range(4)]
    for n in range(30):
        assessment = make_assessment(title=f"Assessment {n}", owner=owners[n % 4])
        for k in range(3):
            make_hazard(assessment, current=(1 + (n + k) % 5, 1 + k))
    client = verified_client(leader)
    with django_assert_max_num_queries(14):
        page = main(client.get(reverse("risk:register")))
    assert "30 assessments" in page and "90 risks" in page
    assert 'data-cell="1-1"' in page


def test_heatmap_counts_each_cell_with_its_band_in_words(verified_client, leader, make_assessment, make_hazard):
    assessment = make_assessment()
    make_hazard(assessment, current=(5, 5))
    make_hazard(assessment, current=(5, 5))
    make_hazard(assessment, current=(1, 2))
    page = main(verified_client(leader).get(reverse("risk:register")))
    cell = page[page.index('data-cell="5-5"') :][:200]
    assert ">2<" in cell and "very high" in cell
    low = page[page.index('data-cell="1-2"') :][:200]
    assert ">1<" in low and "low" in low
