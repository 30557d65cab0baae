"""Changing and deleting a risk (a hazard), changing an assessment, and the assessment as DOCX and PDF."""

from __future__ import annotations

import datetime as dt
import io
import time
from typing import Any

import pytest
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from saferwork.accounts.decorators import SUDO_SESSION_KEY
from saferwork.actions.models import Action
from saferwork.audit.models import AuditEntry
from saferwork.risk import services
from saferwork.risk.models import Control, Hazard
from saferwork.tests import factories

pytestmark = pytest.mark.django_db


def main(response: Any) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def sudo(client: Any) -> Any:
    session = client.session
    session[SUDO_SESSION_KEY] = int(time.time()) + 600
    session.save()
    return client


def hazard_post(**overrides: Any) -> dict[str, Any]:
    data = {
        "title": "Tenants harass officers on lone visits",
        "who": ["staff", "lone_night"],
        "factors": ["lone_night_work"],
        "source": "third_party",
        "description": "At flagged addresses",
        "existing_precautions": "",
        "inherent_likelihood": "4",
        "inherent_severity": "5",
        "current_likelihood": "4",
        "current_severity": "4",
        "target_likelihood": "2",
        "target_severity": "3",
    }
    return {**data, **overrides}


def test_owner_changes_a_hazard_and_the_audit_log_keeps_before_and_after(
    verified_client, make_assessment, make_hazard, manager
):
    hazard = make_hazard(make_assessment())
    client = verified_client(manager)
    url = reverse("risk:hazard_edit", args=[hazard.pk])
    page = main(client.get(url))
    assert "Change the hazard" in page and 'value="Tenants harass officers on lone visits"' in page
    assert 'id="id_current_likelihood"' in page  # no control yet: the first rating may be corrected
    errors = main(client.post(url, hazard_post(title="", who=[])))
    assert "Enter the hazard" in errors and "Select who might be harmed" in errors
    response = client.post(url, hazard_post(title="Tenants and visitors harass officers", current_severity="3"))
    assert response["Location"].endswith(f"#hazard-{hazard.pk}")
    hazard.refresh_from_db()
    assert hazard.title == "Tenants and visitors harass officers" and hazard.current_severity == 3
    entry = AuditEntry.objects.get(action="saferwork.risk.hazard_changed")
    assert entry.actor == manager
    assert entry.data["changed"]["title"] == ["Tenants harass officers on lone visits", hazard.title]
    assert entry.data["changed"]["current"] == [[4, 4], [4, 3]]
    assert entry.data["changed"]["description"] == ["", "At flagged addresses"]


def test_once_a_hazard_has_a_control_its_current_risk_changes_only_by_rerating(
    verified_client, make_assessment, make_hazard, make_control, leader
):
    hazard = make_hazard(make_assessment())
    make_control(hazard)
    client = verified_client(leader)
    url = reverse("risk:hazard_edit", args=[hazard.pk])
    page = main(client.get(url))
    assert 'id="id_current_likelihood"' not in page and "Very high (16)" in page
    assert reverse("risk:rerate", args=[hazard.pk]) in page
    client.post(url, hazard_post(current_likelihood="1", current_severity="1", target_severity="2"))
    hazard.refresh_from_db()
    assert (hazard.current_likelihood, hazard.current_severity) == (4, 4) and hazard.target_severity == 2
    with pytest.raises(services.RiskError, match="re-rating"):
        services.update_hazard(
            hazard=hazard, title="x", inherent=(4, 5), target=(2, 3), current=(1, 1), who=["staff"], actor=leader
        )


def test_deleting_a_hazard_asks_for_sudo_and_confirmation_and_says_what_stays(
    verified_client, make_assessment, make_hazard, make_control, done_with_evidence, leader
):
    assessment = make_assessment()
    hazard = make_hazard(assessment)
    control = make_control(hazard)
    action = done_with_evidence(control)
    services.rerate_residual(hazard=hazard, likelihood=2, severity=3, actor=leader)
    client = verified_client(leader)
    url = reverse("risk:hazard_delete", args=[hazard.pk])
    assert client.post(url)["Location"].startswith(reverse("accounts:sudo"))
    assert Hazard.objects.filter(pk=hazard.pk).exists()
    sudo(client)
    page = main(client.get(url))
    assert "Are you sure you want to delete this hazard?" in page
    assert "Two officers on every visit to a flagged address" in page  # the control that goes with it
    stays = page[page.index('id="what-stays"') :]
    assert "The 1 action made from its controls stays in the actions hub" in stays
    assert "will no longer show in the duty record" in stays
    assert reverse("actions:detail", args=[action.pk]) in page
    assert Hazard.objects.filter(pk=hazard.pk).exists()  # looking is not deleting

    response = client.post(url)
    assert response["Location"] == reverse("risk:assessment", args=[assessment.pk])
    assert not Hazard.objects.filter(pk=hazard.pk).exists() and not Control.objects.exists()
    assert Action.objects.filter(pk=action.pk, status="done").exists()
    entry = AuditEntry.objects.get(action="saferwork.risk.hazard_deleted")
    assert entry.target_id == str(assessment.pk) and entry.actor == leader
    assert entry.data["title"] == "Tenants harass officers on lone visits" and entry.data["current"] == [2, 3]
    assert entry.data["controls"][0]["description"] == "Two officers on every visit to a flagged address"
    assert entry.data["controls"][0]["actions"] == [action.pk]
    # The action keeps its words: the hub still says where it came from.
    detail = main(client.get(reverse("actions:detail", args=[action.pk])))
    assert "Housing officers&#x27; home visits" in detail


def test_someone_it_is_shared_with_cannot_change_or_delete_a_hazard(
    verified_client, make_assessment, make_hazard, organisation, leader
):
    assessment = make_assessment()
    hazard = make_hazard(assessment)
    reader = factories.member(organisation, email="reader@example.org")
    services.share_assessment(assessment=assessment, user=reader, actor=leader)
    client = sudo(verified_client(reader))
    assert client.get(reverse("risk:hazard_edit", args=[hazard.pk])).status_code == 403
    assert client.post(reverse("risk:hazard_delete", args=[hazard.pk])).status_code == 403
    page = main(client.get(reverse("risk:assessment", args=[assessment.pk])))
    assert reverse("risk:hazard_edit", args=[hazard.pk]) not in page
    assert reverse("risk:assessment_export", args=[assessment.pk, "pdf"]) in page
    assert Hazard.objects.filter(pk=hazard.pk).exists()


def test_an_assessment_changes_title_and_owner_and_keeps_its_review_date(
    verified_client, make_assessment, leader, organisation, today
):
    assessment = make_assessment()
    review_on = assessment.review_on
    new_owner = factories.member(organisation, email="new@example.org")
    client = verified_client(leader)
    url = reverse("risk:assessment_edit", args=[assessment.pk])
    page = main(client.get(url))
    assert "Change the assessment" in page and "review_on" not in page
    response = client.post(
        url, {"kind": "activity", "title": "Home visits", "department": "Housing", "owner": new_owner.pk}
    )
    assert response["Location"] == reverse("risk:assessment", args=[assessment.pk])
    assessment.refresh_from_db()
    assert assessment.title == "Home visits" and assessment.owner == new_owner and assessment.review_on == review_on
    entry = AuditEntry.objects.get(action="saferwork.risk.assessment_changed")
    assert entry.data["changed"]["title"] == ["Housing officers' home visits", "Home visits"]


def test_an_owner_who_hands_an_assessment_on_goes_back_to_the_register(
    verified_client, make_assessment, manager, organisation
):
    assessment = make_assessment()
    other = factories.member(organisation, email="next@example.org")
    response = verified_client(manager).post(
        reverse("risk:assessment_edit", args=[assessment.pk]),
        {"kind": "activity", "title": assessment.title, "owner": other.pk},
    )
    assert response["Location"] == reverse("risk:register")
    assert verified_client(manager).get(reverse("risk:assessment", args=[assessment.pk])).status_code == 404


def _text(response: Any) -> str:
    if response["Content-Type"] == "application/pdf":
        return "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    return "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_the_assessment_downloads_with_every_step_and_is_audited(
    verified_client, make_assessment, make_hazard, make_control, done_with_evidence, leader, manager, today, fmt
):
    assessment = make_assessment()
    hazard = make_hazard(assessment)
    done_with_evidence(make_control(hazard))
    services.rerate_residual(hazard=hazard, likelihood=2, severity=3, actor=leader)
    services.record_review(
        assessment=assessment, next_review_on=today + dt.timedelta(days=180), note="Rota works", actor=manager
    )
    client = verified_client(manager)
    url = reverse("risk:assessment_export", args=[assessment.pk, fmt])
    assert client.get(url)["Location"].startswith(reverse("accounts:sudo"))
    response = sudo(client).get(url)
    assert response.status_code == 200 and f"risk-assessment-{assessment.pk}.{fmt}" in response["Content-Disposition"]
    text = _text(response)
    for expected in (
        "Risk assessment: Housing officers' home visits",
        "Tenants harass officers on lone visits",
        "Who might be harmed: Staff, Lone or night workers",
        "Inherent risk: Very high (20)",
        "Current risk: Medium (6)",
        "re-rated after controls on",
        "Target risk: Medium (6)",
        "Control: Two officers on every visit to a flagged address",
        "Action: done",
        "1 piece of evidence",
        "Step 5: reviews",
        "Rota works",
        "matrix version 2026-1",
    ):
        assert expected in text.replace("\n", " "), expected
    entry = AuditEntry.objects.get(action="saferwork.risk.assessment_exported")
    assert entry.actor == manager and entry.data == {"format": fmt} and entry.target_id == str(assessment.pk)


def test_assessment_export_queries_do_not_grow_with_hazards(
    verified_client, make_assessment, make_hazard, make_control, leader, django_assert_max_num_queries
):
    assessment = make_assessment()
    for n in range(12):
        hazard = make_hazard(assessment, title=f"Hazard {n}")
        for _ in range(3):
            services.control_to_action(control=make_control(hazard), actor=leader)
    client = sudo(verified_client(leader))
    with django_assert_max_num_queries(16):
        response = client.get(reverse("risk:assessment_export", args=[assessment.pk, "docx"]))
    assert "Hazard 11" in _text(response)
