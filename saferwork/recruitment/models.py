"""Trainer recruitment: rounds, applications, blind panel scoring, interviews, the cohort.

A ``Round`` belongs to the programme host. Programme staff and independent experts sit on
its panel as ``Panellist`` rows: an expert needs no membership anywhere and reaches this
round only. Applications keep their personal data until the retention command erases the
unsuccessful ones; the counts by stage, background and region survive as ``RoundCount``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from saferwork.organisations.models import Organisation, OrganisationScopedQuerySet

SCORE_MIN = 1
SCORE_MAX = 4


def _uid() -> str:
    return f"{uuid.uuid4()}@saferwork.recruitment"


class Stage(models.TextChoices):
    SHORTLISTING = "shortlisting", "Shortlisting"
    INTERVIEW = "interview", "Interview"


class Background(models.TextChoices):
    UNION_EMPLOYEE = "union_employee", "Employed by a union"
    ACTIVIST_REP = "activist_rep", "Activist or rep"
    UNION_TUTOR = "union_tutor", "Union tutor"
    OTHER = "other", "Other"


class Round(models.Model):
    """One open call for trainers, with its task, rubric and panel."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="recruitment_rounds")
    title = models.CharField(max_length=200)
    opens_at = models.DateTimeField("Opens")
    closes_at = models.DateTimeField("Closes")
    role_description = models.TextField()
    task_prompt = models.TextField("Written task")
    task_word_limit = models.PositiveIntegerField("Word limit for the written task", default=800)
    agreement_text = models.TextField(
        "Trainer agreement", help_text="What an appointed trainer agrees to before joining the pool."
    )
    disagreement_threshold = models.DecimalField(
        "Wide disagreement when scores differ by at least",
        max_digits=4,
        decimal_places=2,
        default=1.5,
        help_text="On the weighted score, from 1 to 4.",
    )
    criterion_spread_threshold = models.PositiveSmallIntegerField(
        "Wide disagreement on one criterion when its scores differ by at least",
        default=2,
        help_text="On one criterion's score, from 1 to 4: scores of 4 and 1 for the same criterion differ by 3.",
    )
    # Name-blind sifting: panellists see candidates by reference only until a programme
    # admin agrees the shortlist. Agreeing ends the sift (no more shortlisting scores or
    # changes) and opens interviews.
    shortlist_agreed_at = models.DateTimeField(null=True, blank=True)
    shortlist_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cohort_number = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    erased_at = models.DateTimeField(null=True, blank=True)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.opens_at <= timezone.now() < self.closes_at

    @property
    def status_label(self) -> str:
        now = timezone.now()
        if now < self.opens_at:
            return "Not yet open"
        return "Open" if now < self.closes_at else "Closed"

    @property
    def shortlist_agreed(self) -> bool:
        return self.shortlist_agreed_at is not None


class Criterion(models.Model):
    """A rubric line: a weight and what each score from 1 to 4 means."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="criteria")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.SHORTLISTING)
    name = models.CharField(max_length=200)
    question = models.TextField(blank=True, help_text="For interviews: the question the panel asks.")
    weight = models.PositiveSmallIntegerField(default=1)
    descriptor_1 = models.CharField("What a 1 looks like", max_length=300)
    descriptor_2 = models.CharField("What a 2 looks like", max_length=300)
    descriptor_3 = models.CharField("What a 3 looks like", max_length=300)
    descriptor_4 = models.CharField("What a 4 looks like", max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["stage", "position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def descriptors(self) -> list[tuple[int, str]]:
        return [(n, getattr(self, f"descriptor_{n}")) for n in range(SCORE_MIN, SCORE_MAX + 1)]


class Panellist(models.Model):
    """A seat on a round's panel. Independent experts reach this round and nothing else."""

    class Kind(models.TextChoices):
        STAFF = "staff", "Programme staff"
        EXPERT = "expert", "Independent expert"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="panellists")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recruitment_panels")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user__full_name", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "user"], name="one_seat_per_panellist")]

    def __str__(self) -> str:
        return f"{self.user} on {self.round}"


class Application(models.Model):
    """One person's application. Personal fields are blanked by the retention command."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        SHORTLISTED = "shortlisted", "Shortlisted"
        NOT_SHORTLISTED = "not_shortlisted", "Not shortlisted"
        INVITED = "invited", "Invited to interview"
        SUCCESSFUL = "successful", "Successful"
        RESERVE = "reserve", "Reserve"
        UNSUCCESSFUL = "unsuccessful", "Unsuccessful"
        WITHDRAWN = "withdrawn", "Withdrawn"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="applications")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)

    full_name = models.CharField("Full name", max_length=200, blank=True)
    email = models.EmailField("Email address", blank=True)
    phone = models.CharField("Phone number", max_length=40, blank=True)
    region = models.CharField("Region", max_length=100, blank=True, db_index=True)
    background = models.CharField(
        "Which best describes your link to the trade union movement?",
        max_length=20,
        choices=Background.choices,
        blank=True,
        db_index=True,
    )
    union_details = models.TextField("Your unions and the roles you hold or have held", blank=True)
    experience_training = models.TextField("Your experience of training adults", blank=True)
    experience_subject = models.TextField("Your experience of work on sexual harassment or related issues", blank=True)
    availability = models.TextField("Your availability to deliver training", blank=True)
    interview_adjustments = models.TextField("Access needs and adjustments for the interview", blank=True)
    task_answer = models.TextField("Your answer to the written task", blank=True)
    consent = models.BooleanField(default=False)
    consent_at = models.DateTimeField(null=True, blank=True)

    resume_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    withdraw_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    booking_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    booking_link_sent_at = models.DateTimeField(null=True, blank=True)
    interview_preferences = models.TextField("Times that suit you for the interview", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)

    decision_feedback = models.TextField("Feedback to the candidate", blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    outcome_sent_at = models.DateTimeField(null=True, blank=True)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "email"], condition=~models.Q(email=""), name="one_application_per_email_per_round"
            )
        ]
        indexes = [
            models.Index(fields=["round", "status"]),
            # The shortlisting list pages by date and offers the regions present.
            models.Index(fields=["round", "submitted_at", "id"], name="recruit_app_round_submitted"),
            models.Index(fields=["round", "region", "status"], name="recruit_app_round_region"),
        ]

    def __str__(self) -> str:
        return f"Application {self.reference}"

    @property
    def reference(self) -> str:
        return f"TA-{self.pk:05d}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def blind_label(self) -> str:
        """How the panel knows the candidate during the name-blind sift."""
        return f"Candidate {self.reference}"


class Conflict(models.Model):
    """A panellist's declared conflict of interest: they cannot score this application."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="conflicts")
    panellist = models.ForeignKey(Panellist, on_delete=models.CASCADE, related_name="conflicts")
    reason = models.CharField(max_length=300)
    declared_at = models.DateTimeField(default=timezone.now)
    # Set when a programme admin records the conflict after checking the names against the
    # panel (panellists see no names during the sift); empty when the panellist declared it.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "panellist"], name="one_conflict_per_pair")]

    def __str__(self) -> str:
        return f"Conflict: {self.panellist} on {self.application_id}"


class ScoreSheet(models.Model):
    """One panellist's scores for one application at one stage. Locked once submitted."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="score_sheets")
    panellist = models.ForeignKey(Panellist, on_delete=models.CASCADE, related_name="score_sheets")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    weighted_total = models.DecimalField(max_digits=5, decimal_places=2)
    comment = models.TextField(blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "panellist", "stage"], name="one_sheet_per_stage")
        ]
        indexes = [models.Index(fields=["application", "stage"])]

    def __str__(self) -> str:
        return f"{self.panellist} scored {self.application_id} ({self.stage})"


class Score(models.Model):
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    value = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sheet", "criterion"], name="one_score_per_criterion")]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.value}"


class Moderation(models.Model):
    """The panel's moderation of one application at one stage: the agreed score and why.

    Panellists' own sheets stay as they were submitted; the moderated score stands beside
    them and is the one the list ranks by. A later moderation supersedes an earlier one.
    """

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="moderations")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    agreed_score = models.DecimalField("Agreed weighted score", max_digits=4, decimal_places=2)
    outcome = models.CharField(max_length=20, choices=Application.Status.choices, blank=True)
    reason = models.TextField("Reason for the agreed score")
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    moderated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["moderated_at", "id"]
        indexes = [models.Index(fields=["application", "stage"])]

    def __str__(self) -> str:
        return f"Moderation of {self.application_id} ({self.stage}): {self.agreed_score}"


class InterviewSlotQuerySet(models.QuerySet["InterviewSlot"]):
    def free(self) -> InterviewSlotQuerySet:
        """Slots nobody holds: never given, or given to an interview since cancelled."""
        return self.filter(models.Q(interview__isnull=True) | models.Q(interview__cancelled_at__isnull=False))


class InterviewSlot(models.Model):
    """A time the panel interviews one candidate: one invitation per slot."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField("Where, or the meeting link", max_length=300)

    objects = InterviewSlotQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return f"Interview slot {timezone.localtime(self.starts_at):%-d %b %Y %H:%M}"


class Interview(models.Model):
    """An invitation to interview: a calendar event with a stable UID and rising SEQUENCE."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="interview")
    slot = models.OneToOneField(
        InterviewSlot, null=True, blank=True, on_delete=models.SET_NULL, related_name="interview"
    )
    ics_uid = models.CharField(max_length=100, default=_uid, unique=True, editable=False)
    ics_sequence = models.PositiveIntegerField(default=0)
    adjustments_confirmed = models.TextField("Adjustments we have arranged", blank=True)
    self_booked = models.BooleanField(default=False, help_text="The candidate chose this slot from their link.")
    invited_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["slot__starts_at", "id"]

    def __str__(self) -> str:
        return f"Interview for {self.application_id}"


class Appointment(models.Model):
    """A successful candidate joining a numbered cohort of trainers."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="appointment")
    cohort_number = models.PositiveIntegerField()
    email = models.EmailField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="trainer_appointments"
    )
    appointed_at = models.DateTimeField(default=timezone.now)
    agreement_accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["appointed_at", "id"]

    def __str__(self) -> str:
        return f"Cohort {self.cohort_number}: {self.email}"


class RoundCount(models.Model):
    """Counts kept after erasure: how many reached each stage, by background or region."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="kept_counts")
    stage = models.CharField(max_length=20)
    dimension = models.CharField(max_length=20)  # "background" or "region"
    value = models.CharField(max_length=100)
    count = models.PositiveIntegerField()

    class Meta:
        ordering = ["dimension", "value", "stage"]
        constraints = [
            models.UniqueConstraint(fields=["round", "stage", "dimension", "value"], name="one_count_per_cell")
        ]

    def __str__(self) -> str:
        return f"{self.round_id} {self.dimension}={self.value} {self.stage}: {self.count}"
