"""The opensearch back end on a real two-node cluster (#18): losing a node mid-run.

The seeds are indexed with one replica (each node holds a copy); the client
knows both nodes' URLs. Then the cluster-manager node is killed between
two searches: searches keep answering from the surviving copy, with the
same results, while indexing, which needs a cluster manager, stops with one
``Error:`` line that names the cluster's refusal.
"""

from __future__ import annotations

import shutil
import time

import pytest
from opensearchpy import OpenSearch

from opensearch.launch import get_json
from search import load_settings, open_backend
from search.cli import cli

pytestmark = pytest.mark.opensearch

QUERIES = ["Pokrovsk", '"North Korean"', "Kursk OR Belgorod", ""]


def test_searches_survive_a_node_and_indexing_says_why_it_cannot(opensearch_cluster, tmp_path, seeds_dir, runner):
    reports = tmp_path / "reports"
    shutil.copytree(seeds_dir, reports)
    urls = ",".join(opensearch_cluster.urls)
    args = ["--backend", "opensearch", "--opensearch-url", urls, "--opensearch-index", "t-two-nodes",
            "--index-dir", str(tmp_path / "ix")]
    result = runner.invoke(cli, ["index", str(reports), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    client = OpenSearch(hosts=opensearch_cluster.urls)
    health = client.cluster.health(index="t-two-nodes", wait_for_status="green", request_timeout=40)
    assert (health["status"], health["number_of_nodes"]) == ("green", 2)  # a replica on each node
    manager = client.cat.cluster_manager(format="json")[0]["node"]
    sent = {hit["_source"]["path"]: hit["_source"]["digest"] for hit in client.search(
        index="t-two-nodes-files", body={"size": 10})["hits"]["hits"] if "path" in hit["_source"]}
    survivor = next(node for node in opensearch_cluster.nodes if node.name != manager)

    settings = load_settings(environ={}, index_dir=tmp_path / "ix", backend="opensearch", opensearch_url=urls,
                             opensearch_index="t-two-nodes")
    with open_backend(settings) as cluster:
        before = [cluster.search(q).to_json() for q in QUERIES]
        opensearch_cluster.kill(manager)  # mid-run: the same back end object keeps going
        after = [cluster.search(q).to_json() for q in QUERIES]
        assert [(p["total"], p["facets"], [h["id"] for h in p["hits"]]) for p in after] == \
            [(p["total"], p["facets"], [h["id"] for h in p["hits"]]) for p in before]
        assert before[0]["total"] == 6
        assert cluster.report("004_46fcd5d56deb0784").paragraphs
        # Once the survivor has noticed that no cluster manager is left
        # (fault detection, about 30 s), it refuses writes; it still answers.
        deadline = time.monotonic() + 120
        while get_json(f"{survivor.url}/_cluster/health", timeout=60)[0] != 503:
            assert time.monotonic() < deadline, "the survivor never noticed its cluster manager was gone"
            time.sleep(1)
        assert [cluster.search(q).total for q in QUERIES] == [p["total"] for p in before]

    edited = sorted(p for p in reports.iterdir() if p.is_file())[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n\nA new paragraph about Vovchansk.\n", encoding="utf-8")
    result = runner.invoke(cli, ["index", str(reports), *args], catch_exceptions=False)
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    # The ingest ran (the local index has the paragraph); the cluster says why it took nothing.
    assert line.startswith("Error: ") and "OpenSearch cluster" in line, line
    assert "Traceback" not in result.output
    # The file's digest in the cluster's file list is the old one, so the
    # next run, once the cluster has a manager again, sends the file again.
    files = OpenSearch(hosts=[survivor.url]).search(index="t-two-nodes-files", body={"size": 10})["hits"]["hits"]
    digests = {hit["_source"]["path"]: hit["_source"]["digest"] for hit in files if "path" in hit["_source"]}
    assert digests[str(edited.resolve())] == sent[str(edited.resolve())]
    assert survivor.process.poll() is None
