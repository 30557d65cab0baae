"""The preventative duty through HTTP: the risk register, the actions hub and the duty record.

Seeds ``bench/bench_duty.py``'s large organisation (500 risk assessments, 5,000 risks each
with a control, 20,000 actions, a completed policy audit) and measures, as its leader: the
register (first page), the hub (first page and the overdue filter), the duty record page
for the last year and its DOCX and PDF. ``extra`` then downloads each export once more and
reports the workers' peak resident memory (VmHWM) after it, with the export's size and time.
"""

from __future__ import annotations

import datetime as dt
import time
import urllib.request

from bench import bench_duty
from bench.http_bench import PROXY_HEADERS, Page, Server, session_cookie

NAME = "large"
SLUG = f"{bench_duty.SLUG}-{NAME}"
LEAD = f"{SLUG}-lead@bench.test"


def seed() -> dict[str, int]:
    from saferwork.actions.models import Action
    from saferwork.risk.models import Assessment, Hazard

    bench_duty._seed_one(NAME, *bench_duty.SIZES[NAME])  # skips an organisation already there
    where = {"organisation__slug": SLUG}
    return {
        "risk assessments": Assessment.objects.filter(**where).count(),
        "risks": Hazard.objects.filter(**where).count(),
        "actions": Action.objects.filter(**where).count(),
    }


def _period() -> str:
    from saferwork.actions.selectors import today_for
    from saferwork.organisations.models import Organisation

    today = today_for(Organisation.objects.get(slug=SLUG))
    return f"start={(today - dt.timedelta(days=365)).isoformat()}&end={today.isoformat()}"


def pages() -> list[Page]:
    lead = session_cookie(LEAD, organisation_slug=SLUG)
    sudo = session_cookie(LEAD, organisation_slug=SLUG, sudo=True)
    period = _period()
    return [
        Page("duty: risk register (500 assessments, page 1)", "/risk/", lead),
        Page("duty: actions hub (20,000 actions, page 1)", "/actions/", lead),
        Page("duty: actions hub, overdue", "/actions/?overdue=on", lead),
        Page("duty: duty record page (last year)", "/duty/record/", lead),
        Page("duty: duty record DOCX (last year)", f"/duty/record/export.docx?{period}", sudo),
        Page("duty: duty record PDF (last year)", f"/duty/record/export.pdf?{period}", sudo),
    ]


def extra(app: Server, floor: Server) -> list[str]:
    """Download each export once and read the workers' peak memory after it."""
    cookie = session_cookie(LEAD, organisation_slug=SLUG, sudo=True)
    period = _period()
    lines = [
        "",
        "| duty record export (last year) | bytes | seconds | workers' peak MiB after it (VmHWM) | floor's |",
        "|---|---|---|---|---|",
    ]
    for fmt in ("docx", "pdf"):
        request = urllib.request.Request(
            f"{app.base}/duty/record/export.{fmt}?{period}", headers={**PROXY_HEADERS, "Cookie": cookie}
        )
        started = time.perf_counter()
        size = 0
        with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310
            while chunk := response.read(65536):
                size += len(chunk)
        seconds = time.perf_counter() - started
        peaks = ", ".join(f"{p:.0f}" for p in app.peak_mib())
        floor_peaks = ", ".join(f"{p:.0f}" for p in floor.peak_mib())
        lines.append(f"| {fmt.upper()} | {size:,} | {seconds:.1f} | {peaks} | {floor_peaks} |")
    return lines
