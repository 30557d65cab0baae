"""Actions: who does what by when, with evidence, answering a source anywhere in SaferWork."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models

from saferwork.actions import sources
from saferwork.organisations.models import OrganisationOwned


class Action(OrganisationOwned):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    OPEN = (Status.NOT_STARTED, Status.IN_PROGRESS)

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=4000)
    # Free text until an organisation-wide list of departments exists.
    department = models.CharField(max_length=100, blank=True)
    # A member of the organisation (checked by the services). An account that is deleted
    # leaves the action without an owner rather than deleting it.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    # The day it became done or cancelled, in the organisation's time zone (for the duty record).
    closed_on = models.DateField(null=True, blank=True)
    # See saferwork.actions.sources: a registered kind, an opaque reference, a label snapshot.
    source_kind = models.CharField(max_length=40, default=sources.MANUAL)
    source_ref = models.CharField(max_length=64, blank=True)
    source_label = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The organisation's day of the last overdue reminder: at most one a day.
    last_reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["organisation", "status", "due_on"], name="action_org_status_due"),
            models.Index(fields=["organisation", "source_kind", "source_ref"], name="action_org_source"),
            models.Index(fields=["organisation", "owner"], name="action_org_owner"),
            # The duty record lists the actions done in a period by the day they closed.
            models.Index(fields=["organisation", "status", "closed_on"], name="action_org_status_closed"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open and self.due_on < today

    @property
    def source_kind_label(self) -> str:
        return sources.label_of(self.source_kind)


def evidence_path(instance: Evidence, filename: str) -> str:
    # A random name: the uploaded name is kept only as a label, never as a path.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"actions/evidence/{uuid.uuid4().hex}.{extension}"


class Evidence(OrganisationOwned):
    """A file (cleaned of its metadata) or a link that shows an action was carried out."""

    class Kind(models.TextChoices):
        FILE = "file", "File"
        LINK = "link", "Link"

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    label = models.CharField(max_length=200, blank=True)
    file = models.FileField(upload_to=evidence_path, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    url = models.CharField(max_length=500, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_on = models.DateField()

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return self.label or self.file_name or self.url

    @property
    def is_external(self) -> bool:
        return self.url.startswith(("http://", "https://"))


class ReadAccess(OrganisationOwned):
    """Read-only access to the whole hub, given by a leader or coordinator to a member who
    holds no managing role: typically the organisation's union safety representatives.
    They see every action and its evidence; they change nothing (unless they own one)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=200, default="Union safety representative")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="one_actions_read_access")]
        verbose_name_plural = "read access to actions"

    def __str__(self) -> str:
        return f"Read access to actions of {self.organisation} for {self.user}"
