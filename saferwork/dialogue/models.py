"""Leadership dialogue: cohorts of live sessions, private action plans, coaching, a community of practice.

Three kinds of record here are private to one person and sealed at rest
(``saferwork.lib.sealed``, padded to a fixed size so a row's length says nothing):

* a participant's **action plan items** (:class:`PlanItem`): only their owner reads them,
  and the one coach they choose to share an item with;
* a coach's **coaching notes** (:class:`CoachingNote`): only that coach reads them;
* an item **waiting to be promoted** anonymously into the actions hub
  (:class:`PendingPromotion`): it carries no link to the person at all.

Access is decided by the selectors (every read is scoped to the person); the seal means a
database dump or a backup does not show the words either.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from saferwork.lib import sealed
from saferwork.organisations.models import OrganisationOwned
from saferwork.training.models import (
    SESSION_END_DEFAULT,
    SESSION_START_DEFAULT,
    CalendarEventMixin,
    DeliveryMode,
    Position,
)

# Padded sizes of the sealed values. JSON escapes non-ASCII characters as \uXXXX (six bytes
# each), so a size allows the longest text the forms accept in any script.
PLAN_TEXT_MAX = 300
PLAN_SEAL_SIZE = 4096
NOTE_TEXT_MAX = 2000
NOTE_SEAL_SIZE = 12800
PLAN_PURPOSE = "dialogue-plan"
NOTE_PURPOSE = "dialogue-note"
PROMOTION_PURPOSE = "dialogue-promote"


def _zone(name: str) -> dt.tzinfo:
    return zoneinfo.ZoneInfo(name)


class Cohort(OrganisationOwned):
    """A leadership dialogue programme: a group that meets for several live sessions."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=2000)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class CohortMember(OrganisationOwned):
    """A person in a cohort, with what the power-dynamics check needs (the same fields as a
    training participant: position, and who among them line manages them)."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    position = models.CharField("Position", max_length=30, choices=Position.choices)
    managed_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="manages",
        verbose_name="Line managed by someone in the cohort",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CONFIRMED)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["cohort", "user"], name="dialogue_one_place_per_cohort")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return str(self.user)


class CohortSession(CalendarEventMixin, OrganisationOwned):
    """One live session of a cohort; its calendar invite updates in place (UID, SEQUENCE)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(max_length=200)
    date = models.DateField()
    start_time = models.TimeField(default=SESSION_START_DEFAULT)
    end_time = models.TimeField(default=SESSION_END_DEFAULT)
    mode = models.CharField(max_length=20, choices=DeliveryMode.choices)
    meeting_link = models.URLField("Meeting link", blank=True)
    venue = models.CharField(max_length=300, blank=True)
    pre_reading = models.TextField("Pre-reading", blank=True, max_length=4000)
    pre_reading_link = models.URLField("Pre-reading link", blank=True)
    prompts = models.TextField("Discussion prompts for the facilitator", blank=True, max_length=4000)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)

    class Meta:
        ordering = ["date", "start_time", "id"]

    def __str__(self) -> str:
        return f"{self.title} on {self.date:%-d %B %Y}"

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    def starts_at(self) -> dt.datetime:
        return dt.datetime.combine(self.date, self.start_time, tzinfo=_zone(self.organisation.time_zone))

    def ends_at(self) -> dt.datetime:
        return dt.datetime.combine(self.date, self.end_time, tzinfo=_zone(self.organisation.time_zone))

    @property
    def location(self) -> str:
        return (self.meeting_link or "Online") if self.mode == DeliveryMode.ONLINE else self.venue

    @property
    def prompt_lines(self) -> list[str]:
        return [line.strip() for line in self.prompts.splitlines() if line.strip()]


class Attendance(OrganisationOwned):
    session = models.ForeignKey(CohortSession, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(CohortMember, on_delete=models.CASCADE, related_name="attendance")
    attended = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "member"], name="dialogue_one_mark_per_session")]

    def __str__(self) -> str:
        return "Attendance"


class Coach(OrganisationOwned):
    """A member a coordinator has made a coach (the flag lives here, not on the membership)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    active = models.BooleanField(default=True)
    max_participants = models.PositiveIntegerField(default=6)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="dialogue_one_coach_per_person")]

    def __str__(self) -> str:
        return str(self.user)


class CoachMatch(OrganisationOwned):
    """Which coach a participant works with (one coach per participant per organisation)."""

    coach = models.ForeignKey(Coach, on_delete=models.CASCADE, related_name="matches")
    participant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "participant"], name="dialogue_one_coach_per_participant")
        ]

    def __str__(self) -> str:
        return "Coaching match"


class CoachingSlot(CalendarEventMixin, OrganisationOwned):
    """A time a coach offers; a matched participant books it. Its invite updates in place."""

    coach = models.ForeignKey(Coach, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    where = models.CharField("Where or meeting link", max_length=300)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled = models.BooleanField(default=False)

    class Meta:
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return "Coaching session"

    def held(self, now: dt.datetime | None = None) -> bool:
        return bool(self.booked_by_id) and not self.cancelled and self.ends_at <= (now or timezone.now())


class SealedText(models.Model):
    """A record whose words are sealed at rest; ``values`` opens them."""

    sealed = models.BinaryField()

    PURPOSE = ""
    SIZE = 0

    class Meta:
        abstract = True

    def seal(self, values: dict[str, Any]) -> None:
        self.sealed = sealed.seal_json(self.PURPOSE, values, size=self.SIZE)

    @property
    def values(self) -> dict[str, Any]:
        cached = self.__dict__.get("_values")
        if cached is None:
            cached = sealed.unseal_json(self.PURPOSE, self.sealed) if self.sealed else {}
            self.__dict__["_values"] = cached
        return cached

    def forget(self) -> None:
        self.__dict__.pop("_values", None)


class PlanItem(SealedText, OrganisationOwned):
    """One action a participant sets themselves: what, by when, how they will know.

    Private by default. ``shared_with`` is the one coach who may read it (the owner's
    choice); ``promoted`` says an anonymous copy has gone towards the actions hub, and
    nothing here says which action it became.
    """

    PURPOSE = PLAN_PURPOSE
    SIZE = PLAN_SEAL_SIZE

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    shared_with = models.ForeignKey(Coach, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    promoted = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        # Never the words: this string lands in audit entries and logs.
        return "Action plan item"

    @property
    def what(self) -> str:
        return str(self.values.get("what", ""))

    @property
    def how(self) -> str:
        return str(self.values.get("how", ""))

    @property
    def done(self) -> bool:
        return bool(self.values.get("done", False))

    @property
    def due_on(self) -> dt.date | None:
        value = self.values.get("due_on")
        return dt.date.fromisoformat(value) if value else None


class CoachingNote(SealedText, OrganisationOwned):
    """What a coach keeps about one session. Only that coach reads it."""

    PURPOSE = NOTE_PURPOSE
    SIZE = NOTE_SEAL_SIZE

    slot = models.OneToOneField(CoachingSlot, on_delete=models.CASCADE, related_name="note")
    coach = models.ForeignKey(Coach, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return "Coaching note"

    @property
    def text(self) -> str:
        return str(self.values.get("text", ""))


class PendingPromotion(SealedText):
    """An action plan item on its way, anonymously, into the organisation's actions hub.

    It holds the organisation, the day it was asked for and the sealed words; nothing names
    the person, their plan item or their cohort. A random key and no timestamp keep the
    row from being ordered against the participant's other activity, and
    ``services.fold_promotions`` turns a batch of them into actions at once, shuffled, a
    day or more later (see its docstring).
    """

    PURPOSE = PROMOTION_PURPOSE
    SIZE = PLAN_SEAL_SIZE

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    def __str__(self) -> str:
        return "Pending promotion"


class Thread(OrganisationOwned):
    """A conversation in the community of practice: the cohort's space, or the organisation's
    (``cohort`` empty). Its first post says what it is about."""

    cohort = models.ForeignKey(Cohort, null=True, blank=True, on_delete=models.CASCADE, related_name="threads")
    title = models.CharField(max_length=150)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Post(OrganisationOwned):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)
    hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Post in “{self.thread.title}”"


class PostReport(OrganisationOwned):
    """Someone asked the moderators to look at a post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    resolved = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return "Post report"
