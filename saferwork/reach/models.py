"""Reach as counts only: one tally per delivered session, written when attendance is recorded.

The dashboard and its exports read these tables and nothing else about people, so
erasing participants (on schedule or on request) never changes a number. A tally keeps
the session's id as a plain number, not a foreign key: it must outlive the session's
personal data, and it holds nothing that could name anyone.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from saferwork.organisations.models import Organisation, OrganisationScopedQuerySet


class SessionTally(models.Model):
    session_id = models.PositiveIntegerField(unique=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="reach_tallies")
    region = models.CharField(max_length=100, blank=True, db_index=True)
    mode = models.CharField(max_length=20)
    month = models.DateField(db_index=True)  # first day of the month the session ran
    attendees = models.PositiveIntegerField(default=0)
    trainers = models.ManyToManyField("training.TrainerProfile", blank=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["month", "id"]
        indexes = [models.Index(fields=["organisation", "month"])]

    def __str__(self) -> str:
        return f"Reach tally for session {self.session_id}"


class PositionTally(models.Model):
    tally = models.ForeignKey(SessionTally, on_delete=models.CASCADE, related_name="positions")
    position = models.CharField(max_length=30)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tally", "position"], name="one_count_per_position")]
        indexes = [models.Index(fields=["position"])]

    def __str__(self) -> str:
        return f"{self.count} × {self.position}"


class DataAccessToken(models.Model):
    """A link emailed to a participant so they can download or erase their data (no account)."""

    # Kept in the clear only while the link lives (a day); the daily erasure removes it.
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return "Data access link"

    @property
    def expired(self) -> bool:
        return timezone.now() >= self.expires_at
