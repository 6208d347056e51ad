"""A load run: `sitrep serve` (gunicorn) under Debian's `wrk` with a mixed query stream.

    python bench/load.py --index-dir DIR [--workers 2] [--connections 8] [--seconds 30] [--no-result-cache]

The index is any Sitrep index (for example the one ``bench/run.py
--workdir DIR`` leaves in ``DIR/sitrep-index``).  wrk cycles through a fixed
mix of search-page and API requests (rare, common, multi-term, phrase,
date-filtered and facet-filtered queries, empty queries with filters) and
prints requests/s and latency percentiles (p95 from wrk's own histogram).
With the server's result cache on (the default), requests after the first
round are repeats answered from it; ``--no-result-cache`` measures every
request searched afresh.  Needs ``wrk`` (``apt-get install
wrk``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent

REQUESTS = [
    "/?" + urlencode({"q": q}) for q in ("Pokrovsk", "forces", '"Russian forces"', "drones Kharkiv", "Kupiansk",
                                         "glide bombs", '"North Korean troops"', "refinery")
] + [
    "/api/search?" + urlencode(p, doseq=True) for p in (
        {"q": "Toretsk", "from": "2024-01-01", "to": "2024-06-30"},
        {"q": "artillery", "topic": "Front line"},
        {"q": "", "place": ["Pokrovsk", "Kurakhove"]},
        {"q": "counterattack", "sort": "newest"},
        {"q": "Kherson", "collapse": "true"},
        {"q": "milbloggers", "page": "2"},
    )
]

LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  io.write(string.format("p95_us %%d\\n", latency:percentile(95)))
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--no-result-cache", action="store_true",
                        help="serve with SITREP_RESULT_CACHE=0, so every request is searched afresh")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        parser.error("wrk is not installed (apt-get install wrk)")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", "from search.cli import main; main()", "serve", "--port", str(port),
         "--workers", str(args.workers), "--index-dir", str(args.index_dir)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, **({"SITREP_RESULT_CACHE": "0"} if args.no_result_cache else {})},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/api/search?q=Pokrovsk", timeout=30).read()
                break
            except OSError:
                time.sleep(0.1)
        for path in REQUESTS * args.workers:  # warm every worker's facet caches
            urllib.request.urlopen(base + path, timeout=60).read()
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(LUA % ", ".join(json.dumps(p) for p in REQUESTS))
        result = subprocess.run(
            ["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--latency", "-s", script.name, base],
            capture_output=True, text=True, check=True,
        )
        os.unlink(script.name)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    print(result.stdout)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    summary = {"requests_per_s": rate, "non_2xx": int(errors.group(1)) if errors else 0,
               "workers": args.workers, "connections": args.connections, "seconds": args.seconds,
               "result_cache": not args.no_result_cache}
    p95 = re.search(r"p95_us (\d+)", result.stdout)
    if p95:
        summary["p95_ms"] = int(p95.group(1)) / 1000
    for label in ("50%", "75%", "90%", "99%"):
        match = re.search(rf"{re.escape(label)}\s+([\d.]+)(us|ms|s)\b", result.stdout)
        if match:
            value = float(match.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[match.group(2)]
            summary[f"p{label[:-1]}_ms"] = value
    print(json.dumps(summary))
    if args.out:
        args.out.write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
