"""Law that changes by date, kept as data with its source, never as a constant."""

from __future__ import annotations

from django.conf import settings
from django.db import models

# What the value of a ``preventative_duty`` row means, in the words of the Equality Act 2010 s.40A.
PREVENTATIVE_DUTY_TESTS = {
    0: "no preventative duty in force",
    1: "reasonable steps",
    2: "all reasonable steps",
}


class LegalRule(models.Model):
    """One value of a legal rule, in force for events on or after ``applies_from``.

    A rule with several rows changes over time: the row that applies to an event is the
    one with the latest ``applies_from`` not after the event's date. Programme admins
    correct rows when commencement regulations are confirmed; every change is audited.
    """

    class Key(models.TextChoices):
        TRIBUNAL_TIME_LIMIT_MONTHS = "tribunal_time_limit_months", "Employment Tribunal time limit (months)"
        EARLY_CONCILIATION_WEEKS = "early_conciliation_weeks", "ACAS early conciliation period (weeks)"
        # 0: no preventative duty; 1: "reasonable steps"; 2: "all reasonable steps" (see PREVENTATIVE_DUTY_TESTS).
        PREVENTATIVE_DUTY = (
            "preventative_duty",
            "Preventative duty test (0 none, 1 reasonable steps, 2 all reasonable steps)",
        )

    key = models.CharField(max_length=60, choices=Key.choices)
    value = models.PositiveIntegerField()
    applies_from = models.DateField(help_text="The rule applies to events on or after this date.")
    summary = models.CharField(max_length=300)
    source_title = models.CharField(max_length=300)
    source_url = models.URLField(max_length=500, blank=True)
    confirmed = models.BooleanField(
        default=True, help_text="Untick while the date is only expected, not yet fixed by regulations."
    )
    note = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["key", "applies_from"]
        constraints = [models.UniqueConstraint(fields=["key", "applies_from"], name="one_rule_value_per_date")]

    def __str__(self) -> str:
        return f"{self.get_key_display()}: {self.value} from {self.applies_from:%-d %B %Y}"
