from __future__ import annotations

import datetime as dt
import io
import time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from saferwork.accounts.decorators import SUDO_SESSION_KEY
from saferwork.actions.models import Action
from saferwork.audit.models import AuditEntry
from saferwork.duty import services
from saferwork.duty.models import PolicyAudit
from saferwork.tests import factories

pytestmark = pytest.mark.django_db


def sudo(client: Any) -> Any:
    session = client.session
    session[SUDO_SESSION_KEY] = int(time.time()) + 600
    session.save()
    return client


def main(response: Any) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


@pytest.fixture
def audit(organisation: Any, coordinator: Any, ehrc: Any) -> PolicyAudit:
    found = services.start_audit(organisation=organisation, checklist=ehrc, size="large", actor=coordinator)
    for item in ehrc.items.all()[:4]:
        services.answer_item(
            audit=found, item=item, status="not_met" if item.item_id == "policy.2" else "met", actor=coordinator
        )
    return found


def _urls(audit: PolicyAudit) -> list[tuple[str, str]]:
    gap = audit.answers.get(item__item_id="policy.2")
    return [
        ("get", reverse("duty:audits")),
        ("get", reverse("duty:audit", args=[audit.pk])),
        ("get", reverse("duty:gaps", args=[audit.pk])),
        ("get", reverse("duty:answer", args=[audit.pk, "policy.1"])),
        ("post", reverse("duty:answer", args=[audit.pk, "policy.1"])),
        ("get", reverse("duty:answer_file", args=[audit.pk, "policy.1"])),
        ("post", reverse("duty:gap_action", args=[audit.pk, gap.pk])),
        ("post", reverse("duty:complete", args=[audit.pk])),
        ("get", f"{reverse('duty:compare')}?first={audit.pk}&second={audit.pk}"),
        ("get", reverse("duty:record")),
        ("get", f"{reverse('duty:record_export', args=['docx'])}?start=2025-01-01&end=2026-01-01"),
    ]


def test_outsider_reaches_no_audit_and_no_record_of_this_organisation(verified_client, outsider, audit):
    client = sudo(verified_client(outsider))
    for method, url in _urls(audit):
        response = getattr(client, method)(url, {"status": "met"} if method == "post" else None)
        if url.startswith("/duty/audits/") and url != reverse("duty:audits") and "compare" not in url:
            assert response.status_code == 404, url
        elif "/record/export" in url:
            # The export is always of the person's own organisation.
            assert response.status_code == 200
            assert "Other Employer" in Document(io.BytesIO(response.content)).paragraphs[0].text
        else:
            assert response.status_code == 200, url
            assert "Home Union" not in main(response)
            assert 'id="compare-table"' not in main(response)
    assert audit.answers.get(item__item_id="policy.1").status == "met"
    assert not Action.objects.exists()
    audit.refresh_from_db()
    assert audit.completed_on is None


def test_outsider_audit_list_shows_none_of_ours(verified_client, outsider, audit):
    page = main(verified_client(outsider).get(reverse("duty:audits")))
    assert 'id="audits-table"' not in page and "No audits yet." in page


def test_participant_and_case_handler_cannot_open_audits_or_the_record(
    verified_client, participant, organisation, audit
):
    handler = factories.member(organisation, is_case_handler=True, email="handler@example.org")
    for person in (participant, handler):
        client = sudo(verified_client(person))
        for method, url in _urls(audit):
            assert getattr(client, method)(url).status_code == 403, (person, url)


def test_coordinator_answers_with_a_file_and_a_link(verified_client, coordinator, audit):
    client = verified_client(coordinator)
    url = reverse("duty:answer", args=[audit.pk, "train.1"])
    upload = SimpleUploadedFile("register.txt", b"Sessions held in March", content_type="text/plain")
    response = client.post(
        url,
        {"status": "partly", "note": "Managers done", "evidence_url": "/delivery/sessions/", "evidence_file": upload},
    )
    assert response.status_code == 302
    answer = audit.answers.get(item__item_id="train.1")
    assert answer.status == "partly" and answer.evidence_url == "/delivery/sessions/" and answer.evidence_file_name
    download = client.get(reverse("duty:answer_file", args=[audit.pk, "train.1"]))
    assert b"".join(download.streaming_content) == b"Sessions held in March"
    assert AuditEntry.objects.filter(action="saferwork.policy_audit.answered", target_id=str(audit.pk)).exists()


def test_a_bad_answer_names_the_field(verified_client, coordinator, audit):
    response = verified_client(coordinator).post(
        reverse("duty:answer", args=[audit.pk, "train.1"]), {"evidence_url": "javascript:alert(1)"}
    )
    page = main(response)
    assert response.status_code == 200 and "Select whether this item is met" in page
    assert "Enter a link that starts with https://" in page


def test_each_gap_becomes_an_action_in_one_click_only_once(verified_client, coordinator, audit):
    client = verified_client(coordinator)
    gap = audit.answers.get(item__item_id="policy.2")
    page = main(client.get(reverse("duty:gaps", args=[audit.pk])))
    assert "policy.2" in page and "policy.1" not in page
    for _ in range(2):
        assert client.post(reverse("duty:gap_action", args=[audit.pk, gap.pk])).status_code == 302
    action = Action.objects.get()
    assert action.source_kind == "policy_audit_gap" and action.source_ref == str(gap.pk)
    assert action.owner == coordinator and action.title.startswith("Close the gap:")
    assert "policy.2" in action.source_label
    detail = main(client.get(reverse("actions:detail", args=[action.pk])))
    assert reverse("duty:answer", args=[audit.pk, "policy.2"]) in detail
    met = audit.answers.get(item__item_id="policy.1")
    client.post(reverse("duty:gap_action", args=[audit.pk, met.pk]))
    assert Action.objects.count() == 1


def test_an_action_cannot_name_another_organisations_gap(verified_client, outsider, audit):
    gap = audit.answers.get(item__item_id="policy.2")
    url = f"{reverse('actions:create')}?source_kind=policy_audit_gap&source_ref={gap.pk}"
    assert verified_client(outsider).get(url).status_code == 404


def test_completed_audit_is_kept_and_refuses_changes(verified_client, coordinator, audit):
    client = verified_client(coordinator)
    client.post(reverse("duty:complete", args=[audit.pk]))
    audit.refresh_from_db()
    assert audit.completed_on is not None
    response = client.post(reverse("duty:answer", args=[audit.pk, "policy.1"]), {"status": "not_met"})
    assert response.status_code == 404
    assert audit.answers.get(item__item_id="policy.1").status == "met"


def test_two_audits_compare_side_by_side(verified_client, coordinator, organisation, audit, ehrc):
    later = services.start_audit(
        organisation=organisation, checklist=ehrc, size="large", actor=coordinator, carry_from=audit
    )
    services.answer_item(audit=later, item=ehrc.items.get(item_id="policy.2"), status="met", actor=coordinator)
    page = main(verified_client(coordinator).get(reverse("duty:compare"), {"first": audit.pk, "second": later.pk}))
    row = page[page.index("policy.2") :]
    row = row[: row.index("</tr>")]
    assert "Not met" in row and "Met</strong>" in row


def test_items_for_larger_organisations_are_left_out_of_a_small_ones_audit(organisation, coordinator, ehrc):
    from saferwork.duty.selectors import rows_for

    small = services.start_audit(organisation=organisation, checklist=ehrc, size="small", actor=coordinator)
    assert "risk.2" not in {row.item.item_id for row in rows_for(small)}


def test_audit_pages_queries_do_not_grow(
    verified_client, coordinator, organisation, ehrc, django_assert_max_num_queries
):
    for _ in range(6):
        found = services.start_audit(organisation=organisation, checklist=ehrc, size="large", actor=coordinator)
        for item in ehrc.items.all():
            answer = services.answer_item(audit=found, item=item, status="partly", actor=coordinator)
            services.gap_to_action(answer=answer, actor=coordinator)
    client = verified_client(coordinator)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("duty:audits")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("duty:audit", args=[found.pk])).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("duty:gaps", args=[found.pk])).status_code == 200


# ---------------------------------------------------------------- the duty record


def test_record_shows_the_legal_test_for_each_day(verified_client, coordinator):
    page = main(
        verified_client(coordinator).get(
            reverse("duty:record"),
            {
                "start_day": "1",
                "start_month": "9",
                "start_year": "2024",
                "end_day": "30",
                "end_month": "11",
                "end_year": "2026",
            },
        )
    )
    tests = page[page.index('id="legal-tests"') :]
    assert "1 September 2024 to 25 October 2024: no preventative duty in force" in tests
    assert "26 October 2024 to 30 September 2026: reasonable steps" in tests
    assert "1 October 2026 to 30 November 2026: all reasonable steps" in tests and "Unconfirmed" in tests


def test_a_period_that_ends_before_it_starts_is_refused(verified_client, coordinator):
    response = verified_client(coordinator).get(
        reverse("duty:record"),
        {
            "start_day": "1",
            "start_month": "9",
            "start_year": "2025",
            "end_day": "1",
            "end_month": "1",
            "end_year": "2025",
        },
    )
    assert "The last day must be the same as or after the first day" in main(response)
    assert 'id="legal-tests"' not in main(response)


def test_export_needs_sudo_is_audited_and_holds_the_steps(verified_client, coordinator, organisation, audit):
    client = verified_client(coordinator)
    services.complete_audit(audit=audit, actor=coordinator)
    today = audit.started_on
    url = f"{reverse('duty:record_export', args=['docx'])}?start={today - dt.timedelta(days=400)}&end={today}"
    assert client.get(url)["Location"].startswith(reverse("accounts:sudo"))
    sudo(client)
    docx = client.get(url)
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "Duty record: Home Union" in text and "Policy audit completed" in text and "reasonable steps" in text
    pdf = client.get(url.replace("export.docx", "export.pdf"))
    pdf_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Policy audit completed" in pdf_text and "reasonable steps" in pdf_text
    assert AuditEntry.objects.filter(action="saferwork.duty_record.exported", organisation=organisation).count() == 2


def test_programme_admin_produces_their_own_organisations_record(verified_client, programme_admin):
    page = main(verified_client(programme_admin).get(reverse("duty:record")))
    assert "Duty record" in page and "Test Confederation" in page


def test_record_counts_about_people_are_suppressed(organisation, programme_host):
    from saferwork.duty.record import duty_record
    from saferwork.reach.models import PositionTally, SessionTally
    from saferwork.training.tests import factories as training

    booking = training.booking(organisation, [training.trainer(programme_host)])
    for n, (day, attended) in enumerate([(3, 3), (17, 12)]):
        held = training.session(booking, status="delivered")
        held.date = dt.date(2025, 3, day)
        held.save()
        tally = SessionTally.objects.create(
            session_id=held.pk,
            organisation=organisation,
            mode="in_person",
            month=dt.date(2025, 3, 1),
            attendees=attended,
        )
        PositionTally.objects.create(tally=tally, position="staff" if n else "senior_leader", count=attended)
    record = duty_record(organisation, dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    training_section = next(s for s in record.sections if s.key == "training")
    assert len(training_section.steps) == 2
    figures = {f.label: f for f in training_section.figures}
    assert figures["Attended (whole months)"].shown == "15"
    senior = next(f for label, f in figures.items() if label.startswith("Attended: Senior"))
    assert senior.value is None and senior.shown == "hidden"


def test_record_queries_do_not_grow(verified_client, coordinator, organisation, ehrc, django_assert_max_num_queries):
    for n in range(5):
        found = services.start_audit(organisation=organisation, checklist=ehrc, size="large", actor=coordinator)
        for item in ehrc.items.all()[: 3 + n]:
            answer = services.answer_item(audit=found, item=item, status="not_met", actor=coordinator)
            services.gap_to_action(answer=answer, actor=coordinator)
        services.complete_audit(audit=found, actor=coordinator)
    with django_assert_max_num_queries(50):
        assert verified_client(coordinator).get(reverse("duty:record")).status_code == 200
