"""Reads that dialogue pages share: who may see what, scoped fetches, figures for the organisation.

Every fetch goes through the current membership's organisation and raises 404 when the
person may not see the thing, so nothing tells them it exists. Private records (plan
items, coaching notes) are fetched only through their owner (or the one coach an item is
shared with): no role, not a coordinator nor a programme admin, widens that.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from saferwork.actions.selectors import today_for
from saferwork.dialogue.models import (
    Attendance,
    Coach,
    CoachingNote,
    CoachingSlot,
    CoachMatch,
    Cohort,
    CohortMember,
    CohortSession,
    PlanItem,
    Post,
    PostReport,
    Thread,
)
from saferwork.lib import suppression
from saferwork.organisations.models import Membership, Organisation
from saferwork.organisations.permissions import membership_has
from saferwork.reporting.selectors import public_route_path
from saferwork.training.selectors import power_dynamics_warnings

THRESHOLD = 5


def membership(request: HttpRequest) -> Membership:
    found = getattr(request, "membership", None)
    if found is None:
        raise Http404
    return cast(Membership, found)


def is_coordinator(request: HttpRequest) -> bool:
    return membership_has(getattr(request, "membership", None), "is_coordinator")


def sees_figures(request: HttpRequest) -> bool:
    found = getattr(request, "membership", None)
    return membership_has(found, "is_coordinator") or membership_has(found, "is_leader")


def reporting_url(organisation: Organisation) -> str:
    return public_route_path(organisation) or ""


# ---------------------------------------------------------------- cohorts and sessions


@dataclass(frozen=True)
class CohortAccess:
    cohort: Cohort
    manages: bool  # a coordinator: changes the cohort, its people and sessions
    facilitates: bool  # the facilitator (or a coordinator): prompts, attendance, moderation
    member: CohortMember | None


def visible_cohorts(request: HttpRequest) -> QuerySet[Cohort]:
    found = membership(request)
    cohorts = Cohort.objects.for_organisation(found.organisation)
    if is_coordinator(request):
        return cast(QuerySet[Cohort], cohorts)
    return cast(
        QuerySet[Cohort],
        cohorts.filter(
            Q(facilitator=request.user) | Q(members__user=request.user, members__status=CohortMember.Status.CONFIRMED)
        ).distinct(),
    )


def get_cohort_for_user(request: HttpRequest, pk: int) -> CohortAccess:
    found = membership(request)
    cohort = (
        Cohort.objects.for_organisation(found.organisation)
        .select_related("organisation", "facilitator")
        .filter(pk=pk)
        .first()
    )
    if cohort is None:
        raise Http404
    member = cohort.members.filter(user=request.user, status=CohortMember.Status.CONFIRMED).first()
    manages = is_coordinator(request)
    facilitates = manages or cohort.facilitator_id == request.user.pk
    if not (facilitates or member):
        raise Http404
    return CohortAccess(cohort=cohort, manages=manages, facilitates=facilitates, member=member)


def get_session_for_user(request: HttpRequest, pk: int) -> tuple[CohortSession, CohortAccess]:
    found = membership(request)
    session = CohortSession.objects.for_organisation(found.organisation).filter(pk=pk).first()
    if session is None:
        raise Http404
    access = get_cohort_for_user(request, session.cohort_id)
    session.cohort = access.cohort
    session.organisation = access.cohort.organisation
    return session, access


def cohort_members(cohort: Cohort) -> list[CohortMember]:
    return list(cohort.members.exclude(status=CohortMember.Status.WITHDRAWN).select_related("user", "managed_by__user"))


def cohort_warnings(cohort: Cohort, members: list[CohortMember] | None = None) -> list[str]:
    """Training's power-dynamics check, on the cohort's people (the same fields it reads)."""
    people = members if members is not None else cohort_members(cohort)
    return [w.replace("This session mixes", "This cohort mixes") for w in power_dynamics_warnings(cast(Any, people))]


def sessions_of(cohort: Cohort) -> QuerySet[CohortSession]:
    return cast(QuerySet[CohortSession], cohort.sessions.select_related("organisation"))


def attendance_for(session: CohortSession) -> dict[int, bool]:
    return dict(Attendance.objects.filter(session=session).values_list("member_id", "attended"))


def possible_members(organisation: Organisation) -> QuerySet[Any]:
    from saferwork.accounts.models import User

    return User.objects.filter(memberships__organisation=organisation, is_active=True).order_by("full_name", "email")


# ---------------------------------------------------------------- action plans


def own_plan(request: HttpRequest) -> list[PlanItem]:
    found = membership(request)
    return list(
        PlanItem.objects.for_organisation(found.organisation)
        .filter(owner=request.user)
        .select_related("shared_with__user")
    )


def get_own_item(request: HttpRequest, pk: int) -> PlanItem:
    """A plan item, for its owner only: anyone else, whatever their role, gets a 404."""
    found = membership(request)
    item = PlanItem.objects.for_organisation(found.organisation).filter(pk=pk, owner=request.user).first()
    if item is None:
        raise Http404
    return cast(PlanItem, item)


def shared_with_me(coach: Coach) -> list[PlanItem]:
    """Plan items their owners chose to share with this coach, while the owner is still matched to them."""
    matched = CoachMatch.objects.filter(coach=coach).values("participant_id")
    return list(
        PlanItem.objects.for_organisation(coach.organisation)
        .filter(shared_with=coach, owner_id__in=matched)
        .select_related("owner")
    )


# ---------------------------------------------------------------- coaching


def coach_for(request: HttpRequest) -> Coach | None:
    found = getattr(request, "membership", None)
    if found is None:
        return None
    return cast(
        Coach | None,
        Coach.objects.for_organisation(found.organisation)
        .filter(user=request.user, active=True)
        .select_related("user")
        .first(),
    )


def my_match(request: HttpRequest) -> CoachMatch | None:
    found = getattr(request, "membership", None)
    if found is None:
        return None
    return cast(
        CoachMatch | None,
        CoachMatch.objects.for_organisation(found.organisation)
        .filter(participant=request.user, coach__active=True)
        .select_related("coach__user")
        .first(),
    )


def coaches_with_load(organisation: Organisation) -> QuerySet[Coach]:
    return cast(
        QuerySet[Coach],
        Coach.objects.for_organisation(organisation).select_related("user").annotate(load=Count("matches")),
    )


def rank_coaches(organisation: Organisation, participant: Any) -> list[Coach]:
    """Coaches a participant could be matched to, the best first: room left, then the lightest
    load; a coach who is in a cohort with the participant and line manages them is left out
    (the same concern as training's power-dynamics check)."""
    managers = set(
        CohortMember.objects.for_organisation(organisation)
        .filter(manages__user=participant)
        .values_list("user_id", flat=True)
    )
    coaches = [
        c
        for c in coaches_with_load(organisation).filter(active=True).exclude(user=participant)
        if c.user_id not in managers and c.load < c.max_participants  # type: ignore[attr-defined]
    ]
    return sorted(coaches, key=lambda c: (c.load, str(c.user)))  # type: ignore[attr-defined]


def get_slot_for_user(request: HttpRequest, pk: int) -> tuple[CoachingSlot, bool]:
    """A slot for its coach (True) or for the participant who booked it (False); else 404."""
    found = membership(request)
    slot = (
        CoachingSlot.objects.for_organisation(found.organisation)
        .select_related("coach__user", "organisation", "booked_by")
        .filter(pk=pk)
        .first()
    )
    if slot is None:
        raise Http404
    if slot.coach.user_id == request.user.pk:
        return slot, True
    if slot.booked_by_id == request.user.pk:
        return slot, False
    raise Http404


def get_bookable_slot(request: HttpRequest, pk: int) -> CoachingSlot:
    """A free, future slot of the person's own coach."""
    match = my_match(request)
    if match is None:
        raise Http404
    slot = (
        CoachingSlot.objects.for_organisation(match.organisation)
        .filter(pk=pk, coach=match.coach, booked_by__isnull=True, cancelled=False, starts_at__gt=timezone.now())
        .select_related("coach__user", "organisation")
        .first()
    )
    if slot is None:
        raise Http404
    return cast(CoachingSlot, slot)


def own_note(slot: CoachingSlot, coach: Coach) -> CoachingNote | None:
    """The note on a slot, only when ``coach`` is the slot's coach."""
    if slot.coach_id != coach.pk:
        return None
    return cast(CoachingNote | None, CoachingNote.objects.filter(slot=slot, coach=coach).first())


# ---------------------------------------------------------------- community of practice


@dataclass(frozen=True)
class SpaceAccess:
    organisation: Organisation
    cohort: Cohort | None
    moderates: bool


def space_for(request: HttpRequest, cohort_pk: int | None) -> SpaceAccess:
    found = membership(request)
    if cohort_pk is None:
        return SpaceAccess(found.organisation, None, is_coordinator(request))
    access = get_cohort_for_user(request, cohort_pk)
    return SpaceAccess(found.organisation, access.cohort, access.facilitates)


def threads_in(space: SpaceAccess, *, moderator: bool) -> QuerySet[Thread]:
    threads = Thread.objects.for_organisation(space.organisation).filter(cohort=space.cohort)
    visible_posts = Q() if moderator else Q(posts__hidden=False)
    return cast(
        QuerySet[Thread],
        threads.select_related("author").annotate(replies=Count("posts", filter=visible_posts)).filter(replies__gt=0),
    )


def get_thread_for_user(request: HttpRequest, pk: int) -> tuple[Thread, SpaceAccess]:
    found = membership(request)
    thread = Thread.objects.for_organisation(found.organisation).select_related("cohort").filter(pk=pk).first()
    if thread is None:
        raise Http404
    space = space_for(request, thread.cohort_id)
    return thread, space


def get_post_for_user(request: HttpRequest, pk: int) -> tuple[Post, SpaceAccess]:
    found = membership(request)
    post = Post.objects.for_organisation(found.organisation).select_related("thread").filter(pk=pk).first()
    if post is None:
        raise Http404
    _, space = get_thread_for_user(request, post.thread_id)
    if post.hidden and not space.moderates:
        raise Http404
    return post, space


def posts_in(thread: Thread, *, moderator: bool) -> QuerySet[Post]:
    posts = thread.posts.select_related("author").annotate(
        open_reports=Count("reports", filter=Q(reports__resolved=False))
    )
    return cast(QuerySet[Post], posts if moderator else posts.filter(hidden=False))


def moderation_queue(request: HttpRequest) -> QuerySet[PostReport]:
    """Open reports on posts in the spaces this person moderates."""
    found = membership(request)
    reports = PostReport.objects.for_organisation(found.organisation).filter(resolved=False)
    if not is_coordinator(request):
        reports = reports.filter(post__thread__cohort__facilitator=request.user)
    return cast(QuerySet[PostReport], reports.select_related("post__thread", "reported_by"))


# ---------------------------------------------------------------- what the organisation sees


@dataclass(frozen=True)
class Figures:
    sessions_held: int
    attendances: suppression.Cell
    coaching_held: suppression.Cell
    threads: int

    @property
    def footnote(self) -> str:
        return suppression.footnote(THRESHOLD)


def figures(organisation: Organisation, start: dt.date | None = None, end: dt.date | None = None) -> Figures:
    """Counts for the organisation: sessions held are its own acts (exact); attendances and
    coaching sessions are about people and pass through suppression. Four queries."""
    today = today_for(organisation)
    sessions = CohortSession.objects.for_organisation(organisation).exclude(status=CohortSession.Status.CANCELLED)
    sessions = sessions.filter(date__lt=today)
    attendance = Attendance.objects.for_organisation(organisation).filter(attended=True, session__date__lt=today)
    now = timezone.now()
    coaching = CoachingSlot.objects.for_organisation(organisation).filter(
        booked_by__isnull=False, cancelled=False, ends_at__lte=now
    )
    if start and end:
        sessions = sessions.filter(date__range=(start, end))
        attendance = attendance.filter(session__date__range=(start, end))
        coaching = coaching.filter(starts_at__date__range=(start, end))
    people = suppression.suppress_counts(
        {"attendances": attendance.count(), "coaching": coaching.count()}, threshold=THRESHOLD, with_total=False
    )
    return Figures(
        sessions_held=sessions.count(),
        attendances=people.cells["attendances"],
        coaching_held=people.cells["coaching"],
        threads=Thread.objects.for_organisation(organisation).count(),
    )
