"""What the platform itself keeps: the keys of emails already sent by a task."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class SentEmail(models.Model):
    """One email task's message, marked as sent, so that a task run again (its worker died
    after sending, ``manage.py requeue_stale_tasks`` put it back) does not send it twice.

    Metadata is data: the row holds a one-way hash of the task's random id with the kind
    and ids (never a recipient, subject or body) and only the day it was sent; rows are
    forgotten after a few days (``manage.py prune_sent_emails``)."""

    key = models.CharField(max_length=64, primary_key=True)
    day = models.DateField(default=timezone.localdate)

    class Meta:
        indexes = [models.Index(fields=["day"], name="core_sentemail_day_idx")]

    def __str__(self) -> str:
        return f"Email sent on {self.day}"
