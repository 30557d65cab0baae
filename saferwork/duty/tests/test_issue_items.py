"""Items of the preventative-duty brief not covered elsewhere, each checked as a person would see it."""

from __future__ import annotations

import datetime as dt
import io
import time

import pytest
from django.core.management import call_command
from django.urls import reverse
from docx import Document

from saferwork.accounts.decorators import SUDO_SESSION_KEY
from saferwork.accounts.models import User
from saferwork.actions import sources
from saferwork.actions.selectors import today_for
from saferwork.audit.models import AuditEntry
from saferwork.organisations.models import Organisation
from saferwork.risk import library

pytestmark = pytest.mark.django_db


def test_the_risk_factor_library_names_every_factor_of_the_brief_with_a_source():
    labels = {f.label for f in library.factors()}
    for wanted in (
        "Power imbalance",
        "Lone or night work",
        "Alcohol and work events",
        "Customer-facing work",
        "Insecure or agency work",
        "Low diversity",
        "Secondments and placements",
        "Online contact",
        "Travel and overnight stays",
    ):
        assert wanted in labels, wanted
    for factor in library.factors():
        assert factor.source in {"internal", "third_party"} and factor.source_title
        assert factor.source_url.startswith("https://"), factor.key
    assert {"internal", "third_party"} == {f.source for f in library.factors()}
    # Who might be harmed, as the brief lists them.
    who = set(library.WHO_LABELS)
    assert {"staff", "third_parties", "lone_night", "agency", "young"} <= who


def test_the_actions_hub_takes_actions_from_surveys_risks_audits_and_learning(verified_client, coordinator):
    kinds = {k.key: k.label for k in sources.all_kinds()}
    for key in ("survey_result", "risk_control", "policy_audit_gap", "dialogue_plan"):
        assert key in kinds, (key, sorted(kinds))
    page = verified_client(coordinator).get(reverse("actions:hub")).content.decode()
    filter_box = page[page.index('id="id_source_kind"') :]
    filter_box = filter_box[: filter_box.index("</select>")]
    for key in ("survey_result", "risk_control", "policy_audit_gap", "dialogue_plan"):
        assert f'value="{key}"' in filter_box, key


def test_the_demo_leader_downloads_a_duty_record_with_the_audit_the_risks_and_the_actions(client, settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    from saferwork.tests import factories

    leader = User.objects.get(email="leader@saferwork.test")
    northfield = Organisation.objects.get(slug="northfield-council")
    factories.sign_in_verified(client, leader)
    session = client.session
    session[SUDO_SESSION_KEY] = int(time.time()) + 600
    session.save()
    today = today_for(northfield)
    query = {"start": (today - dt.timedelta(days=365)).isoformat(), "end": today.isoformat()}
    response = client.get(reverse("duty:record_export", args=["docx"]), query)
    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "Duty record: Northfield Borough Council" in text
    for heading in ("Policy audits", "Risk assessments", "Actions"):
        assert heading in text, heading
    assert "Policy audit completed" in text and "Residual risk re-rated after controls" in text
    assert "reasonable steps" in text
    assert AuditEntry.objects.filter(
        action="saferwork.duty_record.exported", organisation=northfield, actor=leader
    ).exists()


def test_a_long_gap_is_named_in_the_hub_up_to_a_whole_word(organisation, coordinator, checklists):
    from saferwork.duty import services
    from saferwork.duty.models import Checklist
    from saferwork.duty.selectors import describe_gap

    ehrc = Checklist.objects.get(key="ehrc-eight-steps", version=1)
    audit = services.start_audit(organisation=organisation, checklist=ehrc, size="large", actor=coordinator)
    item = max(ehrc.items.all(), key=lambda i: len(i.text))
    answer = services.answer_item(audit=audit, item=item, status="not_met", actor=coordinator)
    source = describe_gap(organisation, str(answer.pk))
    assert source is not None and len(source.label) <= 200
    if len(f"{ehrc.title} ({audit.started_on:%-d %b %Y}), {item.item_id}: {item.text}") > 200:
        assert source.label.endswith("...")
        assert source.label[:-3].split(" ")[-1] in item.text.split(" ")  # a whole word
