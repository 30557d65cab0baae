"""Reads for delivery pages: who may open a session, and evaluation results behind the threshold."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest

from saferwork.delivery.models import TALLIED_FIELDS, EvaluationAnswer, EvaluationFormVersion, EvaluationTally
from saferwork.organisations.switching import offers_other_organisation
from saferwork.training.models import Session, TrainerProfile
from saferwork.training.selectors import is_coordinator_of, is_programme_admin, trainer_profile_for

RATING_FIELDS = ["overall", "relevance", "trainers"]
CONFIDENCE_FIELDS = ["recognising", "responding", "leading"]


@dataclass
class SessionAccess:
    session: Session
    is_trainer: bool
    is_coordinator: bool
    is_admin: bool

    @property
    def can_mark_attendance(self) -> bool:
        # Names are for the organisation and its trainers, not the programme.
        return self.is_trainer or self.is_coordinator

    @property
    def sees_free_text(self) -> bool:
        return self.is_trainer or self.is_admin


@offers_other_organisation
def get_session_for_user(request: HttpRequest, pk: int) -> SessionAccess:
    """A session the viewer trains, coordinates, or (programme admin) oversees; else 404."""
    session = Session.objects.select_related("organisation", "enquiry", "attendance_record").filter(pk=pk).first()
    if session is None:
        raise Http404
    trainer = trainer_profile_for(request)
    access = SessionAccess(
        session=session,
        is_trainer=trainer is not None and session.trainers.filter(pk=trainer.pk).exists(),
        is_coordinator=is_coordinator_of(request, session.organisation_id),
        is_admin=is_programme_admin(request),
    )
    if not (access.is_trainer or access.is_coordinator or access.is_admin):
        raise Http404
    return access


def sessions_for(request: HttpRequest) -> QuerySet[Session]:
    """Sessions the viewer delivers (trainer) or whose organisation they coordinate.

    The trainer's sessions are read as ids first (one small query on the link table's
    index), then matched by primary key; the answer count comes from a correlated subquery, so
    there is no join to multiply rows and no ``DISTINCT``. Matched with ``IN (subquery)``
    instead, PostgreSQL hashed the trainer's links and scanned every session.
    """
    query = Q(pk__in=[])
    trainer = trainer_profile_for(request)
    if trainer is not None:
        taught = Session.trainers.through.objects.filter(trainerprofile_id=trainer.pk)
        query |= Q(pk__in=list(taught.values_list("session_id", flat=True)))
    membership = getattr(request, "membership", None)
    if is_coordinator_of(request, getattr(membership, "organisation_id", None)):
        query |= Q(organisation_id=membership.organisation_id)  # type: ignore[union-attr]
    answers = (
        EvaluationAnswer.objects.filter(session=OuterRef("pk"))
        .order_by()
        .values("session")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        Session.objects.filter(query)
        .exclude(status=Session.Status.CANCELLED)
        .select_related("organisation", "attendance_record")
        .only("date", "status", "organisation__name", "attendance_record__id")  # what the list shows
        .annotate(answers=Coalesce(Subquery(answers), 0))
        .order_by("-date", "-id")
    )


def delivered_sessions() -> QuerySet[Session]:
    """Every session with attendance recorded, for programme admins: no names, only counts."""
    answers = (
        EvaluationAnswer.objects.filter(session=OuterRef("pk"))
        .order_by()
        .values("session")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        Session.objects.filter(attendance_record__isnull=False)
        .select_related("organisation")
        .annotate(answers=Coalesce(Subquery(answers), 0))
        .order_by("-date", "-id")
    )


@dataclass
class EvaluationSummary:
    """Results for a set of answers; ``shown`` is False below the threshold and then nothing else is set."""

    answers: int
    threshold: int
    shown: bool
    ratings: list[tuple[str, float]] = field(default_factory=list)
    confidence: list[tuple[str, float, float]] = field(default_factory=list)
    free_text: list[str] = field(default_factory=list)
    versions: list[int] = field(default_factory=list)


def evaluation_summary(
    answers: QuerySet[EvaluationAnswer], *, with_free_text: bool = False, threshold: int | None = None
) -> EvaluationSummary:
    """Averages for ``answers``, computed in the database, or nothing below the threshold."""
    threshold = threshold or settings.EVALUATION_RESULTS_THRESHOLD
    aggregates: dict[str, Any] = {"n": Count("id")}
    for name in RATING_FIELDS:
        aggregates[name] = Avg(name)
    for name in CONFIDENCE_FIELDS:
        aggregates[f"{name}_before"] = Avg(f"{name}_before")
        aggregates[f"{name}_after"] = Avg(f"{name}_after")
    row = answers.order_by().aggregate(**aggregates)
    n = row["n"] or 0
    summary = EvaluationSummary(answers=n, threshold=threshold, shown=n >= threshold)
    if not summary.shown:
        return summary
    versions = sorted(set(answers.order_by().values_list("form_version__number", flat=True).distinct()))
    summary.versions = versions
    wording = EvaluationFormVersion.objects.get(number=versions[-1])
    labels = dict(wording.rating_questions())
    summary.ratings = [(labels[name], round(row[name], 1)) for name in RATING_FIELDS]
    confidence_labels = dict(wording.confidence_questions())
    summary.confidence = [
        (confidence_labels[name], round(row[f"{name}_before"], 1), round(row[f"{name}_after"], 1))
        for name in CONFIDENCE_FIELDS
    ]
    if with_free_text:
        # Ordered by the random key: the order says nothing about who wrote what, or when.
        summary.free_text = list(answers.exclude(free_text="").order_by("id").values_list("free_text", flat=True))
    return summary


def tallied_summary(tallies: QuerySet[EvaluationTally], *, threshold: int | None = None) -> EvaluationSummary:
    """Averages over many sessions from their released-answer counters: the same figures as
    :func:`evaluation_summary` over their open answers (without free text): the sums by
    form version in one query, added up here, then the wording of the latest version."""
    threshold = threshold or settings.EVALUATION_RESULTS_THRESHOLD
    sums: dict[str, Any] = {name: Sum(name) for name in TALLIED_FIELDS}
    by_version = list(tallies.order_by().values("form_version__number").annotate(n=Sum("answers"), **sums))
    row = {name: sum(v[name] or 0 for v in by_version) for name in ["n", *TALLIED_FIELDS]}
    n = row["n"]
    summary = EvaluationSummary(answers=n, threshold=threshold, shown=n >= threshold)
    if not summary.shown:
        return summary
    versions = sorted({v["form_version__number"] for v in by_version if v["n"]})
    summary.versions = versions
    wording = EvaluationFormVersion.objects.get(number=versions[-1])
    labels = dict(wording.rating_questions())
    summary.ratings = [(labels[name], round(row[name] / n, 1)) for name in RATING_FIELDS]
    confidence_labels = dict(wording.confidence_questions())
    summary.confidence = [
        (confidence_labels[name], round(row[f"{name}_before"] / n, 1), round(row[f"{name}_after"] / n, 1))
        for name in CONFIDENCE_FIELDS
    ]
    return summary


def open_answers(answers: QuerySet[EvaluationAnswer]) -> QuerySet[EvaluationAnswer]:
    """Only answers already released (in groups of the threshold, per session).

    Every result, for one session or across many, is built from these alone: it then
    changes only by whole groups, and no difference between two figures (before and
    after an answer, or a total minus the sessions people can open) isolates fewer
    answers than the threshold.
    """
    return answers.filter(release__isnull=False)


def trainer_summary(trainer: TrainerProfile) -> EvaluationSummary:
    """Across the sessions this trainer delivered: released answers only."""
    # The released-answer counters of the trainer's sessions: the same figures as their open
    # answers, without reading every answer.
    return tallied_summary(EvaluationTally.objects.filter(session__trainers=trainer))
