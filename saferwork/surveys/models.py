"""Climate surveys: a question bank, waves built from it, and answers that cannot be traced.

Anonymity rests on the shape of these tables, as for delivery's evaluations (see
``saferwork.delivery.models``), extended to multi-page answering:

* ``Invitation`` holds an address only while it is unused, to send reminders; the plain
  token exists only in the email. Using it *deletes* the row and writes a
  ``SpentInvitation`` that holds a hash and nothing else (no department, no address, no
  time), in a transaction of its own, so no live row of the answering shares its
  transaction id.
* ``Draft`` is an answer in progress, keyed by the hash of a resume code that only the
  respondent's browser (a cookie, or the code written down) holds. No time, no person.
* ``Response`` and ``Answer`` have random UUID keys, no time finer than the wave (they
  carry none at all: the wave is the time) and no link to a token, a draft or a person.
  Finished responses wait unreleased until a group of the score threshold is in *in
  their department*; the group is then written again in one go, shuffled, under fresh
  keys (``release``), so ids, physical order and ``xmin`` say at most "one of these N
  in this department", N never below the threshold. Closing a wave turns unfinished
  drafts into responses and writes the whole wave again as one shuffled group.
* Nothing about answering is audited or queued: an audit row or a task with a time and a
  wave would be the very link this avoids.

Settings that decide who can be told apart (the thresholds, the departments, the
questions and their conditions) are checked in ``save`` and ``delete`` as well as in the
services: once a wave has launched its thresholds are fixed, and once anyone has started
answering nothing that changes anonymity can change, whichever path writes.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from saferwork.organisations.models import Organisation, OrganisationScopedQuerySet

MIN_THRESHOLD = 5
DEFAULT_THRESHOLD = 10


def new_token() -> str:
    return secrets.token_urlsafe(24)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_resume_code() -> str:
    """Four groups of four letters and digits (about 80 bits), easy to copy down."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def normalise_resume_code(code: str) -> str:
    raw = "".join(c for c in code.upper() if c.isalnum())
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


class AnonymityLocked(ValidationError):
    """A change that would alter who can be told apart, refused after launch or answers."""


class Kind(models.TextChoices):
    SINGLE = "single", "Single choice"
    MULTIPLE = "multiple", "Multiple choice"
    SCALE = "scale", "5-point scale"
    YES_NO = "yes_no", "Yes, no or prefer not to say"
    TEXT = "text", "Free text"


AGREE_SCALE = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
YES_NO_OPTIONS = ["Yes", "No", "Prefer not to say"]


class QuestionItem(models.Model):
    """One item of the question bank. ``code`` is stable across waves: results compare by it.

    Items with no organisation are the shared bank (loaded by a data migration); an
    organisation's own items belong to it alone. An item is never edited once a wave has
    used it: a new wording is a new item with a new code.
    """

    class Topic(models.TextChoices):
        BEHAVIOUR = "behaviour", "Behaviours experienced"
        WHO = "who", "Who did it"
        WHERE = "where", "Where it happened"
        REPORTING = "reporting", "Reporting and why not"
        CONFIDENCE = "confidence", "Confidence in the organisation's response"
        BYSTANDER = "bystander", "Seeing it happen to others"
        DEMOGRAPHIC = "demographic", "About you (optional)"
        OTHER = "other", "Other"

    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="survey_items"
    )
    code = models.SlugField(max_length=40, help_text="Stable across waves, for example BEH-COMMENTS.")
    topic = models.CharField(max_length=20, choices=Topic.choices, default=Topic.OTHER)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.CharField(max_length=400)
    hint = models.CharField(max_length=400, blank=True)
    options = models.JSONField(default=list, blank=True, help_text="The answers to choose from, in order.")
    source = models.CharField(max_length=200)
    licence = models.CharField(max_length=100)
    adapted_from = models.CharField(max_length=300, blank=True)
    is_sensitive = models.BooleanField(default=False, help_text="Demographics: always optional, never a filter alone.")

    class Meta:
        ordering = ["topic", "code"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="one_item_per_code_per_owner"),
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(organisation__isnull=True), name="one_bank_item_per_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.text}"

    def choices(self) -> list[tuple[int, str]]:
        """(value, label) pairs; values are 1-based positions, stable for the item's life."""
        if self.kind == Kind.YES_NO:
            labels = YES_NO_OPTIONS
        elif self.kind == Kind.SCALE:
            labels = list(self.options) or AGREE_SCALE
        else:
            labels = list(self.options)
        return [(n, label) for n, label in enumerate(labels, start=1)]


class SurveyQuerySet(OrganisationScopedQuerySet):
    pass


class Survey(models.Model):
    """One wave of a climate survey: built in draft, launched (thresholds fixed), closed."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Being built"
        LIVE = "live", "Open"
        CLOSED = "closed", "Closed"

    # Fields that decide who can be told apart: never changed after launch.
    LOCKED_AT_LAUNCH = ("score_threshold", "comment_threshold")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="surveys")
    title = models.CharField(max_length=200)
    wave = models.CharField(max_length=60, help_text="For example “Spring 2026”: the finest time an answer keeps.")
    introduction = models.TextField(blank=True)
    opens_on = models.DateField(null=True, blank=True)
    closes_on = models.DateField(null=True, blank=True)
    score_threshold = models.PositiveSmallIntegerField(
        default=DEFAULT_THRESHOLD, validators=[MinValueValidator(MIN_THRESHOLD)]
    )
    comment_threshold = models.PositiveSmallIntegerField(
        default=DEFAULT_THRESHOLD, validators=[MinValueValidator(MIN_THRESHOLD)]
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The wave before this one in the same series: results compare items by code with it.
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_waves")
    # Set once, when the first respondent starts: from then on the structure is fixed.
    has_answers = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.wave})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk:
            stored = Survey.objects.filter(pk=self.pk).values(*self.LOCKED_AT_LAUNCH, "status").first()
            if stored and stored["status"] != self.Status.DRAFT:
                changed = [n for n in self.LOCKED_AT_LAUNCH if stored[n] != getattr(self, n)]
                if changed:
                    raise AnonymityLocked(f"{', '.join(changed)} cannot change after launch.")
        for name in self.LOCKED_AT_LAUNCH:
            if getattr(self, name) < MIN_THRESHOLD:
                raise AnonymityLocked(f"A threshold can never be below {MIN_THRESHOLD}.")
        super().save(*args, **kwargs)

    def clean(self) -> None:
        for name in self.LOCKED_AT_LAUNCH:
            if getattr(self, name) is not None and getattr(self, name) < MIN_THRESHOLD:
                raise ValidationError({name: f"A threshold can never be below {MIN_THRESHOLD}."})
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": "The closing date must be on or after the opening date."})

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def thresholds_locked(self) -> bool:
        return self.status != self.Status.DRAFT

    def is_open_on(self, day: Any = None) -> bool:
        day = day or timezone.localdate()
        if self.status != self.Status.LIVE:
            return False
        if self.opens_on and day < self.opens_on:
            return False
        return not (self.closes_on and day > self.closes_on)


def _structure_guard(survey_id: int | None) -> None:
    if survey_id and Survey.objects.filter(pk=survey_id, has_answers=True).exists():
        raise AnonymityLocked("People have started answering: questions, sections and departments are fixed.")


class StructureGuarded(models.Model):
    """A part of a survey that decides who can be told apart: fixed once anyone has answered."""

    survey_id: int

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        _structure_guard(self.survey_id)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        _structure_guard(self.survey_id)
        return super().delete(*args, **kwargs)


class Department(models.Model):
    """A department of an organisation: stable across waves so that waves compare."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="survey_departments")
    name = models.CharField(max_length=120)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="one_department_per_name")]

    def __str__(self) -> str:
        return self.name


class SurveyDepartment(StructureGuarded):
    """A department taking part in a wave: its open link and how many were invited."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="departments")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    # A public link, the same for everyone in the department: stored as it is.
    open_link = models.CharField(max_length=40, unique=True, default=new_token)
    # Counts only: the staff list itself is not kept once invitations are sent.
    invited = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["department__name"]
        constraints = [models.UniqueConstraint(fields=["survey", "department"], name="department_once_per_survey")]

    def __str__(self) -> str:
        return f"{self.department} in {self.survey}"


class Section(StructureGuarded):
    """One page of the survey."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class Question(StructureGuarded):
    """An item placed in a wave, optionally shown only after a given answer to an earlier one."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    item = models.ForeignKey(QuestionItem, on_delete=models.PROTECT, related_name="uses")
    position = models.PositiveSmallIntegerField(default=0)
    show_if = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="dependants")
    show_if_values = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["section__position", "section_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["survey", "item"], name="item_once_per_survey")]

    def __str__(self) -> str:
        return self.item.code

    @property
    def field_name(self) -> str:
        return f"q{self.pk}"

    def shown_for(self, answers: dict[str, Any]) -> bool:
        if self.show_if_id is None:
            return True
        given = answers.get(str(self.show_if_id))
        given = given if isinstance(given, list) else [given]
        return any(v in self.show_if_values for v in given)


class Invitation(models.Model):
    """An unused one-time invitation. Deleted when used; every one left is deleted at close.

    The address is kept only so that a reminder can reach someone who has not answered;
    the token is minted in the worker and only its hash is stored.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    department = models.ForeignKey(SurveyDepartment, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    sent = models.BooleanField(default=False)
    reminders = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "email"], name="one_invitation_per_address")]

    def __str__(self) -> str:
        return f"Invitation to {self.survey}"


class SpentInvitation(models.Model):
    """That a link was used: its hash and the wave, nothing else (no department, no time)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return "A used invitation"


class Draft(models.Model):
    """Answers in progress, keyed by the hash of the respondent's resume code."""

    key = models.CharField(max_length=64, primary_key=True)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="drafts")
    department = models.ForeignKey(SurveyDepartment, on_delete=models.CASCADE, related_name="+")
    answers = models.JSONField(default=dict, blank=True)
    # Sections finished, by position in the survey's order.
    pages_done = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return "An answer in progress"


class Response(models.Model):
    """One person's answers, finished or kept at close. No time, no token, no person."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    department = models.ForeignKey(SurveyDepartment, on_delete=models.PROTECT, related_name="responses")
    finished = models.BooleanField(default=True)
    # Empty while waiting for a group of the threshold in its department; then the
    # group's number (all 1 once the wave has closed and been rewritten as one).
    release = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["id"]  # there is no arrival order to sort by, on purpose
        indexes = [models.Index(fields=["survey", "department"])]

    def __str__(self) -> str:
        return f"A response to {self.survey_id}"


class Answer(models.Model):
    """One answer of a response: a choice (1-based), or text. One row per choice ticked."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    choice = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)
    # Free text after a coordinator's redaction pass (``saferwork.surveys.comments``):
    # leaders only ever read ``redacted`` of a reviewed answer that is not left out.
    redacted = models.TextField(blank=True)
    reviewed = models.BooleanField(default=False)
    left_out = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["question", "choice"])]

    def __str__(self) -> str:
        return f"Answer to {self.question_id}"


class ReleasedCut(models.Model):
    """A cut of a wave's results that a leader has been shown: its filter and its population.

    Kept so that a later cut cannot be subtracted from it (differencing): see
    ``saferwork.surveys.results``. ``populations`` maps each department's id in the cut to
    the number of released responses it had when shown; no answer, no person, no time.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="released_cuts")
    # "all", or the department ids in the cut joined by commas, in ascending order.
    filter_key = models.CharField(max_length=400)
    population = models.PositiveIntegerField()
    populations = models.JSONField(default=dict)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["survey", "filter_key", "population"], name="cut_released_once")]

    def __str__(self) -> str:
        return f"Cut {self.filter_key} of {self.survey_id} ({self.population})"


class ResultCache(models.Model):
    """A closed wave's suppressed item tables, worked out once and read by the page and every export.

    ``cut`` is ``all`` or ``who=N``; ``fingerprint`` is a digest of everything the tables
    depend on (the wave's status and score threshold, its departments in order with their
    names, its closed questions, and the released responses in each department, for the
    cut and for the wave): a stored result is used only while its fingerprint still
    matches, so it can never be stale. ``tables`` holds only what a leader can be shown:
    every shown number, and for a hidden one only that it is hidden (no small count).
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="result_caches")
    cut = models.CharField(max_length=40)
    fingerprint = models.CharField(max_length=64)
    tables = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "cut"], name="survey_result_cache_once")]

    def __str__(self) -> str:
        return f"Results of {self.survey_id} ({self.cut})"
