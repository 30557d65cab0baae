from __future__ import annotations

from typing import Any

import pytest

from saferwork.audit.models import AuditEntry
from saferwork.reporting import statistics
from saferwork.reporting.models import ReportTally
from saferwork.risk import services
from saferwork.risk.models import Hazard, Suggestion
from saferwork.surveys import services as surveys
from saferwork.surveys.models import QuestionItem
from saferwork.surveys.tests.conftest import build_survey
from saferwork.surveys.tests.test_results import add_responses

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _question_bank(request: Any) -> None:
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        from saferwork.surveys import bank as shared_bank

        shared_bank.load(QuestionItem)


def tally(organisation: Any, today: Any, place: str, who: str, n: int) -> None:
    first, _last = statistics.period(today)
    ReportTally.objects.create(
        organisation=organisation,
        month=first,
        dimension=ReportTally.Dimension.PLACE_WHO,
        value=f"{place}|{who}",
        count=n,
    )


def every_cell(organisation: Any, today: Any, n: int = 6, **special: int) -> None:
    """A tally in every place and who cell (none small, so none hidden), ``special`` ones
    ("place__who") set apart."""
    for place in statistics.PLACE_LABELS:
        for who in ("colleague", "third_party", "both", "unknown"):
            if place != statistics.NOT_RECORDED:
                tally(organisation, today, place, who, special.get(f"{place}__{who}", n))


def test_third_party_reports_suggest_a_hazard_only_where_the_statistics_show_it(organisation, leader, today):
    # Online: 2 third-party reports and none naming both: small, hidden on the statistics page.
    every_cell(organisation, today, third_party__third_party=9, online__third_party=2, online__both=0)
    stats = statistics.statistics_for(organisation, today)
    assert stats.place_who is not None
    assert stats.place_who.cell("Third-party premises", "Third party").value == 9
    assert stats.place_who.cell("Online", "Third party").value is None
    assert stats.place_who.cell("Online", "Both").value is None
    added = services.refresh_suggestions(organisation=organisation, actor=leader)
    titles = set(Suggestion.objects.values_list("title", flat=True))
    # A suggestion for every place, and only those, where the page shows a third-party cell
    # (complementary suppression hides some larger cells too, and they suggest nothing either).
    table = stats.place_who
    expected = {
        f"Harassment by third parties: {place.lower()}"
        for place in table.row_labels
        if table.cell(place, "Third party").value is not None or table.cell(place, "Both").value is not None
    }
    assert added == len(titles) and titles == expected and len(expected) >= 4
    assert "Harassment by third parties: online" not in titles
    suggestion = Suggestion.objects.get(title="Harassment by third parties: third-party premises")
    assert suggestion.origin == "reporting" and suggestion.source == "third_party"
    assert "9 reports" in suggestion.detail
    assert not Hazard.objects.exists()  # never a hazard without a person
    # Looking again suggests nothing new.
    assert services.refresh_suggestions(organisation=organisation, actor=leader) == 0


def test_small_counts_suggest_nothing(organisation, leader, today):
    tally(organisation, today, "third_party", "third_party", 3)
    tally(organisation, today, "own_premises", "colleague", 30)
    assert services.refresh_suggestions(organisation=organisation, actor=leader) == 0
    assert not Suggestion.objects.exists()


def test_survey_results_suggest_hazards_from_shown_cells_only(organisation, coordinator, leader):
    survey = surveys.launch(survey=build_survey(organisation, coordinator), actor=coordinator)
    for department, yes, no, rather_not in (("Housing", 12, 12, 11), ("Libraries", 10, 15, 10)):
        add_responses(survey, department, yes, {"EXP-ANY": 1, "BEH-COMMENTS": 1})
        add_responses(survey, department, no, {"EXP-ANY": 2, "BEH-COMMENTS": 1})
        add_responses(survey, department, rather_not, {"EXP-ANY": 3, "BEH-COMMENTS": 1})
    surveys.close(survey=survey, actor=coordinator)
    services.refresh_suggestions(organisation=organisation, actor=leader)
    found = list(Suggestion.objects.filter(origin="survey").order_by("title"))
    # Only "Yes" to EXP-ANY names an experience; everyone answered "Never" to BEH-COMMENTS.
    assert [s.title.split(":")[0] for s in found] == ["Housing", "Libraries"]
    assert "12 people in Housing answered “Yes” to EXP-ANY" in found[0].detail
    assert not Hazard.objects.exists()


def test_a_person_accepts_with_a_reason_into_a_chosen_assessment(organisation, leader, today, make_assessment):
    every_cell(organisation, today)
    services.refresh_suggestions(organisation=organisation, actor=leader)
    suggestion = Suggestion.objects.get(title="Harassment by third parties: third-party premises")
    assessment = make_assessment()
    with pytest.raises(services.RiskError):
        services.accept_suggestion(
            suggestion=suggestion, assessment=assessment, actor=leader, reason=" ", rating=(3, 3)
        )
    assert not Hazard.objects.exists()
    hazard = services.accept_suggestion(
        suggestion=suggestion, assessment=assessment, actor=leader, reason="Visits to care homes", rating=(3, 4)
    )
    suggestion.refresh_from_db()
    assert hazard.assessment == assessment and hazard.source == "third_party" and hazard.who == ["third_parties"]
    assert suggestion.status == "accepted" and suggestion.hazard == hazard and suggestion.decided_by == leader
    entry = AuditEntry.objects.get(action="saferwork.risk.suggestion_accepted")
    assert entry.data["reason"] == "Visits to care homes"
    with pytest.raises(services.RiskError):
        services.dismiss_suggestion(suggestion=suggestion, actor=leader, reason="Changed my mind")


def test_dismissing_needs_a_reason_and_is_audited(organisation, leader, today):
    every_cell(organisation, today)
    services.refresh_suggestions(organisation=organisation, actor=leader)
    suggestion = Suggestion.objects.get(title="Harassment by third parties: online")
    services.dismiss_suggestion(suggestion=suggestion, actor=leader, reason="Already in the corporate assessment")
    suggestion.refresh_from_db()
    assert suggestion.status == "dismissed" and not Hazard.objects.exists()
    assert Suggestion.objects.filter(status="pending").count() == len(statistics.PLACE_LABELS) - 2
    assert AuditEntry.objects.filter(action="saferwork.risk.suggestion_dismissed").count() == 1
