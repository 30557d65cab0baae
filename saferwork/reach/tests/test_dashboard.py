from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from saferwork.accounts.decorators import grant_sudo
from saferwork.reach.selectors import ReachFilters, reach_report
from saferwork.reach.tests.factories import tally
from saferwork.tests import factories
from saferwork.training.tests import factories as tf

pytestmark = pytest.mark.django_db


def sudo(client: Any) -> Any:
    request = type("R", (), {"session": client.session})()
    grant_sudo(request)
    request.session.save()
    return client


@pytest.fixture
def reach(organisation: Any, other_organisation: Any) -> None:
    for _ in range(3):
        tally(organisation, positions={"staff": 4, "rep": 3, "senior_leader": 1})
    tally(other_organisation, mode="online", region="Wales", positions={"line_manager": 2})


def test_programme_dashboard_shows_counts_and_hides_small_cells(
    verified_client: Any, programme_admin: Any, reach: None
) -> None:
    page = verified_client(programme_admin).get(reverse("reach:programme")).content.decode()
    assert "26" in page  # 3 × 8 + 2 attendees
    assert "Staff" in page
    # 3 senior leaders are fewer than 5; 2 line managers too; the chart says "hidden" in words.
    assert "hidden" in page and "fewer than" not in page
    assert 'role="img"' in page and 'id="chart-position-title"' in page
    assert "style=" not in page


def test_position_breakdown_values(programme_admin: Any, reach: None) -> None:
    report = reach_report(ReachFilters())
    position = {row.label: row.attendees for row in report.breakdown("position").rows}
    assert position["Staff"].value == 12
    assert position["Rep or activist"].value == 9
    assert position["Senior leader or official"].value is None
    assert position["Line manager"].value is None
    assert report.attendees.value == 26


def test_filters_by_organisation_region_period_and_trainer(
    organisation: Any, other_organisation: Any, programme_host: Any
) -> None:
    trainer = tf.trainer(programme_host)
    tally(organisation, month=dt.date(2026, 1, 1), positions={"staff": 7}, trainers=[trainer])
    tally(organisation, month=dt.date(2026, 5, 1), region="Wales", positions={"staff": 9})
    tally(other_organisation, month=dt.date(2026, 5, 1), positions={"staff": 11})
    assert reach_report(ReachFilters(organisation_id=organisation.pk)).attendees.value == 16
    assert reach_report(ReachFilters(region="Wales")).attendees.value == 9
    assert reach_report(ReachFilters(start=dt.date(2026, 2, 1))).attendees.value == 20
    assert reach_report(ReachFilters(end=dt.date(2026, 4, 1))).attendees.value == 7
    assert reach_report(ReachFilters(trainer_id=trainer.pk)).attendees.value == 7


def test_filtered_to_one_organisation_there_is_no_breakdown_by_organisation(
    organisation: Any, other_organisation: Any
) -> None:
    tally(organisation, positions={"staff": 7})
    tally(other_organisation, positions={"staff": 11})
    everyone = reach_report(ReachFilters())
    assert "organisation" in {b.key for b in everyone.breakdowns}
    one = reach_report(ReachFilters(organisation_id=organisation.pk))
    # Its rows for every other organisation would be 0 by the filter: nothing to show.
    assert "organisation" not in {b.key for b in one.breakdowns}
    assert one.attendees.value == 7


def test_filter_form_on_the_page(verified_client: Any, programme_admin: Any, organisation: Any) -> None:
    tally(organisation, month=dt.date(2026, 1, 1), positions={"staff": 7})
    client = verified_client(programme_admin)
    page = client.get(reverse("reach:programme"), {"start": "2026-02"}).content.decode()
    assert 'hidden</span> <span class="sw-stat__label">attendees' in page
    bad = client.get(reverse("reach:programme"), {"start": "February"}).content.decode()
    assert "Enter “From month” as a year and month" in bad


def test_organisation_sees_only_its_own_reach(
    verified_client: Any, coordinator: Any, organisation: Any, other_organisation: Any
) -> None:
    tally(organisation, positions={"staff": 6})
    tally(other_organisation, positions={"staff": 47})
    page = verified_client(coordinator).get(reverse("reach:organisation")).content.decode()
    assert 'sw-stat__number">6<' in page
    assert ">47<" not in page
    assert "By organisation" not in page
    assert "Other Employer" not in page


def test_only_programme_admins_open_the_programme_dashboard(
    verified_client: Any, coordinator: Any, client: Any, outsider: Any
) -> None:
    assert verified_client(coordinator).get(reverse("reach:programme")).status_code == 403
    client.logout()
    assert verified_client(outsider).get(reverse("reach:programme_csv")).status_code == 403


def test_participant_without_a_role_cannot_open_organisation_reach(client: Any, organisation: Any) -> None:
    client.force_login(factories.member(organisation, with_device=False))
    assert client.get(reverse("reach:organisation")).status_code == 403


def test_exports_need_sudo(verified_client: Any, programme_admin: Any, reach: None) -> None:
    response = verified_client(programme_admin).get(reverse("reach:programme_csv"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sudo"))


def test_csv_matches_the_page_and_streams(verified_client: Any, programme_admin: Any, reach: None) -> None:
    client = sudo(verified_client(programme_admin))
    response = client.get(reverse("reach:programme_csv"))
    assert response.status_code == 200
    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    as_dict = {row[0]: row[1:] for row in rows if row}
    assert as_dict["Staff"] == ["12"]
    assert as_dict["Senior leader or official"] == ["hidden"]
    assert as_dict["Attendees"] == ["26"]
    for row in rows:
        for value in row[1:]:
            assert not (value.isdigit() and int(value) < 5), row


def test_xlsx_matches_the_page(verified_client: Any, programme_admin: Any, reach: None) -> None:
    client = sudo(verified_client(programme_admin))
    response = client.get(reverse("reach:programme_xlsx"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = {row[0]: row[1:] for row in workbook["Position in the union structure"].iter_rows(values_only=True)}
    assert rows["Staff"] == (12,)
    assert rows["Line manager"] == ("hidden",)


def test_organisation_export(
    verified_client: Any, coordinator: Any, organisation: Any, other_organisation: Any
) -> None:
    tally(organisation, positions={"staff": 6})
    tally(other_organisation, positions={"staff": 47})
    client = sudo(verified_client(coordinator))
    body = b"".join(client.get(reverse("reach:organisation_csv")).streaming_content).decode()
    rows = {row[0]: row[1:] for row in csv.reader(io.StringIO(body)) if row}
    assert rows["SaferWork reach"] == ["Home Union"]
    assert rows["Attendees"] == ["6"]
    assert "47" not in body


def test_dashboard_query_count_does_not_grow(
    verified_client: Any, programme_admin: Any, django_assert_max_num_queries: Any, programme_host: Any
) -> None:
    trainers = [tf.trainer(programme_host) for _ in range(3)]
    organisations = [factories.OrganisationFactory() for _ in range(12)]
    for i in range(120):
        tally(
            organisations[i % 12],
            month=dt.date(2025 + i % 2, 1 + i % 12, 1),
            region=["London", "Wales", "Scotland"][i % 3],
            positions={"staff": 3 + i % 4, "rep": i % 3},
            trainers=[trainers[i % 3]],
        )
    client = verified_client(programme_admin)
    client.get(reverse("reach:programme"))
    with django_assert_max_num_queries(20):
        assert client.get(reverse("reach:programme")).status_code == 200


def test_a_breakdown_protects_a_small_count_against_the_headline_without_hiding_its_total(organisation: Any) -> None:
    # 5 attendees, all in person: "online: hidden, in person: hidden" beside the headline
    # total of 5 leaves each anything from 0 to 5; the total is never hidden.
    tally(organisation, mode="in_person", positions={"staff": 5})
    report = reach_report(ReachFilters())
    mode = report.breakdown("mode")
    assert report.attendees.value == 5
    assert [row.attendees.display for row in mode.rows] == ["hidden", "hidden"]
    assert mode.attendees_total is not None and mode.attendees_total.value == 5
    assert "withheld" in report.footnote


HOSTILE = "=cmd|' /C calc'!A0"


def test_csv_export_makes_a_hostile_organisation_name_inert(
    verified_client: Any, coordinator: Any, organisation: Any
) -> None:
    organisation.name = HOSTILE  # names come from public enquiries
    organisation.save(update_fields=["name"])
    tally(organisation, positions={"staff": 6})
    client = sudo(verified_client(coordinator))
    body = b"".join(client.get(reverse("reach:organisation_csv")).streaming_content).decode()
    rows = {row[0]: row[1:] for row in csv.reader(io.StringIO(body)) if row}
    assert rows["SaferWork reach"] == ["'" + HOSTILE]


def test_xlsx_export_makes_a_hostile_organisation_name_inert(
    verified_client: Any, coordinator: Any, organisation: Any
) -> None:
    organisation.name = "@SUM(1+1)*cmd|' /C calc'!A0"
    organisation.save(update_fields=["name"])
    tally(organisation, positions={"staff": 6})
    client = sudo(verified_client(coordinator))
    response = client.get(reverse("reach:organisation_xlsx"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cell = workbook["Summary"]["B1"]
    assert cell.data_type == "s" and cell.value == "'" + organisation.name
    organisation.name = HOSTILE
    organisation.save(update_fields=["name"])
    response = client.get(reverse("reach:organisation_xlsx"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cell = workbook["Summary"]["B1"]
    assert cell.data_type == "s" and cell.value == "'" + HOSTILE


def test_a_filtered_report_counts_positions_of_the_matching_sessions_only(
    organisation: Any, other_organisation: Any
) -> None:
    # The unfiltered report sums every position tally without a join; a filter must not.
    tally(organisation, region="Wales", positions={"staff": 20, "rep": 15})
    tally(other_organisation, region="London", positions={"staff": 30, "rep": 25})
    every = {row.label: row.attendees.value for row in reach_report(ReachFilters()).breakdown("position").rows}
    wales = {
        row.label: row.attendees.value for row in reach_report(ReachFilters(region="Wales")).breakdown("position").rows
    }
    assert every["Staff"] == 50
    assert wales["Staff"] == 20


def test_evaluation_by_trainer_is_listed_by_name_whatever_the_case(
    organisation: Any, programme_host: Any, booking: Any
) -> None:
    from saferwork.delivery.models import EvaluationFormVersion, EvaluationTally
    from saferwork.reach.models import SessionTally

    version = EvaluationFormVersion.current()
    names = ["zoë Zed", "Amy Able", "bea Best"]
    for n, name in enumerate(names):
        trainer = tf.trainer(programme_host, email=f"t{n}@example.org")
        trainer.user.full_name = name
        trainer.user.save(update_fields=["full_name"])
        held = tf.session(booking, days=-1 - n)
        held.trainers.set([trainer])
        SessionTally.objects.create(
            session_id=held.pk, organisation=organisation, region="London", mode="in_person", month=dt.date(2026, 3, 1)
        )
        EvaluationTally.objects.create(session=held, form_version=version, answers=5, overall=5 * (n + 1), trainers=20)
    rows = reach_report(ReachFilters(), with_trainers=True).by_trainer
    assert [row.name for row in rows] == ["Amy Able", "bea Best", "zoë Zed"]
    assert [row.overall for row in rows] == [2.0, 3.0, 1.0]
