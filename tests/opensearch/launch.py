"""Start and stop real OpenSearch 2.19 nodes for the tests (issue #18).

Each node is one JVM started by ``tests/opensearch/opensearch-node start`` in
its own process group, with its data, stdout (``node.out``) and log
(``node.log``) in a folder of the caller's. A node is stopped by its PID:
SIGTERM for a clean close, SIGKILL for a crash. ``--exit-with`` ties every
node to this Python process, so a test run that dies leaves no JVM behind.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

LAUNCHER = Path(__file__).resolve().with_name("opensearch-node")
TOOLS_MISSING = 3  # the launcher's exit code when java or mvn is missing

# A node started for a test waits this long for its URL and for its health.
START_TIMEOUT = 180.0
# C1 only: a test node answers a few small requests, and without the C2
# compiler competing for 2 shared cores a node starts in 5 s instead of 8-10.
TEST_JAVA_OPTS = "-XX:TieredStopAtLevel=1"


class OpenSearchNodeError(RuntimeError):
    """A node did not build, start, become healthy or stop in time; the message has its log's tail."""


def missing_tools() -> str | None:
    """The launcher's one line saying what to install, or None when java and mvn are there.

    :raises OpenSearchNodeError: if the check itself fails for another reason.
    """
    check = subprocess.run([str(LAUNCHER), "check"], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if check.returncode == 0:
        return None
    if check.returncode == TOOLS_MISSING:
        return check.stderr.strip()
    raise OpenSearchNodeError(f"{LAUNCHER} check failed: {check.stderr.strip()}")


def build_launcher() -> None:
    """Build the node's jar unless it is up to date (Maven from ~/.m2 first, then online).

    :raises OpenSearchNodeError: if Maven fails.
    """
    build = subprocess.run([str(LAUNCHER), "build"], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if build.returncode != 0:
        raise OpenSearchNodeError(f"building the OpenSearch test node failed:\n{build.stdout}{build.stderr}")


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


@dataclass
class OpenSearchNode:
    """A running node: its name, HTTP URL, transport address and process."""

    name: str
    url: str
    transport: str
    folder: Path
    process: subprocess.Popen = field(repr=False)

    @property
    def pid(self) -> int:
        """The node's JVM process id."""
        return self.process.pid

    @property
    def log(self) -> Path:
        """The node's log file (its stderr)."""
        return self.folder / "node.log"

    def kill(self) -> None:
        """SIGKILL the node, as a crash or a pulled plug would end it, and reap it."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM the node so it closes its shards, then SIGKILL it if it takes longer than timeout."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process.wait()


def start_node(
    folder: Path,
    *,
    name: str = "sitrep-1",
    port: int = 0,
    seed_hosts: tuple[str, ...] = (),
    initial_managers: tuple[str, ...] = (),
    timeout: float = START_TIMEOUT,
) -> OpenSearchNode:
    """Start one node with its data under folder and return once it prints its URL.

    Without seed_hosts and initial_managers the node is a single-node cluster.
    The node's transport port is always a free one, read back from its output.

    :raises OpenSearchNodeError: if the node exits or prints no URL within timeout.
    """
    folder.mkdir(parents=True, exist_ok=True)
    out_path, log_path = folder / "node.out", folder / "node.log"
    command = [str(LAUNCHER), "start", "--data", str(folder / "node"), "--name", name,
               "--port", str(port), "--transport-port", "0", "--exit-with", str(os.getpid())]
    if seed_hosts:
        command += ["--seed-hosts", ",".join(seed_hosts)]
    if initial_managers:
        command += ["--initial-managers", ",".join(initial_managers)]
    env = dict(os.environ)
    env["OPENSEARCH_JAVA_OPTS"] = f"{env.get('OPENSEARCH_JAVA_OPTS', '')} {TEST_JAVA_OPTS}".strip()
    with out_path.open("wb") as out, log_path.open("wb") as log:
        # Files, not pipes: nothing has to keep reading them, and a node that
        # outlives its caller holds no one's terminal or CI log open.
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=log,
                                   env=env, start_new_session=True)
    deadline = time.monotonic() + timeout
    while True:
        found = dict(
            line.split("=", 1)
            for line in out_path.read_text(encoding="utf-8", errors="replace").splitlines()
            if line.startswith("SITREP_OPENSEARCH_") and "=" in line
        )
        if "SITREP_OPENSEARCH_URL" in found:
            return OpenSearchNode(name, found["SITREP_OPENSEARCH_URL"], found["SITREP_OPENSEARCH_TRANSPORT"],
                                  folder, process)
        if process.poll() is not None:
            raise OpenSearchNodeError(
                f"OpenSearch node {name} exited with {process.returncode} before printing its URL; "
                f"{log_path}:\n{_tail(log_path)}")
        if time.monotonic() > deadline:
            OpenSearchNode(name, "", "", folder, process).kill()
            raise OpenSearchNodeError(
                f"OpenSearch node {name} printed no URL in {timeout:.0f} s; {log_path}:\n{_tail(log_path)}")
        time.sleep(0.1)


def get_json(url: str, timeout: float = 30.0) -> tuple[int, dict]:
    """GET url and return the status and the decoded JSON body, for 2xx and 4xx/5xx alike.

    :raises urllib.error.URLError: if nothing answers at url.
    """
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.load(error)


def wait_for_health(node: OpenSearchNode, nodes: int, status: str = "yellow",
                    timeout: float = START_TIMEOUT) -> dict:
    """Wait until node's cluster has the given number of nodes and at least status, and return the health.

    :raises OpenSearchNodeError: if that takes longer than timeout, or the node exits.
    """
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        if node.process.poll() is not None:
            raise OpenSearchNodeError(f"OpenSearch node {node.name} exited with {node.process.returncode}; "
                                      f"{node.log}:\n{_tail(node.log)}")
        # The server waits (up to 10 s a call) and answers 408 if the wait ran out.
        query = f"wait_for_status={status}&wait_for_nodes={nodes}&timeout=10s"
        try:
            code, health = get_json(f"{node.url}/_cluster/health?{query}", timeout=20)
        except (urllib.error.URLError, OSError) as error:
            last = error
            time.sleep(0.2)
            continue
        if code == 200 and not health.get("timed_out"):
            return health
        last = health
    raise OpenSearchNodeError(f"OpenSearch at {node.url} did not reach {nodes} node(s) and {status} "
                              f"in {timeout:.0f} s; last answer: {last}; {node.log}:\n{_tail(node.log)}")


@dataclass
class OpenSearchCluster:
    """Nodes that form one cluster; kill one by name to test what survives."""

    nodes: list[OpenSearchNode]

    @property
    def urls(self) -> list[str]:
        """Every node's HTTP URL, in start order."""
        return [node.url for node in self.nodes]

    def node(self, name: str) -> OpenSearchNode:
        """The node called name.

        :raises KeyError: if no node has that name.
        """
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(name)

    def kill(self, name: str) -> None:
        """SIGKILL the node called name (the others keep running).

        :raises KeyError: if no node has that name.
        """
        self.node(name).kill()

    def stop(self) -> None:
        """Stop every node that still runs, the last started first."""
        for node in reversed(self.nodes):
            node.stop()


def start_cluster(folder: Path, names: tuple[str, ...] = ("sitrep-a", "sitrep-b"),
                  timeout: float = START_TIMEOUT) -> OpenSearchCluster:
    """Start one node per name, each with its own data folder, and wait until they form one cluster.

    The first node starts with no seed hosts; each later one seeds from the
    first's transport address (read from its output, so no port is guessed).
    All names are initial cluster managers, so the cluster forms only once
    every node has joined.

    :raises OpenSearchNodeError: if a node does not start or the cluster does not form within timeout.
    """
    cluster = OpenSearchCluster([])
    try:
        for name in names:
            seeds = (cluster.nodes[0].transport,) if cluster.nodes else ()
            cluster.nodes.append(start_node(folder / name, name=name, seed_hosts=seeds,
                                            initial_managers=names, timeout=timeout))
        wait_for_health(cluster.nodes[0], nodes=len(names), status="green", timeout=timeout)
    except BaseException:
        cluster.stop()
        raise
    return cluster
