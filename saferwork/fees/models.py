"""Trainer fees: an estimate before a booking is confirmed and a statement after delivery.

Each is from one trainer to the organisation that booked them. The programme never pays
trainers: it only hosts the documents. Money is in integer pence throughout.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from saferwork.organisations.models import Organisation, OrganisationScopedQuerySet
from saferwork.training.models import Enquiry, TrainerProfile


def pounds(pence: int) -> str:
    """£1,234.50 from 123450: the one way money is shown."""
    sign = "-" if pence < 0 else ""
    pence = abs(pence)
    return f"{sign}£{pence // 100:,}.{pence % 100:02d}"


class FeeDocument(models.Model):
    class Kind(models.TextChoices):
        ESTIMATE = "estimate", "Estimate"
        STATEMENT = "statement", "Statement"

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent"
        PAID = "paid", "Paid"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="fee_documents")
    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="fee_documents")
    trainer = models.ForeignKey(TrainerProfile, on_delete=models.CASCADE, related_name="fee_documents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    days = models.PositiveSmallIntegerField("Days of training", default=1)
    day_rate_pence = models.PositiveIntegerField("Day rate in pence")
    notes = models.TextField("Notes for the organisation", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}"

    @property
    def reference(self) -> str:
        return f"{'EST' if self.kind == self.Kind.ESTIMATE else 'STM'}-{self.pk:05d}"

    @property
    def fee_pence(self) -> int:
        return self.days * self.day_rate_pence

    def total_pence(self, lines: list[FeeLine] | None = None) -> int:
        lines = list(self.lines.all()) if lines is None else lines
        return self.fee_pence + sum(line.amount_pence for line in lines)

    @property
    def is_draft(self) -> bool:
        return self.state == self.State.DRAFT


def receipt_path(instance: FeeLine, filename: str) -> str:
    # A random name: the uploaded name is kept only as a label, never as a path.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"fees/receipts/{uuid.uuid4().hex}.{extension}"


class FeeLine(models.Model):
    class Kind(models.TextChoices):
        PREPARATION = "preparation", "Preparation time"
        TRAVEL = "travel", "Travel"
        ACCOMMODATION = "accommodation", "Accommodation"
        OTHER = "other", "Other expense"

    document = models.ForeignKey(FeeDocument, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.CharField(max_length=200)
    amount_pence = models.PositiveIntegerField()
    receipt = models.FileField(upload_to=receipt_path, blank=True)
    receipt_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {pounds(self.amount_pence)}"
