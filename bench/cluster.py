"""The opensearch back end measured beside the Whoosh back end on one machine (#18).

    python bench/cluster.py --index /work/big/index100k [--rounds 3] [--heap 512m]

Starts a real OpenSearch node (tests/opensearch/, `make opensearch`'s
launcher) in a scratch folder, and measures: the node's start time (launch
to a green health) and memory (the JVM's resident set after loading);
the bulk indexing rate of every paragraph of INDEX into the node
(`push_to_cluster`, reading the Whoosh index, never writing it); the
whole results page's latency (GET /?q=..., Flask's test client, result
cache off) p50/p95 for bench/cluster_queries.py's 67 queries on both back
ends; and the parity table (queries whose totals and facets are the same
on both / all). The node is stopped at the end.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from opensearch.launch import build_launcher, start_node, wait_for_health  # noqa: E402

from search import load_settings, open_backend  # noqa: E402
from search.backends.sync import push_to_cluster  # noqa: E402
from web import create_app  # noqa: E402

spec = importlib.util.spec_from_file_location("cluster_queries", ROOT / "bench" / "cluster_queries.py")
cluster_queries = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cluster_queries)


def page_url(q: str, options: dict) -> str:
    """The search page's URL for one query of the set."""
    # Empty boxes stay out of a page's URL (the page redirects to drop them).
    params: list[tuple[str, str]] = [("q", q)] if q else []
    for name, values in (options.get("filters") or {}).items():
        params += [(name, v) for v in values]
    for name, values in (options.get("exclude") or {}).items():
        params += [("exclude", f"{name}:{v}") for v in values]
    names = {"date_from": "from", "date_to": "to"}
    for key, value in options.items():
        if key in ("filters", "exclude"):
            continue
        params.append((names.get(key, key), "1" if value is True else str(value)))
    return "/?" + urlencode(params)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True, help="a Whoosh index (read only)")
    parser.add_argument("--rounds", type=int, default=3, help="timed runs of each query per back end")
    parser.add_argument("--heap", default="1g",
                        help="the node's JVM heap (the tests' 512m trips the circuit breaker on 100k facets)")
    args = parser.parse_args()
    build_launcher()
    folder = Path(tempfile.mkdtemp(prefix="sitrep-cluster-bench-"))
    # Later -Xms/-Xmx flags win over the launcher's 512m.
    os.environ["OPENSEARCH_JAVA_OPTS"] = f"{os.environ.get('OPENSEARCH_JAVA_OPTS', '')} -Xms{args.heap} -Xmx{args.heap}"
    started = time.perf_counter()
    node = start_node(folder)
    try:
        wait_for_health(node, nodes=1, status="green")
        start_s = time.perf_counter() - started
        print(f"node start ({args.heap} heap): {start_s:.1f} s to green; {rss_mb(node.pid):.0f} MB resident", flush=True)
        whoosh = load_settings(environ={}, index_dir=args.index, result_cache=0)
        cluster = load_settings(environ={}, index_dir=args.index, result_cache=0, backend="opensearch",
                                opensearch_url=node.url, opensearch_index="bench-paragraphs")
        started = time.perf_counter()
        summary = push_to_cluster(cluster)
        took = time.perf_counter() - started
        print(f"bulk indexing: {summary.paragraphs_sent:,} paragraphs in {took:.0f} s = "
              f"{summary.paragraphs_sent / took:,.0f} paragraphs/s; node {rss_mb(node.pid):.0f} MB resident",
              flush=True)
        same = 0
        with open_backend(whoosh) as w, open_backend(cluster) as c:
            for q, options in cluster_queries.QUERIES:
                found = cluster_queries.compare_pages(w.search(q, **options).to_json(),
                                                      c.search(q, **options).to_json())
                same += found["totals"] and found["facets"]
                if not (found["totals"] and found["facets"]):
                    print(f"  differs: {q!r} {options}", flush=True)
        print(f"parity: {same}/{len(cluster_queries.QUERIES)} queries with identical totals and facets", flush=True)
        for label, settings in (("whoosh", whoosh), ("opensearch", cluster)):
            client = create_app(settings, TESTING=True).test_client()
            times = []
            for q, options in cluster_queries.QUERIES:
                url = page_url(q, options)
                status = client.get(url).status_code  # warm
                if status != 200:
                    print(f"  {label}: {url} answered {status}; not timed", flush=True)
                    continue
                for _ in range(args.rounds):
                    started = time.perf_counter()
                    client.get(url)
                    times.append((time.perf_counter() - started) * 1000)
            print(f"page latency {label}: p50 {percentile(times, 0.5):.0f} ms, p95 {percentile(times, 0.95):.0f} ms "
                  f"({len(times)} requests)", flush=True)
        print(f"node after the queries: {rss_mb(node.pid):.0f} MB resident", flush=True)
    finally:
        node.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
