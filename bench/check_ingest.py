"""Index a generated corpus and check every report against its manifest.

    python bench/check_ingest.py /tmp/corpus [--index-dir DIR]

Prints paragraph, date and section accuracy (each must be exact), ingest time
per 1,000 paragraphs and the peak memory of the indexing process, and exits
non-zero when anything differs from the manifest.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search import SearchIndex, load_settings, update_index  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--index-dir", type=Path)
    args = parser.parse_args(argv)
    manifest = [json.loads(line) for line in (args.corpus / ".manifest.jsonl").read_text().splitlines()]
    with tempfile.TemporaryDirectory() as scratch:
        settings = load_settings(index_dir=args.index_dir or Path(scratch) / "index")
        started = time.perf_counter()
        summary = update_index(settings, [args.corpus])
        seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        found: dict[str, list] = defaultdict(list)
        with SearchIndex(settings) as index:
            searcher = index.generation().searcher
            for fields in searcher.all_stored_fields():
                found[fields["report_id"]].append(fields)
    expected_paragraphs = sum(len(entry["records"]) for entry in manifest)
    right = {"paragraphs": 0, "dates": 0, "sections": 0}
    problems = []
    for entry in manifest:
        docs = sorted(found.get(entry["report_id"], []), key=lambda d: d["position"])
        want = entry["records"]
        if len(docs) != len(want):
            problems.append(f"{entry['report_id']}: {len(docs)} paragraphs, manifest says {len(want)}")
        for doc, record in zip(docs, want):
            right["paragraphs"] += 1
            day = doc.get("date")
            right["dates"] += bool(day and day.date().isoformat() == entry["date"])
            right["sections"] += doc.get("section") == record["section"] and doc["kind"] == record["kind"]
    extra = sum(len(v) for k, v in found.items()) - right["paragraphs"]
    print(f"reports: {len(manifest)}; paragraphs indexed {summary.paragraphs}, manifest {expected_paragraphs}")
    for name, count in right.items():
        print(f"{name} right: {count}/{expected_paragraphs} ({100 * count / expected_paragraphs:.2f}%)")
    print(f"extra paragraphs: {extra}; skipped files: {len(summary.skipped)}")
    print(f"ingest: {seconds:.1f} s, {1000 * seconds / max(1, summary.paragraphs):.2f} s per 1,000 paragraphs")
    print(f"peak memory (RSS): {peak_mb:.0f} MB")
    for problem in problems[:10]:
        print("MISMATCH", problem)
    exact = not problems and extra == 0 and all(v == expected_paragraphs for v in right.values())
    return 0 if exact else 1


if __name__ == "__main__":
    sys.exit(main())
