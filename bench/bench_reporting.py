"""Reporting: reports per second through the real form, one Argon2id derivation, and the
case list with 20,000 cases."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

CASES = 20_000
GLOBALEAKS = (16, 128 * 1024)  # opslimit, memlimit in KiB: the production default


def _organisation():
    from saferwork.organisations.models import Organisation
    from saferwork.reporting import services
    from saferwork.reporting.models import ReportingSettings

    org, _ = Organisation.objects.get_or_create(
        slug="bench-reporting", defaults={"name": "Bench Reporting Council", "kind": "employer"}
    )
    if not ReportingSettings.objects.filter(organisation=org).exists():
        services.enable_reporting(organisation=org, actor=None, handler_private=None)
    return org


def _handler(org):
    from saferwork.accounts.models import User
    from saferwork.organisations.models import Membership
    from saferwork.reporting import keys
    from saferwork.tests.factories import PASSWORD, add_totp

    user = User.objects.filter(email="bench-handler@example.org").first()
    if user is None:
        user = User.objects.create_user("bench-handler@example.org", PASSWORD, full_name="Bench Handler")
        Membership.objects.create(user=user, organisation=org, is_case_handler=True)
        add_totp(user)
    keys._unlock_or_create(user=user, password=PASSWORD)
    from saferwork.reporting import selectors
    from saferwork.reporting.models import HandlerAccess

    # New reports are sealed to handlers given access; the bench's handler enabled reporting.
    HandlerAccess.objects.get_or_create(
        organisation=org, user=user, defaults={"granted_by": user, "granted_on": selectors.today_for(org)}
    )
    return user


def _seed_tallies(org) -> None:
    """Counters for every case of the bench organisation, as submissions would have made them."""
    from saferwork.reporting import statistics as stats
    from saferwork.reporting.models import Report, ReportTally

    places = list(stats.PLACE_LABELS)[:-1]
    whos = ["colleague", "third_party", "both", "unknown"]
    behaviours = list(stats.BEHAVIOUR_LABELS)[:-1]
    counts: dict[tuple, int] = {}
    rows = Report.objects.filter(organisation=org).values_list("pk", "submitted_on", "acknowledged_on")
    for pk, submitted_on, acknowledged_on in rows.iterator():
        month = submitted_on.replace(day=1)
        keys = [
            ("place_who", f"{places[pk % len(places)]}|{whos[pk % 7 % len(whos)]}"),
            ("behaviour", behaviours[pk % len(behaviours)]),
        ]
        if acknowledged_on:
            keys.append(("ack", stats.ack_bucket((acknowledged_on - submitted_on).days)))
        for dimension, value in keys:
            counts[(month, dimension, value)] = counts.get((month, dimension, value), 0) + 1
    ReportTally.objects.filter(organisation=org).delete()
    ReportTally.objects.bulk_create(
        ReportTally(organisation=org, month=m, dimension=d, value=v, count=n) for (m, d, v), n in counts.items()
    )


def seed_cases(org, handler) -> None:
    """Bulk-insert the bench organisation's cases up to CASES (once; later runs reuse them)."""
    from saferwork.reporting import crypto, selectors
    from saferwork.reporting.models import Report

    params = crypto.KdfParams(*GLOBALEAKS)
    existing = Report.objects.filter(organisation=org).count()
    if existing < CASES:
        public, _private = crypto.new_keypair()
        today = selectors.today_for(org)
        Report.objects.bulk_create(
            (
                Report(
                    organisation=org,
                    reference=f"B{n:07d}",
                    status=["received", "acknowledged", "assessing", "closed"][n % 4],
                    submitted_on=today - timedelta(days=n % 700),
                    acknowledge_by=today - timedelta(days=n % 700) + timedelta(days=2),
                    public_key=public,
                    content=crypto.seal(public, b"{}"),
                    receipt_lookup=f"bench{n:059d}",
                    receipt_kdf=params.as_dict(),
                    receipt_wrapped_private_key=b"-",
                    recovery_wrapped_private_key=b"-",
                    assigned_to=handler if n % 3 else None,
                )
                for n in range(existing, CASES)
            ),
            batch_size=2000,
        )


def _submit_one(client, slug, client_key=None) -> None:
    from django.urls import reverse

    from saferwork.reporting.tests.helpers import ANSWERS

    for step, data in ANSWERS.items():
        client.post(reverse("reporting:question", args=[slug, step]), data)
    data = {"receipt": client_key[0], "receipt_key": client_key[1].hex()} if client_key else {}
    response = client.post(reverse("reporting:check", args=[slug]), data)
    if response.status_code != 200 or b"data-receipt" not in response.content:
        raise AssertionError(f"submission failed: {response.status_code}")


def main() -> None:
    from django.core.cache import cache
    from django.test import Client, override_settings

    from bench.lib import HEADER, measure
    from saferwork.reporting import crypto
    from saferwork.reporting.models import Report, ReportingSettings
    from saferwork.tests.factories import sign_in_verified

    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        RATE_LIMIT_REPORT_SUBMIT=(10**9, 3600),
        REPORTING_ARGON2_OPSLIMIT=GLOBALEAKS[0],
        REPORTING_ARGON2_MEMLIMIT_KIB=GLOBALEAKS[1],
    ):
        org = _organisation()
        handler = _handler(org)
        salt = bytes(ReportingSettings.objects.get(organisation=org).receipt_salt)
        params = crypto.KdfParams(*GLOBALEAKS)

        # One Argon2id derivation at GlobaLeaks' strength.
        times = []
        for _ in range(5):
            start = time.perf_counter()
            crypto.derive_key(crypto.new_receipt(), salt, params)
            times.append(time.perf_counter() - start)
        print(
            f"- One Argon2id derivation (opslimit {params.opslimit}, {params.memlimit_kib // 1024} MiB): "
            f"median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms (5 runs)"
        )

        # Reports through the real form (11 question pages + the check page per report).
        cache.clear()
        client = Client()
        # The browser's Argon2id work is not the server's: any 32-byte key stands in for it.
        runs = 40
        start = time.perf_counter()
        for _ in range(runs):
            _submit_one(client, org.slug, client_key=(crypto.new_receipt(), crypto.new_secret_key()))
        elapsed = time.perf_counter() - start
        print(
            f"- Reports submitted through the form, key derived in the browser (JavaScript): "
            f"{runs / elapsed:.1f} reports/s ({elapsed / runs * 1000:.0f} ms each, 12 requests)"
        )
        runs = 5
        start = time.perf_counter()
        for _ in range(runs):
            _submit_one(client, org.slug)
        elapsed = time.perf_counter() - start
        print(
            f"- Reports submitted through the form, key derived on the server (no JavaScript): "
            f"{runs / elapsed:.2f} reports/s ({elapsed / runs * 1000:.0f} ms each)"
        )

        # The case list with 20,000 cases.
        seed_cases(org, handler)
        total = Report.objects.filter(organisation=org).count()
        viewer = Client()
        sign_in_verified(viewer, handler)
        print(f"\nCase list with {total:,} cases in the organisation:\n")
        print(HEADER)
        for url, name in [
            ("/reporting/", "open cases, page 1"),
            ("/reporting/?status=all&page=200", "all cases, page 200"),
            ("/reporting/?status=overdue", "overdue cases"),
        ]:
            print(measure(viewer, url, name=name, runs=30).row())

        # The statistics page: counters spread over the seeded cases' months and categories.
        _seed_tallies(org)
        print(f"\nStatistics page with {total:,} cases in the organisation:\n")
        print(HEADER)
        print(measure(viewer, "/reporting/statistics/", name="statistics, 12 months", runs=30).row())
