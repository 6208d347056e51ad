"""`sitrep serve` for the benchmarks: start it, and tell which gunicorn worker answered a request.

Responses carry no worker id, and the product needs none, so the worker is
found from outside: a request goes over its own keep-alive connection, and
the worker process holding the server end of that connection (its socket
inode in ``/proc/net/tcp``, matched against each worker's ``/proc/PID/fd``)
is the one that answered.  Linux only, as gunicorn itself.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``sitrep serve --workers N`` on an index, its logs in ``log``, until :meth:`stop`."""

    def __init__(self, index_dir: Path, workers: int, log: Path, result_cache: bool = True) -> None:
        self.port = free_port()
        self.workers = workers
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        if not result_cache:
            env["SITREP_RESULT_CACHE"] = "0"
        self.log = open(log, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from search.cli import main; main()", "serve", "--port", str(self.port),
             "--workers", str(workers), "--index-dir", str(index_dir)],
            cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, env=env,
        )

    def worker_pids(self) -> list[int]:
        """The gunicorn workers: the children of the serving process (gunicorn's arbiter)."""
        pids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    pids.append(int(entry))
        return sorted(pids)

    def wait_until_idle(self, timeout: float = 600) -> list[int]:
        """Wait until every worker has started and stopped using CPU (its app is loaded); their pids.

        No HTTP request is sent, so the first request timed afterwards is
        really each worker's first.
        """
        deadline = time.monotonic() + timeout
        quiet_since, last = None, None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"sitrep serve exited with {self.process.returncode}; see {self.log.name}")
            pids = self.worker_pids()
            usage = {pid: cpu_ticks(pid) for pid in pids}
            if len(pids) == self.workers and usage == last:
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since >= 1.0:
                    return pids
            else:
                quiet_since = None
            last = usage
            time.sleep(0.25)
        raise RuntimeError(f"sitrep serve did not start {self.workers} workers; see {self.log.name}")

    def get(self, path: str, timeout: float = 120) -> tuple[int, float, int | None]:
        """(status, milliseconds, worker pid) for one GET on a fresh connection."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            started = time.perf_counter()
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            pid = (owner_of_connection(connection.sock.getsockname()[1], self.port, self.worker_pids())
                   if connection.sock else None)
            return response.status, elapsed, pid
        finally:
            connection.close()

    def first_answers(self, paths: list[str], pids: list[int]) -> dict[int, dict]:
        """Send ``paths`` in turn until every worker in ``pids`` has answered one; each one's first answer."""
        first: dict[int, dict] = {}
        for path in paths:
            status, ms, pid = self.get(path)
            if pid is not None and pid not in first:
                first[pid] = {"ms": ms, "status": status, "path": path}
            if set(first) >= set(pids):
                break
        return first

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def cpu_ticks(pid: int) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])  # utime + stime


def owner_of_connection(client_port: int, server_port: int, candidates: list[int]) -> int | None:
    """Which of ``candidates`` holds the server end of the TCP connection from ``client_port`` to ``server_port``."""
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1], fields[2]
        if int(local.split(":")[1], 16) == server_port and int(remote.split(":")[1], 16) == client_port:
            inode = fields[9]
            break
    if inode is None:
        return None
    target = f"socket:[{inode}]"
    for pid in candidates:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                    return pid
        except OSError:
            continue
    return None
