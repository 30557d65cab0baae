"""The shortlisting list's order and flags, worked out from every match's score summary.

``ordered_ids`` sorts by the scores in Python, so these pin down the order SQL gave
before: highest first, unscored last, ties by id, a moderated score ranking in place of
the mean, flags by the weighted totals' spread or by one criterion, and, for a
panellist, nothing counted where they have not scored themselves.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from saferwork.recruitment import selectors
from saferwork.recruitment.models import Conflict, Moderation, Panellist, Score, ScoreSheet, Stage
from saferwork.recruitment.tests.conftest import make_application
from saferwork.tests import factories

pytestmark = pytest.mark.django_db

S = Stage.SHORTLISTING


@pytest.fixture
def panel(round_):
    return [Panellist.objects.create(round=round_, user=factories.UserFactory(), kind="expert") for _ in range(3)]


def sheet(application, seat, total, values=None):
    made = ScoreSheet.objects.create(application=application, panellist=seat, stage=S, weighted_total=total)
    for criterion_id, value in (values or {}).items():
        Score.objects.create(sheet=made, criterion_id=criterion_id, value=value)
    return made


@pytest.fixture
def scored(round_, panel):
    """Five applications: means 3.00, 2.00, 3.00 (spread 2), 1.00 moderated to 3.50, and one unscored."""
    a, b, c, d, unscored = (make_application(round_, n) for n in range(5))
    for seat in panel:
        sheet(a, seat, 3)
        sheet(b, seat, 2)
        sheet(d, seat, 1)
    for seat, total in zip(panel, [2, 3, 4], strict=True):
        sheet(c, seat, total)
    Moderation.objects.create(application=d, stage=S, agreed_score=Decimal("1.20"), reason="first")
    Moderation.objects.create(application=d, stage=S, agreed_score=Decimal("3.50"), reason="the latest stands")
    return a, b, c, d, unscored


def test_by_mean_highest_first_moderated_score_ranks_unscored_last_ties_by_id(round_, scored):
    a, b, c, d, unscored = scored
    assert selectors.ordered_ids(round_, sort="mean").ids == [d.pk, a.pk, c.pk, b.pk, unscored.pk]


def test_by_spread_highest_first_unscored_last(round_, scored):
    a, b, c, d, unscored = scored
    assert selectors.ordered_ids(round_, sort="spread").ids == [c.pk, a.pk, b.pk, d.pk, unscored.pk]


def test_flagged_keeps_wide_totals_and_wide_criteria_in_the_chosen_order(round_, panel, scored):
    a, b, c, d, unscored = scored
    first = round_.criteria.filter(stage=S).order_by("position").first()
    e = make_application(round_, 5)
    for seat, value in zip(panel, [4, 1, 1], strict=True):  # same totals, split on one criterion
        sheet(e, seat, 2, {first.pk: value})
    assert selectors.ordered_ids(round_, flagged=True).ids == [c.pk, e.pk]
    assert selectors.ordered_ids(round_, flagged=True, sort="mean").ids == [c.pk, e.pk]
    assert list(selectors.ordered_ids(round_).ids) == [a.pk, b.pk, c.pk, d.pk, unscored.pk, e.pk]


def test_a_panellist_is_ordered_and_flagged_only_by_what_they_have_scored(round_, panel, scored):
    a, b, c, d, unscored = scored
    newcomer = Panellist.objects.create(round=round_, user=factories.UserFactory(), kind="expert")
    sheet(b, newcomer, 2)
    # Only b counts for the newcomer: the rest sort as unscored, by id.
    assert selectors.ordered_ids(round_, viewer=newcomer, sort="mean").ids == [b.pk, a.pk, c.pk, d.pk, unscored.pk]
    assert selectors.ordered_ids(round_, viewer=newcomer, flagged=True).ids == []
    summaries = selectors.score_summaries(round_, S, [a.pk, b.pk, c.pk], newcomer)
    assert summaries[c.pk] == selectors.ScoreSummary(sheets=3)  # how many scored, nothing of what
    assert summaries[b.pk].mine and summaries[b.pk].mean == 2 and summaries[b.pk].sheets == 4


def test_summaries_show_a_conflict_and_the_latest_moderation(round_, panel, scored):
    a, b, c, d, unscored = scored
    Conflict.objects.create(application=unscored, panellist=panel[0], reason="I know them")
    summaries = selectors.score_summaries(round_, S, [d.pk, unscored.pk], panel[0])
    assert summaries[unscored.pk] == selectors.ScoreSummary(conflicted=True)
    assert summaries[d.pk].moderated == Decimal("3.50") and summaries[d.pk].ranked == Decimal("3.50")
    assert summaries[d.pk].spread == 0 and not summaries[d.pk].wide(round_)
