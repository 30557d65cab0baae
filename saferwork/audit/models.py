from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEntry(models.Model):
    """One thing that happened to protected data. Append-only: nothing edits an entry."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=100, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "-created_at"]),
            # The log's own order, newest first: a page is read off the index, not sorted.
            models.Index(fields=["-created_at", "-id"], name="audit_entry_newest_idx"),
            # One action's entries newest first (the "action contains" filter resolves to
            # actions first, views._actions_containing), and the distinct actions by skipping.
            models.Index(fields=["action", "-created_at", "-id"], name="audit_entry_action_newest_idx"),
        ]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"


class PendingReporterEntry(models.Model):
    """Something a reporter did, waiting for the daily fold into :class:`AuditEntry`.

    A reporter's action must not be orderable against other activity (DESIGN.md, "Metadata
    is data"): written straight into the log, its sequential id and physical position
    would sit between handlers' entries with exact times, and the two entries of a share
    would sit side by side. So it waits here, with a random key and the day only, and
    ``audit.services.fold_reporter_actions`` moves a whole day's entries into the log at
    once, in shuffled order, dated to midnight.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    day = models.DateField()
    action = models.CharField(max_length=100)
    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name_plural = "pending reporter entries"

    def __str__(self) -> str:
        return f"{self.day} {self.action}"
