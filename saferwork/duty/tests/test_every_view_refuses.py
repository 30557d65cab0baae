"""Every view of the duty, risk and actions apps, asked for by people who must not get it.

The table below names every URL pattern of the three apps' ``urls.py`` (a pattern added
without a row fails ``test_every_view_of_the_three_apps_is_in_the_table``). Each row is
tried by an outsider (a leader, coordinator and case handler of another organisation) and
by members of this organisation without the flag the view needs, with a request that
would change something if the view let it through. They must get 403 or 404, or on a page
that is about their own organisation, a page that holds nothing of this one's; and after
all of it, nothing of this organisation has changed and its audit log has no new entry.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, get_resolver, reverse
from docx import Document
from pypdf import PdfReader

from saferwork.accounts.decorators import SUDO_SESSION_KEY
from saferwork.actions import selectors as action_selectors
from saferwork.actions import services as action_services
from saferwork.actions.models import Action, Evidence, ReadAccess
from saferwork.audit.models import AuditEntry
from saferwork.duty import services as duty_services
from saferwork.duty.models import AuditAnswer, PolicyAudit
from saferwork.risk import services as risk_services
from saferwork.risk.models import Assessment, Control, Hazard, Suggestion
from saferwork.tests import factories

pytestmark = pytest.mark.django_db

APPS = ("duty", "risk", "actions")
# Words that appear only in this organisation's data: none may reach a refused person.
MARKERS = ("Zephyr depot", "Quokka", "Marmalade", "minutes-xyzzy", "Wombat", "owner@example.org")
# An outsider's pages must not even name this organisation (its own members' pages do).
OUTSIDER_MARKERS = (*MARKERS, "Home Union")

REFUSED = "refused"  # 403 or 404
OWN = "own"  # their own organisation's page (or a redirect to it), holding nothing of ours


@dataclass
class Row:
    name: str
    method: str
    url: str
    data: dict[str, Any] = field(default_factory=dict)
    outsider: str = REFUSED
    member: str = REFUSED  # a member with no role, owning nothing, shared nothing


def date_fields(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


def sudo(client: Any) -> Any:
    session = client.session
    session[SUDO_SESSION_KEY] = int(time.time()) + 600
    session.save()
    return client


@pytest.fixture
def world(organisation: Any, coordinator: Any, checklists: Any, ehrc: Any) -> dict[str, Any]:
    """One of everything in this organisation, each with a file or a link where it can have one."""
    leader = factories.member(organisation, is_leader=True, email="leader@example.org")
    owner = factories.member(organisation, email="owner@example.org")
    rep = factories.member(organisation, email="rep@example.org")
    reader = factories.member(organisation, email="reader@example.org")
    today = action_selectors.today_for(organisation)

    audit = duty_services.start_audit(organisation=organisation, checklist=ehrc, size="large", actor=coordinator)
    items = {i.item_id: i for i in ehrc.items.all()}
    evidence_upload = SimpleUploadedFile("minutes-xyzzy.txt", b"Minutes", content_type="text/plain")
    duty_services.answer_item(
        audit=audit, item=items["policy.1"], status="met", upload=evidence_upload, actor=coordinator
    )
    gap = duty_services.answer_item(
        audit=audit, item=items["policy.2"], status="not_met", note="Marmalade", actor=coordinator
    )

    assessment = risk_services.create_assessment(
        organisation=organisation,
        kind="activity",
        title="Zephyr depot night shifts",
        owner=owner,
        review_on=today + dt.timedelta(days=90),
        actor=leader,
    )
    risk_services.share_assessment(assessment=assessment, user=reader, actor=leader)
    hazard = risk_services.add_hazard(
        assessment=assessment,
        title="Quokka: drivers harassed at night",
        who=["staff"],
        inherent=(4, 4),
        current=(4, 4),
        target=(2, 2),
        actor=leader,
    )
    control = risk_services.add_control(
        hazard=hazard, description="Quokka escort rota", owner=owner, due_on=today, actor=leader
    )
    suggestion = Suggestion.objects.create(
        organisation=organisation,
        origin="reporting",
        key="k",
        title="Wombat third parties",
        detail="d",
        created_on=today,
    )

    action = action_services.create_action(
        organisation=organisation, title="Marmalade policy published", owner=owner, due_on=today, actor=leader
    )
    upload = SimpleUploadedFile("minutes-xyzzy.txt", b"Minutes", content_type="text/plain")
    evidence = action_services.add_evidence_file(action=action, upload=upload, actor=leader)
    grant = action_services.grant_read_access(organisation=organisation, user=rep, actor=leader)
    return {
        "leader": leader,
        "owner": owner,
        "rep": rep,
        "reader": reader,
        "today": today,
        "audit": audit,
        "gap": gap,
        "assessment": assessment,
        "hazard": hazard,
        "control": control,
        "suggestion": suggestion,
        "action": action,
        "evidence": evidence,
        "grant": grant,
    }


def rows(w: dict[str, Any]) -> list[Row]:
    audit, a, h, c = w["audit"].pk, w["assessment"].pk, w["hazard"].pk, w["control"].pk
    act, ev, owner, today = w["action"].pk, w["evidence"].pk, w["owner"].pk, w["today"]
    later = today + dt.timedelta(days=40)
    rating = {f"{p}_{k}": "1" for p in ("inherent", "current", "target") for k in ("likelihood", "severity")}
    hazard_data = {"title": "Changed", "who": ["staff"], "source": "internal", **rating}
    action_data = {"title": "Hijacked", "owner": owner, **date_fields("due_on", later)}
    period = f"?start={today - dt.timedelta(days=30)}&end={today}"
    return [
        # duty: every page needs a leader or coordinator (the record: or a programme admin)
        Row("duty:audits", "get", reverse("duty:audits"), outsider=OWN),
        Row("duty:audits", "post", reverse("duty:audits"), {"checklist": "", "size": "large"}, outsider=OWN),
        Row("duty:compare", "get", f"{reverse('duty:compare')}?first={audit}&second={audit}", outsider=OWN),
        Row("duty:audit", "get", reverse("duty:audit", args=[audit])),
        Row("duty:gaps", "get", reverse("duty:gaps", args=[audit])),
        Row("duty:gap_action", "post", reverse("duty:gap_action", args=[audit, w["gap"].pk])),
        Row("duty:complete", "post", reverse("duty:complete", args=[audit])),
        Row("duty:answer", "get", reverse("duty:answer", args=[audit, "policy.2"])),
        Row("duty:answer", "post", reverse("duty:answer", args=[audit, "policy.2"]), {"status": "met"}),
        Row("duty:answer_file", "get", reverse("duty:answer_file", args=[audit, "policy.1"])),
        Row("duty:record", "get", reverse("duty:record"), outsider=OWN),
        Row("duty:record_export", "get", reverse("duty:record_export", args=["docx"]) + period, outsider=OWN),
        Row("duty:record_export", "get", reverse("duty:record_export", args=["pdf"]) + period, outsider=OWN),
        # risk: the register shows one's own; assessments need to be owned, shared or managed
        Row("risk:register", "get", reverse("risk:register"), outsider=OWN, member=OWN),
        Row("risk:create", "get", reverse("risk:create"), outsider=OWN),
        Row("risk:create", "post", reverse("risk:create"), {"title": ""}, outsider=OWN),
        Row("risk:assessment", "get", reverse("risk:assessment", args=[a])),
        Row("risk:assessment_edit", "get", reverse("risk:assessment_edit", args=[a])),
        Row(
            "risk:assessment_edit",
            "post",
            reverse("risk:assessment_edit", args=[a]),
            {"kind": "corporate", "title": "Changed", "owner": owner},
        ),
        Row("risk:assessment_export", "get", reverse("risk:assessment_export", args=[a, "docx"])),
        Row("risk:assessment_export", "get", reverse("risk:assessment_export", args=[a, "pdf"])),
        Row("risk:hazard_edit", "get", reverse("risk:hazard_edit", args=[h])),
        Row("risk:hazard_edit", "post", reverse("risk:hazard_edit", args=[h]), hazard_data),
        Row("risk:hazard_delete", "get", reverse("risk:hazard_delete", args=[h])),
        Row("risk:hazard_delete", "post", reverse("risk:hazard_delete", args=[h])),
        Row("risk:share", "post", reverse("risk:share", args=[a]), {"person": w["rep"].pk}),
        Row("risk:unshare", "post", reverse("risk:unshare", args=[a, w["reader"].pk])),
        Row("risk:assessment_delete", "get", reverse("risk:assessment_delete", args=[a])),
        Row("risk:assessment_delete", "post", reverse("risk:assessment_delete", args=[a]), {"open_actions": "cancel"}),
        Row("risk:control_edit", "get", reverse("risk:control_edit", args=[c])),
        Row(
            "risk:control_edit",
            "post",
            reverse("risk:control_edit", args=[c]),
            {"description": "Changed", "owner": owner, **date_fields("due_on", later)},
        ),
        Row("risk:control_delete", "get", reverse("risk:control_delete", args=[c])),
        Row("risk:control_delete", "post", reverse("risk:control_delete", args=[c])),
        Row(
            "risk:review",
            "post",
            reverse("risk:review", args=[a]),
            {"note": "x", **date_fields("next_review_on", later)},
        ),
        Row("risk:hazard_new", "get", reverse("risk:hazard_new", args=[a])),
        Row("risk:hazard_new", "post", reverse("risk:hazard_new", args=[a]), hazard_data),
        Row("risk:control_new", "get", reverse("risk:control_new", args=[h])),
        Row(
            "risk:control_new",
            "post",
            reverse("risk:control_new", args=[h]),
            {"description": "Changed", "owner": owner, **date_fields("due_on", later)},
        ),
        Row("risk:rerate", "get", reverse("risk:rerate", args=[h])),
        Row("risk:rerate", "post", reverse("risk:rerate", args=[h]), {"likelihood": "1", "severity": "1"}),
        Row("risk:control_action", "post", reverse("risk:control_action", args=[c])),
        Row("risk:suggestions", "get", reverse("risk:suggestions"), outsider=OWN),
        Row("risk:decide", "get", reverse("risk:decide", args=[w["suggestion"].pk])),
        Row(
            "risk:decide",
            "post",
            reverse("risk:decide", args=[w["suggestion"].pk]),
            {"decision": "dismiss", "dismiss-reason": "Hijacked"},
        ),
        # actions: the hub shows one's own; an action needs to be owned, read or managed
        Row("actions:hub", "get", reverse("actions:hub"), outsider=OWN, member=OWN),
        Row("actions:create", "get", reverse("actions:create"), outsider=OWN),
        Row("actions:create", "post", reverse("actions:create"), {"title": ""}, outsider=OWN),
        Row("actions:export", "get", reverse("actions:export"), outsider=OWN),
        Row("actions:readers", "get", reverse("actions:readers"), outsider=OWN),
        Row("actions:readers", "post", reverse("actions:readers"), {"user": owner, "reason": "x"}, outsider=OWN),
        Row("actions:revoke_reader", "post", reverse("actions:revoke_reader", args=[w["grant"].pk])),
        Row("actions:detail", "get", reverse("actions:detail", args=[act])),
        Row("actions:edit", "get", reverse("actions:edit", args=[act])),
        Row("actions:edit", "post", reverse("actions:edit", args=[act]), action_data),
        Row("actions:status", "post", reverse("actions:status", args=[act]), {"status": "done"}),
        Row("actions:add_evidence", "post", reverse("actions:add_evidence", args=[act, "link"]), {"url": "/x/"}),
        Row("actions:remove_evidence", "post", reverse("actions:remove_evidence", args=[act, ev])),
        Row("actions:evidence_file", "get", reverse("actions:evidence_file", args=[act, ev])),
        Row("actions:delete", "get", reverse("actions:delete", args=[act])),
        Row("actions:delete", "post", reverse("actions:delete", args=[act])),
    ]


def text_of(response: Any) -> str:
    """What a person would read in the response, whatever its kind."""
    kind = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "wordprocessingml" in kind:
        return "\n".join(p.text for p in Document(io.BytesIO(body)).paragraphs)
    if kind.startswith("application/pdf"):
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    if kind.startswith("text/csv"):
        return "\n".join(",".join(r) for r in csv.reader(io.StringIO(body.decode())))
    return body.decode()


def snapshot(organisation: Any) -> dict[str, Any]:
    """Everything of this organisation a refused request might have changed."""
    return {
        "audit_log": AuditEntry.objects.filter(organisation=organisation).count(),
        "audits": list(PolicyAudit.objects.filter(organisation=organisation).values()),
        "answers": list(AuditAnswer.objects.filter(organisation=organisation).values()),
        "assessments": list(Assessment.objects.filter(organisation=organisation).values()),
        "shared": list(Assessment.shared_with.through.objects.values_list("assessment_id", "user_id")),
        "hazards": list(Hazard.objects.filter(organisation=organisation).values()),
        "controls": list(Control.objects.filter(organisation=organisation).values()),
        "suggestions": list(Suggestion.objects.filter(organisation=organisation).values()),
        "actions": list(Action.objects.filter(organisation=organisation).values()),
        "evidence": list(Evidence.objects.filter(organisation=organisation).values()),
        "readers": list(ReadAccess.objects.filter(organisation=organisation).values()),
    }


def ask(client: Any, row: Row, rule: str, who: str, markers: tuple[str, ...] = MARKERS) -> None:
    response = getattr(client, row.method)(row.url, row.data)
    where = (who, row.method, row.url, response.status_code)
    if rule == REFUSED:
        assert response.status_code in (403, 404), where
        return
    assert response.status_code in (200, 302), where
    if response.status_code == 302:
        assert not response["Location"].startswith(reverse("accounts:sudo")), where
        return
    text = text_of(response)
    leaked = [m for m in markers if m in text]
    assert not leaked, (*where, leaked)


def test_every_view_of_the_three_apps_is_in_the_table(world):
    names = {
        f"{app}:{p.name}"
        for app in APPS
        for p in get_resolver().namespace_dict[app][1].url_patterns
        if isinstance(p, URLPattern)
    }
    assert names == {row.name for row in rows(world)}


def test_outsider_is_refused_every_view_and_changes_nothing(verified_client, outsider, organisation, world):
    before = snapshot(organisation)
    client = sudo(verified_client(outsider))
    for row in rows(world):
        ask(client, row, row.outsider, "outsider", OUTSIDER_MARKERS)
    assert snapshot(organisation) == before


def test_member_without_a_role_is_refused_every_view_and_changes_nothing(verified_client, organisation, world):
    plain = factories.member(organisation, email="plain@example.org")
    before = snapshot(organisation)
    client = sudo(verified_client(plain))
    for row in rows(world):
        ask(client, row, row.member, "member without a role")
    assert snapshot(organisation) == before


def test_case_handler_and_participant_are_refused_every_view(verified_client, organisation, participant, world):
    handler = factories.member(organisation, is_case_handler=True, email="handler@example.org")
    before = snapshot(organisation)
    for person in (handler, participant):
        client = sudo(verified_client(person))
        for row in rows(world):
            ask(client, row, row.member, str(person))
    assert snapshot(organisation) == before


# Views that change an assessment or run the register: a person it is shared with reads it only.
RISK_CHANGES = {
    "risk:create",
    "risk:assessment_edit",
    "risk:hazard_edit",
    "risk:hazard_delete",
    "risk:share",
    "risk:unshare",
    "risk:assessment_delete",
    "risk:control_edit",
    "risk:control_delete",
    "risk:review",
    "risk:hazard_new",
    "risk:control_new",
    "risk:rerate",
    "risk:control_action",
    "risk:suggestions",
    "risk:decide",
}


def test_someone_an_assessment_is_shared_with_may_read_it_and_change_nothing(verified_client, organisation, world):
    before = snapshot(organisation)
    client = sudo(verified_client(world["reader"]))
    risk_rows = [r for r in rows(world) if r.name.startswith("risk:")]
    for row in risk_rows:
        if row.name in RISK_CHANGES:
            ask(client, row, REFUSED, "reader")
    assert client.get(reverse("risk:assessment", args=[world["assessment"].pk])).status_code == 200
    assert snapshot(organisation) == before


def test_owner_of_an_assessment_may_not_run_the_register(verified_client, organisation, world):
    before = snapshot(organisation)
    client = sudo(verified_client(world["owner"]))
    for row in rows(world):
        if row.name in {"risk:create", "risk:suggestions", "risk:decide"}:
            ask(client, row, REFUSED, "assessment owner")
    assert snapshot(organisation) == before


# Views only leaders and coordinators may use: an action's owner and a reader may not.
ACTION_MANAGING = {"actions:create", "actions:export", "actions:readers", "actions:revoke_reader", "actions:edit"}
ACTION_WORK = {"actions:status", "actions:add_evidence", "actions:remove_evidence"}


def test_owner_of_an_action_may_not_manage_the_hub(verified_client, organisation, world):
    before = snapshot(organisation)
    client = sudo(verified_client(world["owner"]))
    for row in rows(world):
        if row.name in ACTION_MANAGING | {"actions:delete"}:
            ask(client, row, REFUSED, "action owner")
    assert snapshot(organisation) == before


def test_a_member_with_read_access_reads_every_action_and_changes_none(verified_client, organisation, world):
    before = snapshot(organisation)
    client = sudo(verified_client(world["rep"]))
    for row in rows(world):
        if row.name in ACTION_MANAGING | ACTION_WORK | {"actions:delete"}:
            ask(client, row, REFUSED, "reader")
    page = client.get(reverse("actions:detail", args=[world["action"].pk]))
    assert page.status_code == 200 and "Marmalade" in page.content.decode()
    assert snapshot(organisation) == before
