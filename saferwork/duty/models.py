"""Checklists kept as versioned data files, and the policy audits organisations answer against them.

A :class:`Checklist` row is one version of one file in ``saferwork/duty/checklists/``,
loaded by ``manage.py load_checklists``; its items never change once loaded (an audit
answered against them must keep meaning what it meant), so a correction is a new version.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from saferwork.organisations.models import OrganisationOwned


class OrganisationSize(models.TextChoices):
    SMALL = "small", "Fewer than 50 workers"
    MEDIUM = "medium", "50 to 249 workers"
    LARGE = "large", "250 workers or more"


class Checklist(models.Model):
    """One version of a checklist file. Programme-wide data, like dated law."""

    key = models.SlugField(max_length=60)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    source_title = models.CharField(max_length=300, blank=True)
    source_url = models.CharField(max_length=500, blank=True)
    # Old item id -> new item id, for answers carried over from the previous version.
    mapping = models.JSONField(default=dict, blank=True)
    file_name = models.CharField(max_length=200)
    content_hash = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key", "-version"]
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="one_checklist_version")]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"


class ChecklistItem(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    item_id = models.CharField(max_length=60)
    position = models.PositiveIntegerField()
    section = models.CharField(max_length=100)
    text = models.TextField()
    evidence = models.TextField(blank=True, help_text="Typical evidence that the item is met.")
    kinds = models.JSONField(default=list, help_text="Organisation kinds it applies to; empty means every kind.")
    sizes = models.JSONField(default=list, help_text="Organisation sizes it applies to; empty means every size.")
    applies_from = models.DateField()
    source_title = models.CharField(max_length=300)
    source_url = models.CharField(max_length=500, blank=True)
    source_paragraph = models.CharField(max_length=200, blank=True)
    confirmed = models.BooleanField(default=False)

    class Meta:
        ordering = ["checklist", "position"]
        constraints = [models.UniqueConstraint(fields=["checklist", "item_id"], name="one_item_id_per_version")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.text[:60]}"

    def applies_to(self, kind: str, size: str) -> bool:
        return (not self.kinds or kind in self.kinds) and (not self.sizes or size in self.sizes)


class PolicyAudit(OrganisationOwned):
    """An organisation's answers to one version of a checklist, dated and kept."""

    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="audits")
    size = models.CharField(max_length=10, choices=OrganisationSize.choices)
    started_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    carried_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_on", "-id"]
        indexes = [models.Index(fields=["organisation", "completed_on"], name="duty_audit_org_completed")]

    def __str__(self) -> str:
        return f"{self.checklist.title}, started {self.started_on:%-d %B %Y}"

    @property
    def is_complete(self) -> bool:
        return self.completed_on is not None


def answer_evidence_path(instance: AuditAnswer, filename: str) -> str:
    # A random name: the uploaded name is kept only as a label, never as a path.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"duty/evidence/{uuid.uuid4().hex}.{extension}"


class AuditAnswer(OrganisationOwned):
    class Status(models.TextChoices):
        MET = "met", "Met"
        PARTLY = "partly", "Partly met"
        NOT_MET = "not_met", "Not met"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    GAPS = (Status.PARTLY, Status.NOT_MET)

    audit = models.ForeignKey(PolicyAudit, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices)
    note = models.TextField(blank=True, max_length=2000)
    evidence_file = models.FileField(upload_to=answer_evidence_path, blank=True)
    evidence_file_name = models.CharField(max_length=200, blank=True)
    evidence_content_type = models.CharField(max_length=100, blank=True)
    # A page on SaferWork ("/actions/12/") or elsewhere (https://...).
    evidence_url = models.CharField(max_length=500, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_on = models.DateField()
    # Carried over from an earlier audit and not yet looked at again.
    carried_over = models.BooleanField(default=False)

    class Meta:
        ordering = ["item__position"]
        constraints = [models.UniqueConstraint(fields=["audit", "item"], name="one_answer_per_item")]

    def __str__(self) -> str:
        return f"{self.item.item_id}: {self.get_status_display()}"

    @property
    def is_gap(self) -> bool:
        return self.status in self.GAPS
