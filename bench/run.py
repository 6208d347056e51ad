"""Sitrep side by side with SQLite FTS5 and tantivy on the same generated corpus.

    python bench/run.py --paragraphs 100000 [--queries 300] [--out summary.json] [--workdir DIR]

All three index the same reports from ``bench/make_corpus.py --long-tail``
(FTS5 and tantivy get the paragraphs, topics and places Sitrep's own ingest
reads from them, so the data is identical).  Each engine then runs in its
own worker process, so its memory is its own; the main process sends the
same queries (``bench/queries.py``: at least 300 distinct ones drawn from
the corpus's term distribution, labelled by kind) to the three in turn, and
each worker times its own calls.  Each query is timed as a whole results
page on its own, with nothing run before it; Sitrep's worker also records
whether the page read postings from disk or found every term's postings in
its cache (warmed only by earlier, different queries).

FTS5 is set up as well as we know how: an external-content FTS5 table with
the porter tokenizer and diacritics removed, bm25 ranking with the title
weighted 2 like Sitrep's, ``snippet()`` for the page, and facet counts with
GROUP BY over side tables indexed by paragraph.  tantivy (the Rust engine,
through its Python binding) is the reference for what is physically
possible: text required, the title an optional x2 booster, the count, four
terms aggregations over fast fields and ten ``SnippetGenerator`` snippets.

Then fresh workers (a new process and engine each, opened as the first
ones were) time the top 10 alone for the same queries in the same turns:
ids and titles of the ten best hits, no snippets, facets or count beyond
what the engine's top-k needs.  Neither pass warms the other.

Printed: per query kind p50/p95 of the whole results page (top 10 with
snippets plus topic, source, place and month facets over all matches) and
of the top 10 alone, with the ratios of Sitrep to FTS5 and to tantivy; the
index build; one new 80-paragraph report until it is visible; searcher
open; the first query of a fresh process and of each ``sitrep serve``
worker; the first collapsed search after the server starts and after a new
generation; index size; peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from queries import KINDS, STOP_WORDS, draw_queries, request_path, search_arguments  # noqa: E402

ENGINE_NAMES = ("sitrep", "fts5", "tantivy")
LABELS = {"sitrep": "Sitrep", "fts5": "FTS5", "tantivy": "tantivy"}
MIN_QUERIES = 300
RELAX_BELOW = 10  # Sitrep's relax_below default: plain words with fewer AND hits are OR-ed
# iter_hits has no collapse and neither peer collapses its top 10, so the
# top-10 pass leaves collapse queries out rather than time three different things.
TOP10_KINDS = tuple(kind for kind in KINDS if kind != "collapse")


# -- the corpus ---------------------------------------------------------------------


def build_corpus(paragraphs: int, corpus: Path) -> int:
    from make_corpus import write_corpus

    _, total = write_corpus(paragraphs, corpus, seed=11, formats=("txt",), long_tail=True)
    return total


def parsed_records(corpus: Path):
    """The paragraphs as Sitrep's ingest reads them: what FTS5 and tantivy are given too."""
    from search.config import load_settings
    from search.ingest import paragraph_docs, read_report_file
    from search.taxonomy import load_taxonomy

    settings = load_settings(environ={})
    taxonomy = load_taxonomy(settings.taxonomy, settings.gazetteer)
    for path in sorted(corpus.glob("*.txt")):
        yield from paragraph_docs(read_report_file(path, taxonomy), taxonomy)


def stored_records(workdir: Path):
    """The same records read back from the FTS5 build (fast: no second parse), for the query generator."""
    db = sqlite3.connect(workdir / "fts5.db")
    topics = db.execute("SELECT rowid, topic FROM paragraph_topic ORDER BY rowid")
    places = db.execute("SELECT rowid, place FROM paragraph_place ORDER BY rowid")
    pending = {"topic": next(topics, None), "place": next(places, None)}

    def values(name, cursor, rowid):
        found = []
        while pending[name] is not None and pending[name][0] <= rowid:
            if pending[name][0] == rowid:
                found.append(pending[name][1])
            pending[name] = next(cursor, None)
        return tuple(found)

    for rowid, title, text, source, day in db.execute(
            "SELECT rowid, title, text, source, date FROM paragraphs WHERE id NOT LIKE 'new-%' ORDER BY rowid"):
        yield SimpleNamespace(title=title or "", text=text, source=source, date=date.fromisoformat(day) if day else None,
                              topics=values("topic", topics, rowid), places=values("place", places, rowid))
    db.close()


def plain_words(q: str) -> list[str]:
    """A plain query's words as the peers search them: no stop words (Sitrep's analyzer drops them too)."""
    return [w for w in q.split() if w.lower() not in STOP_WORDS] or q.split()


def relaxes(q: str, found: int) -> bool:
    """Whether a peer searches ``q`` again OR-ed, having found ``found`` with every word, as Sitrep relaxes it."""
    return found < RELAX_BELOW and not q.startswith('"') and len(plain_words(q)) > 1


def hit_arguments(query: dict) -> dict:
    """Keyword arguments for Sitrep's ``SearchIndex.iter_hits``: the page's, without collapse."""
    return {name: value for name, value in search_arguments(query).items() if name != "collapse"}


def directory_mb(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 1e6


# -- the engines, each in a worker process ------------------------------------------


class SitrepEngine:
    def __init__(self, workdir: Path) -> None:
        from search import SearchIndex, load_settings

        # No result cache: each query is searched (they are distinct anyway).
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

    @staticmethod
    def index_path(workdir: Path) -> Path:
        return workdir / "sitrep-index"

    def postings_cached(self) -> int:
        # Bench-only peek at the cache's size: entries only grow unless it is full.
        return len(self.index._postings_cache._entries)

    def page(self, query: dict) -> int:
        return self.index.search(query["q"], per_page=10, **search_arguments(query)).total

    def top10(self, query: dict) -> int:
        # iter_hits builds the page's plan (names rewritten, plain words
        # relaxed below relax_below) and ranks it as the page does.
        hits = [(hit.id, hit.title) for hit in self.index.iter_hits(query["q"], limit=10, **hit_arguments(query))]
        return len(hits)

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


class RelaxingPeer:
    """A peer engine's page and top 10, AND-ed first and OR-ed as Sitrep relaxes plain words (``_page``/``_top10``)."""

    def page(self, query: dict) -> int:
        total = self._page(query, conjunction=True)
        if relaxes(query["q"], total):
            total = self._page(query, conjunction=False)  # Sitrep's relaxation of plain words
        return total

    def top10(self, query: dict) -> int:
        # Fewer than 10 hits under a limit of 10 is fewer than 10 AND hits: no count needed to relax.
        hits = self._top10(query, conjunction=True)
        if relaxes(query["q"], len(hits)):
            hits = self._top10(query, conjunction=False)
        return len(hits)


class Fts5Engine(RelaxingPeer):
    def __init__(self, workdir: Path) -> None:
        started = time.perf_counter()
        self.db = sqlite3.connect(workdir / "fts5.db")
        self.db.execute("SELECT count(*) FROM paragraphs_fts WHERE paragraphs_fts MATCH 'pokrovsk'").fetchone()
        self.open_ms = (time.perf_counter() - started) * 1000

    @staticmethod
    def index_path(workdir: Path) -> Path:
        return workdir / "fts5.db"

    @staticmethod
    def build(workdir: Path, corpus: Path) -> None:
        path = workdir / "fts5.db"
        path.unlink(missing_ok=True)
        db = sqlite3.connect(path)
        db.executescript("""
            PRAGMA journal_mode = WAL;
            CREATE TABLE paragraphs (rowid INTEGER PRIMARY KEY, id TEXT, report_id TEXT, title TEXT,
                                     text TEXT, source TEXT, date TEXT, month TEXT, fingerprint TEXT);
            CREATE VIRTUAL TABLE paragraphs_fts USING fts5(
                text, title, content='paragraphs', content_rowid='rowid',
                tokenize='porter unicode61 remove_diacritics 2');
            CREATE TABLE paragraph_topic (rowid INTEGER, topic TEXT);
            CREATE TABLE paragraph_place (rowid INTEGER, place TEXT);
        """)
        rows, topics, places = [], [], []
        for n, doc in enumerate(parsed_records(corpus), start=1):
            day = doc.date.isoformat() if doc.date else None
            rows.append((n, doc.id, doc.report_id, doc.title, doc.text, doc.source, day, day[:7] if day else None,
                         doc.fingerprint))
            topics += [(n, t) for t in doc.topics]
            places += [(n, p) for p in doc.places]
        db.executemany("INSERT INTO paragraphs VALUES (?,?,?,?,?,?,?,?,?)", rows)
        db.execute("INSERT INTO paragraphs_fts(rowid, text, title) SELECT rowid, text, title FROM paragraphs")
        db.executemany("INSERT INTO paragraph_topic VALUES (?,?)", topics)
        db.executemany("INSERT INTO paragraph_place VALUES (?,?)", places)
        db.executescript("""
            CREATE INDEX topic_by_row ON paragraph_topic(rowid, topic);
            CREATE INDEX place_by_row ON paragraph_place(rowid, place);
            CREATE INDEX topic_by_value ON paragraph_topic(topic, rowid);
            CREATE INDEX place_by_value ON paragraph_place(place, rowid);
            CREATE INDEX paragraphs_date ON paragraphs(date);
            CREATE INDEX paragraphs_source ON paragraphs(source);
            INSERT INTO paragraphs_fts(paragraphs_fts) VALUES('optimize');
        """)
        db.commit()
        db.close()

    @staticmethod
    def match(q: str, conjunction: bool = True) -> str | None:
        if q.startswith('"'):
            return q
        words = [f'"{word}"' for word in plain_words(q)]
        return (" " if conjunction else " OR ").join(words) or None

    def _where(self, query: dict, conjunction: bool = True) -> tuple[str, str, list]:
        """(FROM, WHERE, parameters); no words at all lists what the filters allow, as Sitrep does."""
        match = self.match(query["q"], conjunction) if query["q"].strip() else None
        source = "paragraphs_fts JOIN paragraphs p ON p.rowid = paragraphs_fts.rowid" if match else "paragraphs p"
        clauses, params = (["paragraphs_fts MATCH ?"], [match]) if match else (["1"], [])
        if "from" in query:
            clauses.append("p.date BETWEEN ? AND ?")
            params += [query["from"], query["to"]]
        for name, table in (("topic", "paragraph_topic"), ("place", "paragraph_place")):
            if name in query:
                marks = ",".join("?" * len(query[name]))
                clauses.append(f"p.rowid IN (SELECT rowid FROM {table} WHERE {name} IN ({marks}))")
                params += query[name]
        if "source" in query:
            clauses.append(f"p.source IN ({','.join('?' * len(query['source']))})")
            params += query["source"]
        return source, " AND ".join(clauses), params

    def _top10(self, query: dict, conjunction: bool) -> list:
        source, where, params = self._where(query, conjunction)
        if "paragraphs_fts" in source:
            # ``rank`` given the page's bm25 weights (title 2), so both passes rank alike.
            order = "AND paragraphs_fts.rank MATCH 'bm25(1.0, 2.0)' ORDER BY paragraphs_fts.rank"
        else:
            order = "ORDER BY p.date DESC"
        return self.db.execute(f"SELECT p.id, p.title FROM {source} WHERE {where} {order} LIMIT 10", params).fetchall()

    def _page(self, query: dict, conjunction: bool) -> int:
        source, where, params = self._where(query, conjunction)
        ranked = "paragraphs_fts" in source
        self.db.execute(
            f"SELECT p.id, p.title, p.date, "
            + ("snippet(paragraphs_fts, 0, '<mark>', '</mark>', '…', 40) " if ranked else "substr(p.text, 1, 240) ")
            + f"FROM {source} WHERE {where} "
            + ("ORDER BY bm25(paragraphs_fts, 1.0, 2.0) " if ranked else "ORDER BY p.date DESC ")
            + "LIMIT 10", params).fetchall()
        self.db.execute("DROP TABLE IF EXISTS temp.matches")
        self.db.execute(f"CREATE TEMP TABLE matches AS SELECT p.rowid AS rowid, p.source, p.month, p.fingerprint "
                        f"FROM {source} WHERE {where}", params)
        if query.get("collapse"):  # groups of repeats: paragraphs equal after normalisation
            total = self.db.execute("SELECT count(DISTINCT fingerprint) FROM temp.matches").fetchone()[0]
        else:
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
                 "Bench", "2026-12-01", "2026-12", f"{token}-{n}") for n in range(80)]
        self.db.executemany("INSERT INTO paragraphs VALUES (?,?,?,?,?,?,?,?,?)", rows)
        self.db.executemany("INSERT INTO paragraphs_fts(rowid, text, title) VALUES (?,?,?)",
                            [(r[0], r[4], r[3]) for r in rows])
        self.db.commit()
        while self.db.execute("SELECT count(*) FROM paragraphs_fts WHERE paragraphs_fts MATCH ?",
                              (f'"{token}"',)).fetchone()[0] < 80:
            time.sleep(0.001)
        return (time.perf_counter() - started) * 1000


class TantivyEngine(RelaxingPeer):
    """tantivy 0.27 through tantivy-py: BM25, English stemming, facets as terms aggregations on fast fields."""

    FACETS = ("topic", "source", "place", "month")

    def __init__(self, workdir: Path) -> None:
        import tantivy

        self.tantivy = tantivy
        started = time.perf_counter()
        self.index = tantivy.Index.open(str(workdir / "tantivy-index"))
        self.schema = self.index.schema
        self.searcher = self.index.searcher()
        self.searcher.search(self.index.parse_query("pokrovsk", ["text"]), limit=1).count
        self.open_ms = (time.perf_counter() - started) * 1000

    @staticmethod
    def index_path(workdir: Path) -> Path:
        return workdir / "tantivy-index"

    @staticmethod
    def schema():
        import tantivy

        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        builder.add_text_field("title", stored=True, tokenizer_name="en_stem")
        builder.add_text_field("text", stored=True, tokenizer_name="en_stem")
        for name in (*TantivyEngine.FACETS, "group"):
            builder.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
        builder.add_integer_field("day", indexed=True, fast=True)
        return builder.build()

    @staticmethod
    def document(doc_id, title, text, source, day, topics, places, group):
        import tantivy

        fields = {"id": doc_id, "title": title or "", "text": text, "source": source or "", "topic": list(topics),
                  "place": list(places), "group": group}
        if day:
            fields["month"] = day[:7]
            fields["day"] = int(day.replace("-", ""))
        return tantivy.Document(**fields)

    @staticmethod
    def build(workdir: Path, corpus: Path) -> None:
        import tantivy

        path = workdir / "tantivy-index"
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir()
        index = tantivy.Index(TantivyEngine.schema(), path=str(path))
        writer = index.writer(heap_size=256_000_000)
        for doc in parsed_records(corpus):
            writer.add_document(TantivyEngine.document(
                doc.id, doc.title, doc.text, doc.source, doc.date.isoformat() if doc.date else None,
                doc.topics, doc.places, doc.fingerprint))
        writer.commit()
        writer.wait_merging_threads()

    def _query(self, query: dict, conjunction: bool):
        t = self.tantivy
        q = query["q"].strip()
        clauses = []
        if q:
            words = q if q.startswith('"') else " ".join(plain_words(q))
            text = self.index.parse_query(words, ["text"], conjunction_by_default=conjunction)
            title = self.index.parse_query(words, ["title"], conjunction_by_default=conjunction)
            clauses += [(t.Occur.Must, text), (t.Occur.Should, t.Query.boost_query(title, 2.0))]
        else:
            clauses.append((t.Occur.Must, t.Query.all_query()))
        for name in ("topic", "source", "place"):
            if name in query:
                clauses.append((t.Occur.Must, t.Query.term_set_query(self.schema, name, query[name])))
        if "from" in query:
            low, high = (int(query[k].replace("-", "")) for k in ("from", "to"))
            clauses.append((t.Occur.Must, t.Query.range_query(self.schema, "day", t.FieldType.Integer, low, high)))
        return t.Query.boolean_query(clauses)

    def _top10(self, query: dict, conjunction: bool) -> list:
        tantivy_query = self._query(query, conjunction)
        # No words: the newest first, as Sitrep and FTS5 list them.
        order = {} if query["q"].strip() else {"order_by_field": "day"}
        found = self.searcher.search(tantivy_query, limit=10, count=False, **order)
        hits = []
        for _, address in found.hits:
            doc = self.searcher.doc(address)
            hits.append((doc.get_first("id"), doc.get_first("title")))
        return hits

    def _page(self, query: dict, conjunction: bool) -> int:
        tantivy_query = self._query(query, conjunction)
        found = self.searcher.search(tantivy_query, limit=10, count=True)
        snippets = self.tantivy.SnippetGenerator.create(self.searcher, tantivy_query, self.schema, "text")
        for _, address in found.hits:
            snippets.snippet_from_doc(self.searcher.doc(address)).to_html()
        aggregations = {name: {"terms": {"field": name, "size": 100}} for name in self.FACETS}
        if query.get("collapse"):  # groups of repeats: paragraphs equal after normalisation
            aggregations["groups"] = {"cardinality": {"field": "group"}}
        counts = self.searcher.aggregate(tantivy_query, aggregations)
        return int(counts["groups"]["value"]) if query.get("collapse") else found.count

    def add_report(self, token: str) -> float:
        started = time.perf_counter()
        writer = self.index.writer(heap_size=50_000_000)
        for n in range(80):
            writer.add_document(self.document(f"new-{token}-{n}", token, f"Fresh paragraph {n} about {token} near "
                                              f"Pokrovsk.", "Bench", "2026-12-01", (), (), f"{token}-{n}"))
        writer.commit()
        writer.wait_merging_threads()
        while True:
            self.index.reload()
            self.searcher = self.index.searcher()
            if self.searcher.search(self.index.parse_query(token, ["text"]), limit=1).count >= 80:
                break
            time.sleep(0.001)
        return (time.perf_counter() - started) * 1000


ENGINES = {"sitrep": SitrepEngine, "fts5": Fts5Engine, "tantivy": TantivyEngine}


def worker(name: str, workdir: Path) -> None:
    """Answer timing requests on stdin, one JSON line each."""
    engine = ENGINES[name](workdir)
    print(json.dumps({"open_ms": engine.open_ms}), flush=True)
    cached = getattr(engine, "postings_cached", None)
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "quit":
            break
        if request["op"] == "rss":  # peak so far, before the adds write to the index
            print(json.dumps({"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)
            continue
        if request["op"] == "add":
            print(json.dumps({"ms": engine.add_report(request["token"])}), flush=True)
            continue
        timed = engine.page if request["op"] == "page" else engine.top10
        before = cached() if cached else None
        started = time.perf_counter()
        total = timed(request["query"])
        elapsed = (time.perf_counter() - started) * 1000
        # "cold": the page read some term's postings from disk rather than the cache.
        cold = (cached() > before) if cached else None
        print(json.dumps({"ms": elapsed, "total": total, "cold": cold}), flush=True)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"peak_rss_mb": rss}), flush=True)


class Worker:
    def __init__(self, name: str, workdir: Path) -> None:
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--worker", name, "--workdir", str(workdir)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
        )
        self.open_ms = self._read()["open_ms"]
        self.started_ms = (time.perf_counter() - started) * 1000  # process start, imports and open

    def _read(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("a benchmark worker died")
        return json.loads(line)

    def ask(self, **request) -> dict:
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return self._read()

    def rss(self) -> float:
        return self.ask(op="rss")["peak_rss_mb"]

    def finish(self) -> float:
        rss = self.ask(op="quit")["peak_rss_mb"]
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


def timed_pass(workers: dict, queries: list[dict], rounds: int, op: str) -> SimpleNamespace:
    """Each query to every worker in turn (A B C A B C), ``rounds`` times: the times each worker took, by kind.

    ``no_hits`` counts the first round's empty answers; ``by_cache`` splits
    Sitrep's times by whether the call read some postings from disk.
    """
    found = SimpleNamespace(times={(name, kind): [] for name in ENGINE_NAMES for kind in KINDS},
                            no_hits={(name, kind): 0 for name in ENGINE_NAMES for kind in KINDS},
                            by_cache={"cold": [], "warm": []}, first={})
    for round_number in range(rounds):
        for query in queries:
            for name in ENGINE_NAMES:
                answer = workers[name].ask(op=op, query=query)
                found.times[(name, query["kind"])].append(answer["ms"])
                found.first.setdefault(name, answer["ms"])
                if round_number == 0 and answer["total"] == 0:
                    found.no_hits[(name, query["kind"])] += 1
                if answer["cold"] is not None:
                    found.by_cache["cold" if answer["cold"] else "warm"].append(answer["ms"])
    return found


def top10_pass(workdir: Path, queries: list[dict], rounds: int) -> SimpleNamespace:
    """The top 10 alone, in fresh workers: nothing the page pass read is cached in them, and they warm no page."""
    workers = {name: Worker(name, workdir) for name in ENGINE_NAMES}
    try:
        return timed_pass(workers, [q for q in queries if q["kind"] in TOP10_KINDS], rounds, "top10")
    finally:
        for w in workers.values():
            w.finish()


def p50_p95(times: dict, name: str, kind: str | None = None) -> tuple[float, float]:
    """Median and 95th percentile of one engine's times, of one kind or (None) of all."""
    values = [v for (n, k), vs in times.items() if n == name and kind in (None, k) for v in vs]
    return statistics.median(values), percentile(values, 0.95)


def kind_table(title: str, found: SimpleNamespace, kinds: tuple[str, ...], counts: dict) -> tuple[list[str], dict]:
    """The per-kind table of one pass, and its figures by kind ("all" too) for the summary."""

    def ms(value: float) -> str:
        return f"{value:.1f} ms"

    lines = [f"| {title} | queries | Sitrep p50 | Sitrep p95 | FTS5 p50 | FTS5 p95 | tantivy p50 | tantivy p95 "
             "| ÷FTS5 p50 | ÷FTS5 p95 | ÷tantivy p50 | ÷tantivy p95 | no hits S/F/T |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    figures = {}
    for kind in (*kinds, None):
        (s50, s95), (f50, f95), (t50, t95) = (p50_p95(found.times, name, kind) for name in ENGINE_NAMES)
        empty = "/".join(str(sum(v for (n, k), v in found.no_hits.items() if n == name and kind in (None, k)))
                         for name in ENGINE_NAMES)
        queries = counts[kind] if kind else sum(counts[k] for k in kinds)
        lines.append(f"| {kind or 'all'} | {queries} | {ms(s50)} | {ms(s95)} | {ms(f50)} | "
                     f"{ms(f95)} | {ms(t50)} | {ms(t95)} | {s50 / f50:.2f} | {s95 / f95:.2f} | {s50 / t50:.2f} | "
                     f"{s95 / t95:.2f} | {empty} |")
        figures[kind or "all"] = {"queries": queries, "sitrep_p50_ms": s50, "sitrep_p95_ms": s95, "fts5_p50_ms": f50,
                                  "fts5_p95_ms": f95, "tantivy_p50_ms": t50, "tantivy_p95_ms": t95}
    return lines, figures


def served_first_queries(workdir: Path, queries: list[dict], workers: int) -> dict:
    """``sitrep serve``: each worker's first request, first collapsed request, and again after a new generation."""
    from serving import Server

    index_dir = workdir / "sitrep-index"
    plain = [request_path(q) for q in queries if not q.get("collapse")]
    collapsed = [request_path(q) for q in queries if q.get("collapse")]
    server = Server(index_dir, workers, workdir / "serve.log")
    try:
        pids = server.wait_until_idle()
        first = server.first_answers(plain, pids)
        cold_collapse = server.first_answers(collapsed, pids)
        report = workdir / "new-generation"
        report.mkdir(exist_ok=True)
        body = "\n\n".join(f"A paragraph {n} added while serving, near Pokrovsk." for n in range(20))
        (report / "added-while-serving.txt").write_text(f"December 2, 2026\n\n{body}\n")
        subprocess.run([sys.executable, "-c", "from search.cli import main; main()", "index", str(report),
                        "--index-dir", str(index_dir)], cwd=ROOT, check=True, capture_output=True,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
        after_add = server.first_answers(list(reversed(collapsed)), pids)
    finally:
        server.stop()

    def ms(answers: dict) -> list[float]:
        return [answers[pid]["ms"] for pid in pids if pid in answers]

    return {"first_query_ms": ms(first), "cold_collapse_ms": ms(cold_collapse),
            "cold_collapse_after_add_ms": ms(after_add), "workers": workers,
            "statuses": sorted({a["status"] for d in (first, cold_collapse, after_add) for a in d.values()})}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paragraphs", type=int, default=10000)
    parser.add_argument("--queries", type=int, default=MIN_QUERIES, help="distinct queries (at least 300)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="times the whole query set runs per engine (later rounds find postings cached)")
    parser.add_argument("--serve-workers", type=int, default=2, help="gunicorn workers for the first-query timings")
    parser.add_argument("--seed", type=int, default=3, help="seed of the query generator")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--reuse-corpus", action="store_true",
                        help="use the corpus a previous run left in WORKDIR/corpus (generation is deterministic)")
    parser.add_argument("--no-top10", action="store_true", help="skip the pass timing the top 10 alone")
    parser.add_argument("--worker", choices=sorted(ENGINES), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.workdir)
        return 0
    if args.queries < MIN_QUERIES:
        parser.error(f"the query set needs at least {MIN_QUERIES} distinct queries")
    try:
        import tantivy  # noqa: F401
    except ImportError:
        parser.error("tantivy is not installed: pip install -e '.[bench]'")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="sitrep-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    corpus = workdir / "corpus"
    if args.reuse_corpus and (corpus / ".manifest.jsonl").exists():
        with open(corpus / ".manifest.jsonl", encoding="utf-8") as manifest:
            paragraphs = sum(len(json.loads(line)["records"]) for line in manifest)
    else:
        shutil.rmtree(corpus, ignore_errors=True)
        paragraphs = build_corpus(args.paragraphs, corpus)
    builds = {name: timed_build(name, workdir, corpus) for name in ENGINE_NAMES}
    index_mb = {name: directory_mb(ENGINES[name].index_path(workdir)) for name in ENGINE_NAMES}
    # The serving phase gets queries of its own, so no worker process has seen them.
    drawn = draw_queries(stored_records(workdir), args.queries + 200, seed=args.seed)
    mix, serve_queries = drawn[:args.queries], drawn[args.queries:]
    workers = {name: Worker(name, workdir) for name in ENGINE_NAMES}
    pages = timed_pass(workers, mix, args.rounds, "page")
    # Before the adds, so both passes search the same indexes; the page
    # workers wait idle meanwhile.
    top10 = None if args.no_top10 else top10_pass(workdir, mix, args.rounds)
    serving_rss = {name: w.rss() for name, w in workers.items()}
    adds = {name: [workers[name].ask(op="add", token=f"benchtoken{name}{n}")["ms"] for n in range(3)]
            for name in workers}
    opens = {name: w.open_ms for name, w in workers.items()}
    rss = {name: w.finish() for name, w in workers.items()}
    served = served_first_queries(workdir, serve_queries, args.serve_workers)

    def ms(value: float) -> str:
        return f"{value:.1f} ms"

    kind_counts = {kind: sum(1 for q in mix if q["kind"] == kind) for kind in KINDS}
    page_lines, summary_kinds = kind_table("whole page", pages, KINDS, kind_counts)
    lines = [f"Sitrep vs SQLite FTS5 vs tantivy, {paragraphs} paragraphs, {len(mix)} distinct queries x "
             f"{args.rounds} rounds ({os.cpu_count()} CPUs, Python {platform.python_version()}, "
             f"SQLite {sqlite3.sqlite_version}, tantivy-py {_tantivy_version()})", "", *page_lines]
    if top10:
        top10_lines, top10_kinds = kind_table("top 10", top10, TOP10_KINDS, kind_counts)
        lines += ["", *top10_lines]
        for kind, figures in top10_kinds.items():
            summary_kinds[kind].update({f"top10_{key}": value for key, value in figures.items()})
    cache_rows = {}
    for state, values in pages.by_cache.items():
        if values:
            cache_rows[state] = {"pages": len(values), "p50_ms": statistics.median(values),
                                 "p95_ms": percentile(values, 0.95)}
    lines += ["", "| Sitrep page, postings cache | pages | p50 | p95 |", "| --- | ---: | ---: | ---: |"]
    lines += [f"| {'read some postings from disk' if state == 'cold' else 'every postings list cached'} | "
              f"{row['pages']} | {ms(row['p50_ms'])} | {ms(row['p95_ms'])} |" for state, row in cache_rows.items()]
    first_query = {name: opens[name] + pages.first[name] for name in ENGINE_NAMES}
    median_add = {name: statistics.median(adds[name]) for name in ENGINE_NAMES}
    build_s = {name: builds[name][0] for name in ENGINE_NAMES}

    def row(label: str, values: dict, fmt, ratio: bool = False) -> str:
        cells = " | ".join(fmt(values[name]) for name in ENGINE_NAMES)
        ratios = (f"{values['sitrep'] / values['fts5']:.2f} | {values['sitrep'] / values['tantivy']:.2f}"
                  if ratio else " | ")
        return f"| {label} | {cells} | {ratios} |"

    worker_list = ", ".join(f"{v:.0f}" for v in served["first_query_ms"])
    lines += ["", "| measure | Sitrep | FTS5 | tantivy | ÷FTS5 | ÷tantivy |", "| --- | ---: | ---: | ---: | ---: | ---: |",
              row("build", build_s, lambda s: f"{s:.1f} s ({paragraphs / s:.0f}/s)", ratio=True),
              row("index size", index_mb, lambda v: f"{v:.0f} MB", ratio=True),
              row("new 80-paragraph report visible", median_add, lambda v: f"{v:.0f} ms", ratio=True),
              row("searcher open", opens, ms),
              row("first query of a fresh process (open + first page)", first_query, ms, ratio=True),
              f"| first request of each `sitrep serve` worker | {worker_list} ms | | | | |",
              f"| first collapsed request per worker, after start / after a new generation | "
              f"{', '.join(f'{v:.0f}' for v in served['cold_collapse_ms'])} / "
              f"{', '.join(f'{v:.0f}' for v in served['cold_collapse_after_add_ms'])} ms | | | | |",
              row("peak memory, serving queries", serving_rss, lambda v: f"{v:.0f} MB"),
              row("peak memory, queries then 3 reports added", rss, lambda v: f"{v:.0f} MB"),
              row("peak memory, build", {name: builds[name][1] for name in ENGINE_NAMES}, lambda v: f"{v:.0f} MB")]
    print("\n".join(lines))
    page = {name: p50_p95(pages.times, name) for name in ENGINE_NAMES}
    top = {name: p50_p95(top10.times, name) for name in ENGINE_NAMES} if top10 else None

    def peer(name: str) -> dict:
        return {"build_paragraphs_per_s": paragraphs / build_s[name], "add_report_visible_ms": median_add[name],
                "peak_rss_mb": serving_rss[name], "peak_rss_with_adds_mb": rss[name], "searcher_open_ms": opens[name],
                "first_query_ms": first_query[name], "index_mb": index_mb[name],
                "page_p50_ms": page[name][0], "page_p95_ms": page[name][1],
                **({"top10_p50_ms": top[name][0], "top10_p95_ms": top[name][1]} if top else {})}

    summary = {
        "paragraphs": paragraphs,
        "queries": len(mix),
        "rounds": args.rounds,
        "query_kinds": kind_counts,
        "page_p50_ratio": page["sitrep"][0] / page["fts5"][0],
        "page_p95_ratio": page["sitrep"][1] / page["fts5"][1],
        "page_p50_ratio_tantivy": page["sitrep"][0] / page["tantivy"][0],
        "page_p95_ratio_tantivy": page["sitrep"][1] / page["tantivy"][1],
        "page_p50_ms": page["sitrep"][0],
        "page_p95_ms": page["sitrep"][1],
        **({"top10_p50_ratio": top["sitrep"][0] / top["fts5"][0],
            "top10_p95_ratio": top["sitrep"][1] / top["fts5"][1],
            "top10_p50_ratio_tantivy": top["sitrep"][0] / top["tantivy"][0],
            "top10_p95_ratio_tantivy": top["sitrep"][1] / top["tantivy"][1],
            "top10_p50_ms": top["sitrep"][0],
            "top10_p95_ms": top["sitrep"][1]} if top else {}),
        "phrase_p95_ms": p50_p95(pages.times, "sitrep", "phrase")[1],
        "build_paragraphs_per_s": paragraphs / build_s["sitrep"],
        "add_report_visible_ms": median_add["sitrep"],
        "peak_rss_mb": serving_rss["sitrep"],
        "peak_rss_with_adds_mb": rss["sitrep"],
        "searcher_open_ms": opens["sitrep"],
        # The slowest worker's first answer: what the unluckiest first user waits.
        "first_query_ms": max(served["first_query_ms"]),
        "first_query_ms_per_worker": served["first_query_ms"],
        "first_query_in_process_ms": first_query["sitrep"],
        "cold_collapse_ms": max(served["cold_collapse_ms"]),
        "cold_collapse_ms_per_worker": served["cold_collapse_ms"],
        "cold_collapse_after_add_ms_per_worker": served["cold_collapse_after_add_ms"],
        "serve_statuses": served["statuses"],
        "index_mb": index_mb["sitrep"],
        "postings_cache": cache_rows,
        "no_hits": {name: {kind: pages.no_hits[(name, kind)] for kind in KINDS} for name in ENGINE_NAMES},
        "fts5": peer("fts5"),
        "tantivy": peer("tantivy"),
        "kinds": summary_kinds,
        "table": "\n".join(lines),
    }
    if args.out:
        args.out.write_text(json.dumps(summary, indent=2) + "\n")
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def _tantivy_version() -> str:
    from importlib.metadata import version

    return version("tantivy")


if __name__ == "__main__":
    sys.exit(main())
