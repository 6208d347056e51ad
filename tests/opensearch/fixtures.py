"""Pytest fixtures that run real OpenSearch nodes; tests/conftest.py imports them.

* ``opensearch_url`` (session): one single-node cluster's URL, started on first
  use and stopped (SIGTERM, then SIGKILL) when the run ends.
* ``opensearch_cluster`` (module): two nodes, each its own JVM and data folder,
  formed into one cluster; ``cluster.kill(name)`` ends one of them.

Both skip, with the one line that says what to install, when java or mvn is
missing, and fail (never skip) when the node does not build or start.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .launch import OpenSearchCluster, build_launcher, missing_tools, start_cluster, start_node, wait_for_health


@pytest.fixture(scope="session")
def opensearch_launcher() -> None:
    """Build the launcher once per run, or skip when Java or Maven is missing."""
    missing = missing_tools()
    if missing:
        pytest.skip(missing)
    build_launcher()


@pytest.fixture(scope="session")
def opensearch_url(opensearch_launcher: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a real single-node OpenSearch cluster on 127.0.0.1, shared by the whole run.

    Every test that uses it sees the others' indices: give yours a name of
    its own and delete it when done.
    """
    node = start_node(tmp_path_factory.mktemp("opensearch-node"))
    try:
        wait_for_health(node, nodes=1)
        yield node.url
    finally:
        node.stop()


@pytest.fixture(scope="module")
def opensearch_cluster(opensearch_launcher: None,
                       tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpenSearchCluster]:
    """A real two-node OpenSearch cluster on 127.0.0.1, for one test module."""
    cluster = start_cluster(tmp_path_factory.mktemp("opensearch-cluster"))
    try:
        yield cluster
    finally:
        cluster.stop()
