"""Two source trees answering the same result pages in turn, on one index: p50/p95 per query kind and the ratios.

    python bench/compare_trees.py --index-dir DIR --tree main=/work/main --tree new=. [--queries 300]
        [--per-page 10] [--rounds 1] [--seed 3]

Each tree runs in a worker process of its own (``PYTHONPATH`` is the
tree) that opens the index (warmed as it opens, repeat groups read) and
times each page it is asked for, with the result cache off.  The queries
(``bench/queries.py``, drawn from the index's stored paragraphs) go to the
workers in turn, A B B A, so a machine shared with other work slows both
alike and neither always finds the other's reads in the page cache; the
ratios (B/A) are what to read.  A total that differs between
the trees is printed.  Both trees must read the index's schema.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

BENCH = Path(__file__).resolve().parent

_WORKER = r"""
import json, sys, time
from pathlib import Path
from search import SearchIndex, load_settings
index = SearchIndex(load_settings(environ={}, index_dir=Path(sys.argv[1]), result_cache=0))
with index._lease() as gen:
    gen.groups()
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    q = json.loads(line)
    filters = {name: q[name] for name in ("topic", "source", "place") if name in q}
    started = time.perf_counter()
    page = index.search(q["q"], per_page=q["per_page"], filters=filters or None, date_from=q.get("from"),
                        date_to=q.get("to"), collapse=bool(q.get("collapse")))
    print(json.dumps({"ms": (time.perf_counter() - started) * 1000, "total": page.total}), flush=True)
"""


def stored_records(index_dir: Path):
    """The index's paragraphs as the query generator reads records."""
    sys.path[:0] = [str(BENCH.parent), str(BENCH)]
    from search import SearchIndex, load_settings

    with SearchIndex(load_settings(environ={}, index_dir=index_dir)) as index:
        with index._lease() as gen:
            for n in range(gen.doc_count):
                fields = gen.searcher.stored_fields(n)
                day = fields.get("date")
                yield SimpleNamespace(
                    title=fields.get("title") or "", text=fields["text"], source=fields.get("source"),
                    date=day.date() if isinstance(day, datetime) else None,
                    topics=tuple(t for t in (fields.get("topic") or "").split(",") if t),
                    places=tuple(p for p in (fields.get("place") or "").split(",") if p))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--tree", action="append", required=True, metavar="NAME=PATH", help="twice: A, then B")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--per-page", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=1, help="times the query set runs (later rounds find postings cached)")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args(argv)
    trees = [(name, Path(path).resolve()) for name, path in (t.split("=", 1) for t in args.tree)]
    if len(trees) != 2:
        parser.error("give --tree NAME=PATH twice")
    sys.path.insert(0, str(BENCH))
    from queries import KINDS, draw_queries

    mix = draw_queries(stored_records(args.index_dir), args.queries, seed=args.seed)
    workers = []
    for _, tree in trees:
        worker = subprocess.Popen([sys.executable, "-c", _WORKER, str(args.index_dir)], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True, cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)})
        if not worker.stdout.readline():
            raise SystemExit(f"the worker of {tree} could not open {args.index_dir}")
        workers.append(worker)
    times = {name: {} for name, _ in trees}
    for _ in range(args.rounds):
        for number, query in enumerate(mix):
            totals = set()
            # Who goes first takes turns: the first to read a file from disk
            # leaves it in the page cache for the other.
            order = list(zip(trees, workers))
            for (name, _), worker in order if number % 2 == 0 else order[::-1]:
                worker.stdin.write(json.dumps({**query, "per_page": args.per_page}) + "\n")
                worker.stdin.flush()
                answer = json.loads(worker.stdout.readline())
                times[name].setdefault(query["kind"], []).append(answer["ms"])
                totals.add(answer["total"])
            if len(totals) > 1:
                print(f"totals differ: {json.dumps(query)}: {sorted(totals)}")
    for worker in workers:
        worker.stdin.close()
        worker.wait()
    (a, _), (b, _) = trees
    print(f"{args.index_dir}, {len(mix)} queries x {args.rounds} rounds, {args.per_page} per page, A={a}, B={b}\n")
    print(f"| kind | pages | {a} p50 | {a} p95 | {b} p50 | {b} p95 | B/A p50 | B/A p95 |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for kind in (*KINDS, None):
        values = [[v for k, vs in times[name].items() if kind in (None, k) for v in vs] for name in (a, b)]
        if not values[0]:
            continue
        (a50, a95), (b50, b95) = ((statistics.median(v), percentile(v, 0.95)) for v in values)
        print(f"| {kind or 'all'} | {len(values[0])} | {a50:.1f} ms | {a95:.1f} ms | {b50:.1f} ms | {b95:.1f} ms "
              f"| {b50 / a50:.2f} | {b95 / a95:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
