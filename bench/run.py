"""Sitrep side by side with SQLite FTS5 on the same generated corpus.

    python bench/run.py --paragraphs 100000 [--queries 60] [--out summary.json] [--workdir DIR]

Both engines index the same reports from ``bench/make_corpus.py`` (FTS5 gets
the paragraphs, topics and places Sitrep's own ingest reads from them, so
the data is identical).  Each engine then runs in its own worker process,
so its memory is its own; the main process sends the same fixed query mix
to both, alternating A B A B, and each worker times its own calls.

FTS5 is set up as well as we know how: an external-content FTS5 table with
the porter tokenizer and diacritics removed, bm25 ranking with the title
weighted 2 like Sitrep's, ``snippet()`` for the page, and facet counts with
GROUP BY over side tables indexed by paragraph.

Printed: per query kind p50/p95 for the top 10 hits and for the whole
results page (top 10 with snippets plus topic, source, place and month
facets over all matches), with the Sitrep/FTS5 ratio; index build; one new
80-paragraph report until it is visible; searcher open; peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

KINDS = ("rare", "common", "multi", "phrase", "dated", "faceted")


# -- the corpus and the query mix -------------------------------------------------------


def build_corpus(paragraphs: int, corpus: Path) -> int:
    from make_corpus import write_corpus

    _, total = write_corpus(paragraphs, corpus, seed=11, formats=("txt",))
    return total


def parsed_records(corpus: Path):
    """The paragraphs as Sitrep's ingest reads them: what FTS5 is given too."""
    from search.config import load_settings
    from search.ingest import paragraph_docs, read_report_file
    from search.taxonomy import load_taxonomy

    settings = load_settings(environ={})
    taxonomy = load_taxonomy(settings.taxonomy, settings.gazetteer)
    for path in sorted(corpus.glob("*.txt")):
        yield from paragraph_docs(read_report_file(path, taxonomy), taxonomy)


def query_mix(corpus: Path, count: int, seed: int = 3) -> list[dict]:
    """A fixed mix of queries of every kind, drawn from the corpus's own words."""
    rng = random.Random(seed)
    words: dict[str, int] = {}
    for path in sorted(corpus.glob("*.txt"))[:200]:
        for word in re.findall(r"[A-Za-z]{5,}", path.read_text(encoding="utf-8")):
            words[word.lower()] = words.get(word.lower(), 0) + 1
    ranked = sorted(words, key=words.get, reverse=True)
    common, rare = ranked[5:40], ranked[-200:]
    places = ["Pokrovsk", "Toretsk", "Kupyansk", "Kurakhove", "Bakhmut", "Siversk", "Kharkiv", "Kherson"]
    topics = ["Front line", "Strikes", "North Korea", "Air defense and drones"]
    phrases = ["Russian forces", "Ukrainian forces", "geolocated footage", "Russian milbloggers",
               "General Staff", "North Korean troops", "glide bombs", "oil refinery"]
    mix = []
    for i in range(count):
        kind = KINDS[i % len(KINDS)]
        if kind == "rare":
            query = {"q": rng.choice(rare)}
        elif kind == "common":
            query = {"q": rng.choice(common)}
        elif kind == "multi":
            query = {"q": " ".join(rng.sample(common, 2) + [rng.choice(places)])}
        elif kind == "phrase":
            query = {"q": f'"{rng.choice(phrases)}"'}
        elif kind == "dated":
            year = rng.choice([2022, 2023, 2024, 2025])
            query = {"q": rng.choice(places), "from": f"{year}-01-01", "to": f"{year}-06-30"}
        else:
            query = {"q": rng.choice(common), "topic": rng.choice(topics)}
        mix.append({"kind": kind, **query})
    return mix


# -- the engines, each in a worker process ------------------------------------------


class SitrepEngine:
    def __init__(self, workdir: Path) -> None:
        from search import SearchIndex, load_settings

        # No result cache: the mix repeats some queries, and each run must be measured.
        self.settings = load_settings(environ={}, index_dir=workdir / "sitrep-index", result_cache=0)
        self.workdir = workdir
        started = time.perf_counter()
        self.index = SearchIndex(self.settings)
        self.index.generation()
        self.open_ms = (time.perf_counter() - started) * 1000

    @staticmethod
    def build(workdir: Path, corpus: Path) -> None:
        from search import load_settings, update_index

        update_index(load_settings(environ={}, index_dir=workdir / "sitrep-index"), [corpus], rebuild=True)

    def top10(self, query: dict) -> int:
        filters = {"topic": [query["topic"]]} if "topic" in query else None
        hits = self.index.iter_hits(query["q"], filters=filters, date_from=query.get("from"),
                                    date_to=query.get("to"), limit=10)
        return len(list(hits))

    def page(self, query: dict) -> int:
        filters = {"topic": [query["topic"]]} if "topic" in query else None
        return self.index.search(query["q"], filters=filters, date_from=query.get("from"),
                                 date_to=query.get("to"), per_page=10).total

    def add_report(self, token: str) -> float:
        from search import update_index

        report = self.workdir / "new-report"
        report.mkdir(exist_ok=True)
        body = "\n\n".join(f"Fresh paragraph {n} about {token} near Pokrovsk." for n in range(80))
        (report / f"{token}.txt").write_text(f"December 1, 2026\n\n{body}\n")
        started = time.perf_counter()
        update_index(self.settings, [report])
        while self.index.search(token).total < 80:
            time.sleep(0.001)
        return (time.perf_counter() - started) * 1000


class Fts5Engine:
    def __init__(self, workdir: Path) -> None:
        started = time.perf_counter()
        self.db = sqlite3.connect(workdir / "fts5.db")
        self.db.execute("SELECT count(*) FROM paragraphs_fts WHERE paragraphs_fts MATCH 'pokrovsk'").fetchone()
        self.open_ms = (time.perf_counter() - started) * 1000

    @staticmethod
    def build(workdir: Path, corpus: Path) -> None:
        path = workdir / "fts5.db"
        path.unlink(missing_ok=True)
        db = sqlite3.connect(path)
        db.executescript("""
            PRAGMA journal_mode = WAL;
            CREATE TABLE paragraphs (rowid INTEGER PRIMARY KEY, id TEXT, report_id TEXT, title TEXT,
                                     text TEXT, source TEXT, date TEXT, month TEXT);
            CREATE VIRTUAL TABLE paragraphs_fts USING fts5(
                text, title, content='paragraphs', content_rowid='rowid',
                tokenize='porter unicode61 remove_diacritics 2');
            CREATE TABLE paragraph_topic (rowid INTEGER, topic TEXT);
            CREATE TABLE paragraph_place (rowid INTEGER, place TEXT);
        """)
        rows, topics, places = [], [], []
        for n, doc in enumerate(parsed_records(corpus), start=1):
            day = doc.date.isoformat() if doc.date else None
            rows.append((n, doc.id, doc.report_id, doc.title, doc.text, doc.source, day, day[:7] if day else None))
            topics += [(n, t) for t in doc.topics]
            places += [(n, p) for p in doc.places]
        db.executemany("INSERT INTO paragraphs VALUES (?,?,?,?,?,?,?,?)", rows)
        db.execute("INSERT INTO paragraphs_fts(rowid, text, title) SELECT rowid, text, title FROM paragraphs")
        db.executemany("INSERT INTO paragraph_topic VALUES (?,?)", topics)
        db.executemany("INSERT INTO paragraph_place VALUES (?,?)", places)
        db.executescript("""
            CREATE INDEX topic_by_row ON paragraph_topic(rowid, topic);
            CREATE INDEX place_by_row ON paragraph_place(rowid, place);
            CREATE INDEX topic_by_value ON paragraph_topic(topic, rowid);
            CREATE INDEX paragraphs_date ON paragraphs(date);
            INSERT INTO paragraphs_fts(paragraphs_fts) VALUES('optimize');
        """)
        db.commit()
        db.close()

    @staticmethod
    def match(q: str) -> str:
        if q.startswith('"'):
            return q
        return " ".join(f'"{word}"' for word in q.split())

    def _where(self, query: dict) -> tuple[str, list]:
        clauses, params = ["paragraphs_fts MATCH ?"], [self.match(query["q"])]
        if "from" in query:
            clauses.append("p.date BETWEEN ? AND ?")
            params += [query["from"], query["to"]]
        if "topic" in query:
            clauses.append("p.rowid IN (SELECT rowid FROM paragraph_topic WHERE topic = ?)")
            params.append(query["topic"])
        return " AND ".join(clauses), params

    def top10(self, query: dict) -> int:
        where, params = self._where(query)
        rows = self.db.execute(
            f"SELECT p.id FROM paragraphs_fts JOIN paragraphs p ON p.rowid = paragraphs_fts.rowid "
            f"WHERE {where} ORDER BY bm25(paragraphs_fts, 1.0, 2.0) LIMIT 10", params).fetchall()
        return len(rows)

    def page(self, query: dict) -> int:
        where, params = self._where(query)
        self.db.execute(
            f"SELECT p.id, p.title, p.date, snippet(paragraphs_fts, 0, '<mark>', '</mark>', '…', 40) "
            f"FROM paragraphs_fts JOIN paragraphs p ON p.rowid = paragraphs_fts.rowid "
            f"WHERE {where} ORDER BY bm25(paragraphs_fts, 1.0, 2.0) LIMIT 10", params).fetchall()
        self.db.execute("DROP TABLE IF EXISTS temp.matches")
        self.db.execute(
            f"CREATE TEMP TABLE matches AS SELECT p.rowid AS rowid, p.source, p.month FROM paragraphs_fts "
            f"JOIN paragraphs p ON p.rowid = paragraphs_fts.rowid WHERE {where}", params)
        total = self.db.execute("SELECT count(*) FROM temp.matches").fetchone()[0]
        self.db.execute("SELECT t.topic, count(*) FROM temp.matches m JOIN paragraph_topic t ON t.rowid = m.rowid "
                        "GROUP BY t.topic").fetchall()
        self.db.execute("SELECT t.place, count(*) FROM temp.matches m JOIN paragraph_place t ON t.rowid = m.rowid "
                        "GROUP BY t.place").fetchall()
        self.db.execute("SELECT source, count(*) FROM temp.matches GROUP BY source").fetchall()
        self.db.execute("SELECT month, count(*) FROM temp.matches GROUP BY month").fetchall()
        return total

    def add_report(self, token: str) -> float:
        started = time.perf_counter()
        first = self.db.execute("SELECT coalesce(max(rowid), 0) + 1 FROM paragraphs").fetchone()[0]
        rows = [(first + n, f"new-{token}-{n}", token, token, f"Fresh paragraph {n} about {token} near Pokrovsk.",
                 "Bench", "2026-12-01", "2026-12") for n in range(80)]
        self.db.executemany("INSERT INTO paragraphs VALUES (?,?,?,?,?,?,?,?)", rows)
        self.db.executemany("INSERT INTO paragraphs_fts(rowid, text, title) VALUES (?,?,?)",
                            [(r[0], r[4], r[3]) for r in rows])
        self.db.commit()
        while self.db.execute("SELECT count(*) FROM paragraphs_fts WHERE paragraphs_fts MATCH ?",
                              (f'"{token}"',)).fetchone()[0] < 80:
            time.sleep(0.001)
        return (time.perf_counter() - started) * 1000


ENGINES = {"sitrep": SitrepEngine, "fts5": Fts5Engine}


def worker(name: str, workdir: Path) -> None:
    """Answer timing requests on stdin, one JSON line each."""
    engine = ENGINES[name](workdir)
    print(json.dumps({"open_ms": engine.open_ms}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "quit":
            break
        if request["op"] == "rss":  # peak so far, before the adds write to the index
            print(json.dumps({"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)
            continue
        started = time.perf_counter()
        if request["op"] == "add":
            elapsed = getattr(engine, "add_report")(request["token"])
        else:
            getattr(engine, request["op"])(request["query"])
            elapsed = (time.perf_counter() - started) * 1000
        print(json.dumps({"ms": elapsed}), flush=True)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"peak_rss_mb": rss}), flush=True)


class Worker:
    def __init__(self, name: str, workdir: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--worker", name, "--workdir", str(workdir)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
        )
        self.open_ms = self._read()["open_ms"]

    def _read(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("a benchmark worker died")
        return json.loads(line)

    def ask(self, **request) -> float:
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return self._read()["ms"]

    def rss(self) -> float:
        self.process.stdin.write(json.dumps({"op": "rss"}) + "\n")
        self.process.stdin.flush()
        return self._read()["peak_rss_mb"]

    def finish(self) -> float:
        self.process.stdin.write(json.dumps({"op": "quit"}) + "\n")
        self.process.stdin.flush()
        rss = self._read()["peak_rss_mb"]
        self.process.wait()
        return rss


def timed_build(name: str, workdir: Path, corpus: Path) -> tuple[float, float]:
    """Build one engine's index in a child process: (seconds, peak RSS MB)."""
    code = (f"import sys; sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / 'bench')!r}]\n"
            f"from run import ENGINES; from pathlib import Path\n"
            f"ENGINES[{name!r}].build(Path({str(workdir)!r}), Path({str(corpus)!r}))\n"
            f"import resource, json; print(json.dumps(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))")
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return time.perf_counter() - started, json.loads(out.stdout.strip().splitlines()[-1])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paragraphs", type=int, default=10000)
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3, help="times each query runs per engine")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--reuse-corpus", action="store_true",
                        help="use the corpus a previous run left in WORKDIR/corpus (generation is deterministic)")
    parser.add_argument("--worker", choices=sorted(ENGINES), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.workdir)
        return 0
    if args.queries < 50:
        parser.error("the mix needs at least 50 queries")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="sitrep-bench-"))
    corpus = workdir / "corpus"
    if args.reuse_corpus and (corpus / ".manifest.jsonl").exists():
        with open(corpus / ".manifest.jsonl", encoding="utf-8") as manifest:
            paragraphs = sum(len(json.loads(line)["records"]) for line in manifest)
    else:
        shutil.rmtree(corpus, ignore_errors=True)
        paragraphs = build_corpus(args.paragraphs, corpus)
    builds = {name: timed_build(name, workdir, corpus) for name in ("sitrep", "fts5")}
    mix = query_mix(corpus, args.queries)
    workers = {name: Worker(name, workdir) for name in ("sitrep", "fts5")}
    times = {(name, op, kind): [] for name in workers for op in ("top10", "page") for kind in KINDS}
    for _ in range(args.rounds):
        for query in mix:
            for op in ("top10", "page"):
                for name in ("sitrep", "fts5"):  # A B A B
                    times[(name, op, query["kind"])].append(workers[name].ask(op=op, query=query))
    serving_rss = {name: w.rss() for name, w in workers.items()}
    adds = {name: [workers[name].ask(op="add", token=f"benchtoken{name}{n}") for n in range(3)] for name in workers}
    opens = {name: w.open_ms for name, w in workers.items()}
    rss = {name: w.finish() for name, w in workers.items()}

    def stats(name: str, op: str, kind: str | None = None) -> tuple[float, float]:
        values = [v for (n, o, k), vs in times.items() if n == name and o == op and kind in (None, k) for v in vs]
        return statistics.median(values), percentile(values, 0.95)

    lines = [f"Sitrep vs SQLite FTS5, {paragraphs} paragraphs, {len(mix)} queries x {args.rounds} rounds "
             f"({os.cpu_count()} CPUs, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version})", "",
             "| measure | Sitrep p50 | Sitrep p95 | FTS5 p50 | FTS5 p95 | ratio p50 | ratio p95 |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    summary_kinds = {}
    for op in ("top10", "page"):
        for kind in (*KINDS, None):
            s50, s95 = stats("sitrep", op, kind)
            f50, f95 = stats("fts5", op, kind)
            label = f"{'top 10' if op == 'top10' else 'whole page'}, {kind or 'all'}"
            lines.append(f"| {label} | {s50:.1f} ms | {s95:.1f} ms | {f50:.1f} ms | {f95:.1f} ms | "
                         f"{s50 / f50:.2f} | {s95 / f95:.2f} |")
            summary_kinds[f"{op}_{kind or 'all'}"] = {"sitrep_p50_ms": s50, "sitrep_p95_ms": s95,
                                                     "fts5_p50_ms": f50, "fts5_p95_ms": f95}
    (sb, srss), (fb, frss) = builds["sitrep"], builds["fts5"]
    lines += [
        f"| build | {sb:.1f} s ({paragraphs / sb:.0f} paragraphs/s) | | {fb:.1f} s ({paragraphs / fb:.0f}/s) | | "
        f"{sb / fb:.2f} | |",
        f"| new 80-paragraph report visible | {statistics.median(adds['sitrep']):.0f} ms | | "
        f"{statistics.median(adds['fts5']):.0f} ms | | {statistics.median(adds['sitrep']) / statistics.median(adds['fts5']):.2f} | |",
        f"| searcher open | {opens['sitrep']:.1f} ms | | {opens['fts5']:.1f} ms | | | |",
        f"| peak memory, serving queries | {serving_rss['sitrep']:.0f} MB | | {serving_rss['fts5']:.0f} MB | | | |",
        f"| peak memory, queries then 3 reports added | {rss['sitrep']:.0f} MB | | {rss['fts5']:.0f} MB | | | |",
        f"| peak memory, build | {srss:.0f} MB | | {frss:.0f} MB | | | |",
    ]
    print("\n".join(lines))
    page_s = stats("sitrep", "page")
    page_f = stats("fts5", "page")
    summary = {
        "paragraphs": paragraphs,
        "queries": len(mix),
        "page_p50_ratio": page_s[0] / page_f[0],
        "page_p95_ratio": page_s[1] / page_f[1],
        "phrase_p95_ms": stats("sitrep", "page", "phrase")[1],
        "build_paragraphs_per_s": paragraphs / sb,
        "add_report_visible_ms": statistics.median(adds["sitrep"]),
        "peak_rss_mb": serving_rss["sitrep"],
        "peak_rss_with_adds_mb": rss["sitrep"],
        "searcher_open_ms": opens["sitrep"],
        "fts5": {"build_paragraphs_per_s": paragraphs / fb, "add_report_visible_ms": statistics.median(adds["fts5"]),
                 "peak_rss_mb": serving_rss["fts5"], "peak_rss_with_adds_mb": rss["fts5"],
                 "searcher_open_ms": opens["fts5"]},
        "kinds": summary_kinds,
        "table": "\n".join(lines),
    }
    if args.out:
        args.out.write_text(json.dumps(summary, indent=2) + "\n")
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
