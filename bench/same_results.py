"""Check that two versions of Sitrep answer the same queries alike: totals, facet counts and top 10s.

    python bench/same_results.py --tree main=/work/main --tree new=. --workdir DIR [--paragraphs 20000]
        [--queries 200] [--seed 3] [--reuse]

Each tree builds its own index of one generated corpus (``make_corpus.py
--long-tail``, seed 11, as ``bench/run.py``; kept in ``DIR/corpus``) with
its own code, then answers the same queries (``bench/queries.py``, drawn
from the corpus's records; every kind) in a process of its own, whose
``PYTHONPATH`` is that tree.  For every query it records the total, every
facet's counts and the first page's ids and scores; then the first tree is
compared with each other one.  A top 10 that differs only where scores tie
(equal to 5 significant digits) is reported as a tie, not a difference.

Exit status 1 when anything but ties differs.  ``--reuse`` keeps indexes a
previous run left in ``DIR/index-NAME`` (rebuild after changing the index code).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent

# Run in each tree's process: answer every query of a file and write what a page shows.
_DUMP = r"""
import json, sys
from pathlib import Path
from search import SearchIndex, load_settings
index_dir, queries_file, out_file = sys.argv[1:4]
index = SearchIndex(load_settings(environ={}, index_dir=Path(index_dir), result_cache=0))
answers = []
for query in json.loads(Path(queries_file).read_text()):
    filters = {name: query[name] for name in ("topic", "source", "place") if name in query}
    page = index.search(query["q"], filters=filters or None, date_from=query.get("from"), date_to=query.get("to"),
                        collapse=bool(query.get("collapse")), per_page=10, sort=query.get("sort", "relevance"))
    answers.append({
        "total": page.total,
        "facets": {name: [[v.value, v.count, v.selected, v.excluded] for v in values]
                   for name, values in sorted(page.facets.items())},
        "ids": [hit.id for hit in page.hits],
        "scores": [hit.score for hit in page.hits],
        "all_words": page.all_words,
        "did_you_mean": page.did_you_mean,
    })
Path(out_file).write_text(json.dumps(answers))
"""

_BUILD = r"""
import sys
from pathlib import Path
from search import load_settings, update_index
update_index(load_settings(environ={}, index_dir=Path(sys.argv[1])), [Path(sys.argv[2])], rebuild=True)
"""


def run_in(tree: Path, code: str, *args: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    subprocess.run([sys.executable, "-c", code, *args], check=True, cwd=tree, env=env)


def draw(corpus: Path, count: int, seed: int) -> list[dict]:
    sys.path[:0] = [str(BENCH.parent), str(BENCH)]
    from queries import draw_queries
    from run import parsed_records

    queries = draw_queries(parsed_records(corpus), count, seed=seed)
    # A few sorted by date too: their order is by report date, then index order.
    return queries + [{**q, "kind": f"{q['kind']} newest", "sort": "newest"} for q in queries[: count // 10]]


def tie_only(a: dict, b: dict) -> bool:
    """True when two top 10s differ only in the order of equal scores."""
    if len(a["ids"]) != len(b["ids"]) or any(s is None for s in a["scores"] + b["scores"]):
        return False
    rounded_a = [f"{s:.5g}" for s in a["scores"]]
    rounded_b = [f"{s:.5g}" for s in b["scores"]]
    if rounded_a != rounded_b:
        return False
    # Same scores position by position; the ids of each score must be the
    # same set, except at the cut-off score, where others may tie outside the ten.
    last = rounded_a[-1]
    groups_a, groups_b = {}, {}
    for ids, scores, groups in ((a["ids"], rounded_a, groups_a), (b["ids"], rounded_b, groups_b)):
        for doc, score in zip(ids, scores):
            groups.setdefault(score, set()).add(doc)
    return all(groups_a[s] == groups_b[s] for s in groups_a if s != last)


def close(a: list, b: list) -> bool:
    """Scores equal to float32 rounding (sums in another order differ in the last bits)."""
    return all(x == y or (x is not None and y is not None and abs(x - y) <= 1e-5 * max(abs(x), abs(y)))
               for x, y in zip(a, b))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", action="append", required=True, metavar="NAME=PATH",
                        help="a source tree to compare (the first is the reference); twice or more")
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--paragraphs", type=int, default=20000)
    parser.add_argument("--queries", type=int, default=200, help="distinct queries drawn (at least 100)")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="keep the indexes a previous run built")
    args = parser.parse_args(argv)
    trees = [(name, Path(path).resolve()) for name, path in (t.split("=", 1) for t in args.tree)]
    if len(trees) < 2 or args.queries < 100:
        parser.error("give at least two --tree NAME=PATH and --queries 100 or more")
    args.workdir.mkdir(parents=True, exist_ok=True)
    corpus = args.workdir / "corpus"
    if not (corpus / ".manifest.jsonl").exists():
        sys.path.insert(0, str(BENCH))
        from make_corpus import write_corpus

        write_corpus(args.paragraphs, corpus, seed=11, formats=("txt",), long_tail=True)
    queries = draw(corpus, args.queries, args.seed)
    queries_file = args.workdir / "queries.json"
    queries_file.write_text(json.dumps(queries))
    answers = {}
    for name, tree in trees:
        index_dir = args.workdir / f"index-{name}"
        if not (args.reuse and index_dir.exists()):
            run_in(tree, _BUILD, str(index_dir), str(corpus))
        out = args.workdir / f"answers-{name}.json"
        run_in(tree, _DUMP, str(index_dir), str(queries_file), str(out))
        answers[name] = json.loads(out.read_text())
    reference, *others = trees
    failed = False
    for name, _ in others:
        counts = {"same": 0, "ties": 0, "different": 0}
        for query, a, b in zip(queries, answers[reference[0]], answers[name]):
            problems = [part for part in ("total", "facets", "all_words", "did_you_mean") if a[part] != b[part]]
            if a["ids"] != b["ids"] and not tie_only(a, b):
                problems.append("ids")
            elif a["ids"] == b["ids"] and not close(a["scores"], b["scores"]):
                problems.append("scores")
            if problems:
                counts["different"] += 1
                print(f"DIFFERENT ({', '.join(problems)}): {json.dumps(query)}")
                if "ids" in problems:
                    print(f"  {reference[0]}: {list(zip(a['ids'], a['scores']))}\n  {name}: {list(zip(b['ids'], b['scores']))}")
            elif a["ids"] != b["ids"]:
                counts["ties"] += 1
            else:
                counts["same"] += 1
        kinds = sorted({q["kind"] for q in queries})
        print(f"{reference[0]} vs {name}: {len(queries)} queries ({', '.join(kinds)}): "
              f"{counts['same']} identical, {counts['ties']} differ only in the order of tied scores, "
              f"{counts['different']} different")
        failed |= bool(counts["different"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
