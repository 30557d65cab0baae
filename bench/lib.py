"""Helpers for benchmarks: time real requests through Django's test client.

Benchmarks run against their own database (var/bench.sqlite3 by default, or
BENCH_DATABASE_URL) so that the demo data and the tests are never touched.
"""

from __future__ import annotations

import os
import resource
import statistics
import time
from dataclasses import dataclass
from typing import Any


@dataclass
class Timing:
    name: str
    runs: int
    median_ms: float
    p95_ms: float
    queries: int

    def row(self) -> str:
        return f"| {self.name} | {self.runs} | {self.median_ms:.1f} | {self.p95_ms:.1f} | {self.queries} |"


HEADER = "| page | runs | median ms | p95 ms | queries |\n|---|---|---|---|---|"


def measure(client: Any, url: str, *, name: str | None = None, runs: int = 30, expect: int = 200) -> Timing:
    """Request ``url`` ``runs`` times; report median and 95th-percentile server time and queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm caches and template loading
    times = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        if response.status_code != expect:
            raise AssertionError(f"{url} answered {response.status_code}, expected {expect}")
        queries = max(queries, len(ctx.captured_queries))
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return Timing(name or url, runs, statistics.median(times), p95, queries)


def peak_memory_mb() -> float:
    """Peak resident memory of this process so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> str:
    import platform

    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"
    )
