"""Rate limits kept in the shared cache (database or Redis).

The counters live in the cache every web process shares, so a limit holds however many
processes or hosts serve the site.

Two kinds of scope (DESIGN.md, "Metadata is data"):

* Account scopes (:data:`ACCOUNT_SCOPES`: sign-in, second factor, password reset) guard
  accounts, not anonymous people. They keep a window that starts at the first attempt and
  a pause of exactly one window, keyed by a hash under ``SECRET_KEY``.
* Every other scope is an anonymous path (reporting, records, evaluation and badge links,
  enquiries, data requests): a counter there must not leave a dated trace of who sent a
  report. Time is cut into windows fixed to the clock; each window has its own random key,
  kept only in the cache, and a counter's name is an HMAC of the scope and address under
  that key. A window's key expires with the window after it and is deleted when a later
  window's key is made, so once it is gone not even someone holding ``SECRET_KEY`` and a
  candidate address can find that address's counter. Counters store only a number, never
  a time, and every expiry falls on a window boundary (no finer than the window). An
  attempt counts in its window and the next, so a limit holds across a boundary; the
  pause that follows the last allowed attempt lasts until the end of the next window
  (between one and two windows). Residual risk: while a window's key is live, someone
  who reads the cache and holds a candidate address can confirm that it was counted in
  this or the last window.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import math
import secrets
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


ACCOUNT_SCOPES = frozenset({"sign-in-account", "sign-in-address", "second-factor", "password-reset"})

# How many older windows' keys a new key sweeps away (covers long idle spells).
_SWEEP = 256


def _until(boundary: float, now: float) -> float:
    # Half a second past the boundary: the database cache drops microseconds, so the
    # stored expiry is the boundary itself, not a second before it.
    return max(1.0, boundary - now + 0.5)


def _window_key(window: int, epoch: int, *, create: bool) -> str | None:
    name = f"rl-key:{window}:{epoch}"
    value = cache.get(name)
    if value is None and create:
        now = time.time()
        if cache.add(name, secrets.token_hex(32), timeout=_until((epoch + 2) * window, now)):
            # This process made the window's key: old windows become unlinkable now.
            cache.delete_many([f"rl-key:{window}:{e}" for e in range(epoch - 2, epoch - 2 - _SWEEP, -1)])
        value = cache.get(name)
    return value


def _anonymous_key(secret: str, scope: str, identity: str, kind: str) -> str:
    digest = hmac.new(bytes.fromhex(secret), f"{scope}:{identity}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"rl:{scope}:{kind}:{digest}"


def _window_keys(scope: str, identity: str, window: int, kind: str, *, create: bool) -> tuple[str | None, str | None]:
    epoch = int(time.time() // window)
    current = _window_key(window, epoch, create=create)
    previous = _window_key(window, epoch - 1, create=False)
    return (
        _anonymous_key(current, scope, identity, kind) if current else None,
        _anonymous_key(previous, scope, identity, kind) if previous else None,
    )


def _anonymous_hit(scope: str, identity: str, limit: tuple[int, int]) -> int:
    attempts, window = limit
    now = time.time()
    keep = _until((int(now // window) + 2) * window, now)  # through the next window
    key, previous = _window_keys(scope, identity, window, "count", create=True)
    assert key is not None
    cache.add(key, 0, timeout=keep)
    try:
        count = int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=keep)
        count = 1
    cache.touch(key, timeout=keep)  # incr may have reset the expiry to an exact time
    total = count + (int(cache.get(previous, 0)) if previous else 0)
    if total >= attempts:
        paused, _ = _window_keys(scope, identity, window, "paused", create=True)
        cache.set(paused, 1, timeout=keep)
    return total


def is_limited(scope: str, identity: str, limit: tuple[int, int]) -> bool:
    """True while ``identity`` is paused after using up its attempts."""
    if scope not in ACCOUNT_SCOPES:
        # Both windows' keys in one round trip (this runs before every anonymous form).
        window = limit[1]
        epoch = int(time.time() // window)
        names = [f"rl-key:{window}:{epoch}", f"rl-key:{window}:{epoch - 1}"]
        secrets_ = cache.get_many(names)
        keys = [_anonymous_key(secrets_[n], scope, identity, "paused") for n in names if secrets_.get(n)]
        return any(cache.get_many(keys).values()) if keys else False
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

    Anonymous scopes: see the module docstring. Account scopes: a window starts at the
    identity's first attempt. The attempt that uses up the limit
    starts a pause of one whole window, whose end is stored as a time rather than left to
    the cache's expiry: some backends' ``incr`` resets a key's timeout to the default (the
    database cache's is 5 minutes), and windows fixed to the clock would let a pause end,
    and the count start again, at every quarter of an hour.
    """
    if scope not in ACCOUNT_SCOPES:
        return _anonymous_hit(scope, identity, limit)
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
    if scope not in ACCOUNT_SCOPES:
        for kind in ("count", "paused"):
            cache.delete_many([k for k in _window_keys(scope, identity, limit[1], kind, create=False) if k])
        return
    cache.delete_many([_key(scope, identity, kind) for kind in ("since", "count", "paused-until")])
