"""Every standards view refuses an outsider; a member sees only their own acknowledgement;
small departments are hidden alike on the page and in the files; queries do not grow."""

from __future__ import annotations

import csv
import io
import time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from saferwork.accounts.decorators import SUDO_SESSION_KEY
from saferwork.audit.models import AuditEntry
from saferwork.lib.tests.samples import pdf_with_author
from saferwork.standards import duty, selectors, services
from saferwork.standards.models import Document, Request
from saferwork.standards.tests.conftest import place
from saferwork.tests import factories

pytestmark = pytest.mark.django_db


def sudo(client: Any) -> Any:
    session = client.session
    session[SUDO_SESSION_KEY] = int(time.time()) + 600
    session.save()
    return client


def _document_urls(world: dict[str, Any]) -> list[tuple[str, str]]:
    policy = world["policy"]
    return [
        ("get", reverse("standards:read", args=[policy.pk])),
        ("post", reverse("standards:read", args=[policy.pk])),
        ("get", reverse("standards:acknowledged", args=[policy.pk])),
        ("get", reverse("standards:version_file", args=[policy.pk])),
        ("get", reverse("standards:document", args=[policy.document_id])),
        ("get", reverse("standards:version_new", args=[policy.document_id])),
        ("post", reverse("standards:version_new", args=[policy.document_id])),
        ("get", reverse("standards:ask_more", args=[policy.document_id])),
        ("post", reverse("standards:ask_more", args=[policy.document_id])),
        ("post", reverse("standards:remind", args=[policy.document_id])),
    ]


ORG_WIDE = [
    "standards:home",
    "standards:manage",
    "standards:document_new",
    "standards:departments",
    "standards:report",
    "standards:report_csv",
    "standards:report_xlsx",
]


def test_outsider_reaches_nothing(verified_client: Any, outsider: Any, world: dict[str, Any]) -> None:
    client = sudo(verified_client(outsider))
    for method, url in _document_urls(world):
        assert getattr(client, method)(url, {"confirm": "on", "who": "everyone"}).status_code in {403, 404}, url
    # Their own organisation's pages hold none of this organisation's data.
    for name in ORG_WIDE:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
        assert b"Housing" not in body and b"Parks" not in body, name
        assert f"/standards/versions/{world['policy'].pk}/".encode() not in body, name
        assert b"version 1.0" not in body, name
    assert not Request.objects.filter(user=outsider).exists()
    assert not AuditEntry.objects.filter(action="saferwork.standards.reminders_queued").exists()


def test_anonymous_visitor_is_sent_to_sign_in(client: Any, world: dict[str, Any]) -> None:
    for _method, url in _document_urls(world)[:1]:
        assert client.get(url).status_code == 302
    assert client.get(reverse("standards:home")).status_code == 302


def test_a_member_reads_and_acknowledges_with_a_clear_statement(
    client: Any, participant: Any, world: dict[str, Any]
) -> None:
    factories.sign_in_verified(client, participant)
    policy = world["policy"]
    home = client.get(reverse("standards:home")).content.decode()
    assert "Sexual harassment policy" in home and "Managers&#x27; handbook" in home
    page = client.get(reverse("standards:read", args=[policy.pk])).content.decode()
    assert '<h2 class="govuk-heading-l">Our policy</h2>' in page and "SECRET-POLICY-TEXT" in page
    assert "Acknowledging means you confirm that you have read this version" in page
    mine = Request.objects.get(version=policy, user=participant)
    assert mine.read_at is not None and mine.acknowledged_at is None  # opened, not acknowledged
    refused = client.post(reverse("standards:read", args=[policy.pk]), {})
    assert refused.status_code == 200 and "Tick the box to confirm" in refused.content.decode()
    response = client.post(reverse("standards:read", args=[policy.pk]), {"confirm": "on"})
    assert response.status_code == 302 and response["Location"] == reverse("standards:acknowledged", args=[policy.pk])
    done = client.get(response["Location"]).content.decode()
    assert "govuk-panel--confirmation" in done and "version 1.0" in done
    mine.refresh_from_db()
    assert mine.acknowledged_at is not None
    assert AuditEntry.objects.filter(action="saferwork.standards.acknowledged", actor=participant).count() == 1


def test_a_member_cannot_see_anothers_acknowledgement(
    client: Any, participant: Any, colleague: Any, world: dict[str, Any]
) -> None:
    policy = world["policy"]
    services.acknowledge(request=Request.objects.get(version=policy, user=colleague), actor=colleague)
    factories.sign_in_verified(client, participant)
    page = client.get(reverse("standards:read", args=[policy.pk])).content.decode()
    assert "You acknowledged this version" not in page and 'id="what-acknowledging-means"' in page
    assert colleague.email not in page and colleague.email not in client.get(reverse("standards:home")).content.decode()
    # Their confirmation page is theirs: the participant, who has not acknowledged, gets a 404.
    assert client.get(reverse("standards:acknowledged", args=[policy.pk])).status_code == 404
    # Nor the coordinators' pages that hold the counts.
    for name in ("standards:manage", "standards:report", "standards:report_csv"):
        assert client.get(reverse(name)).status_code == 403
    assert client.get(reverse("standards:document", args=[policy.document_id])).status_code == 403


def test_a_member_not_asked_cannot_open_the_document(client: Any, world: dict[str, Any]) -> None:
    park_person = world["park_people"][0]
    factories.sign_in_verified(client, park_person)
    handbook = world["handbook"]
    assert client.get(reverse("standards:read", args=[handbook.pk])).status_code == 404
    assert client.post(reverse("standards:read", args=[handbook.pk]), {"confirm": "on"}).status_code == 404
    assert "Managers" not in client.get(reverse("standards:home")).content.decode()


def test_a_coordinator_publishes_text_and_pdf_and_asks_a_department(
    verified_client: Any, coordinator: Any, organisation: Any, world: dict[str, Any]
) -> None:
    client = verified_client(coordinator)
    response = client.post(
        reverse("standards:document_new"),
        {
            "kind": "standards",
            "title": "Our standards",
            "label": "1",
            "body": "<script>alert(1)</script> Be **respectful**.",
            "who": "departments",
            "departments": [str(world["parks"].pk)],
        },
    )
    assert response.status_code == 302
    document = Document.objects.get(title="Our standards")
    assert Request.objects.filter(version=document.current_version).count() == 3
    assert "<script>" not in document.current_version.body_html  # type: ignore[union-attr]
    # A new version as a PDF, asked of everyone asked before.
    upload = SimpleUploadedFile("standards.pdf", pdf_with_author(), content_type="application/pdf")
    response = client.post(
        reverse("standards:version_new", args=[document.pk]),
        {"label": "2", "summary": "Clearer", "body": "", "upload": upload, "who": "previous"},
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.current_version.label == "2" and document.current_version.is_pdf  # type: ignore[union-attr]
    assert Request.objects.filter(version=document.current_version).count() == 3
    # Ask named people as well; an address from elsewhere is refused.
    refused = client.post(
        reverse("standards:ask_more", args=[document.pk]), {"who": "people", "emails": "outsider@example.org"}
    )
    assert "Not a member of the organisation" in refused.content.decode()
    client.post(
        reverse("standards:ask_more", args=[document.pk]), {"who": "people", "emails": "PARTICIPANT@example.org"}
    )
    assert Request.objects.filter(version=document.current_version).count() == 4
    response = client.post(reverse("standards:remind", args=[document.pk]))
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="saferwork.standards.reminders_queued").count() == 1


def test_a_reader_opens_the_pdf_they_were_asked_to_read(
    client: Any, coordinator: Any, organisation: Any, participant: Any, colleague: Any, world: dict[str, Any]
) -> None:
    upload = SimpleUploadedFile("handbook.pdf", pdf_with_author(), content_type="application/pdf")
    version = services.publish_version(
        organisation=organisation,
        actor=coordinator,
        kind="other",
        title="Code",
        label="1",
        upload=upload,
        audience=services.Audience(people=(participant.pk,)),
    )
    factories.sign_in_verified(client, participant)
    response = client.get(reverse("standards:version_file", args=[version.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]
    client.logout()
    factories.sign_in_verified(client, colleague)
    assert client.get(reverse("standards:version_file", args=[version.pk])).status_code == 404


def test_departments_page_adds_a_department_and_reads_a_staff_list(
    verified_client: Any, coordinator: Any, participant: Any, world: dict[str, Any]
) -> None:
    client = verified_client(coordinator)
    client.post(reverse("standards:departments"), {"form": "department", "name": "Waste  services"})
    staff = SimpleUploadedFile("staff.csv", b"email,department\nparticipant@example.org,Waste services\n")
    response = client.post(reverse("standards:departments"), {"form": "list", "staff_list": staff})
    assert response.status_code == 302
    from saferwork.standards.models import Placement

    assert Placement.objects.get(user=participant).department.name == "Waste services"
    bad = SimpleUploadedFile("staff.csv", b"email,department\nparticipant@example.org,Moon\n")
    page = client.post(reverse("standards:departments"), {"form": "list", "staff_list": bad}).content.decode()
    assert "Line 2: “Moon” is not one of the organisation&#x27;s departments" in page


# ---------------------------------------------------------------- the report and its files


def _acknowledge_housing(world: dict[str, Any], participant: Any, colleague: Any, n: int) -> None:
    for user in [participant, colleague, *world["others"]][:n]:
        services.acknowledge(request=Request.objects.get(version=world["policy"], user=user), actor=user)


def _csv(client: Any) -> list[list[str]]:
    response = sudo(client).get(reverse("standards:report_csv"))
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def _xlsx(client: Any) -> list[list[Any]]:
    response = sudo(client).get(reverse("standards:report_xlsx"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(row) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]


def test_small_departments_are_hidden_alike_on_the_page_and_in_csv_and_xlsx(
    verified_client: Any, leader: Any, participant: Any, colleague: Any, world: dict[str, Any], settings: Any
) -> None:
    settings.STANDARDS_SUPPRESSION_THRESHOLD = 5
    _acknowledge_housing(world, participant, colleague, 8)
    client = verified_client(leader)
    page = client.get(reverse("standards:report")).content.decode()
    found = selectors.report(world["policy"].organisation).for_document(world["policy"].document_id)
    assert found is not None
    rows = dict(found.departments())
    # Parks has 3 people: every number of it is hidden; Housing's acknowledged (8) and not
    # yet (4) would give Parks' away from the total, so one of them goes too.
    parks = rows["Parks"]
    assert parks.asked.hidden and parks.acknowledged.hidden and parks.not_yet.hidden
    housing = rows["Housing"]
    assert housing.not_yet.hidden  # 4 < 5
    assert housing.acknowledged.hidden  # complementary: total 16 shown, so 8 would reveal Parks' and others'
    assert "hidden" in page and ">8<" not in page
    csv_rows = _csv(client)
    xlsx_rows = _xlsx(client)
    for rows_out in (csv_rows, [[("" if v is None else str(v)) for v in r] for r in xlsx_rows]):
        parks_line = next(r for r in rows_out if r and r[0] == "Parks")
        assert parks_line[1:4] == ["hidden", "hidden", "hidden"] and parks_line[4] == "hidden"
        housing_line = next(r for r in rows_out if r and r[0] == "Housing")
        assert housing_line[1] == "hidden" and housing_line[2] == "hidden"
    # The page shows the same cells as the files: every shown number of the policy's table.
    assert AuditEntry.objects.filter(action="saferwork.standards.report_exported").count() == 2
    # Nothing in either names a person.
    flat = " ".join(" ".join(str(v) for v in r) for r in csv_rows + xlsx_rows)
    assert participant.email not in flat and "example.org" not in flat


def test_report_shows_numbers_for_large_enough_groups(
    verified_client: Any, leader: Any, participant: Any, colleague: Any, world: dict[str, Any], settings: Any
) -> None:
    settings.STANDARDS_SUPPRESSION_THRESHOLD = 5
    _acknowledge_housing(world, participant, colleague, 12)
    found = selectors.report(world["policy"].organisation).for_document(world["handbook"].document_id)
    assert found is not None
    # The handbook went to Housing only (12 people), none acknowledged it: 0 is hidden, and
    # so is "12 not yet", which beside "12 asked" would tell it.
    assert found.overall.asked.value == 12
    assert found.overall.acknowledged.hidden and found.overall.not_yet.hidden and found.overall.percent == "hidden"
    policy = selectors.report(world["policy"].organisation).for_document(world["policy"].document_id)
    assert policy is not None
    housing = dict(policy.departments())["Housing"]
    # All 12 acknowledged: "0 not yet" is hidden, so "12 acknowledged" is too (it would tell it).
    assert housing.asked.value == 12 and housing.acknowledged.hidden and housing.not_yet.hidden
    assert policy.overall.asked.value == Request.objects.filter(version=world["policy"]).count()
    # Every number shown anywhere is at least the threshold.
    for _label, rate in [*policy.departments(), ("all", policy.overall)]:
        for cell in (rate.asked, rate.acknowledged, rate.not_yet):
            assert cell.value is None or cell.value >= 5


def test_export_asks_for_a_code_first(verified_client: Any, leader: Any, world: dict[str, Any]) -> None:
    response = verified_client(leader).get(reverse("standards:report_csv"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:sudo"))


def test_duty_section_shows_versions_and_suppressed_rates(
    organisation: Any, participant: Any, colleague: Any, world: dict[str, Any], settings: Any
) -> None:
    settings.STANDARDS_SUPPRESSION_THRESHOLD = 5
    from saferwork.actions.selectors import today_for

    today = today_for(organisation)
    section = duty.section(organisation, today.replace(day=1), today)
    assert section is not None and len(section.steps) == 2
    assert any("Sexual harassment policy published" in s.title for s in section.steps)
    figures = {f.label: f for f in section.figures}
    assert figures["Document versions published in the period"].value == 2
    assert figures["Acknowledged Sexual harassment policy, version 1.0"].value is None  # 0: hidden
    assert figures["Acknowledged Sexual harassment policy, version 1.0"].shown == "hidden"
    assert "SECRET-POLICY-TEXT" not in repr(section)


def test_duty_record_page_includes_the_standards_section(
    verified_client: Any, leader: Any, world: dict[str, Any]
) -> None:
    response = verified_client(leader).get(reverse("duty:record"))
    assert response.status_code == 200 and "Behavioural standards and policies" in response.content.decode()


# ---------------------------------------------------------------- bounded queries


def _grow(organisation: Any, coordinator: Any, world: dict[str, Any], n: int) -> None:
    people = [factories.member(organisation, with_device=False) for _ in range(n)]
    place(organisation, people, world["parks"])
    for document in Document.objects.for_organisation(organisation):
        services.ask_more(
            version=document.current_version, audience=services.Audience(everyone=True), actor=coordinator
        )  # type: ignore[arg-type]
    services.publish_version(
        organisation=organisation,
        actor=coordinator,
        kind="other",
        title=f"Extra {n}",
        label="1",
        body="More.",
        audience=services.Audience(everyone=True),
    )
    for person in people[: n // 2]:
        for found in Request.objects.filter(user=person):
            services.acknowledge(request=found, actor=person)


@pytest.mark.parametrize("who", ["participant", "coordinator", "leader"])
def test_queries_do_not_grow_with_the_data(
    verified_client: Any,
    who: str,
    request: Any,
    organisation: Any,
    coordinator: Any,
    world: dict[str, Any],
    django_assert_max_num_queries: Any,
) -> None:
    client = sudo(verified_client(request.getfixturevalue(who)))
    policy = world["policy"]
    if who == "participant":
        urls = [reverse("standards:home"), reverse("standards:read", args=[policy.pk])]
    else:
        urls = [
            reverse("standards:manage"),
            reverse("standards:document", args=[policy.document_id]),
            reverse("standards:report"),
            reverse("standards:report_csv"),
        ]
        if who == "coordinator":
            urls += [
                reverse("standards:document_new"),
                reverse("standards:ask_more", args=[policy.document_id]),
                reverse("standards:departments"),
            ]

    def counts() -> list[int]:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
                if response.streaming:
                    b"".join(response.streaming_content)
            assert response.status_code == 200, url
            found.append(len(ctx.captured_queries))
        return found

    counts()  # the first request of a session does its own extra work (session, membership)
    before = counts()
    _grow(organisation, coordinator, world, 25)
    after = counts()
    assert after == before, list(zip(urls, before, after, strict=True))
    with django_assert_max_num_queries(40):
        client.get(urls[0])
