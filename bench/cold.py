"""Cold stalls: each route's first request on each gunicorn worker, after start and after a new generation.

    python bench/cold.py --index-dir DIR --new-file FILE [--workers 2] [--rounds 3] [--workdir DIR]

The index is copied into the work directory first (``DIR`` is only read),
then each round starts ``sitrep serve --workers N`` on the copy, waits until
the server has started (every worker booted and the processes idle), and
asks each route until every worker has answered it once, timing each
worker's first answer.  ``FILE`` (any report file; its first line is
changed so its content is new) is then indexed into the copy with
``sitrep index``, and each route's first request per worker on the new
generation is timed the same way.  The table shows, per route, the median
over the rounds of the slowest worker's first request.

Which worker answered is read from ``/proc``: the worker whose count of
bytes written (``/proc/PID/io`` ``wchar``) grew wrote the response, so the
product needs no header or log format for it.  Linux only.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
IDLE_SECONDS = 1.0  # the server counts as started once its processes used no CPU for this long


def routes(index_dir: Path) -> list[tuple[str, str]]:
    """(name, path) of each route timed, with ids read from the index (before any server runs)."""
    sys.path.insert(0, str(ROOT))
    from search import SearchIndex, load_settings

    with SearchIndex(load_settings(index_dir=index_dir)) as index:
        hit = index.search("kherson", per_page=1).hits[0]
    return [
        ("/", "/"),
        ("/?q=common", "/?" + urlencode({"q": "russian attack"})),
        ("/?collapse=true", "/?" + urlencode({"q": "drone strike", "collapse": "true"})),
        ("/?group=report", "/?" + urlencode({"q": "glide", "group": "report"})),
        ("/?sort=oldest", "/?" + urlencode({"q": "assault", "sort": "oldest"})),
        ("/api/search", "/api/search?" + urlencode({"q": "brigade advance"})),
        ("/api/search collapse", "/api/search?" + urlencode({"q": "offensive", "collapse": "true"})),
        ("/reports/<id>", f"/reports/{quote(hit.report_id)}?" + urlencode({"q": "kherson"})),
        ("/more/<id>", f"/more/{quote(hit.id)}"),
        ("/api/export.csv", "/api/export.csv?" + urlencode({"q": "toretsk", "from": "2024-01-01", "to": "2024-01-31"})),
    ]


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def written(pid: int) -> int:
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        if line.startswith("wchar:"):
            return int(line.split()[1])
    return 0


def cpu_ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total


def wait_started(server: subprocess.Popen, workers: int, timeout: float = 600) -> float:
    """Seconds from now until every worker is up and the server's processes are idle."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if server.poll() is not None:
            raise SystemExit(f"sitrep serve exited with {server.returncode}")
        pids = children(server.pid)
        if len(pids) == workers:
            break
        time.sleep(0.1)
    last, idle_since = -1, time.monotonic()
    while time.monotonic() - start < timeout:
        ticks = cpu_ticks([server.pid, *children(server.pid)])
        if ticks != last:
            last, idle_since = ticks, time.monotonic()
        elif time.monotonic() - idle_since >= IDLE_SECONDS:
            return idle_since - start
        time.sleep(0.1)
    raise SystemExit("the server never went idle")


def get(port: int, path: str) -> tuple[int, float]:
    """(status, seconds until the whole body arrived) on a new connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    began = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - began
    connection.close()
    return response.status, elapsed


def first_per_worker(port: int, pids: list[int], path: str, attempts: int = 40) -> dict[int, float]:
    """Worker pid -> seconds of its first answer to ``path``."""
    found: dict[int, float] = {}
    for _ in range(attempts):
        before = {pid: written(pid) for pid in pids}
        status, elapsed = get(port, path)
        if status != 200:
            raise SystemExit(f"{path}: HTTP {status}")
        time.sleep(0.05)  # the access log line follows the response
        grew = [pid for pid in pids if written(pid) > before[pid]]
        if len(grew) == 1 and grew[0] not in found:
            found[grew[0]] = elapsed
        if len(found) == len(pids):
            break
    return found


def sitrep(*args: str, env: dict, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "from search.cli import main; main()", *args], cwd=ROOT, env=env, **kwargs)


def one_round(args, source: Path, work: Path, table: dict, number: int) -> None:
    index_dir = work / "index"
    if index_dir.exists():
        shutil.rmtree(index_dir)
    shutil.copytree(source, index_dir)
    paths = routes(index_dir)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SITREP_")}
    env["PYTHONPATH"] = str(ROOT)
    log = open(work / f"serve-{number}.log", "w")
    server = sitrep("serve", "--workers", str(args.workers), "--port", str(args.port), "--index-dir", str(index_dir),
                    env=env, stdout=log, stderr=log)
    try:
        table.setdefault("start (s)", []).append(wait_started(server, args.workers))
        pids = children(server.pid)
        for name, path in paths:
            times = first_per_worker(args.port, pids, path)
            table.setdefault(("start", name), []).append(max(times.values()) if times else float("nan"))
            print(f"round {number} start {name}: " + " ".join(f"{t * 1000:.0f}" for t in times.values()), flush=True)
        new_dir = work / "new"
        shutil.rmtree(new_dir, ignore_errors=True)
        new_dir.mkdir()
        text = Path(args.new_file).read_text(encoding="utf-8")
        (new_dir / f"cold-{number}-{Path(args.new_file).name}").write_text(f"{text}\n\nCold bench round {number}.\n")
        indexed = sitrep("index", "--index-dir", str(index_dir), str(new_dir), env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if indexed.wait() != 0:
            raise SystemExit("sitrep index failed")
        for name, path in paths:
            times = first_per_worker(args.port, pids, path)
            table.setdefault(("new generation", name), []).append(max(times.values()) if times else float("nan"))
            print(f"round {number} new generation {name}: " + " ".join(f"{t * 1000:.0f}" for t in times.values()),
                  flush=True)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index-dir", type=Path, required=True, help="index to copy (never written)")
    parser.add_argument("--new-file", type=Path, required=True, help="report file indexed for the new generation")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=5391)
    parser.add_argument("--workdir", type=Path, default=None, help="where the copy goes (default: a temporary dir)")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="sitrep-cold-"))
    work.mkdir(parents=True, exist_ok=True)
    table: dict = {}
    try:
        for number in range(1, args.rounds + 1):
            one_round(args, args.index_dir, work, table, number)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\n{args.rounds} rounds, {args.workers} workers, median of the slowest worker's first request (ms)")
    print(f"server started (idle) after {statistics.median(table.pop('start (s)')):.1f} s")
    print(f"{'route':24s} {'after start':>12s} {'new generation':>15s}")
    for name in dict.fromkeys(name for _, name in table):
        cells = [statistics.median(table[(phase, name)]) * 1000 for phase in ("start", "new generation")]
        print(f"{name:24s} {cells[0]:12.0f} {cells[1]:15.0f}")


if __name__ == "__main__":
    main()
