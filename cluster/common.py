"""What every part of the cluster test prints and how it fails."""

from __future__ import annotations


def say(text: str) -> None:
    print(f"cluster: {text}", flush=True)


def fail(text: str) -> None:
    raise SystemExit(f"cluster test FAILED: {text}")
