"""Self-paced learning: modules of our own server-rendered steps, enrolments and completion.

* A :class:`Module` is shared by the programme (``organisation`` empty, authored by
  programme admins) or an organisation's own (authored by its coordinators).
* Its content lives in :class:`ModuleVersion` rows. Authors edit a draft; publishing
  freezes it (a published version and its steps refuse every change) and the next edit
  starts a new draft from a copy. A learner keeps the version they started.
* A learner's **reflections** (:class:`Reflection`) are sealed at rest like dialogue's plan
  items (``saferwork.lib.sealed``, padded to a fixed size) and are fetched only through
  their owner: no role reads them.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from saferwork.dialogue.models import SealedText
from saferwork.organisations.models import Organisation, OrganisationOwned

REFLECTION_TEXT_MAX = 2000
REFLECTION_SEAL_SIZE = 12800
REFLECTION_PURPOSE = "learning-reflect"


def new_slug() -> str:
    return secrets.token_hex(6)


class Frozen(Exception):
    """A published version (or one of its steps) cannot change."""


class Module(models.Model):
    """A self-paced module: shared by the programme, or one organisation's own."""

    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="learning_modules"
    )
    # Stable name for a badge's achievement and the starter loader; random for new modules.
    slug = models.SlugField(max_length=80, unique=True, default=new_slug)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        latest = self.versions.order_by("-number").first()
        return latest.title if latest else "Module"

    @property
    def is_shared(self) -> bool:
        return self.organisation_id is None


class ModuleVersion(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    summary = models.TextField(max_length=1000, blank=True)
    minutes = models.PositiveIntegerField("About how many minutes it takes", default=15)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["module_id", "number"]
        constraints = [models.UniqueConstraint(fields=["module", "number"], name="learning_one_version_number")]

    def __str__(self) -> str:
        return f"{self.title} (version {self.number})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk and ModuleVersion.objects.filter(pk=self.pk, published_at__isnull=False).exists():
            raise Frozen("A published version cannot change: edit a new draft.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.is_published:
            raise Frozen("A published version cannot be deleted.")
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class StepKind(models.TextChoices):
    CONTENT = "content", "Reading"
    MEDIA = "media", "Video or audio"
    SCENARIO = "scenario", "Scenario"
    CHECK = "check", "Knowledge check"
    REFLECTION = "reflection", "Reflection"


class Step(models.Model):
    """One page of a module.

    ``body`` is Markdown (rendered and sanitised by ``saferwork.learning.markdown``): the
    reading itself, or the introduction of a scenario, check, media or reflection step.
    ``data`` holds what a kind needs:

    * scenario: ``{"choices": [{"label", "feedback", "next"}]}``; ``next`` is the position
      of the step the choice leads to (empty: the following step);
    * check: ``{"pass_mark": percent, "questions": [{"text", "options", "correct", "feedback"}]}``;
    * reflection: ``{"prompt": ...}``.

    A media step keeps its file, WebVTT captions and transcript in our own storage.
    """

    version = models.ForeignKey(ModuleVersion, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=StepKind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=20000, blank=True)
    data = models.JSONField(default=dict, blank=True)
    media_name = models.CharField(max_length=200, blank=True)
    media_type = models.CharField(max_length=60, blank=True)
    captions_name = models.CharField(max_length=200, blank=True)
    transcript = models.TextField(max_length=40000, blank=True)

    class Meta:
        ordering = ["version_id", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "position"], name="learning_one_step_per_position")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        if ModuleVersion.objects.filter(pk=self.version_id, published_at__isnull=False).exists():
            raise Frozen("A published version's steps cannot change: edit a new draft.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if ModuleVersion.objects.filter(pk=self.version_id, published_at__isnull=False).exists():
            raise Frozen("A published version's steps cannot be deleted.")
        return super().delete(*args, **kwargs)

    @property
    def choices(self) -> list[dict[str, Any]]:
        return list(self.data.get("choices", []))

    @property
    def questions(self) -> list[dict[str, Any]]:
        return list(self.data.get("questions", []))

    @property
    def pass_mark(self) -> int:
        return int(self.data.get("pass_mark", 100))

    @property
    def prompt(self) -> str:
        return str(self.data.get("prompt", ""))


class ModuleOffer(OrganisationOwned):
    """A module an organisation has opened to all its members."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="offers")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "module"], name="learning_one_offer")]

    def __str__(self) -> str:
        return "Module open to all members"


class Enrolment(OrganisationOwned):
    """One person taking one module in one organisation.

    Assigned by email (``user`` empty until that person signs in to the organisation) or
    taken up from a module open to all. ``version`` is fixed when they start.
    ``department`` is the organisation's department (the surveys' list) for the
    suppressed completion report.
    """

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="enrolments")
    email = models.EmailField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    department = models.ForeignKey(
        "surveys.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.ForeignKey(ModuleVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    # False: the learner took up a module open to all members (nobody assigned it).
    assigned = models.BooleanField(default=True)
    # Optional, in the organisation's days; reminders go to those not finished as it nears.
    due_on = models.DateField(null=True, blank=True)
    last_reminded_on = models.DateField(null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(default=0)
    # Set when a coordinator removes an assignment the learner had already started: the
    # learner keeps their progress (and reflections) but it leaves reports and reminders.
    unassigned_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Where the learner resumes, and the furthest step they have reached (they may go back).
    current_position = models.PositiveIntegerField(default=1)
    furthest_position = models.PositiveIntegerField(default=1)
    completed_at = models.DateTimeField(null=True, blank=True)
    credential_id = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "module", "email"], name="learning_one_enrolment")
        ]
        # Covers the completion report's GROUP BY: counting completions reads only the index.
        indexes = [
            models.Index(
                fields=["organisation", "department", "module", "completed_at"],
                condition=models.Q(unassigned_at__isnull=True),
                name="learning_report_current",
            )
        ]

    def __str__(self) -> str:
        return "Enrolment"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None

    @property
    def is_current(self) -> bool:
        """Still assigned (or taken up): counted in reports and reminded."""
        return self.unassigned_at is None


class StepProgress(OrganisationOwned):
    """What a learner has done on one step: completion, their scenario choice, check attempts."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="progress")
    step = models.ForeignKey(Step, on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)
    choice = models.IntegerField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    score = models.PositiveIntegerField(null=True, blank=True)
    passed = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrolment", "step"], name="learning_one_progress_per_step")]

    def __str__(self) -> str:
        return "Step progress"


class Reflection(SealedText, OrganisationOwned):
    """A learner's private free text on a reflection step. Only they read it."""

    PURPOSE = REFLECTION_PURPOSE
    SIZE = REFLECTION_SEAL_SIZE

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="reflections")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    step = models.ForeignKey(Step, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrolment", "step"], name="learning_one_reflection")]

    def __str__(self) -> str:
        # Never the words: this string may land in audit entries and logs.
        return "Reflection"

    @property
    def text(self) -> str:
        return str(self.values.get("text", ""))

    def clean(self) -> None:
        if self.owner_id and self.enrolment_id and self.enrolment.user_id != self.owner_id:
            raise ValidationError("A reflection belongs to the learner of its enrolment.")
