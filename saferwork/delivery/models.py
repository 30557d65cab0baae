"""After the session: who attended, the anonymous evaluation, badge claims, follow-up requests.

Anonymity of the evaluation rests on the shape of these tables, not on good intentions:

* ``EvaluationToken`` says only "session S has a link with this hash, used or not". It
  holds no participant: the link is emailed at the moment the token is made and the
  plain token is never stored, so not even the database can say whose link was used.
* ``EvaluationAnswer`` has a random UUID key, no foreign key to a token or a person, and
  only the month it arrived in; nothing in either table lines one up with the other.
* Answers are published in groups of the threshold (``release``), never one at a time.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from saferwork.organisations.models import Organisation, OrganisationScopedQuerySet
from saferwork.training.models import Participant, Session

RATING_CHOICES = [(n, str(n)) for n in range(1, 6)]


def new_token() -> str:
    return secrets.token_urlsafe(24)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionAttendance(models.Model):
    """Attendance has been recorded for this session (it was delivered)."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="attendance_record")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Attendance for session {self.session_id}"


class Attendance(models.Model):
    """One participant's mark: attended or absent. Erased with the participant."""

    participant = models.OneToOneField(Participant, on_delete=models.CASCADE, related_name="attendance")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    attended = models.BooleanField()
    # Whether this person has been sent their links; never which evaluation token they got.
    links_sent = models.BooleanField(default=False)
    marked_at = models.DateTimeField(default=timezone.now)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["session", "attended"])]

    def __str__(self) -> str:
        return f"{'Attended' if self.attended else 'Absent'}: participant {self.participant_id}"


CURRENT_VERSION_SECONDS = 60
_CURRENT: dict[str, object] = {}


class EvaluationFormVersion(models.Model):
    """The wording of the evaluation form. A change makes a new version; answers keep theirs."""

    number = models.PositiveIntegerField(unique=True)
    introduction = models.TextField()
    overall_label = models.CharField("Question: the day overall", max_length=300)
    relevance_label = models.CharField("Question: relevance", max_length=300)
    trainers_label = models.CharField("Question: the trainer or trainers", max_length=300)
    confidence_intro = models.CharField("Introduction to the confidence questions", max_length=300)
    recognising_label = models.CharField("Confidence: recognising sexual harassment", max_length=300)
    responding_label = models.CharField("Confidence: responding to a disclosure", max_length=300)
    leading_label = models.CharField("Confidence: leading culture change", max_length=300)
    free_text_label = models.CharField("Free-text question", max_length=300)
    free_text_warning = models.TextField("Warning above the free-text question")
    support_text = models.TextField("Where to find support")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"Evaluation form, version {self.number}"

    @classmethod
    def current(cls) -> EvaluationFormVersion:
        version = cls.objects.order_by("-number").first()
        if version is None:
            # Many first answers can arrive at once (the cluster test's burst found it):
            # get_or_create re-reads the row another process created a moment earlier.
            version, _ = cls.objects.get_or_create(number=1, defaults=DEFAULT_FORM)
        _CURRENT.update(version=version, read_at=time.monotonic())
        return version

    @classmethod
    def current_cached(cls) -> EvaluationFormVersion:
        """The current version as this process last read it, re-read at most every
        ``CURRENT_VERSION_SECONDS``: attendees' forms need no query for it. Publishing a
        version re-reads it at once in the publishing process; other processes pick it up
        within the minute (an answer given meanwhile keeps the wording its form showed)."""
        version = _CURRENT.get("version")
        read_at = float(_CURRENT.get("read_at", 0.0))  # type: ignore[arg-type]
        if not isinstance(version, EvaluationFormVersion) or time.monotonic() - read_at >= CURRENT_VERSION_SECONDS:
            return cls.current()
        return version

    @classmethod
    def forget_cached(cls) -> None:
        _CURRENT.clear()

    def rating_questions(self) -> list[tuple[str, str]]:
        return [("overall", self.overall_label), ("relevance", self.relevance_label), ("trainers", self.trainers_label)]

    def confidence_questions(self) -> list[tuple[str, str]]:
        return [
            ("recognising", self.recognising_label),
            ("responding", self.responding_label),
            ("leading", self.leading_label),
        ]


DEFAULT_FORM = {
    "introduction": (
        "Tell us what you thought of the day. Your answers are anonymous: they are stored with no link "
        "to you, and results for a session are shown only once at least 5 people have answered."
    ),
    "overall_label": "How would you rate the day overall?",
    "relevance_label": "How relevant was the training to your role?",
    "trainers_label": "How would you rate the trainer or trainers?",
    "confidence_intro": "How confident did you feel before the session, and how confident do you feel now?",
    "recognising_label": "Recognising sexual harassment",
    "responding_label": "Responding to a disclosure",
    "leading_label": "Leading culture change in your organisation",
    "free_text_label": "What will you do differently after today?",
    "free_text_warning": (
        "Please do not describe any incident or name anyone. This form is not a way to report "
        "harassment, and nothing you write here is passed to your organisation."
    ),
    "support_text": (
        "If the day brought up difficult feelings, talk to the point of contact your organisation named, "
        "your Employee Assistance Programme, or Rape Crisis (0808 500 2222) or the Samaritans (116 123), "
        "free and open every day. To report harassment, use your organisation's reporting route."
    ),
}


class EvaluationToken(models.Model):
    """A one-time evaluation link. Deliberately holds no participant (see the module docstring)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="evaluation_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(default=False)
    issued_on = models.DateField(default=timezone.localdate)

    def __str__(self) -> str:
        return f"Evaluation link for session {self.session_id}"


def _month_now() -> object:
    return timezone.localdate().replace(day=1)


class EvaluationAnswer(models.Model):
    """One anonymous evaluation: random key, no person, no token, only the month it came in."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="evaluation_answers")
    form_version = models.ForeignKey(EvaluationFormVersion, on_delete=models.PROTECT, related_name="answers")
    month = models.DateField(default=_month_now)
    overall = models.PositiveSmallIntegerField(choices=RATING_CHOICES)
    relevance = models.PositiveSmallIntegerField(choices=RATING_CHOICES)
    trainers = models.PositiveSmallIntegerField(choices=RATING_CHOICES)
    recognising_before = models.PositiveSmallIntegerField(choices=RATING_CHOICES)
    recognising_after = models.PositiveSmallIntegerField(choices=RATING_CHOICES)
    responding_before = models.PositiveSmallIntegerField(choices=RATING_CHOICES)
    responding_after = models.PositiveSmallIntegerField(choices=RATING_CHOICES)
    leading_before = models.PositiveSmallIntegerField(choices=RATING_CHOICES)
    leading_after = models.PositiveSmallIntegerField(choices=RATING_CHOICES)
    free_text = models.TextField(blank=True)
    # Answers are published in releases of EVALUATION_RESULTS_THRESHOLD: results change
    # only when a whole new group of answers is in, so comparing the page before and after
    # one person answers never shows what that person said. Empty until released.
    release = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        # Never ordered by arrival: there is nothing to order by, on purpose.
        ordering = ["id"]
        # The foreign key's own index serves every lookup by session: a second one on the
        # same column only made each answer's INSERT and each release's rewrite slower.

    def __str__(self) -> str:
        return f"Evaluation answer for session {self.session_id}"


TALLIED_FIELDS = [
    "overall",
    "relevance",
    "trainers",
    "recognising_before",
    "recognising_after",
    "responding_before",
    "responding_after",
    "leading_before",
    "leading_after",
]


class EvaluationTally(models.Model):
    """Released answers of one session and form version, as a count and a sum per question.

    Written only when a group of answers is released (in that transaction, so it changes
    when the published answers change and at no other time): pages that average many
    sessions read these rows instead of every answer. It holds nothing an answer does
    not already publish.
    """

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="evaluation_tallies")
    form_version = models.ForeignKey(EvaluationFormVersion, on_delete=models.PROTECT, related_name="+")
    answers = models.PositiveIntegerField(default=0)
    overall = models.PositiveIntegerField(default=0)
    relevance = models.PositiveIntegerField(default=0)
    trainers = models.PositiveIntegerField(default=0)
    recognising_before = models.PositiveIntegerField(default=0)
    recognising_after = models.PositiveIntegerField(default=0)
    responding_before = models.PositiveIntegerField(default=0)
    responding_after = models.PositiveIntegerField(default=0)
    leading_before = models.PositiveIntegerField(default=0)
    leading_after = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "form_version"], name="one_evaluation_tally_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.answers} released evaluation answers for session {self.session_id}"


class BadgeClaimToken(models.Model):
    """An attendee's private link to claim their badge. Erased with the participant."""

    participant = models.OneToOneField(Participant, on_delete=models.CASCADE, related_name="badge_claim_token")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    credential_id = models.UUIDField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    topic_named = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Badge claim link for participant {self.participant_id}"


class FollowUpRequest(models.Model):
    """An organisation asks the programme for a follow-up conversation after delivery."""

    class State(models.TextChoices):
        NEW = "new", "New"
        ARRANGED = "arranged", "Conversation arranged"
        CLOSED = "closed", "Closed"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="follow_up_requests")
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    topics = models.TextField("What would you like to talk about?")
    state = models.CharField(max_length=20, choices=State.choices, default=State.NEW)
    created_at = models.DateTimeField(default=timezone.now)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Follow-up request from {self.organisation}"
