"""Open Badges 3.0 achievements and the credentials issued for them.

A credential never holds the recipient's email: only a salted SHA-256 of it (the
``IdentityObject`` the credential itself carries), so a database dump cannot tell who
was trained. No union, employer or role is stored or signed either.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from saferwork.organisations.models import OrganisationOwned


class Achievement(OrganisationOwned):
    """What a badge says was achieved, in two wordings.

    The participant chooses: the *topic* wording names sexual harassment prevention; the
    *neutral* wording (name, description, criteria and even the URL slug) does not, so a
    badge shown to a future employer reveals nothing the person did not choose to share.
    ``organisation`` is the programme host, which issues every badge.
    """

    slug = models.SlugField(max_length=80, unique=True, help_text="URL name of the wording that names the topic.")
    name = models.CharField(max_length=200)
    description = models.TextField()
    criteria = models.TextField()
    neutral_slug = models.SlugField(max_length=80, unique=True, help_text="URL name of the neutral wording.")
    neutral_name = models.CharField(max_length=200)
    neutral_description = models.TextField()
    neutral_criteria = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.slug == self.neutral_slug:
            raise ValidationError("The two wordings need different URL names.")
        clash = Achievement.objects.exclude(pk=self.pk).filter(
            models.Q(slug=self.neutral_slug) | models.Q(neutral_slug=self.slug)
        )
        if clash.exists():
            raise ValidationError("Another achievement already uses one of these URL names.")

    def wording(self, *, show_topic: bool) -> dict[str, str]:
        if show_topic:
            return {"slug": self.slug, "name": self.name, "description": self.description, "criteria": self.criteria}
        return {
            "slug": self.neutral_slug,
            "name": self.neutral_name,
            "description": self.neutral_description,
            "criteria": self.neutral_criteria,
        }


class Credential(OrganisationOwned):
    """One signed badge. The signed forms are kept exactly as issued."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    achievement = models.ForeignKey(Achievement, on_delete=models.PROTECT, related_name="credentials")
    show_topic = models.BooleanField(help_text="Whether the participant chose the wording that names the topic.")
    identity_hash = models.CharField(max_length=80, help_text="sha256$<hex> of the email address and the salt.")
    identity_salt = models.CharField(max_length=64)
    awarded_on = models.DateField(help_text="The date of the session attended.")
    issued_at = models.DateTimeField()
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True)
    key_id = models.CharField(max_length=64)
    status_index = models.PositiveIntegerField(
        unique=True, help_text="This badge's bit in the published revocation list (chosen at random)."
    )
    document = models.JSONField(help_text="The credential secured with a Data Integrity proof (eddsa-rdfc-2022).")
    jwt = models.TextField(help_text="The same credential as a VC-JWT (EdDSA).")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"Badge {self.id}"

    @property
    def urn(self) -> str:
        return f"urn:uuid:{self.id}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def name(self) -> str:
        return str(self.document.get("name", ""))

    def get_absolute_url(self) -> str:
        return reverse("badges:detail", args=[self.id])
