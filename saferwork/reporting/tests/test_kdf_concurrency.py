"""Server-side Argon2id derivations are capped per process: a second one waits for a slot."""

from __future__ import annotations

import threading
import time
from typing import Any

from saferwork.reporting import crypto


def _run_together(count: int, cap: int, monkeypatch: Any) -> int:
    """Start ``count`` derivations in threads; return how many ran inside libsodium at once, at most."""
    inside = 0
    most = 0
    lock = threading.Lock()
    all_started = threading.Barrier(count, timeout=10)
    release = threading.Event()

    def fake_kdf(size: int, secret: bytes, salt: bytes, *, opslimit: int, memlimit: int) -> bytes:
        nonlocal inside, most
        with lock:
            inside += 1
            most = max(most, inside)
        release.wait(timeout=10)
        with lock:
            inside -= 1
        return b"k" * size

    monkeypatch.setattr(crypto.nacl.pwhash.argon2id, "kdf", fake_kdf)
    params = crypto.KdfParams(1, 8)

    def derive() -> None:
        all_started.wait()
        crypto.derive_key("0000000000000000", b"s" * crypto.SALT_BYTES, params)

    threads = [threading.Thread(target=derive) for _ in range(count)]
    for thread in threads:
        thread.start()
    for _ in range(500):  # until the slots are full (or 5 s)
        with lock:
            if inside >= cap:
                break
        time.sleep(0.01)
    time.sleep(0.2)  # room for any thread past the cap to come in, were it let in
    release.set()
    for thread in threads:
        thread.join(timeout=10)
    return most


def test_one_derivation_at_a_time_by_default(monkeypatch: Any, settings: Any) -> None:
    settings.KDF_CONCURRENCY = 1
    assert _run_together(3, 1, monkeypatch) == 1


def test_the_cap_follows_the_setting(monkeypatch: Any, settings: Any) -> None:
    settings.KDF_CONCURRENCY = 2
    assert _run_together(4, 2, monkeypatch) == 2
