"""Reads that pages share: who may open a round, and the shortlisting list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Avg, Case, Count, Exists, F, Max, Min, OuterRef, Prefetch, Q, QuerySet, When
from django.http import Http404, HttpRequest

from saferwork.organisations.permissions import membership_has
from saferwork.organisations.switching import offers_other_organisation
from saferwork.recruitment.models import Application, Conflict, Panellist, Round, Score, ScoreSheet, Stage


@dataclass
class RoundAccess:
    round: Round
    panellist: Panellist | None  # the viewer's own seat, if they sit on the panel
    is_admin: bool  # a programme admin of the host that owns the round


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
    "mean": [F("mean").desc(nulls_last=True), "id"],
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
) -> QuerySet[Application]:
    """Submitted applications with their score summary, computed in the database.

    ``mean`` and ``spread`` (highest minus lowest weighted total) come from the submitted
    sheets at ``stage``; ``flagged`` marks a spread at or above the round's threshold.
    ``mine`` and ``conflicted`` say whether the viewer has scored or declared a conflict:
    pages show others' scores only after ``mine``. With ``scores=False`` the same rows
    come without the score columns: a cheap query for counting and paging.
    """
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
        ).order_by(*SORTS.get(sort, SORTS["submitted"]))
    qs = (
        round_.applications.exclude(status=Application.Status.DRAFT)
        .annotate(
            sheets=Count("score_sheets", filter=on_stage),
            all_mean=Avg("score_sheets__weighted_total", filter=on_stage),
            all_spread=Max("score_sheets__weighted_total", filter=on_stage)
            - Min("score_sheets__weighted_total", filter=on_stage),
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
        )
    else:
        qs = qs.annotate(mean=F("all_mean"), spread=F("all_spread"))
    if stage == Stage.INTERVIEW:
        qs = qs.select_related("interview__slot").only(
            *LIST_FIELDS, "interview__cancelled_at", "interview__slot__starts_at"
        )
    qs = _filtered(qs, stage=stage, region=region, background=background, status=status, q=q)
    if flagged:
        qs = qs.filter(spread__gte=round_.disagreement_threshold)
    return qs.order_by(*SORTS.get(sort, SORTS["submitted"]))


def _filtered(qs: _QS, *, stage: str, region: str, background: str, status: str, q: str) -> _QS:
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
        match = Q(full_name__icontains=q) | Q(email__icontains=q)
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
