"""Learning for ``bench/http_prevention.py``: the department completion report of an
organisation of 50,000 learners × 20 modules (1,000,000 enrolments, 40 departments of
uneven size), beside a small one of 100 learners × 20 modules, and its CSV and XLSX exports.

The dataset is ``bench/bench_learning.py``'s (same seed, same sizes). The report groups in
the database and suppresses a 40 × 20 table, so its query count is the same at both sizes;
the exports are read to the end in ``extra()`` and the workers' peak memory read after.
"""

from __future__ import annotations

import statistics
import time
import urllib.request

from bench import bench_learning
from bench.http_bench import PROXY_HEADERS, Page, Server, session_cookie

LARGE = bench_learning.SLUG
SMALL = f"{bench_learning.SLUG}-small"


def _coordinator(slug: str) -> str:
    return f"{slug}-coordinator@bench.test"


def seed() -> dict[str, int]:
    from saferwork.learning.models import Enrolment

    bench_learning.seed()  # skips what exists
    return {
        "learning enrolments (large organisation)": Enrolment.objects.filter(organisation__slug=LARGE).count(),
        "learning enrolments (small organisation)": Enrolment.objects.filter(organisation__slug=SMALL).count(),
        "learning modules per organisation": bench_learning.MODULES,
        "learning departments per organisation": bench_learning.DEPARTMENTS,
    }


def pages() -> list[Page]:
    out = []
    for slug, label in ((LARGE, f"{bench_learning.LEARNERS:,} learners"), (SMALL, "100 learners")):
        cookie = session_cookie(_coordinator(slug), organisation_slug=slug, sudo=True)
        out.append(Page(f"learning: completion report ({label})", "/learning/report/", cookie))
        out.append(Page(f"learning: completion CSV ({label})", "/learning/report/export.csv", cookie))
    return out


def _fetch(app: Server, path: str, cookie: str) -> tuple[float, int]:
    request = urllib.request.Request(app.base + path, headers={**PROXY_HEADERS, "Cookie": cookie})
    started = time.perf_counter()
    size = 0
    with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310
        assert response.status == 200, f"{path} answered {response.status}"
        while chunk := response.read(65536):
            size += len(chunk)
    return time.perf_counter() - started, size


def extra(app: Server, floor: Server) -> list[str]:
    """Each export of the large organisation read to the end 6 times (both workers serve
    some), with its median time, size and the workers' peak memory after."""
    cookie = session_cookie(_coordinator(LARGE), organisation_slug=LARGE, sudo=True)
    lines = [
        "| learning export (50,000 learners × 20 modules) | runs | median s | bytes | workers' peak MiB after |",
        "|---|---|---|---|---|",
    ]
    for fmt in ("csv", "xlsx"):
        runs = [_fetch(app, f"/learning/report/export.{fmt}", cookie) for _ in range(6)]
        peaks = " / ".join(f"{p:.0f}" for p in app.peak_mib())
        median = statistics.median(t for t, _ in runs)
        lines.append(f"| {fmt.upper()} | {len(runs)} | {median:.3f} | {runs[-1][1]:,} | {peaks} |")
    return lines
