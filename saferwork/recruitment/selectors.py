"""Reads that pages share: who may open a round, and the shortlisting list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
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

SORTS: dict[str, list[Any]] = {
    "submitted": ["submitted_at", "id"],
    "mean": [F("ranked").desc(nulls_last=True), "id"],
    "spread": [F("spread").desc(nulls_last=True), "id"],
    "name": ["full_name", "id"],
}


def shortlist(
    round_: Round,
    *,
    stage: str = Stage.SHORTLISTING,
    viewer: Panellist | None = None,
    region: str = "",
    background: str = "",
    status: str = "",
    q: str = "",
    flagged: bool = False,
    sort: str = "submitted",
    scores: bool = True,
    identities: bool = True,
) -> QuerySet[Application]:
    """Submitted applications with their score summary, computed in the database.

    ``mean`` and ``spread`` (highest minus lowest weighted total) come from the submitted
    sheets at ``stage``; ``flagged`` marks a spread at or above the round's threshold.
    ``mine`` and ``conflicted`` say whether the viewer has scored or declared a conflict:
    pages show others' scores only after ``mine``. With ``scores=False`` the same rows
    come without the score columns: a cheap query for counting and paging.

    ``criterion_wide`` marks an application where, on any one criterion, the panellists'
    scores differ by the round's criterion threshold or more (4, 1, 1 on one question is
    wide even when the weighted totals agree). ``moderated`` is the latest agreed score;
    sorting by mean uses it where there is one. With ``identities=False`` (name-blind
    sifting) the search matches references only and the list cannot be sorted by name.
    """
    if not identities and sort == "name":
        sort = "submitted"
    on_stage = Q(score_sheets__stage=stage)
    if not scores:
        if flagged or sort in {"mean", "spread"}:
            raise ValueError("Filtering or sorting by scores needs the scores.")
        return _filtered(
            round_.applications.exclude(status=Application.Status.DRAFT).only(*LIST_FIELDS),
            stage=stage,
            region=region,
            background=background,
            status=status,
            q=q,
            identities=identities,
        ).order_by(*SORTS.get(sort, SORTS["submitted"]))
    wide_criterion = (
        Score.objects.filter(sheet__application=OuterRef("pk"), sheet__stage=stage)
        .values("criterion")
        .annotate(lo=Min("value"), hi=Max("value"))
        .filter(hi__gte=F("lo") + round_.criterion_spread_threshold)
    )
    latest_moderation = Moderation.objects.filter(application=OuterRef("pk"), stage=stage).order_by(
        "-moderated_at", "-id"
    )
    qs = (
        round_.applications.exclude(status=Application.Status.DRAFT)
        .annotate(
            sheets=Count("score_sheets", filter=on_stage),
            all_mean=Avg("score_sheets__weighted_total", filter=on_stage),
            all_spread=Max("score_sheets__weighted_total", filter=on_stage)
            - Min("score_sheets__weighted_total", filter=on_stage),
            all_criterion_wide=Exists(wide_criterion),
            all_moderated=Subquery(latest_moderation.values("agreed_score")[:1]),
        )
        .only(*LIST_FIELDS)
    )
    if viewer is not None:
        qs = qs.annotate(
            mine=Exists(ScoreSheet.objects.filter(application=OuterRef("pk"), panellist=viewer, stage=stage)),
            conflicted=Exists(Conflict.objects.filter(application=OuterRef("pk"), panellist=viewer)),
        )
        # Sorting or filtering by the others' scores would leak them before the viewer
        # scores: for a panellist, scores count only where they have submitted their own.
        qs = qs.annotate(
            mean=Case(When(mine=True, then=F("all_mean")), default=None),
            spread=Case(When(mine=True, then=F("all_spread")), default=None),
            criterion_wide=Case(
                When(mine=True, then=F("all_criterion_wide")), default=Value(False), output_field=BooleanField()
            ),
            moderated=Case(When(mine=True, then=F("all_moderated")), default=None),
        )
    else:
        qs = qs.annotate(
            mean=F("all_mean"),
            spread=F("all_spread"),
            criterion_wide=F("all_criterion_wide"),
            moderated=F("all_moderated"),
        )
    qs = qs.annotate(ranked=Coalesce(F("moderated"), F("mean")))
    if stage == Stage.INTERVIEW:
        qs = qs.select_related("interview__slot").only(
            *LIST_FIELDS, "interview__cancelled_at", "interview__slot__starts_at"
        )
    qs = _filtered(qs, stage=stage, region=region, background=background, status=status, q=q, identities=identities)
    if flagged:
        qs = qs.filter(Q(spread__gte=round_.disagreement_threshold) | Q(criterion_wide=True))
    return qs.order_by(*SORTS.get(sort, SORTS["submitted"]))


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


def wide_criteria_by_application(round_: Round, stage: str, ids: list[int]) -> dict[int, list[str]]:
    """The names of the criteria each application's panel disagrees on widely: one query for a page."""
    if not ids:
        return {}
    rows = (
        Score.objects.filter(sheet__application_id__in=ids, sheet__stage=stage)
        .values("sheet__application_id", "criterion_id", "criterion__name", "criterion__position")
        .annotate(lo=Min("value"), hi=Max("value"))
        .filter(hi__gte=F("lo") + round_.criterion_spread_threshold)
        .order_by("sheet__application_id", "criterion__position", "criterion_id")
    )
    found: dict[int, list[str]] = {}
    for row in rows:
        found.setdefault(row["sheet__application_id"], []).append(row["criterion__name"])
    return found
