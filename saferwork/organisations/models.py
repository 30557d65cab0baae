from __future__ import annotations

import re
import unicodedata
import zoneinfo
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

ROLE_FLAGS: dict[str, str] = {
    "is_programme_admin": "Programme admin",
    "is_coordinator": "Organisation coordinator",
    "is_trainer": "Trainer",
    "is_case_handler": "Case handler",
    "is_leader": "Leader",
}


def normalise_name(name: str) -> str:
    """An organisation's name reduced to what tells it apart: letters and digits, case folded.

    "Northfield Borough Council", "northfield  borough council." and "Northfield-Borough
    Council" are one organisation; "&" counts as "and".
    """
    text = unicodedata.normalize("NFKD", name).casefold().replace("&", " and ")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "", text)


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a time zone name such as Europe/London.")


class Organisation(models.Model):
    class Kind(models.TextChoices):
        PROGRAMME_HOST = "programme_host", "Programme host"
        UNION = "union", "Union"
        EMPLOYER = "employer", "Employer"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PENDING = "pending", "Pending approval"

    name = models.CharField(max_length=200)
    # The name as :func:`normalise_name` reduces it: how an enquiry finds an existing organisation.
    name_key = models.CharField(max_length=200, db_index=True, editable=False, default="")
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    region = models.CharField(max_length=100, blank=True)
    time_zone = models.CharField(max_length=64, default="Europe/London", validators=[validate_time_zone])
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_key = normalise_name(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)

    @property
    def is_programme_host(self) -> bool:
        return self.kind == self.Kind.PROGRAMME_HOST


class Membership(models.Model):
    """A person's place in an organisation. Named flags, not groups, say what they may do.

    A membership with no flag is a participant: no second factor is required.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    job_title = models.CharField(max_length=200, blank=True)
    is_programme_admin = models.BooleanField(default=False)
    is_coordinator = models.BooleanField(default=False)
    is_trainer = models.BooleanField(default=False)
    is_case_handler = models.BooleanField(default=False)
    is_leader = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org")]
        ordering = ["organisation__name"]

    def __str__(self) -> str:
        return f"{self.user} in {self.organisation}"

    def clean(self) -> None:
        if self.is_programme_admin and self.organisation.kind != Organisation.Kind.PROGRAMME_HOST:
            raise ValidationError("Only members of the programme host can be programme admins.")

    @property
    def role_flags(self) -> list[str]:
        return [flag for flag in ROLE_FLAGS if getattr(self, flag)]

    @property
    def role_labels(self) -> list[str]:
        return [ROLE_FLAGS[flag] for flag in self.role_flags] or ["Participant"]

    def has(self, flag: str) -> bool:
        if flag not in ROLE_FLAGS:
            raise ValueError(f"Unknown role flag {flag!r}")
        return bool(getattr(self, flag))


class JoinRequest(models.Model):
    """Someone asks for a role in an organisation that already exists on SaferWork.

    Saying you belong to an organisation grants nothing: until an existing coordinator of
    that organisation (or a programme admin, deliberately) approves, the person has no
    membership and no role. Approval sends an invitation to the address asked for, so the
    role reaches only whoever holds that mailbox.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a decision"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="join_requests")
    email = models.EmailField()
    full_name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=200, blank=True, help_text="The role they gave, in their own words.")
    flags = models.JSONField(default=list, blank=True)
    # Where the request came from, for the people deciding ("a training enquiry").
    source = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=models.Q(status="pending"),
                name="one_pending_join_request_per_address",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} asks to join {self.organisation}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def role_labels(self) -> list[str]:
        return [ROLE_FLAGS[flag] for flag in self.flags if flag in ROLE_FLAGS] or ["Participant"]


class OrganisationScopedQuerySet(models.QuerySet[Any]):
    def for_organisation(self, organisation: Organisation) -> OrganisationScopedQuerySet:
        return self.filter(organisation=organisation)


class OrganisationOwned(models.Model):
    """Base for every organisation-owned model: fetch it through the organisation.

    Views use ``Thing.objects.for_organisation(request.organisation).get(pk=…)`` or a
    ``get_<thing>_for_user`` helper, never a bare ``get(pk=…)``.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        abstract = True
