"""The real OpenSearch 2.19 node of tests/opensearch/ (#18): what a back end will rely on.

One node: English analysis, a custom folding and stemming analyzer, bulk
loading, search and a terms aggregation, bound to 127.0.0.1 only. Two nodes:
one cluster, and an index with a replica that survives one node's death.
The reports below are invented.
"""

from __future__ import annotations

import subprocess

import pytest
from opensearchpy import OpenSearch, helpers

from opensearch.launch import LAUNCHER, wait_for_health

pytestmark = pytest.mark.opensearch

ANALYSIS = {
    "analyzer": {
        # Sitrep's own chain: standard tokens, lower case, Kyïv = Kyiv, English stop words, Porter stems.
        "sitrep_text": {
            "type": "custom",
            "tokenizer": "standard",
            "filter": ["lowercase", "asciifolding", "english_stop", "porter_stem"],
        },
    },
    "filter": {"english_stop": {"type": "stop", "stopwords": "_english_"}},
}
MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "text": {"type": "text", "analyzer": "sitrep_text"},
        "title": {"type": "text", "analyzer": "english"},
        "topic": {"type": "keyword"},
        "date": {"type": "date"},
    },
}
REPORTS = [
    {"_id": "r1", "title": "Advancing columns near Kupiansk", "topic": "ground",
     "date": "2024-03-02", "text": "Russian forces advanced two kilometres towards Kyïv Oblast's border."},
    {"_id": "r2", "title": "Shelling of grain terminals", "topic": "strikes",
     "date": "2024-03-03", "text": "Drones struck the port of Izmail; the advance of repairs was slow."},
    {"_id": "r3", "title": "Convoys reach Kherson", "topic": "ground",
     "date": "2024-03-04", "text": "Aid convoys reached villages on the left bank after the floods."},
]


def create_reports_index(client: OpenSearch, name: str, settings: dict) -> None:
    client.indices.create(index=name, body={
        "settings": {**settings, "analysis": ANALYSIS},
        "mappings": MAPPINGS,
    })


def bulk_load(client: OpenSearch, name: str) -> None:
    loaded, errors = helpers.bulk(client, ({"_index": name, **report} for report in REPORTS), refresh="wait_for")
    assert (loaded, errors) == (3, [])


def matching_ids(client: OpenSearch, name: str, query: dict) -> set[str]:
    hits = client.search(index=name, body={"query": query, "size": 10})["hits"]["hits"]
    return {hit["_id"] for hit in hits}


def test_single_node_analyses_loads_searches_and_aggregates(opensearch_url):
    client = OpenSearch(hosts=[opensearch_url])
    # Nothing listens past this machine: HTTP and transport bound to 127.0.0.1 only.
    node = next(iter(client.nodes.info(node_id="_local", metric="http,transport")["nodes"].values()))
    bound = node["http"]["bound_address"] + node["transport"]["bound_address"]
    assert bound and all(address.startswith("127.0.0.1:") for address in bound), bound
    assert client.cluster.health()["number_of_nodes"] == 1

    english = client.indices.analyze(body={"analyzer": "english", "text": "The advancing forces"})
    assert [token["token"] for token in english["tokens"]] == ["advanc", "forc"]

    create_reports_index(client, "smoke-reports", {"number_of_shards": 1, "number_of_replicas": 0})
    try:
        folded = client.indices.analyze(index="smoke-reports",
                                        body={"analyzer": "sitrep_text", "text": "Kyïv advancing"})
        assert [token["token"] for token in folded["tokens"]] == ["kyiv", "advanc"]
        bulk_load(client, "smoke-reports")

        # "advances" stems with "advanced" and "advance", in the custom analyzer's field...
        assert matching_ids(client, "smoke-reports", {"match": {"text": "advances"}}) == {"r1", "r2"}
        # ...folds the accent the user did not type...
        assert matching_ids(client, "smoke-reports", {"match": {"text": "kyiv"}}) == {"r1"}
        # ...and the english analyzer's field stems too.
        assert matching_ids(client, "smoke-reports", {"match": {"title": "advance"}}) == {"r1"}

        # Sitrep's facets become terms aggregations, counted over the matches only.
        answer = client.search(index="smoke-reports", body={
            "size": 0,
            "query": {"range": {"date": {"gte": "2024-03-03"}}},
            "aggs": {"topic": {"terms": {"field": "topic"}}},
        })
        buckets = {bucket["key"]: bucket["doc_count"] for bucket in answer["aggregations"]["topic"]["buckets"]}
        assert answer["hits"]["total"]["value"] == 2
        assert buckets == {"strikes": 1, "ground": 1}
    finally:
        client.indices.delete(index="smoke-reports")


def test_replica_keeps_index_searchable_after_a_node_is_killed(opensearch_cluster):
    first = opensearch_cluster.nodes[0]
    health = wait_for_health(first, nodes=2, status="green")
    assert health["number_of_nodes"] == 2

    client = OpenSearch(hosts=[first.url])
    manager = client.cat.cluster_manager(format="json")[0]["node"]
    # Kill the node that is not the cluster manager, so the other keeps its
    # quorum; put the only primary on the node that dies, so that what
    # survives is the replica's copy.
    victim = next(node for node in opensearch_cluster.nodes if node.name != manager)
    survivor = opensearch_cluster.node(manager)
    client = OpenSearch(hosts=[survivor.url])
    create_reports_index(client, "replicated-reports", {
        "number_of_shards": 1,
        "number_of_replicas": 0,
        "index.routing.allocation.require._name": victim.name,
    })
    bulk_load(client, "replicated-reports")
    client.indices.put_settings(index="replicated-reports", body={
        "index.number_of_replicas": 1,
        "index.routing.allocation.require._name": None,
    })
    health = client.cluster.health(index="replicated-reports", wait_for_status="green")  # waits up to 30 s
    assert health["status"] == "green"
    shards = client.cat.shards(index="replicated-reports", format="json")
    assert {(shard["prirep"], shard["node"]) for shard in shards} == {("p", victim.name), ("r", survivor.name)}

    opensearch_cluster.kill(victim.name)

    health = wait_for_health(survivor, nodes=1, status="yellow", timeout=90)
    assert health["number_of_nodes"] == 1
    shards = client.cat.shards(index="replicated-reports", format="json")
    assert [(shard["prirep"], shard["node"]) for shard in shards if shard["state"] == "STARTED"] == [
        ("p", survivor.name)]
    assert matching_ids(client, "replicated-reports", {"match_all": {}}) == {"r1", "r2", "r3"}
    assert matching_ids(client, "replicated-reports", {"match": {"text": "advances"}}) == {"r1", "r2"}


@pytest.mark.parametrize(("args", "message"), [
    (["--port", "70000"], "Error: --port takes a port number from 0 to 65535, not 70000"),
    (["--seed-hosts", "192.0.2.7:9300"], "Error: --seed-hosts takes 127.0.0.1:PORT addresses, not 192.0.2.7:9300"),
    (["--initial-managers", "sitrep-a,sitrep-b"],
     "Error: --initial-managers must include this node's --name sitrep-1"),
])
def test_launcher_refuses_bad_options(opensearch_launcher, tmp_path, args, message):
    run = subprocess.run([str(LAUNCHER), "start", "--data", str(tmp_path / "node"), *args],
                         capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert run.returncode == 2
    assert run.stderr.splitlines()[0] == message
    assert run.stdout == ""
    assert not (tmp_path / "node").exists()  # refused before anything was written
