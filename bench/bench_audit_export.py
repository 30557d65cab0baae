"""Streaming export: the audit log as CSV with 6,000 and 60,000 rows, and the memory it takes.

Each export is consumed chunk by chunk as a client would read it; tracemalloc records the
peak Python memory while it runs. The peak is the same for ten times the rows: the file
is never held in memory whole.
"""

from __future__ import annotations

import time
import tracemalloc

SIZES = {"saferwork.bench.small-export": 6_000, "saferwork.bench.large-export": 60_000}


def _seed() -> object:
    from django.db import transaction
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from saferwork.accounts.models import User
    from saferwork.audit.models import AuditEntry
    from saferwork.organisations.models import Membership, Organisation

    host, _ = Organisation.objects.get_or_create(
        slug="bench-export-host", defaults={"name": "Bench export host", "kind": "programme_host"}
    )
    admin = User.objects.filter(email="bench-export-admin@example.org").first()
    if admin is None:
        admin = User.objects.create_user("bench-export-admin@example.org", "bench-password-not-secret")
        Membership.objects.create(user=admin, organisation=host, is_programme_admin=True)
        TOTPDevice.objects.create(user=admin, name="bench", confirmed=True)
    for action, rows in SIZES.items():
        missing = rows - AuditEntry.objects.filter(action=action).count()
        if missing <= 0:
            continue
        with transaction.atomic():
            AuditEntry.objects.bulk_create(
                [
                    AuditEntry(
                        action=action,
                        actor=admin,
                        organisation=host,
                        target_type="organisations.organisation",
                        target_id=str(host.pk),
                        target_label=f"Bench row {n}",
                        data={"n": n},
                    )
                    for n in range(missing)
                ],
                batch_size=5000,
            )
    return admin


def main() -> None:
    from django.test import Client
    from django.urls import reverse

    from saferwork.tests.factories import sign_in_verified

    admin = _seed()
    client = Client()
    sign_in_verified(client, admin)
    session = client.session
    session["sudo_until"] = int(time.time()) + 3600
    session.save()
    # Warm up imports, URL resolution and templates so they don't count as export memory.
    for _chunk in client.get(reverse("audit:export"), {"action": "saferwork.bench.none"}).streaming_content:
        pass
    print("| rows | MiB streamed | seconds | peak Python memory while streaming (MiB) |\n|---|---|---|---|")
    for action in SIZES:
        tracemalloc.start()
        start = time.perf_counter()
        response = client.get(reverse("audit:export"), {"action": action})
        size = rows = 0
        for chunk in response.streaming_content:
            size += len(chunk)
            rows += chunk.count(b"\n")
        elapsed = time.perf_counter() - start
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"| {rows - 1:,} | {size / 1024 / 1024:.1f} | {elapsed:.2f} | {peak / 1024 / 1024:.1f} |")
