"""What a person's browser meets: the search page's weight and time to first byte, from a cold `sitrep serve`.

    python bench/page_weight.py --index-dir DIR [--workers 2] [--query "Russian forces" ...] [--json OUT]

Starts ``sitrep serve`` (gunicorn) on the index, then opens each query's page
in a fresh Debian chromium context (empty cache, as a new visitor) and reads
the browser's own Navigation and Resource Timing: time to first byte of the
HTML (``responseStart - requestStart``), the HTML's bytes on the wire and
decoded, every other resource the page loaded, and the DOM's size.  The
first query is the first request the server answers after it starts; no
query is repeated, so no cache has seen any of them.  Needs the test extra
(playwright) and ``/usr/bin/chromium``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Common words of the reports first (the "common query"), then rarer and longer ones.
QUERIES = ["Russian forces", "Ukrainian", "attack", "drones Kharkiv", '"North Korean"', "what happened near Pokrovsk"]

TIMING = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const resources = performance.getEntriesByType("resource").map(r => ({
    name: r.name, transfer: r.transferSize, decoded: r.decodedBodySize}));
  return {ttfb: nav.responseStart - nav.requestStart, html_transfer: nav.transferSize,
          html_decoded: nav.decodedBodySize, load: nav.loadEventEnd - nav.startTime,
          resources: resources, dom_nodes: document.getElementsByTagName("*").length};
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen, seconds: float = 60) -> float:
    """Seconds until the server accepts a connection (not a search: that would warm it)."""
    started = time.perf_counter()
    host, port = url.split("//")[1].split(":")
    while time.perf_counter() - started < seconds:
        if server.poll() is not None:
            raise SystemExit(f"Error: sitrep serve exited with status {server.returncode}")
        try:
            socket.create_connection((host, int(port)), timeout=0.2).close()
            return time.perf_counter() - started
        except OSError:
            time.sleep(0.05)
    raise SystemExit("Error: sitrep serve did not start within a minute")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", required=True, type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--query", action="append", help="a query to open (repeatable; default: a fixed mix)")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "SITREP_INDEX_DIR": str(args.index_dir)}
    server = subprocess.Popen([sys.executable, "-c", "from search.cli import main; main()", "serve",
                               "--port", str(port), "--workers", str(args.workers)],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    rows = []
    try:
        up = wait_until_up(base, server)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            for q in args.query or QUERIES:
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                page.goto(f"{base}/?{urlencode({'q': q})}", wait_until="load")
                t = page.evaluate(TIMING)
                other = sum(r["transfer"] for r in t["resources"])
                rows.append({"query": q, "ttfb_ms": round(t["ttfb"], 1), "load_ms": round(t["load"], 1),
                             "html_kb": round(t["html_transfer"] / 1024, 1),
                             "html_decoded_kb": round(t["html_decoded"] / 1024, 1),
                             "other_kb": round(other / 1024, 1), "requests": 1 + len(t["resources"]),
                             "total_kb": round((t["html_transfer"] + other) / 1024, 1), "dom_nodes": t["dom_nodes"]})
                context.close()
            browser.close()
        # An empty query lists every paragraph: its total is the index's size.
        with urllib.request.urlopen(f"{base}/api/search?per_page=1") as answer:
            paragraphs = json.load(answer)["total"]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    print(f"index {args.index_dir} ({paragraphs:,} paragraphs), {args.workers} workers; "
          f"server accepting after {up * 1000:.0f} ms; each page in a fresh browser context")
    print(f"{'query':32} {'TTFB ms':>8} {'load ms':>8} {'HTML KB':>8} {'decoded':>8} {'other KB':>8} {'requests':>8} {'total KB':>8} {'DOM':>6}")
    for i, r in enumerate(rows):
        label = r["query"] + (" (first request)" if i == 0 else "")
        print(f"{label[:32]:32} {r['ttfb_ms']:8.1f} {r['load_ms']:8.1f} {r['html_kb']:8.1f} {r['html_decoded_kb']:8.1f} "
              f"{r['other_kb']:8.1f} {r['requests']:8d} {r['total_kb']:8.1f} {r['dom_nodes']:6d}")
    if args.json:
        args.json.write_text(json.dumps({"index_dir": str(args.index_dir), "server_up_ms": round(up * 1000),
                                         "pages": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
