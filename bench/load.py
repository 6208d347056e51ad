"""A load run: `sitrep serve` (gunicorn) under Debian's `wrk`, every request a different query, each sent once.

    python bench/load.py --workdir WORKDIR [--queries 2000] [--workers 2] [--connections 8] [--timeout 10]
                         [--cache on,off] [--out FILE.json]

WORKDIR is what ``bench/run.py --workdir WORKDIR`` leaves: the Sitrep index
in ``WORKDIR/sitrep-index`` and the FTS5 copy of the records the query
generator reads (``bench/queries.py``: at least 2,000 distinct queries of
every kind).  wrk runs one connection per thread; each thread walks its
share of the list once, times every request itself (LuaJIT's
``clock_gettime``) and stops after its last one, so each query is sent
exactly once and the percentiles come from every answered request, however
slow.  A request still unanswered after ``--timeout`` seconds is counted as
an error, as is any status other than 200.  Each cache setting gets a
fresh server: ``on`` is the default result cache (it cannot help: no query
repeats), ``off`` is ``SITREP_RESULT_CACHE=0``.  Before wrk starts, every
worker answers a few other queries, so the run measures serving, not the
first opening of the index.  Needs ``wrk`` (``apt-get install wrk``).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from queries import draw_queries, request_path  # noqa: E402
from run import percentile, stored_records  # noqa: E402
from serving import Server  # noqa: E402

MIN_QUERIES = 2000
WARM_QUERIES = 40

# %(paths)s, %(out)s are filled in by Python; the rest is wrk's Lua API.
LUA = r"""
local ffi = require("ffi")
ffi.cdef[[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock, bench_timespec *ts);
]]
local clock = ffi.new("bench_timespec")
local function now_us()
  ffi.C.clock_gettime(1, clock)  -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000000 + tonumber(clock.tv_nsec) / 1000
end

local threads = {}
local count = 0
function setup(thread)
  thread:set("id", count)
  count = count + 1
  table.insert(threads, thread)
end

function init(args)  -- args[1]: the number of threads; this thread takes every args[1]-th path
  mine = {}
  local n = 0
  for line in io.lines(%(paths)s) do
    if n %% tonumber(args[1]) == id then table.insert(mine, line) end
    n = n + 1
  end
  sent = 0
  -- wrk calls the first thread's request() once before it runs, only to
  -- parse the result (script_verify_request); that call must not use a path.
  verifying = (id == 0)
  latencies = {}
  statuses = {}
end

-- wrk's main thread sleeps for the whole -d duration whatever its threads
-- do, so a finished thread leaves a file, and bench/load.py sends SIGINT
-- once every thread has left one (wrk then reports at once).
local function finish()
  io.open(%(finished)s .. id, "w"):close()
  wrk.thread:stop()
end

function request()
  if verifying then
    verifying = false
    return wrk.format("GET", "/")
  end
  if sent >= #mine then  -- no paths, or a timeout on the last one: nothing left to send
    finish()
  end
  sent = math.min(sent + 1, #mine)
  started = now_us()
  return wrk.format("GET", mine[sent])
end

function response(status, headers, body)
  latencies[#latencies + 1] = now_us() - started
  statuses[#statuses + 1] = status
  if sent >= #mine then
    finish()
  end
end

function done(summary, latency, requests)
  local out = io.open(%(out)s, "w")
  for _, thread in ipairs(threads) do
    local lat = thread:get("latencies")
    local st = thread:get("statuses")
    out:write(string.format("thread %%d sent %%d\n", thread:get("id"), thread:get("sent")))
    for i = 1, #lat do out:write(string.format("%%d %%d\n", math.floor(lat[i]), st[i])) end
  end
  local e = summary.errors
  out:write(string.format("summary %%d %%d %%d %%d %%d %%d %%d\n", summary.duration, summary.requests,
                          e.connect, e.read, e.write, e.status, e.timeout))
  out:close()
end
"""


def run_wrk(server: Server, paths: list[str], connections: int, timeout: int, scratch: Path) -> dict:
    """Send every path once through wrk; latencies and errors from every request."""
    (scratch / "paths.txt").write_text("\n".join(paths) + "\n")
    out = scratch / "latencies.txt"
    script = scratch / "once.lua"
    script.write_text(LUA % {"paths": json.dumps(str(scratch / "paths.txt")), "out": json.dumps(str(out)),
                             "finished": json.dumps(str(scratch / "finished-"))})
    wrk = subprocess.Popen(["wrk", f"-t{connections}", f"-c{connections}", "-d3600s", f"--timeout={timeout}s",
                            "-s", str(script), f"http://127.0.0.1:{server.port}", "--", str(connections)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while wrk.poll() is None and len(list(scratch.glob("finished-*"))) < connections:
        time.sleep(0.05)
    if wrk.poll() is None:
        wrk.send_signal(signal.SIGINT)
    stdout, stderr = wrk.communicate(timeout=120)
    if wrk.returncode != 0 or not out.exists():
        raise RuntimeError(f"wrk failed: {stderr or stdout}")
    latencies, statuses, sent = [], [], 0
    summary = None
    for line in out.read_text().splitlines():
        if line.startswith("thread "):
            sent += int(line.split()[3])
        elif line.startswith("summary "):
            summary = [int(v) for v in line.split()[1:]]
        else:
            microseconds, status = line.split()
            latencies.append(int(microseconds) / 1000)
            statuses.append(int(status))
    duration_us, completed, connect, read, write, status_errors, timeouts = summary
    not_ok = sum(1 for s in statuses if s != 200)
    return {
        "sent": sent, "answered": len(latencies), "seconds": duration_us / 1e6,
        "requests_per_s": len(latencies) / (duration_us / 1e6),
        "p50_ms": percentile(latencies, 0.50), "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99), "max_ms": max(latencies),
        "errors": timeouts + connect + read + write + not_ok,
        "timeouts": timeouts, "socket_errors": connect + read + write, "non_200": not_ok,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, required=True, help="what bench/run.py --workdir left")
    parser.add_argument("--index-dir", type=Path, help="default WORKDIR/sitrep-index")
    parser.add_argument("--queries", type=int, default=MIN_QUERIES, help="distinct queries, each sent once")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8, help="wrk threads, one connection each")
    parser.add_argument("--timeout", type=int, default=10, help="seconds before a request counts as an error")
    parser.add_argument("--cache", default="on,off", help="result cache settings to run: on, off or on,off")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        parser.error("wrk is not installed (apt-get install wrk)")
    if args.queries < MIN_QUERIES:
        parser.error(f"the load needs at least {MIN_QUERIES} distinct queries")
    modes = [m.strip() for m in args.cache.split(",") if m.strip()]
    if not modes or set(modes) - {"on", "off"}:
        parser.error("--cache takes on, off or on,off")
    if not (args.workdir / "fts5.db").exists():
        parser.error(f"no {args.workdir / 'fts5.db'}: run bench/run.py --workdir {args.workdir} first")
    index_dir = args.index_dir or args.workdir / "sitrep-index"
    drawn = draw_queries(stored_records(args.workdir), args.queries + WARM_QUERIES, seed=args.seed)
    warm = [request_path(q, api=i % 2 == 0) for i, q in enumerate(drawn[:WARM_QUERIES])]
    # Half to the search page, half to the API: both are what users hit.
    paths = [request_path(q, api=i % 2 == 0) for i, q in enumerate(drawn[WARM_QUERIES:])]
    kinds = {}
    for q in drawn[WARM_QUERIES:]:
        kinds[q["kind"]] = kinds.get(q["kind"], 0) + 1
    results = {}
    for mode in modes:
        with tempfile.TemporaryDirectory(prefix="sitrep-load-") as scratch:
            server = Server(index_dir, args.workers, Path(scratch) / "serve.log", result_cache=mode == "on")
            try:
                pids = server.wait_until_idle()
                server.first_answers(warm, pids)
                for path in warm:
                    server.get(path)
                results[mode] = run_wrk(server, paths, args.connections, args.timeout, Path(scratch))
            finally:
                server.stop()
    lines = [f"sitrep serve --workers {args.workers}, {len(paths)} distinct queries each sent once, "
             f"wrk {args.connections} connections, timeout {args.timeout} s", "",
             "| result cache | requests/s | p50 | p95 | p99 | max | errors (timeouts) | sent / answered |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for mode, r in results.items():
        lines.append(f"| {mode} | {r['requests_per_s']:.0f} | {r['p50_ms']:.0f} ms | {r['p95_ms']:.0f} ms | "
                     f"{r['p99_ms']:.0f} ms | {r['max_ms']:.0f} ms | {r['errors']} ({r['timeouts']}) | "
                     f"{r['sent']} / {r['answered']} |")
    print("\n".join(lines))
    summary = {"queries": len(paths), "query_kinds": kinds, "workers": args.workers,
               "connections": args.connections, "timeout_s": args.timeout, "runs": results,
               "table": "\n".join(lines)}
    print(json.dumps({mode: {k: round(v, 1) if isinstance(v, float) else v for k, v in r.items()}
                      for mode, r in results.items()}))
    if args.out:
        args.out.write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
