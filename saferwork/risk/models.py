"""The risk register: assessments (one corporate, many activity), their hazards and controls.

An assessment follows the HSE's five steps: hazards (``Hazard``), who might be harmed and
how (``Hazard.who`` and ``description``), evaluation and precautions (ratings and
``Control``), recording and implementing (controls become actions in the hub), review
(``review_on`` and ``Review``). Each assessment keeps the matrix it was made with.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from saferwork.organisations.models import OrganisationOwned
from saferwork.risk.library import Matrix

RATING = [(n, str(n)) for n in range(1, 6)]


class Assessment(OrganisationOwned):
    class Kind(models.TextChoices):
        CORPORATE = "corporate", "Corporate"
        ACTIVITY = "activity", "Activity"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ACTIVITY)
    title = models.CharField(max_length=200)
    department = models.CharField(max_length=100, blank=True)
    scope = models.TextField(blank=True, max_length=4000)
    # A member of the organisation (checked by the services); a manager of the department or service.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shared_with = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    # The matrix as it was when the assessment was made: later versions never change it.
    matrix = models.JSONField()
    matrix_version = models.CharField(max_length=40)
    review_on = models.DateField()
    last_reviewed_on = models.DateField(null=True, blank=True)
    # The organisation's day of the last review reminder: at most one a day.
    last_reminded_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_on = models.DateField()

    class Meta:
        ordering = ["kind", "title", "id"]
        indexes = [models.Index(fields=["organisation", "review_on"], name="risk_assessment_org_review")]

    def __str__(self) -> str:
        return self.title

    @property
    def the_matrix(self) -> Matrix:
        return Matrix(self.matrix)

    def review_overdue(self, today: dt.date) -> bool:
        return self.review_on < today


class Review(OrganisationOwned):
    """HSE step 5: a dated review of the whole assessment."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True, max_length=2000)
    next_review_on = models.DateField()

    class Meta:
        ordering = ["-reviewed_on", "-id"]


class Hazard(OrganisationOwned):
    class Source(models.TextChoices):
        INTERNAL = "internal", "Internal (colleagues, managers)"
        THIRD_PARTY = "third_party", "Third parties (customers, clients, contractors, the public)"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="hazards")
    title = models.CharField(max_length=200)
    description = models.TextField("How harm could happen", blank=True, max_length=4000)
    who = models.JSONField(default=list, blank=True)  # keys of library.WHO_CHOICES
    factors = models.JSONField(default=list, blank=True)  # keys of the factor library
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.INTERNAL)
    existing_precautions = models.TextField(blank=True, max_length=4000)
    inherent_likelihood = models.PositiveSmallIntegerField(choices=RATING)
    inherent_severity = models.PositiveSmallIntegerField(choices=RATING)
    current_likelihood = models.PositiveSmallIntegerField(choices=RATING)
    current_severity = models.PositiveSmallIntegerField(choices=RATING)
    target_likelihood = models.PositiveSmallIntegerField(choices=RATING)
    target_severity = models.PositiveSmallIntegerField(choices=RATING)
    # The day the residual (current) rating was last re-rated after controls were done.
    rerated_on = models.DateField(null=True, blank=True)
    created_on = models.DateField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title

    @property
    def score(self) -> int:
        return self.current_likelihood * self.current_severity


class Control(OrganisationOwned):
    """A precaution (HSE step 3) with an owner, a due date and evidence (through its actions)."""

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="controls")
    description = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField()
    evidence_note = models.CharField("Evidence", max_length=500, blank=True)
    created_on = models.DateField()

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.description


class Suggestion(OrganisationOwned):
    """A hazard to review that the data suggests; a person accepts or dismisses it, with a reason."""

    class Origin(models.TextChoices):
        REPORTING = "reporting", "Reporting statistics"
        SURVEY = "survey", "Survey results"

    class Status(models.TextChoices):
        PENDING = "pending", "To decide"
        ACCEPTED = "accepted", "Accepted"
        DISMISSED = "dismissed", "Dismissed"

    origin = models.CharField(max_length=20, choices=Origin.choices)
    # What the data was (a place, a survey item and department): one suggestion per key.
    key = models.CharField(max_length=120)
    title = models.CharField(max_length=200)
    detail = models.CharField(max_length=500)
    source = models.CharField(max_length=20, choices=Hazard.Source.choices, default=Hazard.Source.INTERNAL)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_on = models.DateField(null=True, blank=True)
    hazard = models.ForeignKey(Hazard, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_on = models.DateField()

    class Meta:
        ordering = ["status", "-created_on", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "key"], name="one_risk_suggestion_per_key")]

    def __str__(self) -> str:
        return self.title
