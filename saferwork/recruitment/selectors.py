"""Reads that pages share: who may open a round, and the shortlisting list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Avg,
    Count,
    F,
    Max,
    Min,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.http import Http404, HttpRequest

from saferwork.organisations.permissions import membership_has
from saferwork.organisations.switching import offers_other_organisation
from saferwork.recruitment.models import (
    Application,
    Conflict,
    Criterion,
    Moderation,
    Panellist,
    Round,
    Score,
    ScoreSheet,
    Stage,
)


@dataclass
class RoundAccess:
    round: Round
    panellist: Panellist | None  # the viewer's own seat, if they sit on the panel
    is_admin: bool  # a programme admin of the host that owns the round

    @property
    def sees_identities(self) -> bool:
        """Whether names and contact details are shown: name-blind sifting.

        Anyone with a seat on the panel, a programme admin among them, sifts by
        reference only until the shortlist is agreed. A programme admin who does not
        score sees who is who: they check conflicts and contact candidates.
        """
        return self.round.shortlist_agreed or (self.is_admin and self.panellist is None)

    @property
    def searches_identities(self) -> bool:
        """Whether the list can be searched or sorted by name and email.

        Only an admin: a panellist who is not one finds candidates by reference even
        after the sift, so that a search cannot tell them who applied and was turned down.
        """
        return self.is_admin and (self.panellist is None or self.round.shortlist_agreed)

    def sees_identity_of(self, application: Application) -> bool:
        """Whether this viewer sees who ``application`` is from.

        Admins off the panel always do; everyone on the panel sees nobody's name during
        the sift. Once the shortlist is agreed, admins see every name and the rest of
        the panel the names of the candidates who were shortlisted, never of those the
        sift turned down (or who withdrew).
        """
        if self.is_admin:
            return self.sees_identities
        return self.round.shortlist_agreed and application.status in NAMED_TO_PANEL


# The statuses a candidate reaches only by being shortlisted: after the sift the panel
# knows them by name. Not shortlisted, withdrawn and still submitted stay references.
NAMED_TO_PANEL = {
    Application.Status.SHORTLISTED,
    Application.Status.INVITED,
    Application.Status.SUCCESSFUL,
    Application.Status.RESERVE,
    Application.Status.UNSUCCESSFUL,
}


def admin_organisation_ids(request: HttpRequest) -> set[int]:
    return {m.organisation_id for m in getattr(request, "memberships", []) if membership_has(m, "is_programme_admin")}


def get_round_for_panellist(request: HttpRequest, pk: int) -> RoundAccess:
    """The round if the viewer sits on its panel or administers its host; else 404.

    Independent experts have no membership: their seat on this panel is their only key,
    so a panellist of another round gets a 404 here.
    """
    user = request.user
    if not user.is_authenticated:
        raise Http404
    round_ = Round.objects.select_related("organisation").filter(pk=pk).first()
    if round_ is None:
        raise Http404
    is_admin = round_.organisation_id in admin_organisation_ids(request)
    panellist = Panellist.objects.filter(round=round_, user=user).first()
    if panellist is None and not is_admin:
        raise Http404
    return RoundAccess(round=round_, panellist=panellist, is_admin=is_admin)


@offers_other_organisation
def get_round_for_admin(request: HttpRequest, pk: int) -> Round:
    """The round if the current organisation owns it and the viewer administers it; else 404."""
    organisation = getattr(request, "organisation", None)
    if organisation is None or not membership_has(getattr(request, "membership", None), "is_programme_admin"):
        raise Http404
    round_ = organisation.recruitment_rounds.filter(pk=pk).first()
    if round_ is None:
        raise Http404
    return round_


def get_application_for_round(round_: Round, pk: int) -> Application:
    application = round_.applications.exclude(status=Application.Status.DRAFT).filter(pk=pk).first()
    if application is None:
        raise Http404
    return application


def open_round() -> Round | None:
    from django.utils import timezone

    now = timezone.now()
    return Round.objects.filter(opens_at__lte=now, closes_at__gt=now).order_by("closes_at").first()


def panels_for_user(user: Any) -> QuerySet[Panellist]:
    return Panellist.objects.filter(user=user).select_related("round", "round__organisation")


LIST_FIELDS = [
    "id",
    "round_id",
    "organisation_id",
    "status",
    "full_name",
    "email",
    "region",
    "background",
    "submitted_at",
]

_QS = TypeVar("_QS", bound=QuerySet[Any])

# Orders the database gives; the score orders ("mean", "spread") are worked out in Python
# from every matching application's summary (see ``ordered_ids``).
SORTS: dict[str, list[str]] = {
    "submitted": ["submitted_at", "id"],
    "name": ["full_name", "id"],
}
SCORE_SORTS = {"mean", "spread"}


def shortlist(
    round_: Round,
    *,
    stage: str = Stage.SHORTLISTING,
    region: str = "",
    background: str = "",
    status: str = "",
    q: str = "",
    sort: str = "submitted",
    identities: bool = True,
) -> QuerySet[Application]:
    """Submitted applications matching the filters, in the order of submission or by name.

    With ``identities=False`` (name-blind sifting) the search matches references only and
    the list cannot be sorted by name. Scores are not here: ``score_summaries`` adds them
    to a page's rows, and ``ordered_ids`` orders or filters by them.
    """
    if not identities or sort not in SORTS:
        sort = "submitted"
    qs = round_.applications.exclude(status=Application.Status.DRAFT).only(*LIST_FIELDS)
    qs = _filtered(qs, stage=stage, region=region, background=background, status=status, q=q, identities=identities)
    return qs.order_by(*SORTS[sort])


@dataclass(slots=True)
class ScoreSummary:
    """One application's scores at one stage, as one viewer may see them.

    Blind scoring: for a panellist, ``mean``, ``spread``, ``moderated`` and ``wide_on``
    stay empty until they have submitted their own sheet (``mine``); only the number of
    sheets shows. ``wide_on`` names the criteria on which the panel's scores differ by the
    round's criterion threshold or more (4, 1, 1 on one question is wide even when the
    weighted totals agree); it is worked out only where asked for.
    """

    sheets: int = 0
    mean: Decimal | None = None
    spread: Decimal | None = None
    moderated: Decimal | None = None
    wide_on: tuple[str, ...] = ()
    mine: bool = False
    conflicted: bool = False

    @property
    def visible(self) -> bool:
        """Whether there are scores this viewer may see (sheets, and their own among them)."""
        return self.mean is not None or self.moderated is not None

    @property
    def ranked(self) -> Decimal | None:
        """What "by mean" sorts on: the latest agreed (moderated) score where there is one."""
        return self.moderated if self.moderated is not None else self.mean

    def wide(self, round_: Round) -> bool:
        """Wide disagreement: the weighted totals' spread reaches the round's threshold, or a criterion's does."""
        return bool(self.wide_on) or (self.spread is not None and self.spread >= round_.disagreement_threshold)


NOTHING_SCORED = ScoreSummary()

# A page's few rows are given as ids; every application matching a filter, as a query.
Applications = list[int] | QuerySet[Any]


def score_summaries(
    round_: Round, stage: str, applications: Applications, viewer: Panellist | None = None
) -> dict[int, ScoreSummary]:
    """The score summary of each of ``applications`` that has a sheet or a conflict at ``stage``.

    Three small queries whatever the number of applications: the sheets' totals grouped
    by application, the latest moderations and the viewer's conflicts. ``viewer`` is the
    panellist looking, or None for an admin off the panel, who sees every score. The
    criteria the panel disagrees on are added for a page's rows only (``page_rows``).
    """
    sheets = ScoreSheet.objects.filter(application_id__in=applications, stage=stage).order_by()
    mine = Count("id", filter=Q(panellist=viewer)) if viewer is not None else Value(1)
    totals = sheets.values_list("application_id").annotate(
        n=Count("id"), mean=Avg("weighted_total"), hi=Max("weighted_total"), lo=Min("weighted_total"), mine=mine
    )
    moderated: dict[int, Decimal] = {}
    for pk, score in (
        Moderation.objects.filter(application_id__in=applications, stage=stage)
        .order_by("application_id", "-moderated_at", "-id")
        .values_list("application_id", "agreed_score")
    ):
        moderated.setdefault(pk, score)  # the latest agreed score stands
    conflicted: set[int] = set()
    if viewer is not None:
        conflicted = set(
            Conflict.objects.filter(application_id__in=applications, panellist=viewer).values_list(
                "application_id", flat=True
            )
        )
    found: dict[int, ScoreSummary] = {}
    # Every matching application's row when the list is ordered by score: read as plain
    # tuples, without the ORM's per-value converters (a third of the page's time for 2,000).
    try:
        sql, params = totals.query.sql_with_params()
    except EmptyResultSet:  # nothing can match (no ids, or a search that finds nobody)
        return {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for pk, n, mean, hi, lo, seen in rows:
        if not seen:
            found[pk] = ScoreSummary(sheets=n, conflicted=pk in conflicted)
            continue
        found[pk] = ScoreSummary(
            sheets=n,
            mean=_decimal(mean),
            spread=_decimal(hi) - _decimal(lo),  # type: ignore[operator]
            moderated=moderated.get(pk),
            mine=viewer is not None,
            conflicted=pk in conflicted,
        )
    for pk in conflicted - found.keys():
        found[pk] = ScoreSummary(conflicted=True)
    return found


def _decimal(value: Any) -> Decimal | None:
    # PostgreSQL's numeric arrives as Decimal; SQLite's aggregates may arrive as float.
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value))


@dataclass
class Listing:
    """The matching applications' ids in the list's order, and the summaries the order took.

    ``ids`` is a lazy query when the database orders (submitted or name order, no
    ``flagged``), so a paginator pages it; otherwise a list sorted by the scores, with
    ``summaries`` holding every match's (``page_rows`` takes its page's from there).
    """

    ids: QuerySet[Any, int] | list[int]
    summaries: dict[int, ScoreSummary] | None = None


def ordered_ids(
    round_: Round,
    *,
    stage: str = Stage.SHORTLISTING,
    viewer: Panellist | None = None,
    flagged: bool = False,
    sort: str = "submitted",
    **filters: Any,
) -> Listing:
    """The ids of the matching applications in the list's order: what a page or a bulk choice takes.

    When the order or the filter depends on the scores, every matching application's
    summary is read (``score_summaries``) and the ids are sorted here. A panellist's order
    and flags count the scores only where they have submitted their own (blind scoring):
    sorting or filtering by the others' scores would otherwise tell them what they are.
    """
    matching = shortlist(round_, stage=stage, sort=sort, **filters)
    ids = matching.values_list("pk", flat=True)
    if not flagged and sort not in SCORE_SORTS:
        return Listing(ids)
    summaries = score_summaries(round_, stage, matching.values("pk"), viewer)
    order = list(ids)
    if flagged:
        by_spread = {pk for pk, s in summaries.items() if s.wide(round_)}
        # The rest are flagged only by one criterion; ask about those the viewer may see.
        others = [pk for pk in order if pk not in by_spread and summaries.get(pk, NOTHING_SCORED).visible]
        by_criterion = set(wide_criteria_by_application(round_, stage, others)) if others else set()
        order = [pk for pk in order if pk in by_spread or pk in by_criterion]
    if sort in SCORE_SORTS:

        def value(pk: int) -> Decimal | None:
            summary = summaries.get(pk, NOTHING_SCORED)
            return summary.ranked if sort == "mean" else summary.spread

        # Highest first, unscored last, ties by id: as ORDER BY … DESC NULLS LAST, id.
        order.sort(key=lambda pk: (value(pk) is None, -(value(pk) or 0), pk))
    return Listing(order, summaries)


def page_rows(
    round_: Round,
    stage: str,
    ids: Sequence[int],
    viewer: Panellist | None,
    summaries: dict[int, ScoreSummary] | None = None,
) -> list[Application]:
    """A page's applications in the order of ``ids``, each with its ``summary`` for this viewer.

    ``summaries`` are the listing's, when its order read them already; the criteria the
    panel disagrees on are then added for this page's rows only.
    """
    qs = round_.applications.filter(pk__in=ids).only(*LIST_FIELDS)
    if stage == Stage.INTERVIEW:
        qs = qs.select_related("interview__slot").only(
            *LIST_FIELDS, "interview__cancelled_at", "interview__slot__starts_at"
        )
    found = {a.pk: a for a in qs}
    if summaries is None:
        summaries = score_summaries(round_, stage, list(found), viewer)
    shown = [pk for pk in found if summaries.get(pk, NOTHING_SCORED).visible]
    wide_on = wide_criteria_by_application(round_, stage, shown)
    rows = []
    for pk in ids:
        if pk in found:
            summary = summaries.get(pk, NOTHING_SCORED)
            if pk in wide_on:
                summary = replace(summary, wide_on=tuple(wide_on[pk]))
            found[pk].summary = summary  # type: ignore[attr-defined]
            rows.append(found[pk])
    return rows


def _filtered(
    qs: _QS, *, stage: str, region: str, background: str, status: str, q: str, identities: bool = True
) -> _QS:
    if stage == Stage.INTERVIEW:
        qs = qs.filter(interview__isnull=False)
    if region:
        qs = qs.filter(region=region)
    if background:
        qs = qs.filter(background=background)
    if status:
        qs = qs.filter(status=status)
    if q:
        q = q.strip()
        # Blind viewers find an application by its reference only: a search by name
        # would tell them whether, and where, someone they know has applied.
        match = (Q(full_name__icontains=q) | Q(email__icontains=q)) if identities else Q(pk__in=[])
        digits = q.upper().removeprefix("TA-")
        if digits.isdigit():
            match |= Q(pk=int(digits))
        qs = qs.filter(match)
    return qs


def regions_in(round_: Round) -> list[str]:
    return list(round_.applications.exclude(region="").values_list("region", flat=True).distinct().order_by("region"))


def sheets_for(application: Application, stage: str) -> QuerySet[ScoreSheet]:
    return (
        application.score_sheets.filter(stage=stage)
        .select_related("panellist__user")
        .prefetch_related(Prefetch("scores", queryset=Score.objects.order_by("criterion__position", "criterion_id")))
        .order_by("submitted_at")
    )


@dataclass
class CriterionSpread:
    criterion: Criterion
    values: list[int]
    wide: bool

    @property
    def spread(self) -> int:
        return max(self.values) - min(self.values) if self.values else 0


def criterion_spreads(round_: Round, sheets: list[ScoreSheet], criteria: list[Criterion]) -> list[CriterionSpread]:
    """For each criterion, the panel's scores and whether they differ widely (prefetched sheets)."""
    by_criterion: dict[int, list[int]] = {c.pk: [] for c in criteria}
    for sheet in sheets:
        for score in sheet.scores.all():
            by_criterion.setdefault(score.criterion_id, []).append(score.value)
    rows = []
    for c in criteria:
        values = by_criterion.get(c.pk, [])
        wide = len(values) > 1 and max(values) - min(values) >= round_.criterion_spread_threshold
        rows.append(CriterionSpread(criterion=c, values=values, wide=wide))
    return rows


WIDE_IDS_FIRST = 200  # up to this many applications, their sheet ids are read first


def wide_criteria_by_application(round_: Round, stage: str, ids: list[int]) -> dict[int, list[str]]:
    """The names of the criteria each application's panel disagrees on widely: two queries for a page."""
    if not ids:
        return {}
    scores = Score.objects.filter(sheet__application_id__in=ids, sheet__stage=stage)
    if len(ids) <= WIDE_IDS_FIRST:
        # A page's sheets are read first and named too: with the application ids alone,
        # PostgreSQL scanned every score of every round (7 ms for a page of 50), and with
        # the sheet ids alone every sheet; with both it reads the two indexes (under 1 ms).
        sheet_ids = ScoreSheet.objects.filter(application_id__in=ids, stage=stage).values_list("id", flat=True)
        scores = scores.filter(sheet_id__in=list(sheet_ids))
    rows = (
        scores.values("sheet__application_id", "criterion_id", "criterion__name", "criterion__position")
        .annotate(lo=Min("value"), hi=Max("value"))
        .filter(hi__gte=F("lo") + round_.criterion_spread_threshold)
        .order_by("sheet__application_id", "criterion__position", "criterion_id")
    )
    found: dict[int, list[str]] = {}
    for row in rows:
        found.setdefault(row["sheet__application_id"], []).append(row["criterion__name"])
    return found
