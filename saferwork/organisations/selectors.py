"""Reads about organisations that pages and services share."""

from __future__ import annotations

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
