"""The browser's Argon2id: the vendored hash-wasm in Debian's Chromium, beside PyNaCl here.

Serves saferwork/static on a loopback port, opens a blank page in headless Chromium,
imports ``vendor/hash-wasm.esm.min.js`` as the reporting form does and times the same
derivation (opslimit 16, 128 MiB, one lane, 32 bytes). Run by ``make bench`` after the
HTTP figures; ``python bench/browser_kdf.py`` alone prints its two lines.
"""

from __future__ import annotations

import functools
import http.server
import statistics
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OPSLIMIT, MEMLIMIT_KIB = 16, 128 * 1024


def browser_seconds(runs: int = 3) -> float:
    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    handler = functools.partial(Quiet, directory=str(ROOT / "saferwork" / "static"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/vendor/")
            times = page.evaluate(
                """async ([runs, ops, mem]) => {
                  const { argon2id } = await import("/vendor/hash-wasm.esm.min.js");
                  const salt = new Uint8Array(16);
                  const times = [];
                  for (let n = 0; n < runs; n++) {
                    const started = performance.now();
                    await argon2id({ password: "1234567890123456" + n, salt, parallelism: 1,
                                     iterations: ops, memorySize: mem, hashLength: 32, outputType: "hex" });
                    times.push((performance.now() - started) / 1000);
                  }
                  return times;
                }""",
                [runs, OPSLIMIT, MEMLIMIT_KIB],
            )
            browser.close()
    finally:
        server.shutdown()
    return statistics.median(times)


def pynacl_seconds(runs: int = 3) -> float:
    import nacl.pwhash

    times = []
    for n in range(runs):
        started = time.perf_counter()
        nacl.pwhash.argon2id.kdf(
            32, f"1234567890123456{n}".encode(), bytes(16), opslimit=OPSLIMIT, memlimit=MEMLIMIT_KIB * 1024
        )
        times.append(time.perf_counter() - started)
    return statistics.median(times)


if __name__ == "__main__":
    print(f"hash-wasm in Chromium: {browser_seconds():.2f} s; PyNaCl: {pynacl_seconds():.2f} s (median of 3)")
