"""Reads about organisations that pages and services share."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from saferwork.organisations.models import JoinRequest, Membership, Organisation, normalise_name
from saferwork.organisations.permissions import membership_has
from saferwork.organisations.switching import offers_other_organisation


def find_organisation_by_name(name: str) -> Organisation | None:
    """The organisation already on SaferWork under this name, however it is cased or punctuated."""
    key = normalise_name(name)
    if not key:
        return None
    return Organisation.objects.filter(name_key=key).order_by("pk").first()


# Words that do not tell one organisation from another ("The Care Workers' Union" is
# "Care Workers Union").
_FILLER_WORDS = {"the", "of", "and", "for", "in", "ltd", "limited", "plc", "uk"}
# Addresses anyone can have: sharing one says nothing about belonging together.
_PUBLIC_MAIL_DOMAINS = {
    "aol.com", "btinternet.com", "gmail.com", "gmx.com", "googlemail.com", "hotmail.co.uk", "hotmail.com",
    "icloud.com", "live.co.uk", "live.com", "mail.com", "me.com", "outlook.com", "proton.me", "protonmail.com",
    "sky.com", "talktalk.net", "virginmedia.com", "yahoo.co.uk", "yahoo.com",
}  # fmt: skip
SIMILAR_NAME_RATIO = 0.8


def _words(name: str) -> list[str]:
    text = unicodedata.normalize("NFKD", name).casefold().replace("&", " and ")
    text = "".join(c for c in text if not unicodedata.combining(c)).replace("'", "").replace("’", "")
    return [w for w in re.findall(r"[^\W_]+", text) if w not in _FILLER_WORDS]


def _initials(words: list[str]) -> str:
    return "".join(w[0] for w in words) if len(words) > 1 else ""


def names_look_alike(one: str, other: str) -> bool:
    """Whether two organisation names could well be one organisation: nearly the same letters
    once filler words go ("Northfield Council", "Northfield Borough Council"), or one is the
    other's initials ("CWU", "Care Workers' Union")."""
    a, b = _words(one), _words(other)
    if not a or not b:
        return False
    if SequenceMatcher(None, "".join(a), "".join(b)).ratio() >= SIMILAR_NAME_RATIO:
        return True
    return bool(_initials(a) and _initials(a) in b) or bool(_initials(b) and _initials(b) in a)


def mail_domain(email: str) -> str:
    """The organisation's own mail domain in ``email``, or "" for an address anyone can have."""
    domain = email.rpartition("@")[2].strip().lower()
    return "" if not domain or domain in _PUBLIC_MAIL_DOMAINS else domain


@dataclass(frozen=True)
class Likeness:
    organisation: Organisation
    similar_name: bool
    same_domain: bool


def organisations_like(name: str, *, email: str = "", exclude: Organisation | None = None) -> list[Likeness]:
    """Organisations already on SaferWork that an enquiry naming ``name`` from ``email`` may
    mean: a similar name, or members whose addresses share the enquirer's mail domain. Only
    a suggestion for a programme admin; belonging is still for a coordinator to confirm.

    Two queries whatever the number of organisations (names are compared in Python).
    """
    candidates = Organisation.objects.exclude(kind=Organisation.Kind.PROGRAMME_HOST)
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    domain = mail_domain(email)
    by_domain = (
        set(
            Membership.objects.filter(user__email__iendswith=f"@{domain}", user__is_active=True).values_list(
                "organisation_id", flat=True
            )
        )
        if domain
        else set()
    )
    found = []
    for organisation in candidates.order_by("name", "pk"):
        similar = names_look_alike(name, organisation.name)
        if similar or organisation.pk in by_domain:
            found.append(Likeness(organisation, similar, organisation.pk in by_domain))
    return found


def membership_of(organisation: Organisation, email: str) -> Membership | None:
    return Membership.objects.filter(organisation=organisation, user__email__iexact=email.strip()).first()


def coordinator_emails(organisation: Organisation) -> list[str]:
    return sorted(
        Membership.objects.filter(organisation=organisation, is_coordinator=True, user__is_active=True).values_list(
            "user__email", flat=True
        )
    )


def pending_join_requests(organisation: Organisation) -> QuerySet[JoinRequest]:
    return organisation.join_requests.filter(status=JoinRequest.Status.PENDING)


def pending_join_request_count(request: HttpRequest) -> int:
    """For the dashboard: requests the current coordinator can decide."""
    membership = getattr(request, "membership", None)
    if not membership_has(membership, "is_coordinator"):
        return 0
    return pending_join_requests(membership.organisation).count()  # type: ignore[union-attr]


@offers_other_organisation
def get_join_request_for_coordinator(request: HttpRequest, pk: int) -> JoinRequest:
    """A request to join the current organisation; anything else is a 404."""
    membership = getattr(request, "membership", None)
    if not membership_has(membership, "is_coordinator"):
        raise Http404
    found = membership.organisation.join_requests.filter(pk=pk).first()  # type: ignore[union-attr]
    if found is None:
        raise Http404
    return found


@offers_other_organisation
def get_member_of_current_organisation(request: HttpRequest, pk: int) -> Membership:
    """A membership of the current organisation (for the people who manage its members); else 404."""
    organisation = getattr(request, "organisation", None)
    found = organisation.memberships.select_related("user").filter(pk=pk).first() if organisation else None
    if found is None:
        raise Http404
    return found


@offers_other_organisation
def get_join_request_for_programme_admin(request: HttpRequest, pk: int) -> JoinRequest:
    if not membership_has(getattr(request, "membership", None), "is_programme_admin"):
        raise Http404
    found = JoinRequest.objects.select_related("organisation").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
