"""The preventative duty in a real browser, from a policy audit to the duty record on paper.

A coordinator audits the organisation's policies against the EHRC's eight steps, turns a
gap into an action, attaches evidence and closes it; controls a risk, closes its action with
evidence and re-rates the residual risk; then downloads the duty record for the period as
DOCX and PDF and finds each of those steps in both, with the legal test that applied. Every
page is checked with axe-core and at a phone's width, and screenshotted.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from pypdf import PdfReader

from saferwork.actions.models import Action
from saferwork.audit.models import AuditEntry
from saferwork.conftest import assert_accessible, current_code
from saferwork.duty.models import PolicyAudit
from saferwork.risk import selectors as risk_selectors
from saferwork.risk import services as risk
from saferwork.risk.models import Hazard
from saferwork.tests import factories
from saferwork.tests.browser import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GAP = "policy.2"
CONTROL = "Two officers on every visit to a flagged address"
HAZARD = "Tenants harass officers during lone home visits"


def check(page: Any, name: str) -> None:
    """axe-core with no serious violation, no sideways scroll at 375 px; both screenshotted."""
    assert_accessible(page, f"duty-{name}")


def words(path: Path) -> str:
    """The text a reader of the downloaded document sees, on one line."""
    data = path.read_bytes()
    if data.startswith(b"%PDF"):
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    else:
        text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    return re.sub(r"\s+", " ", text)


def test_audit_gaps_actions_evidence_rerated_risk_and_the_duty_record_on_paper(
    page: Any, live_server: Any, organisation: Any, checklists: Any, legal_rules: None, tmp_path: Path
) -> None:
    page.set_default_timeout(30_000)  # the machine that runs this may be busy
    lead = factories.member(organisation, is_leader=True, is_coordinator=True, email="lead@example.org")
    lead.full_name = "Lee Lead"
    lead.save()
    today = risk_selectors.today_for(organisation)
    # The risk as a manager wrote it, with one control not yet done (its pages have their own test).
    assessment = risk.create_assessment(
        organisation=organisation,
        kind="activity",
        title="Housing officers' home visits",
        owner=lead,
        review_on=today + dt.timedelta(days=90),
        actor=lead,
    )
    hazard = risk.add_hazard(
        assessment=assessment,
        title=HAZARD,
        who=["staff", "lone_night"],
        source="third_party",
        inherent=(4, 5),
        current=(4, 4),
        target=(2, 3),
        actor=lead,
    )
    risk.add_control(hazard=hazard, description=CONTROL, owner=lead, due_on=today, actor=lead)
    sign_in_as(page, live_server, lead)

    # ---- 1. The policy audit, from the dashboard.
    page.goto("/dashboard/")
    page.get_by_role("link", name="Policy audit").click()
    page.wait_for_url(re.compile(r".*/duty/audits/$"))
    page.get_by_text("No audits yet.").wait_for()
    check(page, "01-audits-empty")
    page.get_by_label("The EHRC's eight steps to prevent sexual harassment (version 1)").check()
    page.get_by_label("250 workers or more").check()
    page.get_by_role("button", name="Start the audit").click()
    page.wait_for_url(re.compile(r".*/duty/audits/\d+/$"))
    audit = PolicyAudit.objects.get()
    assert "0 of" in page.locator("#audit-progress").inner_text()
    check(page, "02-audit-started")

    # One item met with a link as evidence, one not met.
    page.get_by_role("link", name="Answer policy.1").click()
    page.wait_for_url(re.compile(r".*/items/policy\.1/$"))
    check(page, "03-answer")
    page.get_by_label("Met", exact=True).check()
    page.get_by_label("Link to the evidence (optional)").fill("https://intranet.example.org/policies/harassment")
    page.get_by_role("button", name="Save the answer").click()
    page.wait_for_url(re.compile(r".*/duty/audits/\d+/$"))
    page.get_by_role("link", name=f"Answer {GAP}").click()
    page.wait_for_url(re.compile(r".*/items/policy\.2/$"))
    page.get_by_label("Not met", exact=True).check()
    page.get_by_label("Note (optional)").fill("The policy does not name harassment by customers.")
    page.get_by_role("button", name="Save the answer").click()
    page.wait_for_url(re.compile(r".*/duty/audits/\d+/$"))
    progress = page.locator("#audit-progress").inner_text()
    assert "2 of" in progress and "1 gap." in progress
    check(page, "04-audit-answered")

    # ---- 2. The gaps, and 3. an action from the gap in one click.
    page.get_by_role("link", name=re.compile(r"See the gaps \(1\)")).click()
    page.wait_for_url(re.compile(r".*/gaps/$"))
    gaps = page.locator("#gaps-list").inner_text()
    assert GAP in gaps and "policy.1" not in gaps
    check(page, "05-gaps")
    page.get_by_role("button", name=f"Make an action for {GAP}").click()
    page.wait_for_url(re.compile(r".*/gaps/$"))
    action = Action.objects.get(source_kind="policy_audit_gap")
    assert "Action made, due" in page.inner_text("main")
    check(page, "06-gap-action-made")

    # ---- 4. Evidence on the action (a file and a link), then done.
    page.locator("#gaps-list").get_by_role("link", name=action.title).click()
    page.wait_for_url(re.compile(rf".*/actions/{action.pk}/$"))
    check(page, "07-gap-action")
    minutes = tmp_path / "policy-v2-approved.txt"
    minutes.write_text("Board minutes: revised policy approved, customers named.")
    page.get_by_label("File", exact=True).set_input_files(str(minutes))
    page.get_by_label("What it shows (optional)").first.fill("Board approval of the revised policy")
    page.get_by_role("button", name="Upload file").click()
    page.wait_for_url(re.compile(rf".*/actions/{action.pk}/$"))
    page.get_by_label("Done").check()
    page.get_by_role("button", name="Change status").click()
    page.wait_for_url(re.compile(rf".*/actions/{action.pk}/$"))
    assert "Done" in page.locator("#action-status").inner_text()
    assert "Board approval of the revised policy" in page.locator("#evidence-list").inner_text()
    check(page, "08-gap-action-done")

    # The audit is completed and kept as it stands.
    page.goto(f"/duty/audits/{audit.pk}/")
    page.get_by_role("button", name="Complete the audit").click()
    page.wait_for_url(re.compile(r".*/duty/audits/\d+/$"))
    assert "completed" in page.locator(".govuk-caption-l").inner_text()
    check(page, "09-audit-completed")

    # ---- 5. The risk: its control becomes an action, done with evidence, and the residual is re-rated.
    page.goto(f"/risk/{assessment.pk}/")
    check(page, "10-risk-assessment")
    page.locator(f"#control-{hazard.controls.get().pk}").get_by_role(
        "button", name=re.compile("Turn into an action")
    ).click()
    page.wait_for_url(re.compile(r".*/actions/\d+/$"))
    page.get_by_label("Link", exact=True).fill("https://intranet.example.org/housing/visit-rota")
    page.get_by_label("What it shows (optional)").last.fill("The paired-visit rota")
    page.get_by_role("button", name="Add link").click()
    page.wait_for_url(re.compile(r".*/actions/\d+/$"))
    page.get_by_label("Done").check()
    page.get_by_role("button", name="Change status").click()
    page.wait_for_url(re.compile(r".*/actions/\d+/$"))
    check(page, "11-control-action-done")
    page.goto(f"/risk/hazards/{hazard.pk}/rerate/")
    page.select_option("#id_likelihood", "2")
    page.select_option("#id_severity", "3")
    check(page, "12-rerate")
    page.get_by_role("button", name="Re-rate").click()
    page.wait_for_url(re.compile(r".*/risk/\d+/#hazard-\d+$"))
    assert "Re-rated after controls" in page.locator(f"#current-{hazard.pk}").inner_text()
    hazard = Hazard.objects.get()
    assert (hazard.current_likelihood, hazard.current_severity) == (2, 3)

    # ---- 6. The duty record for the last year, on the page.
    page.goto("/dashboard/")
    page.get_by_role("link", name="Duty record").click()
    page.wait_for_url(re.compile(r".*/duty/record/$"))
    main = page.inner_text("main")
    for step in (
        "Policy audit completed",
        "Audit gap closed: Close the gap",
        f"Residual risk re-rated after controls: {HAZARD}",
        f"Control implemented: {CONTROL}",
        "Evidence: Board approval of the revised policy",
    ):
        assert step in main, step
    tests = page.locator("#legal-tests").inner_text()
    assert "reasonable steps" in tests
    check(page, "13-record")

    # ... and on paper: sudo mode first, then the Word file, then the PDF.
    with page.expect_download() as docx_download:
        page.get_by_role("link", name="Download as Word (DOCX)").click()
        page.wait_for_url(re.compile(r".*/account/confirm/.*"))
        check(page, "14-sudo")
        page.get_by_label("Code").fill(current_code(lead.totpdevice_set.get()))
        page.get_by_role("button", name="Confirm").click()
    docx = tmp_path / "record.docx"
    docx_download.value.save_as(docx)
    page.goto("/duty/record/")
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Download as PDF").click()
    pdf = tmp_path / "record.pdf"
    pdf_download.value.save_as(pdf)

    for document in (docx, pdf):
        text = words(document)
        for expected in (
            f"Duty record: {organisation.name}",
            "The legal test on each day of the period",
            "reasonable steps",
            "Policy audit completed: ",
            "1 item met, 1 gap found",
            "Audit gap closed: Close the gap",
            "Evidence: Board approval of the revised policy",
            f"Residual risk re-rated after controls: {HAZARD}",
            f"Control implemented: {CONTROL}",
            "Evidence: The paired-visit rota",
        ):
            assert expected in text, (document.name, expected)
        start = today.replace(year=today.year - 1, day=1)
        if start <= dt.date(2024, 10, 26):
            assert "26 October 2024 to " in text and ": reasonable steps" in text
        if today >= dt.date(2026, 10, 1):
            assert "all reasonable steps" in text and "date unconfirmed" in text
    assert AuditEntry.objects.filter(action="saferwork.duty_record.exported").count() == 2
