"""Reads that reporting pages share."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone

from saferwork.accounts.models import User
from saferwork.organisations.models import Organisation
from saferwork.organisations.switching import offers_other_organisation
from saferwork.reporting.models import Exclusion, Report, ReportingSettings


def add_working_days(start: date, days: int) -> date:
    """``days`` working days (Monday to Friday) after ``start``. Bank holidays are not known."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def today_for(organisation: Organisation) -> date:
    import zoneinfo

    return timezone.now().astimezone(zoneinfo.ZoneInfo(organisation.time_zone)).date()


def reporting_settings(organisation: Organisation) -> ReportingSettings | None:
    return ReportingSettings.objects.filter(organisation=organisation, enabled=True).first()


def active_organisation_for_slug(slug: str) -> tuple[Organisation, ReportingSettings]:
    """The organisation whose reporting route this is, or 404 (also when not enabled)."""
    org_settings = (
        ReportingSettings.objects.select_related("organisation")
        .filter(organisation__slug=slug, organisation__status="active", enabled=True)
        .first()
    )
    if org_settings is None:
        raise Http404("No reporting route here.")
    return org_settings.organisation, org_settings


def public_route_path(organisation: Organisation) -> str | None:
    """The path of ``organisation``'s reporting route, or None while it is not open."""
    is_open = ReportingSettings.objects.filter(
        organisation=organisation, organisation__status="active", enabled=True
    ).exists()
    return reverse("reporting:start", args=[organisation.slug]) if is_open else None


def handlers(organisation: Organisation) -> QuerySet[User]:
    """Everyone who handles reports for ``organisation``."""
    return User.objects.filter(
        is_active=True, memberships__organisation=organisation, memberships__is_case_handler=True
    ).order_by("full_name", "email")


def readers(organisation: Organisation) -> QuerySet[User]:
    """Handlers who read ``organisation``'s reports: the flag and a grant (``HandlerAccess``)
    given by someone who could already read them. New reports are sealed to these people."""
    from saferwork.reporting.models import HandlerAccess

    granted = HandlerAccess.objects.filter(organisation=organisation).values("user_id")
    return handlers(organisation).filter(pk__in=granted)


def waiting_for_access(organisation: Organisation) -> QuerySet[User]:
    """Handlers with a reporting key who have not been given this organisation's reports."""
    from saferwork.reporting.models import HandlerAccess

    granted = HandlerAccess.objects.filter(organisation=organisation).values("user_id")
    return handlers(organisation).filter(reporting_key__isnull=False).exclude(pk__in=granted)


def recovery_key_holders(org_settings: ReportingSettings) -> str:
    """Who keeps the recovery key, in words a reporter understands."""
    named = org_settings.recovery_key_holders.strip()
    if named:
        return named
    return f"the people {org_settings.organisation.name} chose to keep its recovery key"


def receipt_kdfs() -> list[Any]:
    """The Argon2id parameter sets to try for a receipt: today's first, then every set that
    still protects a report or a private record (most used first), so that raising the
    parameters never locks anyone out. Taken across the whole service, not per
    organisation: parameters are a deployment setting, and a per-organisation list would
    tell a visitor whether an organisation has reports older than the last change."""
    from saferwork.reporting import crypto, forms
    from saferwork.reporting.models import PrivateRecord

    counts: dict[crypto.KdfParams, int] = {}
    for model in (Report, PrivateRecord):
        rows = model.objects.values("receipt_kdf").annotate(n=Count("id")).values_list("receipt_kdf", "n")
        for stored, n in rows:
            try:
                candidate = crypto.KdfParams.from_dict(stored)
            except (ValueError, KeyError, TypeError):
                continue
            counts[candidate] = counts.get(candidate, 0) + n
    current = crypto.KdfParams.current()
    older = sorted((p for p in counts if p != current), key=lambda p: (-counts[p], p.opslimit, p.memlimit_kib))
    return [current, *older][: forms.MAX_RECEIPT_KEYS]


def excluded_user_ids(report: Report) -> set[int]:
    return set(Exclusion.objects.filter(report=report).values_list("user_id", flat=True))


def cases_for_handler(organisation: Organisation, user: Any) -> QuerySet[Report]:
    """Reports ``user`` may see: this organisation's, never those they are excluded from,
    and none at all until they have been given access (the list alone tells references,
    dates and activity: the flag is not enough to see it)."""
    from saferwork.reporting.models import HandlerAccess

    granted = HandlerAccess.objects.filter(organisation=organisation, user_id=user.pk).values("organisation_id")
    return (
        Report.objects.filter(organisation=organisation, organisation_id__in=granted)
        .exclude(exclusions__user=user)
        .select_related("assigned_to")
        .defer("content", "public_key", "receipt_wrapped_private_key", "notify_email", "recovery_wrapped_private_key")
    )


@offers_other_organisation
def get_case_for_user(request: HttpRequest, pk: int) -> Report:
    """A report of the current organisation that this handler is not excluded from; else 404."""
    organisation = request.organisation  # type: ignore[attr-defined]
    if organisation is None:
        raise Http404
    report = cases_for_handler(organisation, request.user).filter(pk=pk).first()
    if report is None:
        raise Http404("No such case.")
    return report


def overdue_filter(today: date) -> Q:
    return Q(status=Report.Status.RECEIVED, acknowledge_by__lt=today)


def message_counts(reports: list[Report]) -> dict[int, int]:
    """Messages per report for one page of the case list, in one query."""
    from saferwork.reporting.models import Message

    rows = (
        Message.objects.filter(report_id__in=[r.pk for r in reports])
        .values("report_id")
        .annotate(n=Count("id"))
        .values_list("report_id", "n")
    )
    return dict(rows)


def public_reporting_routes() -> QuerySet[ReportingSettings]:
    """The reporting routes anyone may find from the home page: enabled, active organisations."""
    return (
        ReportingSettings.objects.select_related("organisation")
        .filter(enabled=True, organisation__status="active")
        .order_by("organisation__name")
    )
