"""The training programme: enquiries that become bookings, trainers, sessions, participants.

One ``Enquiry`` carries a request for training from the first form to the last session:
the programme triages it, introduces trainers, and from then on the organisation and its
trainers liaise on the same record (the programme sees its state, not its content).
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from saferwork.organisations.models import Organisation, OrganisationScopedQuerySet

DAY_RATE_DEFAULT_PENCE = 45000  # £450
SESSION_START_DEFAULT = dt.time(10, 0)
SESSION_END_DEFAULT = dt.time(16, 0)
# The group size: the one place it is set. Every page, form, email and document that
# mentions it reads these (through ``group_size_text`` where it is a sentence).
CAPACITY_WARN_ABOVE = 10
CAPACITY_HARD_LIMIT = 12


def group_size_text() -> str:
    """The group size as people read it, the same words everywhere."""
    return f"at most {CAPACITY_HARD_LIMIT} people (we recommend {CAPACITY_WARN_ABOVE} for the best conversations)"


REGIONS = [
    "North East",
    "North West",
    "Yorkshire and the Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
    "Wales",
    "Scotland",
    "Northern Ireland",
]
ANYWHERE = "UK-wide"


class Position(models.TextChoices):
    """A participant's place in the union structure (reach is counted by these)."""

    SENIOR_LEADER = "senior_leader", "Senior leader or official"
    EXECUTIVE = "executive", "Executive member"
    LINE_MANAGER = "line_manager", "Line manager"
    STAFF = "staff", "Staff"
    SENIOR_LAY_ACTIVIST = "senior_lay_activist", "Senior lay activist"
    REP = "rep", "Rep or activist"
    OTHER = "other", "Other"


class DeliveryMode(models.TextChoices):
    ONLINE = "online", "Online"
    IN_PERSON = "in_person", "In person"


class EnquiryMode(models.TextChoices):
    ONLINE = "online", "Online"
    IN_PERSON = "in_person", "In person"
    EITHER = "either", "Either"


def _token() -> str:
    return secrets.token_urlsafe(24)


def _uid() -> str:
    return f"{uuid.uuid4()}@saferwork"


class Enquiry(models.Model):
    """A request for training, and the booking it becomes.

    ``organisation`` is empty only until the enquirer verifies their email address: then
    it is matched to an existing organisation or created pending approval.
    """

    class State(models.TextChoices):
        NEW = "new", "New"
        CONVERSATION_BOOKED = "conversation_booked", "Initial conversation booked"
        CONVERSATION_HELD = "conversation_held", "Conversation held"
        TRAINERS_INTRODUCED = "trainers_introduced", "Trainers introduced"
        PRE_MEETING_BOOKED = "pre_meeting_booked", "Pre-meeting booked"
        PRE_MEETING_HELD = "pre_meeting_held", "Pre-meeting held"
        SESSIONS_SCHEDULED = "sessions_scheduled", "Sessions scheduled"
        DELIVERED = "delivered", "Delivered"
        CLOSED = "closed", "Closed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="training_enquiries"
    )
    # True only for the enquiry that brought a new organisation onto SaferWork: only then may
    # the enquirer be invited straight in as its coordinator.
    organisation_created = models.BooleanField(default=False)
    # When the organisation already existed, the enquirer's request to join it.
    join_request = models.ForeignKey(
        "organisations.JoinRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="enquiries"
    )
    organisation_name = models.CharField("Organisation name", max_length=200)
    organisation_kind = models.CharField(
        "Type of organisation", max_length=20, choices=Organisation.Kind.choices, default=Organisation.Kind.UNION
    )
    contact_name = models.CharField("Your name", max_length=200)
    contact_role = models.CharField("Your role", max_length=200, blank=True)
    contact_email = models.EmailField("Your email address")
    contact_phone = models.CharField("Your phone number", max_length=40, blank=True)
    audience = models.JSONField(default=list, blank=True)
    expected_participants = models.PositiveIntegerField("Expected number of participants")
    expected_sessions = models.PositiveIntegerField("Expected number of sessions", default=1)
    region = models.CharField(max_length=100)
    venue = models.CharField("Venue, if you have one", max_length=300, blank=True)
    delivery_mode = models.CharField(max_length=20, choices=EnquiryMode.choices, default=EnquiryMode.EITHER)
    preferred_dates = models.JSONField(default=list, blank=True)  # ISO dates
    has_policy = models.BooleanField(default=False)
    has_action_plan = models.BooleanField(default=False)
    used_toolkit = models.BooleanField(default=False)
    other_training = models.TextField(blank=True)
    accessibility_needs = models.TextField(blank=True)
    wants_co_tutoring = models.BooleanField(default=False)

    state = models.CharField(max_length=30, choices=State.choices, default=State.NEW, db_index=True)
    verification_hash = models.CharField(max_length=64, blank=True, db_index=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    introduced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Pre-meeting checklist and the organisation's nominated point of contact.
    checklist_logistics = models.BooleanField("Timings and logistics agreed", default=False)
    checklist_audience = models.BooleanField("Audience and numbers discussed", default=False)
    checklist_standing = models.BooleanField("Where the organisation stands discussed", default=False)
    contact_point_name = models.CharField("Name", max_length=200, blank=True)
    contact_point_role = models.CharField("Role", max_length=200, blank=True)
    contact_point_email = models.EmailField("Email address", blank=True)
    contact_point_phone = models.CharField("Phone number", max_length=40, blank=True)

    trainers: models.ManyToManyField[TrainerProfile, EnquiryTrainer] = models.ManyToManyField(
        "TrainerProfile", through="EnquiryTrainer", related_name="enquiries"
    )

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "enquiries"
        indexes = [models.Index(fields=["state", "-created_at"])]

    def __str__(self) -> str:
        return f"Training enquiry from {self.organisation_name}"

    @property
    def reference(self) -> str:
        return f"TR-{self.pk:05d}"

    @property
    def checklist_complete(self) -> bool:
        return self.checklist_logistics and self.checklist_audience and self.checklist_standing

    @property
    def has_contact_point(self) -> bool:
        return all(
            [self.contact_point_name, self.contact_point_role, self.contact_point_email, self.contact_point_phone]
        )

    @property
    def ready_for_sessions(self) -> bool:
        return self.checklist_complete and self.has_contact_point

    @property
    def audience_labels(self) -> list[str]:
        labels = dict(Position.choices)
        return [labels.get(value, value) for value in self.audience]

    @property
    def preferred_date_objects(self) -> list[dt.date]:
        return [dt.date.fromisoformat(value) for value in self.preferred_dates]


class EnquiryNote(models.Model):
    """A note on an enquiry that only programme admins see."""

    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="admin_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Note on {self.enquiry_id}"


class TrainerProfile(models.Model):
    """A trainer in the programme's pool. Owned by the programme host."""

    class Experience(models.TextChoices):
        NEW = "new", "Newer trainer"
        EXPERIENCED = "experienced", "Experienced trainer"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="trainer_profiles")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trainer_profile")
    home_union = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="Union the trainer belongs to",
    )
    regions = models.JSONField(default=list, blank=True)
    delivers_online = models.BooleanField("Delivers online", default=True)
    delivers_in_person = models.BooleanField("Delivers in person", default=True)
    languages = models.CharField(max_length=200, default="English", help_text="Separate languages with commas")
    access_needs_met = models.TextField("Access needs they can meet", blank=True)
    co_tutors = models.BooleanField("Willing to co-tutor", default=True)
    experience = models.CharField(max_length=20, choices=Experience.choices, default=Experience.NEW)
    sessions_delivered = models.PositiveIntegerField(default=0)
    day_rate_pence = models.PositiveIntegerField("Day rate in pence", default=DAY_RATE_DEFAULT_PENCE)
    bio = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["user__full_name", "id"]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def name(self) -> str:
        return self.user.get_full_name()

    @property
    def day_rate_pounds(self) -> str:
        return f"£{self.day_rate_pence / 100:,.2f}".replace(".00", "")


class TrainerAvailability(models.Model):
    """A date a trainer has said they are free or not free. Bookings block dates on their own."""

    trainer = models.ForeignKey(TrainerProfile, on_delete=models.CASCADE, related_name="availability")
    date = models.DateField()
    available = models.BooleanField(default=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["trainer", "date"], name="one_availability_per_trainer_day")]

    def __str__(self) -> str:
        return f"{self.trainer} {'free' if self.available else 'not free'} on {self.date}"


class EnquiryTrainer(models.Model):
    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="assignments")
    trainer = models.ForeignKey(TrainerProfile, on_delete=models.CASCADE, related_name="assignments")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enquiry", "trainer"], name="one_assignment_per_trainer")]

    def __str__(self) -> str:
        return f"{self.trainer} on {self.enquiry_id}"


class TrainerNote(models.Model):
    """The trainer's own pre-meeting notes: only the booking's trainers ever read them."""

    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="trainer_notes")
    author = models.ForeignKey(TrainerProfile, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Trainer note on {self.enquiry_id}"


class BookingMessage(models.Model):
    """A message between the organisation and its trainer(s). The programme never reads these."""

    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Message on {self.enquiry_id}"


class CalendarEventMixin(models.Model):
    """A stable UID and a SEQUENCE that rises with each change, for calendar invites."""

    ics_uid = models.CharField(max_length=100, default=_uid, unique=True, editable=False)
    ics_sequence = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class PreMeetingSlot(CalendarEventMixin):
    """A time a trainer offers for the pre-meeting; the organisation books one."""

    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="slots")
    offered_by = models.ForeignKey(TrainerProfile, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    where = models.CharField("Where or meeting link", max_length=300, blank=True)
    booked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"Pre-meeting slot {self.starts_at:%Y-%m-%d %H:%M}"


class Session(CalendarEventMixin):
    """One day of training for a booking."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        CANCELLED = "cancelled", "Cancelled"
        DELIVERED = "delivered", "Delivered"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="training_sessions")
    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="sessions")
    trainers = models.ManyToManyField(TrainerProfile, related_name="sessions")
    date = models.DateField(db_index=True)
    start_time = models.TimeField(default=SESSION_START_DEFAULT)
    end_time = models.TimeField(default=SESSION_END_DEFAULT)
    mode = models.CharField(max_length=20, choices=DeliveryMode.choices)
    meeting_link = models.URLField("Meeting link", blank=True)
    tech_helper_name = models.CharField("Named tech helper", max_length=200, blank=True)
    venue = models.CharField(max_length=300, blank=True)
    access_info = models.TextField("Access information", blank=True)
    capacity = models.PositiveIntegerField("Places", default=CAPACITY_HARD_LIMIT)
    capacity_override_reason = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CONFIRMED, db_index=True)
    registration_token = models.CharField(max_length=64, default=_token, unique=True)
    reminder_7_sent_at = models.DateTimeField(null=True, blank=True)
    reminder_1_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["date", "start_time", "id"]
        indexes = [models.Index(fields=["status", "date"])]

    def __str__(self) -> str:
        return f"Training session on {self.date:%-d %B %Y}"

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    def starts_at(self) -> dt.datetime:
        tz = timezone.get_default_timezone() if not self.organisation_id else _zone(self.organisation.time_zone)
        return dt.datetime.combine(self.date, self.start_time, tzinfo=tz)

    def ends_at(self) -> dt.datetime:
        tz = timezone.get_default_timezone() if not self.organisation_id else _zone(self.organisation.time_zone)
        return dt.datetime.combine(self.date, self.end_time, tzinfo=tz)


def _zone(name: str) -> dt.tzinfo:
    import zoneinfo

    return zoneinfo.ZoneInfo(name)


class Participant(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        WAITING = "waiting", "Waiting list"
        WITHDRAWN = "withdrawn", "Withdrawn"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="training_participants")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="participants")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    position = models.CharField("Position in the union structure", max_length=30, choices=Position.choices)
    managed_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="manages",
        verbose_name="Line managed by someone attending",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CONFIRMED, db_index=True)
    added_at = models.DateTimeField(default=timezone.now)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "email"], name="one_place_per_email_per_session")]

    def __str__(self) -> str:
        return self.name


class BriefingTemplate(models.Model):
    """The programme's participant briefing: each organisation starts its copy from it."""

    introduction = models.TextField()
    about_the_day = models.TextField()
    not_a_reporting_space = models.TextField()
    support_before = models.TextField()
    support_after = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "Participant briefing template"


class Briefing(models.Model):
    """An organisation's own participant briefing."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="training_briefing")
    introduction = models.TextField()
    about_the_day = models.TextField()
    not_a_reporting_space = models.TextField()
    contact_name = models.CharField("Point of contact: name", max_length=200, blank=True)
    contact_role = models.CharField("Point of contact: role", max_length=200, blank=True)
    contact_email = models.EmailField("Point of contact: email", blank=True)
    contact_phone = models.CharField("Point of contact: phone", max_length=40, blank=True)
    eap = models.TextField("Employee Assistance Programme", blank=True)
    policy_url = models.URLField("Link to your sexual harassment policy", blank=True)
    reporting_url = models.URLField("Link to your reporting route", blank=True)
    support_before = models.TextField("Support before the session")
    support_after = models.TextField("Support after the session")
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Participant briefing for {self.organisation}"
