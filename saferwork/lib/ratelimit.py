"""Fixed-window rate limits kept in the shared cache (database or Redis).

The counters live in the cache every web process shares, so a limit holds however many
processes or hosts serve the site.
"""

from __future__ import annotations

import hashlib
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


def _key(scope: str, identity: str, window: int) -> str:
    # Hash the identity: counters must never hold an address or an email in the clear.
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{scope}:{identity}".encode()).hexdigest()[:32]
    bucket = int(time.time() // window)
    return f"rl:{scope}:{digest}:{bucket}"


def is_limited(scope: str, identity: str, limit: tuple[int, int]) -> bool:
    """True when ``identity`` has already used up its attempts in this window."""
    attempts, window = limit
    return int(cache.get(_key(scope, identity, window), 0)) >= attempts


def hit(scope: str, identity: str, limit: tuple[int, int]) -> int:
    """Count one attempt and return how many this window has seen."""
    _attempts, window = limit
    key = _key(scope, identity, window)
    cache.add(key, 0, timeout=window)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


def reset(scope: str, identity: str, limit: tuple[int, int]) -> None:
    cache.delete(_key(scope, identity, limit[1]))
