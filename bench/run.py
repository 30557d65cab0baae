"""Run every benchmark under bench/ (files named bench_*.py, each with a main()).

Usage: make bench-inprocess  [BENCH=name to run one, e.g. BENCH=training]
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saferwork.settings")
os.environ.setdefault("SAFERWORK_TESTING", "true")
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from bench.lib import machine

    call_command("migrate", verbosity=0)
    only = os.environ.get("BENCH", "")
    print(f"Machine: {machine()}\nDatabase: {os.environ['DATABASE_URL'].split('@')[-1]}\n")
    modules = sorted(p.stem for p in (ROOT / "bench").glob("bench_*.py"))
    for name in modules:
        if only and name != f"bench_{only}":
            continue
        print(f"## {name.removeprefix('bench_')}\n")
        importlib.import_module(f"bench.{name}").main()
        print()
    from bench.lib import peak_memory_mb

    # Requests run in this process through Django's full handler stack, so this is the
    # peak memory a web process serving these pages would reach.
    print(f"Peak memory of the process serving the benchmarked requests: {peak_memory_mb():.0f} MiB")


if __name__ == "__main__":
    main()
