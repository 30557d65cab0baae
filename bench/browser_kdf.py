"""The browser's Argon2id in Debian's Chromium, beside PyNaCl here.

Serves saferwork/static on a loopback port, opens a blank page in headless Chromium and
times the same derivation (opslimit 16, 128 MiB, one lane, 32 bytes) with the library the
reporting form uses, ``vendor/argon2/`` (@phi-ag/argon2, WebAssembly with SIMD), and with
``vendor/hash-wasm.esm.min.js`` (what it used before). Each derived key is checked
against PyNaCl's. Run by ``make bench`` after the HTTP figures;
``python bench/browser_kdf.py`` alone prints the three figures.
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

_SCRIPTS = {
    "phi-ag": """async ([runs, ops, mem]) => {
      const { default: initialize } = await import("/vendor/argon2/fetch.js");
      const argon2 = await initialize("/vendor/argon2/argon2.wasm");
      const out = [];
      for (let n = 0; n < runs; n++) {
        const started = performance.now();
        const { hash } = argon2.hash("1234567890123456" + n, { salt: new Uint8Array(16), parallelism: 1,
          timeCost: ops, memoryCost: mem, hashLength: 32, type: 2, version: 0x13 });
        out.push([(performance.now() - started) / 1000,
                  Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("")]);
      }
      return out;
    }""",
    "hash-wasm": """async ([runs, ops, mem]) => {
      const { argon2id } = await import("/vendor/hash-wasm.esm.min.js");
      const out = [];
      for (let n = 0; n < runs; n++) {
        const started = performance.now();
        const hex = await argon2id({ password: "1234567890123456" + n, salt: new Uint8Array(16), parallelism: 1,
                                     iterations: ops, memorySize: mem, hashLength: 32, outputType: "hex" });
        out.push([(performance.now() - started) / 1000, hex]);
      }
      return out;
    }""",
}


def browser_seconds(runs: int = 3, library: str = "phi-ag") -> float:
    """The median time of one derivation in Chromium with ``library``; each key checked against PyNaCl."""
    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm"}

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
            results = page.evaluate(_SCRIPTS[library], [runs, OPSLIMIT, MEMLIMIT_KIB])
            browser.close()
    finally:
        server.shutdown()
    for n, (_seconds, hex_key) in enumerate(results):
        if hex_key != _pynacl_key(n).hex():
            raise RuntimeError(f"{library} in Chromium gave another key than PyNaCl")
    return statistics.median(seconds for seconds, _hex in results)


def _pynacl_key(n: int) -> bytes:
    import nacl.pwhash

    return nacl.pwhash.argon2id.kdf(
        32, f"1234567890123456{n}".encode(), bytes(16), opslimit=OPSLIMIT, memlimit=MEMLIMIT_KIB * 1024
    )


def pynacl_seconds(runs: int = 3) -> float:
    times = []
    for n in range(runs):
        started = time.perf_counter()
        _pynacl_key(n)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


if __name__ == "__main__":
    print(
        f"@phi-ag/argon2 in Chromium: {browser_seconds():.2f} s; "
        f"hash-wasm in Chromium: {browser_seconds(library='hash-wasm'):.2f} s; "
        f"PyNaCl: {pynacl_seconds():.2f} s (median of 3, each key checked against PyNaCl's)"
    )
