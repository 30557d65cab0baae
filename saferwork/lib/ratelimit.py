"""Fixed-window rate limits kept in the shared cache (database or Redis).

The counters live in the cache every web process shares, so a limit holds however many
processes or hosts serve the site.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    header = settings.CLIENT_IP_HEADER
    if header:
        forwarded = request.META.get(header, "")
        if forwarded:
            # The proxy appends the address it saw last; that is the one we trust.
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "unknown")


def _key(scope: str, identity: str, kind: str) -> str:
    # Hash the identity: counters must never hold an address or an email in the clear.
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{scope}:{identity}".encode()).hexdigest()[:32]
    return f"rl:{scope}:{kind}:{digest}"


def is_limited(scope: str, identity: str, limit: tuple[int, int]) -> bool:
    """True while ``identity`` is paused after using up its attempts."""
    return float(cache.get(_key(scope, identity, "paused-until"), 0)) > time.time()


def _count(scope: str, identity: str, limit: tuple[int, int], now: float) -> int:
    """Add one to the identity's count in its window and return the new count.

    Atomic on every backend the site runs on (``cache.add`` then ``cache.incr``: Redis's
    INCRBY, or the row-locking ``saferwork.lib.cache.DatabaseCache``), so callers that
    arrive together each get a different count.
    """
    attempts, window = limit
    since_key = _key(scope, identity, "since")
    cache.add(since_key, now, timeout=window)
    remaining = max(1, math.ceil(float(cache.get(since_key, now)) + window - now))
    key = _key(scope, identity, "count")
    cache.add(key, 0, timeout=remaining)
    try:
        count = int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.add(key, 0, timeout=remaining)
        count = int(cache.incr(key))
    cache.touch(key, timeout=remaining)
    return count


def _pause(scope: str, identity: str, limit: tuple[int, int], now: float) -> None:
    cache.set(_key(scope, identity, "paused-until"), now + limit[1], timeout=limit[1])


def hit(scope: str, identity: str, limit: tuple[int, int]) -> int:
    """Count one attempt and return how many this identity's window has seen.

    A window starts at the identity's first attempt. The attempt that uses up the limit
    starts a pause of one whole window, whose end is stored as a time rather than left to
    the cache's expiry: some backends' ``incr`` resets a key's timeout to the default (the
    database cache's is 5 minutes), and windows fixed to the clock would let a pause end,
    and the count start again, at every quarter of an hour.
    """
    now = time.time()
    count = _count(scope, identity, limit, now)
    if count >= limit[0]:
        _pause(scope, identity, limit, now)
    return count


def attempt(scope: str, identity: str, limit: tuple[int, int]) -> int | None:
    """Count an attempt *before* it is evaluated: its count if it may go ahead, else ``None``.

    Checking first and counting after the evaluation let every request that arrived
    together through (5 became 12). Here the count is taken atomically first, so at most
    ``limit[0]`` attempts per window are ever evaluated. Follow with :func:`failed` when
    the attempt was wrong, or :func:`forgive` when it was right.
    """
    if is_limited(scope, identity, limit):
        return None
    count = _count(scope, identity, limit, time.time())
    return count if count <= limit[0] else None


def failed(scope: str, identity: str, limit: tuple[int, int], count: int) -> None:
    """The attempt :func:`attempt` counted as ``count`` was wrong: the last allowed one starts the pause."""
    if count >= limit[0]:
        _pause(scope, identity, limit, time.time())


def forgive(scope: str, identity: str, limit: tuple[int, int]) -> None:
    """The attempt :func:`attempt` counted was right: take it off the count again."""
    with contextlib.suppress(ValueError):  # the window has ended meanwhile
        cache.decr(_key(scope, identity, "count"))


def reset(scope: str, identity: str, limit: tuple[int, int]) -> None:
    cache.delete_many([_key(scope, identity, kind) for kind in ("since", "count", "paused-until")])
