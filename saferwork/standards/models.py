"""Behavioural standards and policies: documents an organisation publishes, people asked to
read and acknowledge each version, and the department each person is counted in.

* :class:`Document` is what the organisation calls its behavioural standards, its
  sexual-harassment policy or its managers' handbook; it has versions.
* :class:`DocumentVersion` is one text (Markdown, sanitised when saved) or PDF. It starts
  as a draft (``published_at`` empty) that only coordinators see and can change; once
  published it is immutable: a change is a new version, and a new version asks everyone
  again. A published version can be withdrawn: nobody is asked or reminded any more, and
  its requests (who acknowledged it, and when) are kept.
* :class:`Request` is one person asked to read one version: when they first opened it and
  when they acknowledged it. One row per person per version.
* :class:`Placement` is the department a person is counted in for the organisation's
  reports (the organisation's survey departments, so the two read the same names). A
  request copies it when it is made, so a later move does not rewrite old figures.

Coordinators and leaders see these only as suppressed counts by department and by
document; nobody but the person sees their own request.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from saferwork.organisations.models import OrganisationOwned

BODY_MAX = 100_000


class Document(OrganisationOwned):
    class Kind(models.TextChoices):
        STANDARDS = "standards", "Behavioural standards"
        POLICY = "policy", "Sexual harassment policy"
        HANDBOOK = "handbook", "Managers' handbook"
        OTHER = "other", "Other"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    current_version = models.ForeignKey(
        "DocumentVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


def version_file_path(instance: DocumentVersion, filename: str) -> str:
    # A random name: the uploaded file's name is never a path.
    return f"standards/{uuid.uuid4().hex}.pdf"


class PublishedVersionChanged(ValidationError):
    pass


class DocumentVersion(OrganisationOwned):
    """One version of a document: a draft until published, immutable once published
    (``save`` refuses a change to a row already published; withdrawing only fills the
    withdrawal columns, through ``services.withdraw``)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    label = models.CharField("Version", max_length=40)
    summary = models.CharField("What changed", max_length=500, blank=True)
    body = models.TextField(blank=True, max_length=BODY_MAX)
    # The body rendered and sanitised once, when published (see ``markdown.render``).
    body_html = models.TextField(blank=True, editable=False)
    file = models.FileField(upload_to=version_file_path, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    saved_at = models.DateTimeField(default=timezone.now)
    # Empty while the version is a draft: never shown to members, nobody asked.
    published_at = models.DateTimeField(null=True, blank=True)
    # Published for everyone: people who join the organisation later are asked too.
    asks_everyone = models.BooleanField(default=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawal_reason = models.CharField(max_length=500, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["document", "label"], name="standards_one_version_label_per_document")
        ]

    def __str__(self) -> str:
        return f"{self.document.title}, version {self.label}"

    def _stored_as_draft(self) -> bool:
        return DocumentVersion.objects.filter(pk=self.pk, published_at__isnull=True).exists()

    def save(self, *args: Any, **kwargs: Any) -> None:
        # What the database holds decides, not this instance: a draft may be changed (and
        # published), a row already published never.
        if self.pk is not None and not kwargs.get("force_insert") and not self._stored_as_draft():
            raise PublishedVersionChanged("A published version cannot be changed: publish a new version.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.pk is None or not self._stored_as_draft():
            raise PublishedVersionChanged("A published version cannot be deleted.")
        return super().delete(*args, **kwargs)

    @property
    def is_pdf(self) -> bool:
        return bool(self.file)

    @property
    def is_draft(self) -> bool:
        return self.published_at is None

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class Placement(OrganisationOwned):
    """The department a member is counted in for this organisation's reports."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey("surveys.Department", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="standards_one_placement")]

    def __str__(self) -> str:
        return "Department placement"


class Request(OrganisationOwned):
    """One person asked to read and acknowledge one version."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(
        "surveys.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    asked_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    last_reminded_on = models.DateField(null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["version", "user"], name="standards_one_request_per_version")]
        indexes = [models.Index(fields=["version", "acknowledged_at"]), models.Index(fields=["user", "version"])]

    def __str__(self) -> str:
        return "Request to acknowledge"

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None
