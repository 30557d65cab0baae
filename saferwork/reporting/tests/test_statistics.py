"""Statistics for leaders: counts from category tallies only, every small cell suppressed
(directly and by subtraction, within and across tables), the same in the page and CSV."""

from __future__ import annotations

import csv
import io
import re
import time
from datetime import date
from typing import Any

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saferwork.accounts.decorators import SUDO_SESSION_KEY
from saferwork.audit.models import AuditEntry
from saferwork.lib.suppression import Cell, Status, SuppressedTable
from saferwork.reporting import selectors, services, statistics
from saferwork.reporting.models import Report, ReportTally
from saferwork.reporting.tests.helpers import SECRETS_IN_ANSWERS, submit
from saferwork.tests import factories

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 20)  # the page covers November 2025 to October 2026
IN_PERIOD = date(2026, 3, 1)


@pytest.fixture
def leader(reporting_org):
    return factories.member(reporting_org, is_leader=True, email="leader@example.org")


@pytest.fixture
def fixed_today(monkeypatch):
    monkeypatch.setattr(selectors, "today_for", lambda organisation: TODAY)


def tally(org, dimension, value, count, month=IN_PERIOD):
    ReportTally.objects.create(organisation=org, month=month, dimension=dimension, value=value, count=count)


def sudo(client):
    session = client.session
    session[SUDO_SESSION_KEY] = int(time.time()) + 600
    session.save()


# ------------------------------------------------------------ what is counted, and how


def test_who_groups_colleagues_and_third_parties():
    assert statistics.who_group(["colleague", "manager"]) == "colleague"
    assert statistics.who_group(["customer"]) == "third_party"
    assert statistics.who_group(["contractor", "senior"]) == "both"
    assert statistics.who_group(["unknown"]) == "unknown"
    assert statistics.who_group([]) == "unknown"


def test_categories_take_fixed_choices_only_never_free_text():
    answers = {
        "where": {"place": "Quartzberry's flat", "place_detail": "Zephyrmart"},
        "who": {"people": ["customer", "Oluwaseun"]},
        "what-happened": {"behaviours": ["touching", "<script>", "touching"], "description": "secret"},
    }
    assert statistics.categories(answers) == [("place_who", "not_recorded|third_party"), ("behaviour", "touching")]


def test_a_submission_adds_to_counters_that_carry_no_text_and_no_link_to_the_report(client, reporting_org, handler):
    submit(client, reporting_org.slug)
    report = Report.objects.get()
    month = report.submitted_on.replace(day=1)
    assert not ReportTally.objects.exists()  # held sealed until the fold
    statistics.fold_pending_tallies()
    rows = set(ReportTally.objects.values_list("month", "dimension", "value", "count"))
    assert rows == {
        (month, "place_who", "third_party|third_party", 1),
        (month, "behaviour", "comments", 1),
        (month, "behaviour", "touching", 1),
    }
    assert not [f for f in ReportTally._meta.get_fields() if f.is_relation and f.related_model is Report]
    dumped = repr(list(ReportTally.objects.values()))
    for secret in SECRETS_IN_ANSWERS:
        assert secret not in dumped
    assert report.reference not in dumped


def test_first_acknowledgement_counts_its_delay_once(reporting_org, handler, client, monkeypatch):
    submit(client, reporting_org.slug)
    report = Report.objects.get()
    later = date.fromordinal(report.submitted_on.toordinal() + 4)
    monkeypatch.setattr(selectors, "today_for", lambda organisation: later)
    services.change_status(report=report, user=handler, status="acknowledged")
    services.change_status(report=report, user=handler, status="assessing")
    services.change_status(report=report, user=handler, status="closed", outcome="recorded")
    statistics.fold_pending_tallies()
    assert list(ReportTally.objects.filter(dimension="ack").values_list("value", "count")) == [("3-5", 1)]


def test_the_period_is_the_twelve_complete_months_before_this_one():
    assert statistics.period(date(2026, 11, 20)) == (date(2025, 11, 1), date(2026, 10, 1))
    assert statistics.period(date(2027, 1, 1)) == (date(2026, 1, 1), date(2026, 12, 1))


# ------------------------------------------------------------ the page


def _seed_visible(org):
    tally(org, "place_who", "third_party|third_party", 9)
    tally(org, "place_who", "third_party|colleague", 7, month=date(2026, 4, 1))
    tally(org, "place_who", "own_premises|colleague", 12, month=date(2026, 4, 1))
    tally(org, "place_who", "online|colleague", 2)  # small: must be hidden
    tally(org, "place_who", "own_premises|third_party", 40, month=date(2026, 11, 1))  # this month: not shown yet
    tally(org, "behaviour", "touching", 17)
    tally(org, "behaviour", "assault", 3)
    tally(org, "ack", "0", 20)


def test_leader_sees_suppressed_tables_with_no_way_to_a_report(client, reporting_org, leader, fixed_today):
    _seed_visible(reporting_org)
    factories.sign_in_verified(client, leader)
    response = client.get(reverse("reporting:statistics"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "November 2025 to October 2026" in html
    assert "hidden" in html and "fewer than" not in html
    assert "Third-party premises" in html and "Third party" in html
    assert ">17<" in html  # touching
    assert ">40<" not in html and ">2<" not in html and ">3<" not in html
    assert "/reporting/cases/" not in html
    numbers = [int(n.replace(",", "")) for n in re.findall(r'numeric">([\d,]+)<', html)]
    assert numbers and min(numbers) >= 5


def test_handlers_see_statistics_and_other_members_do_not(client, reporting_org, handler, participant):
    sign_in = factories.sign_in_verified
    sign_in(client, handler)
    assert client.get(reverse("reporting:statistics")).status_code == 200
    client.logout()
    sign_in(client, participant)
    assert client.get(reverse("reporting:statistics")).status_code == 403
    assert client.get(reverse("reporting:statistics_export")).status_code == 403
    client.logout()
    assert client.get(reverse("reporting:statistics")).status_code == 302


def test_outsider_sees_only_their_own_organisation(client, reporting_org, outsider, fixed_today):
    tally(reporting_org, "place_who", "travel|colleague", 23)
    factories.sign_in_verified(client, outsider)
    sudo(client)
    html = client.get(reverse("reporting:statistics")).content.decode()
    assert ">23<" not in html and reporting_org.name not in html
    export = b"".join(client.get(reverse("reporting:statistics_export")).streaming_content).decode()
    assert "23" not in export


def test_statistics_page_queries_do_not_grow_with_reports(
    client, reporting_org, leader, fixed_today, django_assert_max_num_queries
):
    for month in range(1, 11):
        for value in ["own_premises|colleague", "online|third_party", "travel|both"]:
            tally(reporting_org, "place_who", value, month * 3, month=date(2026, month, 1))
    factories.sign_in_verified(client, leader)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("reporting:statistics")).status_code == 200


def test_the_same_tallies_get_the_audit_already_done_and_new_ones_a_new_audit(reporting_org, monkeypatch):
    """The page audit is remembered by the tallies it read: a reload runs no search, and
    one more report (a changed tally) is audited afresh, withholding what it must."""
    monkeypatch.setattr(statistics, "_AUDITS", statistics.Remembered(16))
    audits = []
    real = statistics._withhold_what_the_page_gives_away

    def counted(stats):
        audits.append(stats)
        return real(stats)

    monkeypatch.setattr(statistics, "_withhold_what_the_page_gives_away", counted)
    _seed_visible(reporting_org)
    first = statistics.statistics_for(reporting_org, TODAY)
    again = statistics.statistics_for(reporting_org, TODAY)
    assert len(audits) == 1 and again.csv_rows() == first.csv_rows()
    tally(reporting_org, "place_who", "online|third_party", 1)
    changed = statistics.statistics_for(reporting_org, TODAY)
    assert len(audits) == 2 and changed.csv_rows() != first.csv_rows()
    # Withheld tables are withheld again from memory, not only shown ones.
    monkeypatch.setattr(statistics, "_AUDITS", statistics.Remembered(16))
    monkeypatch.setattr(statistics, "_withhold_what_the_page_gives_away", lambda stats: ("acknowledged",))
    assert statistics.statistics_for(reporting_org, TODAY).acknowledged is None
    monkeypatch.setattr(statistics, "_withhold_what_the_page_gives_away", real)
    assert statistics.statistics_for(reporting_org, TODAY).acknowledged is None


def test_export_asks_for_sudo_then_streams_the_same_suppressed_tables(client, reporting_org, leader, fixed_today):
    _seed_visible(reporting_org)
    factories.sign_in_verified(client, leader)
    response = client.get(reverse("reporting:statistics_export"))
    assert response.status_code == 302 and reverse("accounts:sudo") in response["Location"]
    assert not AuditEntry.objects.filter(action="saferwork.reporting.statistics_exported").exists()
    sudo(client)
    response = client.get(reverse("reporting:statistics_export"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "no-store" in response["Cache-Control"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    stats = statistics.statistics_for(reporting_org, TODAY)
    assert rows == stats.csv_rows()
    flat = [v for row in rows for v in row]
    assert "hidden" in flat and "17" in flat and "2" not in flat and "40" not in flat
    assert AuditEntry.objects.filter(action="saferwork.reporting.statistics_exported", actor=leader).exists()


# ------------------------------------------------------------ nothing small can be worked out


def test_reports_sent_before_tallies_are_counted_as_not_recorded(client, reporting_org, handler):
    import importlib

    from django.apps import apps

    submit(client, reporting_org.slug)
    report = Report.objects.get()
    services.change_status(report=report, user=handler, status="acknowledged")
    ReportTally.objects.all().delete()
    importlib.import_module("saferwork.reporting.migrations.0003_report_tally").backfill(apps, None)
    month = report.submitted_on.replace(day=1)
    assert set(ReportTally.objects.values_list("month", "dimension", "value", "count")) == {
        (month, "place_who", "not_recorded|not_recorded", 1),
        (month, "behaviour", "not_recorded", 1),
        (month, "ack", "0", 1),
    }


def test_a_table_never_hides_the_shared_total_and_protects_its_small_month_with_cells(
    client, reporting_org, leader, fixed_today
):
    """Eleven months of 5 and one of 0: the total (55) is shown in every table, so the
    month table protects the 0 by hiding a 5 beside it (together 5: anything from 0 to 5)."""
    first, _last = statistics.period(TODAY)
    places = [f"{p}|{w}" for p in ["own_premises", "online", "travel"] for w in ["colleague", "third_party"]]
    for i in range(11):
        month = date(first.year + (first.month + i - 1) // 12, (first.month + i - 1) % 12 + 1, 1)
        tally(reporting_org, "place_who", places[i % 6], 5, month=month)
    stats = statistics.statistics_for(reporting_org, TODAY)
    assert stats.by_month is not None and stats.by_month.total is not None
    assert stats.by_month.total.value == 55 and stats.place_who is not None
    assert stats.place_who.grand_total is not None and stats.place_who.grand_total.value == 55
    assert stats.by_month["October 2026"].hidden
    assert_page_protected(stats)
    factories.sign_in_verified(client, leader)
    html = client.get(reverse("reporting:statistics")).content.decode()
    assert "October 2026" in html


def test_the_page_checker_catches_a_total_hidden_in_one_table_only(reporting_org):
    """If the month table hid its total while the place table showed it, the two together
    would give the small month away: the page checker must say so."""
    first, _last = statistics.period(TODAY)
    months = {}
    for i in range(12):
        month = date(first.year + (first.month + i - 1) // 12, (first.month + i - 1) % 12 + 1, 1)
        months[f"{month:%B %Y}"] = 5 if i < 11 else 0
        if i < 11:
            tally(reporting_org, "place_who", "own_premises|colleague", 5, month=month)
    stats = statistics.statistics_for(reporting_org, TODAY)
    assert_page_protected(stats)
    cells = {label: Cell(Status.SMALL if n < 5 else Status.SHOWN, 5, n) for label, n in months.items()}
    stats.by_month = SuppressedTable(5, cells, Cell(Status.COMPLEMENTARY, 5, 55))
    assert stats.place_who is not None and not stats.place_who.grand_total.hidden
    with pytest.raises(AssertionError, match="knows it is small"):
        assert_page_protected(stats)


# ------------------------------------------------------------ issue 10, finding 14: the whole page


def page_model(stats: statistics.Statistics) -> tuple[Any, list[Any]]:
    """What a reader of the page knows, and which hidden numbers must stay protected.

    Built from the published face only (``saferwork.lib.disclosure`` reads values and
    labels): the four tables, one total ``T`` of reports shared by the place/who, month
    and acknowledgement tables, and the rule that every report names one or more of the
    behaviours (so each behaviour count is at most ``T`` and they add up to at least ``T``).
    """
    from saferwork.lib.disclosure import ReaderModel, breakdown_model, two_way_model

    model = ReaderModel()
    model.unknown("T")
    small: list[Any] = []
    threshold = stats.threshold
    if stats.place_who is not None:
        model.merge(two_way_model(stats.place_who, "pw", total="T"))
        pw = stats.place_who
        for r in pw.row_labels:
            small += [("pw", "cell", r, c) for c in pw.column_labels if pw.cells[r][c]._true_value < threshold]
        if pw.row_totals is not None:
            small += [("pw", "row", r) for r, cell in pw.row_totals.items() if cell._true_value < threshold]
        if pw.column_totals is not None:
            small += [("pw", "col", c) for c, cell in pw.column_totals.items() if cell._true_value < threshold]
        if pw.grand_total is not None and pw.grand_total._true_value < threshold:
            small.append(("pw", "grand"))
    for name, table in (("month", stats.by_month), ("ack", stats.acknowledged)):
        if table is not None:
            model.merge(breakdown_model(table, name, total="T"))
            small += [(name, "cell", label) for label, cell in table.cells.items() if cell._true_value < threshold]
            if table.total is not None and table.total._true_value < threshold:
                small.append((name, "total"))
    if stats.behaviours is not None:
        model.merge(breakdown_model(stats.behaviours, "behaviour", respondents="T"))
        small += [
            ("behaviour", "cell", label)
            for label, cell in stats.behaviours.cells.items()
            if cell._true_value < threshold
        ]
    return model, small


def assert_page_protected(stats: statistics.Statistics) -> None:
    from saferwork.lib.disclosure import BIG

    model, small = page_model(stats)
    for key in small:
        assert model.possible(key, 0, 0), f"{key}: a reader of the page can rule out 0 ({model.interval(key)})"
        assert model.possible(key, stats.threshold, BIG), f"{key}: a reader of the page knows it is small"


def _seed_reports(org, reports):
    """Tally whole reports: (place|who, month offset, behaviours, acknowledgement bucket or None)."""
    first, _last = statistics.period(TODAY)
    counts: dict[tuple[date, str, str], int] = {}
    for place_who, offset, behaviours, ack in reports:
        behaviours = ["not_recorded"] if place_who == BACKFILLED else behaviours
        month = date(first.year + (first.month + offset - 1) // 12, (first.month + offset - 1) % 12 + 1, 1)
        found = [("place_who", place_who)] + [("behaviour", b) for b in sorted(set(behaviours))]
        found += [("ack", ack)] if ack is not None else []
        for dimension, value in found:
            counts[(month, dimension, value)] = counts.get((month, dimension, value), 0) + 1
    ReportTally.objects.bulk_create(
        ReportTally(organisation=org, month=m, dimension=d, value=v, count=n) for (m, d, v), n in counts.items()
    )


def test_regression_a_behaviour_count_is_not_pinned_by_every_report_naming_one(reporting_org):
    """60 reports, each naming one behaviour: seven behaviours shown add up to 56, so the
    one "fewer than 5" behaviour had to be 4 exactly (at least 60 in all)."""
    behaviours = {"comments": 10, "looks": 8, "messages": 7, "touching": 12, "advances": 6, "pressure": 5}
    behaviours |= {"other": 8, "assault": 4}
    reports = []
    named = [b for b, n in behaviours.items() for _ in range(n)]
    for i, behaviour in enumerate(named):
        reports.append(("own_premises|colleague" if i % 2 else "online|third_party", 4, [behaviour], "0"))
    _seed_reports(reporting_org, reports)
    stats = statistics.statistics_for(reporting_org, TODAY)
    model, _small = page_model(stats)
    key = ("behaviour", "cell", statistics.BEHAVIOUR_LABELS["assault"])
    assert model.possible(key, 0, 3), f"the assault count is pinned to {model.interval(key)}"
    assert_page_protected(stats)


PLACES = ["own_premises", "third_party", "online"]
WHOS = ["colleague", "third_party", "both"]
# Reports sent before the tallies began count once in "Not recorded" in both tables.
BACKFILLED = "not_recorded|not_recorded"
REPORT = st.tuples(
    st.sampled_from([f"{p}|{w}" for p in PLACES for w in WHOS] + [BACKFILLED]),
    st.integers(min_value=0, max_value=11),
    st.lists(st.sampled_from(["touching", "comments", "assault", "looks"]), min_size=1, max_size=3),
    st.sampled_from(["0", "1", "6+", None]),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reports=st.lists(REPORT, max_size=40))
def test_no_statistics_page_lets_a_small_count_be_told_from_zero_or_the_threshold(reporting_org, reports):
    ReportTally.objects.all().delete()
    _seed_reports(reporting_org, reports)
    stats = statistics.statistics_for(reporting_org, TODAY)
    assert_page_protected(stats)
    for row in stats.csv_rows()[2:]:
        for value in row[1:]:
            assert not value.replace(",", "").isdigit() or int(value.replace(",", "")) >= stats.threshold, row
