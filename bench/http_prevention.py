"""The prevention half through HTTP: surveys, the duty, learning and standards beside the floor.

The same servers and load as ``bench/http_bench.py`` (gunicorn with 2 workers,
``saferwork.settings_production``, PostgreSQL, Redis, plain HTTP with the proxy's header,
``wrk -t1 -c2`` in interleaved rounds beside the bare Django floor of ``bench/floor/``),
on its own PostgreSQL database so the programme's dataset and this one never mix.

Each app brings a provider, ``bench/http_pages/<app>.py``:

* ``seed() -> dict[str, int]``: bulk-inserts its dataset once (later runs reuse it) and
  returns the sizes to print;
* ``pages() -> list[Page]``: the pages to load, each with a signed-in cookie;
* ``extra(app, floor) -> list[str]`` (optional): measurements that are not a page, such as
  the workers' peak memory after streaming an export or a burst of concurrent answers
  beside the floor's POST; it returns Markdown lines.

Besides time, every page's query count is read once in this process, through the full
middleware stack on the same database (Django's test client), so a count that grows with
the data shows beside its time.

Environment: ``BENCH_PROVIDERS`` (comma-separated; all of them by default; with one
provider the database is ``bench_http_prevention_<name>``), plus ``http_bench``'s
``BENCH_ROUNDS``, ``BENCH_SECONDS``, ``BENCH_ONLY``, ``BENCH_PG`` and ``BENCH_REDIS``.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import http_bench as hb  # noqa: E402

PROVIDERS = ("surveys", "duty", "learning", "standards")


def chosen() -> list[str]:
    names = [n.strip() for n in os.environ.get("BENCH_PROVIDERS", "").split(",") if n.strip()]
    unknown = sorted(set(names) - set(PROVIDERS))
    if unknown:
        raise SystemExit(f"unknown provider(s) {', '.join(unknown)}; choose from {', '.join(PROVIDERS)}")
    return names or list(PROVIDERS)


def database(names: list[str]) -> str:
    return "bench_http_prevention" + (f"_{names[0]}" if len(names) == 1 else "")


def load(names: list[str]) -> list[ModuleType]:
    modules = []
    for name in names:
        try:
            modules.append(importlib.import_module(f"bench.http_pages.{name}"))
        except ModuleNotFoundError as error:
            if error.name != f"bench.http_pages.{name}":
                raise
            print(f"(no provider bench/http_pages/{name}.py yet: skipped)", flush=True)
    return modules


def query_count(page: hb.Page) -> int:
    """The page's queries through the whole middleware stack, once, in this process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=hb.HOST, HTTP_X_FORWARDED_PROTO="https")
    if page.cookie:
        name, _, value = page.cookie.partition("=")
        client.cookies[name] = value
    client.get(page.path, secure=True)  # the first request may save the session or warm a cache
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(page.path, secure=True)
    if response.status_code != 200:
        raise RuntimeError(f"{page.name} ({page.path}) answered {response.status_code}")
    for _ in response:  # a streamed export runs its queries as it is read
        pass
    return len(ctx.captured_queries)


def _cpu_ticks(server: hb.Server) -> int:
    ticks = 0
    for pid in server.workers():
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks


def _active_queries() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND state = 'active' AND pid <> pg_backend_pid()"
        )
        return int(cursor.fetchone()[0])


def drain(server: hb.Server) -> None:
    """Wait until the workers are idle. wrk stops with requests still in flight and a sync
    worker finishes each one (an export can take seconds): without this the next page's
    window would be spent behind them and record nothing. Idle: no CPU used by either
    worker and no query running on the database, twice in a row 0.2 s apart."""
    deadline, quiet = time.monotonic() + 600, 0
    before = _cpu_ticks(server)
    while quiet < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
        now = _cpu_ticks(server)
        quiet = quiet + 1 if now == before and not _active_queries() else 0
        before = now


def load_page(server: hb.Server, page: hb.Page, **kwargs: Any) -> hb.Run:
    run = hb.wrk(server.base + page.path, cookie=page.cookie, **kwargs)
    drain(server)
    return run


def main() -> None:
    names = chosen()
    db = database(names)
    for name in (db, hb.FLOOR_DB):
        hb._ensure_database(name)
    os.environ.update(hb._env(db))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    modules = load(names)
    if not modules:
        raise SystemExit("no provider to measure")
    started = time.perf_counter()
    data: dict[str, int] = {}
    for module in modules:
        data.update(module.seed())
    hb._psql(db, "VACUUM ANALYZE")
    print(f"Data ready in {time.perf_counter() - started:.0f} s.", flush=True)

    listed = [page for module in modules for page in module.pages()]
    only = os.environ.get("BENCH_ONLY", "")
    if only:
        listed = [p for p in listed if only in p.name]
    # The production settings' manifest storage: pages render only once the files are collected.
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=hb.ROOT,
        env=hb._env(db),
        check=True,
    )
    queries = {page.name: query_count(page) for page in listed}

    floor_env = hb._env(hb.FLOOR_DB, "bench.floor.settings")
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "django", "migrate", "--verbosity", "0"], cwd=hb.ROOT, env=floor_env, check=True
    )
    app_env = {
        **hb._env(db),
        # Bursts answer from one address.
        "RATE_LIMIT_ANONYMOUS_FORM": "1000000",
        "RATE_LIMIT_SURVEY_ANSWER": "1000000",
    }
    results = {p.name: hb.Result(p.name) for p in listed}
    floor_get, floor_post = hb.Result("floor: hello (GET)"), hb.Result("floor: one INSERT (POST)")
    memory: list[tuple[str, list[float]]] = []
    extras: list[str] = []
    with (
        hb.serve("floor", "bench.floor.wsgi", floor_env, "/") as floor,
        hb.serve("prevention", "saferwork.wsgi", app_env, "/healthz/") as app,
    ):
        memory.append(("after start-up", app.peak_mib()))
        for page in listed:  # warm every page once before timing
            load_page(app, page, seconds=1)
        hb.wrk(floor.base + "/insert/", post="value=hello", seconds=1)
        memory.append(("after one second of each page", app.peak_mib()))
        for round_number in range(hb.ROUNDS):
            print(f"Round {round_number + 1} of {hb.ROUNDS}…", flush=True)
            floor_post.runs.append(hb.wrk(floor.base + "/insert/", post="value=hello"))
            for number, page in enumerate(listed):
                if number % hb.FLOOR_EVERY == 0:
                    floor_get.runs.append(hb.wrk(floor.base + "/"))
                results[page.name].runs.append(load_page(app, page))
        memory.append((f"after {hb.ROUNDS} rounds of every page", app.peak_mib()))
        if not only:
            for module in modules:
                if hasattr(module, "extra"):
                    extras += ["", *module.extra(app, floor)]
                    memory.append((f"after {module.__name__.rsplit('.', 1)[1]}'s extra measurements", app.peak_mib()))
    hb.print_pages(results, floor_get, floor_post, data)
    print_rest(results, queries, memory, extras)


def print_rest(
    results: dict[str, hb.Result], queries: dict[str, int], memory: list[tuple[str, list[float]]], extras: list[str]
) -> None:
    lines: list[Any] = ["", hb._row(["page", "queries (once, in process, full middleware)"]), hb._row(["---"] * 2)]
    lines += [hb._row([name, str(queries[name])]) for name in results]
    lines += extras
    lines += ["", hb._row(["gunicorn workers' peak resident memory (VmHWM)", "worker 1 MiB", "worker 2 MiB"])]
    lines.append(hb._row(["---"] * 3))
    lines += [hb._row([label, *(f"{p:.0f}" for p in peaks)]) for label, peaks in memory]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    main()
