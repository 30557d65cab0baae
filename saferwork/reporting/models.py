"""Safe reporting: reports, their keys, messages, notes and attachments.

Everything a reporter writes is a sealed ciphertext (see ``crypto``). What stays in the
clear is what handlers need to run a case without opening it: status, dates (days, never
times, for anything the reporter does), assignment and who may not see it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from saferwork.organisations.models import Organisation, OrganisationOwned


class ReportingSettings(OrganisationOwned):
    """An organisation's reporting route. Exists once reporting has been enabled."""

    enabled = models.BooleanField(default=True)
    enabled_on = models.DateField()
    # The recovery private key was shown once to whoever enabled reporting; only the
    # public half is here. Handler keys are sealed to it.
    recovery_public_key = models.BinaryField()
    # One salt for every receipt of the organisation: the reporter's browser must know it
    # before we know which report the receipt opens (GlobaLeaks does the same per tenant).
    receipt_salt = models.BinaryField()
    # Who keeps the recovery key, in plain words ("our HR director and the union branch
    # secretary"): reporters are told that these people can open every report.
    recovery_key_holders = models.CharField(max_length=200, blank=True)
    recovery_key_rotated_on = models.DateField(null=True, blank=True)
    who_to_talk_to = models.TextField(blank=True)
    employee_assistance = models.TextField(blank=True)
    helplines = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation"], name="one_reporting_settings_per_org")]
        verbose_name_plural = "reporting settings"

    def __str__(self) -> str:
        return f"Reporting for {self.organisation}"


class HandlerKey(models.Model):
    """A handler's key pair. The private key is stored only encrypted under their password."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reporting_key")
    public_key = models.BinaryField()
    password_salt = models.BinaryField()
    password_kdf = models.JSONField()
    password_wrapped_private_key = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Reporting key of {self.user}"


class HandlerAccess(OrganisationOwned):
    """A handler who reads this organisation's reports.

    The case-handler flag alone gives nothing: new reports are sealed only to handlers who
    hold this grant, and it is created only by someone who can already read the reports
    (an existing handler with access, re-sealing what they can open, or the holder of the
    recovery key), in sudo mode, audited. Removing the flag, the membership or the account
    deletes it with every key of the organisation's reports (see services)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="one_handler_access")]

    def __str__(self) -> str:
        return f"Access to reports of {self.organisation} for {self.user}"


class RecoveryWrap(OrganisationOwned):
    """A handler's private key sealed to an organisation's recovery public key."""

    handler_key = models.ForeignKey(HandlerKey, on_delete=models.CASCADE, related_name="recovery_wraps")
    sealed_private_key = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "handler_key"], name="one_recovery_wrap")]


class Report(OrganisationOwned):
    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        ASSESSING = "assessing", "Being assessed"
        RESOLVING_INFORMAL = "resolving_informal", "Resolving informally"
        RESOLVING_FORMAL = "resolving_formal", "Formal process"
        CLOSED = "closed", "Closed"

    class Outcome(models.TextChoices):
        RESOLVED_INFORMALLY = "resolved_informally", "Resolved informally"
        UPHELD = "upheld", "Formal complaint upheld"
        NOT_UPHELD = "not_upheld", "Formal complaint not upheld"
        SUPPORT_GIVEN = "support_given", "Support given, no further action wanted"
        RECORDED = "recorded", "Recorded only, as the reporter asked"
        WITHDRAWN = "withdrawn", "Withdrawn by the reporter"
        NO_CONTACT = "no_contact", "Closed: no contact from the reporter"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="reports")
    reference = models.CharField(max_length=12, unique=True)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.RECEIVED)
    outcome = models.CharField(max_length=24, choices=Outcome.choices, blank=True)
    # Dates only: no exact time is ever stored for something a reporter did.
    submitted_on = models.DateField()
    acknowledge_by = models.DateField()
    acknowledged_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    last_escalated_on = models.DateField(null=True, blank=True)
    is_named = models.BooleanField(default=False)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    public_key = models.BinaryField()
    # The answers as sealed JSON.
    content = models.BinaryField()
    # The report private key under the receipt-derived key; found by a hash of that key.
    receipt_lookup = models.CharField(max_length=64, unique=True)
    receipt_kdf = models.JSONField()
    receipt_wrapped_private_key = models.BinaryField()
    # The report private key sealed to the organisation's recovery key, so that a report
    # sent while no handler had a key yet can still be given to them (see services).
    recovery_wrapped_private_key = models.BinaryField()
    # Optional email for "you have a new message": under a server-held key, never shown
    # to handlers, erased when the case closes.
    notify_email = models.BinaryField(null=True, blank=True)
    # A reporter message handlers have not answered or seen yet.
    awaiting_handler = models.BooleanField(default=True)

    class Meta:
        ordering = ["-submitted_on", "-id"]
        indexes = [
            models.Index(fields=["organisation", "status", "-submitted_on"]),
            # The case list's order: no sort of the whole organisation's cases per page.
            models.Index(fields=["organisation", "-submitted_on", "-id"], name="report_case_list_idx"),
        ]

    def __str__(self) -> str:
        return f"Report {self.reference}"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class ReportKey(OrganisationOwned):
    """The report private key sealed to one handler's public key."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="keys")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sealed_private_key = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "user"], name="one_report_key_per_handler")]


class Exclusion(OrganisationOwned):
    """A handler who must never read this report: named by the reporter, or stepped aside."""

    class Reason(models.TextChoices):
        EXCLUDED_BY_REPORTER = "excluded", "Excluded by the reporter"
        STEPPED_ASIDE = "stepped_aside", "Stepped aside (conflict of interest)"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="exclusions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    created_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "user"], name="one_exclusion_per_handler")]


class Message(OrganisationOwned):
    class Author(models.TextChoices):
        REPORTER = "reporter", "Reporter"
        HANDLER = "handler", "Handler"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="messages")
    author_kind = models.CharField(max_length=10, choices=Author.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.BinaryField()
    sent_on = models.DateField()

    class Meta:
        ordering = ["id"]


class Note(OrganisationOwned):
    """A handler's private note: sealed like everything else, never shown to the reporter."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class Attachment(OrganisationOwned):
    """A file sealed to the report key, kept through the storage API. Its name and type
    are sealed too."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    storage_name = models.CharField(max_length=200)
    sealed_meta = models.BinaryField()

    class Meta:
        ordering = ["id"]


class ReportTally(OrganisationOwned):
    """Counters for statistics, kept apart from the reports they count.

    Why categories are stored in the clear here, and why it is safe enough: leaders need
    counts by behaviour, by who and by place, and those answers are otherwise only inside
    each report's sealed content, which no server process can open. At submission the
    service holds one sealed increment per event (``PendingTally``) and a daily fold adds
    them to a counter per (month, category), many reports at once; it never stores free text, never
    a date finer than the month, and never a link to the report: there is no report id
    here, and a counter shared by several reports cannot say which of them it came from.
    A database reader learns monthly category counts, which is what the statistics page
    shows, without suppression; the page and its export suppress every cell below 5.
    Erasing a report (retention) leaves its counts here, so statistics do not change.
    """

    class Dimension(models.TextChoices):
        PLACE_WHO = "place_who", "Place and who"  # value "<place>|<who group>", one per report
        BEHAVIOUR = "behaviour", "Behaviour"  # one per behaviour ticked
        ACKNOWLEDGED = "ack", "Time to acknowledge"  # one per report, when first acknowledged

    month = models.DateField(help_text="First day of the month the report was sent.")
    dimension = models.CharField(max_length=12, choices=Dimension.choices)
    value = models.CharField(max_length=40)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "month", "dimension", "value"], name="one_tally_per_cell")
        ]


class PrivateRecord(models.Model):
    """A reporter's own record of what happened, kept under a receipt and sent to nobody.

    Deliberately not organisation-owned: no organisation, no handler and no statistic
    refers to it, so nothing a handler can query shows that a record exists. The receipt
    key (Argon2id with the route's salt) opens the record's private key; entries are
    sealed to its public key. Only the day of the last change is kept, for retention.
    """

    public_key = models.BinaryField()
    receipt_lookup = models.CharField(max_length=64, unique=True)
    receipt_kdf = models.JSONField()
    receipt_wrapped_private_key = models.BinaryField()
    last_activity_on = models.DateField()


class PrivateRecordEntry(models.Model):
    """One addition to a private record: sealed JSON with the text and an optional date."""

    record = models.ForeignKey(PrivateRecord, on_delete=models.CASCADE, related_name="entries")
    body = models.BinaryField()
    added_on = models.DateField()

    class Meta:
        ordering = ["id"]


class PrivateRecordFile(models.Model):
    """Evidence added to a private record: sealed to the record's key and kept through the
    storage API exactly as report attachments are; its name and type are sealed too."""

    record = models.ForeignKey(PrivateRecord, on_delete=models.CASCADE, related_name="files")
    storage_name = models.CharField(max_length=200)
    sealed_meta = models.BinaryField()

    class Meta:
        ordering = ["id"]


class ReportShare(OrganisationOwned):
    """A union-held report that the reporter shared with their employer.

    The union's side keeps only that it was shared, when, with whom and which parts (by
    name, never the words). There is deliberately no link to the employer's new report,
    so the union never sees what the employer does next.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="shares")
    employer = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    parts = models.JSONField(default=list)
    shared_on = models.DateField()

    class Meta:
        ordering = ["id"]


class PendingTally(models.Model):
    """Increments to ``ReportTally`` waiting for the fold (``statistics.fold_pending_tallies``).

    Written in the report's transaction, so on PostgreSQL its system columns are the
    report's: hence it holds no readable category, only a padded blob sealed under a
    ``SECRET_KEY``-derived key, and no organisation or report. See the fold's docstring.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sealed = models.BinaryField()

    def __str__(self) -> str:
        return "Pending statistics increment"
