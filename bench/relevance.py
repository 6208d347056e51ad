"""How well Sitrep ranks, measured against bm25s on judged queries, in one run (#15).

    python bench/relevance.py --cranfield DIR [--isw DIR] [--queries FILE] [--judgements FILE]
                              [--pool FILE] [--json OUT] [--workdir DIR] [--rounds N]

**Cranfield** (1,400 aeronautics abstracts, 225 questions, graded
judgements: ``cran.all.1400``, ``cran.qry`` and ``cranqrel`` in DIR; public,
never committed).  Each abstract becomes one JSON Lines record (``id``,
``title``, ``text``; the collection's 70-column line breaks are joined, and
the two abstracts whose text is empty get their title as text), and the
file is indexed by Sitrep's own ingest (``update_index``).  Every question
is then searched through ``SearchIndex.search`` twice:

* **words OR-joined**: the question's words, lower-cased (so no word is an
  operator) and joined with `` OR ``, with every other character dropped, so
  no question can be a syntax error;
* **plain question**: the question as typed, without only the characters the
  query language gives a meaning to (quotes, brackets, ``:``, ``*``, ``?``,
  ``~``, ``^``, ``\\``, and ``+``, ``-`` or ``'`` at the edge of a word) —
  what a user who types a question gets.

bm25s ranks the same documents (title and text, as Sitrep has them) for the
same questions in the same run, with Lucene's BM25 (k1 = 1.2, b = 0.75),
English stop words and the Snowball English stemmer.  A Sitrep hit is a
paragraph: its record's ``id`` is its ``report_id``, and a document is
ranked where its best paragraph is (its first occurrence).

Cranfield's question numbers (``.I 001``, ``.I 002``, ``.I 004``, ...) are
not the numbers its judgements use: those count the questions in order, 1
to 225.  Its relevance codes are Cleverdon's, 1 (a complete answer) to 4
(of minimum interest), and -1, the question's source document; the gain is
``5 - code`` (complete answer 4, minimum interest 1), and -1 counts as not
relevant (gain 0).  nDCG@10 uses these gains linearly (trec_eval's
``ndcg_cut``); MAP@100 and R@100 count every document with a gain above 0
as relevant, and divide by all of a question's relevant documents.

**ISW 2023** (``--isw DIR``, the folder of saved ISW daily assessments
itself, so report ids, and with them paragraph ids, are those the
judgements name).  The folder is indexed by ``update_index``, its paragraphs
are read back with ``SearchIndex.iter_hits`` and indexed into bm25s (title
and text), and every query of ``--queries`` runs through Sitrep (both
modes) and bm25s; nDCG@10 is computed against ``--judgements`` (grades 0, 1,
2).  A top-10 paragraph that has no judgement counts as 0 and is reported as
"unjudged": when ranking changes bring such paragraphs up, judge them
(``--pool FILE`` writes every query's pooled top 10s with their text, and
the judgements already given, for reading; the file holds third-party text,
so write it outside the repository).

Timings: index time of each system, and the mean and median time of one
query at 10 and at 100 hits (Sitrep's is the whole result page:
``SearchIndex.search`` with facet counts and snippets; the result cache is
off so every query is searched).  Nothing is asserted; ``--json OUT``
writes every figure, per query too.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search import IndexSummary, SearchIndex, SitrepError, load_settings, update_index  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "bench" / "data"
BM25_K1 = 1.2
BM25_B = 0.75
RECORD_PREFIX = "cran-"  # Cranfield document 184 is the record (and report id) cran-184
# Long OR-joined questions pass Settings.max_query_length's 500 characters;
# the bench raises it so every question is measured (the count is printed).
BENCH_MAX_QUERY_LENGTH = 5000
MODES = ("or", "plain")
MODE_NAMES = {"or": "Sitrep, words OR-joined", "plain": "Sitrep, plain question"}
BM25_NAME = f"bm25s (Lucene, k1={BM25_K1}, b={BM25_B})"


# -- metrics ----------------------------------------------------------------------------


def dcg(gains: Sequence[float]) -> float:
    """Discounted cumulative gain of gains listed in rank order (linear gain, log2 discount).

    >>> round(dcg([3, 2, 0, 1]), 4)
    4.6925
    """
    return sum(gain / math.log2(rank + 1) for rank, gain in enumerate(gains, start=1))


def ndcg_at(ranked: Sequence[str], gains: Mapping[str, float], k: int = 10) -> float:
    """nDCG of the first ``k`` of ``ranked`` against graded ``gains`` (an unjudged id gains 0).

    The ideal ranking is every judged gain in decreasing order.  A query
    without any gain above 0 scores 0.

    :raises ValueError: ``k`` is below 1.
    """
    if k < 1:
        raise ValueError("k must be 1 or more")
    ideal = dcg(sorted((g for g in gains.values() if g > 0), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg([gains.get(doc, 0) for doc in ranked[:k]]) / ideal


def average_precision(ranked: Sequence[str], gains: Mapping[str, float], k: int = 100) -> float:
    """Average precision over the first ``k`` of ``ranked``, divided by all relevant ids.

    Relevant means a gain above 0; a relevant id never retrieved adds 0
    (trec_eval's ``map_cut``).

    :raises ValueError: ``k`` is below 1.
    """
    relevant = _relevant(gains, k)
    if not relevant:
        return 0.0
    found, total = 0, 0.0
    for rank, doc in enumerate(ranked[:k], start=1):
        if doc in relevant:
            found += 1
            total += found / rank
    return total / len(relevant)


def recall_at(ranked: Sequence[str], gains: Mapping[str, float], k: int = 100) -> float:
    """The share of relevant ids (gain above 0) among the first ``k`` of ``ranked``.

    :raises ValueError: ``k`` is below 1.
    """
    relevant = _relevant(gains, k)
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def _relevant(gains: Mapping[str, float], k: int) -> set[str]:
    """The relevant ids (gain above 0), once ``k`` is checked.

    :raises ValueError: ``k`` is below 1.
    """
    if k < 1:
        raise ValueError("k must be 1 or more")
    return {doc for doc, gain in gains.items() if gain > 0}


def first_occurrences(ids: Iterable[str]) -> list[str]:
    """``ids`` without repeats, each where it first came: a document ranks at its best paragraph."""
    return list(dict.fromkeys(ids))


# -- query text -------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+")
# Characters Sitrep's query language reads as syntax (README "Query syntax"):
# quotes, grouping, field prefixes, wildcards, fuzziness, boosts, escapes.
_SYNTAX_CHARACTERS = re.compile(r"[\"()\[\]{}:*?~^\\]")
# +word and -word require or exclude it; 'word' quotes it.  Inside a word
# ("boundary-layer", "Russia's") they are plain characters.
_EDGE_OPERATOR = re.compile(r"(?:(?<=\s)|^)[-+']+|'+(?=\s|$)")
_OPERATOR_WORDS = re.compile(r"\b(AND|OR|NOT|ANDNOT|ANDMAYBE|TO)\b")


def or_query(text: str) -> str:
    """The words of ``text``, lower-cased and joined with `` OR `` (no syntax can remain).

    >>> or_query("What (exact) -dash methods?")
    'what OR exact OR dash OR methods'
    """
    return " OR ".join(_WORD.findall(text.lower()))


def plain_query(text: str) -> str:
    """``text`` as a user typed it, without the characters the query language reads as syntax.

    Operator words in capitals are lower-cased, so they stay words.

    >>> plain_query("what methods -dash exact or approximate -dash are available?")
    'what methods dash exact or approximate dash are available'
    """
    cleaned = _SYNTAX_CHARACTERS.sub(" ", text)
    cleaned = _EDGE_OPERATOR.sub(" ", cleaned)
    cleaned = _OPERATOR_WORDS.sub(lambda m: m.group(1).lower(), cleaned)
    return " ".join(cleaned.split())


# -- Cranfield --------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """One Cranfield abstract: its number, title and text."""

    id: str
    title: str
    text: str


@dataclass(frozen=True)
class Question:
    """One Cranfield question, numbered as the judgements number it (1 to 225)."""

    id: str
    text: str


@dataclass
class Collection:
    """A test collection: documents, questions and each question's graded judgements."""

    documents: list[Document]
    questions: list[Question]
    gains: dict[str, dict[str, int]]  # question id -> document id -> gain
    judgements: int = 0


def cranfield_gain(code: int) -> int:
    """The gain of one of Cleverdon's relevance codes: 1 (complete answer) -> 4, ..., 4 -> 1; -1 -> 0.

    :raises ValueError: a code that is none of -1, 1, 2, 3, 4.
    """
    if code == -1:
        return 0  # the question's source document, not a judged answer
    if 1 <= code <= 4:
        return 5 - code
    raise ValueError(f"unknown Cranfield relevance code {code}")


def _fields(path: Path) -> list[dict[str, str]]:
    """The ``.I`` records of a Cranfield file, each field (``.T``, ``.A``, ``.B``, ``.W``) as one line of text."""
    records: list[dict[str, str]] = []
    current = None
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        marker = re.match(r"^\.([IATBW])(?:\s+(\S+))?\s*$", line)
        if marker and marker.group(1) == "I":
            records.append({"I": marker.group(2) or "", "T": "", "A": "", "B": "", "W": ""})
            current = None
        elif marker:
            current = marker.group(1)
        elif current and records:
            records[-1][current] += " " + line
    for record in records:
        for key in "TABW":
            record[key] = " ".join(record[key].split())
    return records


def read_cranfield(directory: Path) -> Collection:
    """Read ``cran.all.1400``, ``cran.qry`` and ``cranqrel`` from ``directory``.

    Questions get the numbers the judgements use: their place in
    ``cran.qry``, 1 to 225, not their ``.I`` number.

    :raises FileNotFoundError: one of the three files is missing.
    :raises ValueError: a judgement line is not three numbers, or names an
        unknown question or document.
    """
    documents = [
        Document(record["I"], record["T"], record["W"] or record["T"])
        for record in _fields(directory / "cran.all.1400")
    ]
    questions = [Question(str(n), record["W"]) for n, record in enumerate(_fields(directory / "cran.qry"), start=1)]
    known_docs = {d.id for d in documents}
    known_questions = {q.id for q in questions}
    gains: dict[str, dict[str, int]] = {}
    judgements = 0
    for number, line in enumerate((directory / "cranqrel").read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 3:
            raise ValueError(f"cranqrel line {number}: expected 3 columns, got {len(parts)}")
        question, doc, code = parts
        if question not in known_questions or doc not in known_docs:
            raise ValueError(f"cranqrel line {number}: unknown question {question} or document {doc}")
        gains.setdefault(question, {})[doc] = cranfield_gain(int(code))
        judgements += 1
    return Collection(documents, questions, gains, judgements)


def write_records(documents: Iterable[Document], path: Path) -> None:
    """Write one JSON Lines record per document (``id``, ``title``, ``text``) for Sitrep's ingest.

    :raises OSError: ``path`` cannot be written.
    """
    with path.open("w", encoding="utf-8") as out:
        for doc in documents:
            out.write(json.dumps({"id": RECORD_PREFIX + doc.id, "title": doc.title, "text": doc.text}) + "\n")


# -- the systems ------------------------------------------------------------------------


@dataclass
class Ranking:
    """The ids one system returned for one query, best first, or the error the query gave."""

    ids: list[str]
    error: str | None = None


class SitrepSystem:
    """An index built by ``update_index`` and searched with ``SearchIndex.search``."""

    def __init__(self, index_dir: Path) -> None:
        self.settings = load_settings(
            environ={}, index_dir=index_dir, result_cache=0, max_query_length=BENCH_MAX_QUERY_LENGTH
        )
        self.index: SearchIndex | None = None
        self.index_seconds = 0.0
        self.records = 0

    def build(self, paths: Sequence[Path]) -> IndexSummary:
        """Index ``paths`` from scratch with ``update_index``, timed, and open the index for searching.

        :raises SitrepError: ``update_index`` could not build the index (see its docstring).
        """
        started = time.perf_counter()
        summary = update_index(self.settings, list(paths), rebuild=True)
        self.index_seconds = time.perf_counter() - started
        self.records = summary.paragraphs
        self.index = SearchIndex(self.settings)
        return summary

    def search_ids(self, q: str, per_page: int, key: Callable[[Any], str]) -> Ranking:
        """The ids (by ``key`` of each hit) of the first ``per_page`` hits, or the error the query gave."""
        assert self.index is not None
        try:
            page = self.index.search(q, per_page=per_page)
        except SitrepError as err:
            return Ranking([], f"{type(err).__name__}: {err}")
        return Ranking([key(hit) for hit in page.hits])

    def ranked_ids(self, q: str, limit: int, key: Callable[[Any], str]) -> Ranking:
        """Like :meth:`search_ids`, through ``iter_hits``: the ranking alone, without facets or snippets."""
        assert self.index is not None
        try:
            hits = self.index.iter_hits(q, limit=limit)
        except SitrepError as err:
            return Ranking([], f"{type(err).__name__}: {err}")
        try:
            return Ranking([key(hit) for hit in hits])
        finally:
            hits.close()

    def close(self) -> None:
        if self.index is not None:
            self.index.close()


class Bm25System:
    """bm25s over the same texts: Lucene BM25, English stop words, Snowball English stemmer."""

    def __init__(self, ids: Sequence[str], texts: Sequence[str]) -> None:
        import bm25s
        import Stemmer

        self._bm25s = bm25s
        self.stemmer = Stemmer.Stemmer("english")
        self.ids = list(ids)
        started = time.perf_counter()
        tokens = bm25s.tokenize(list(texts), stopwords="en", stemmer=self.stemmer, show_progress=False)
        self.retriever = bm25s.BM25(method="lucene", k1=BM25_K1, b=BM25_B)
        self.retriever.index(tokens, show_progress=False)
        self.index_seconds = time.perf_counter() - started

    def rank(self, q: str, k: int) -> Ranking:
        """The ids of the best ``k`` documents that share a word with ``q``, best first."""
        words = self._bm25s.tokenize(
            [q], stopwords="en", stemmer=self.stemmer, show_progress=False, return_ids=False
        )
        k = min(k, len(self.ids))
        docs, scores = self.retriever.retrieve(words, k=k, show_progress=False, n_threads=0)
        # bm25s fills k places even when fewer documents share a word; those score 0.
        return Ranking([self.ids[int(d)] for d, s in zip(docs[0], scores[0]) if s > 0])


def _timed(run: Callable[[str], Any], queries: Sequence[str], rounds: int) -> dict[str, float]:
    """Mean and median milliseconds of ``run`` over ``queries``, each run ``rounds`` times."""
    times: list[float] = []
    for _ in range(rounds):
        for q in queries:
            started = time.perf_counter()
            run(q)
            times.append((time.perf_counter() - started) * 1000)
    return {"mean_ms": statistics.fmean(times), "p50_ms": statistics.median(times)}


def _scores(rankings: Mapping[str, Ranking], gains: Mapping[str, Mapping[str, int]]) -> dict[str, Any]:
    per_query = {
        qid: {
            "ndcg10": ndcg_at(r.ids, gains.get(qid, {}), 10),
            "map100": average_precision(r.ids, gains.get(qid, {}), 100),
            "recall100": recall_at(r.ids, gains.get(qid, {}), 100),
            "hits": len(r.ids),
            **({"error": r.error} if r.error else {}),
            "ranked": r.ids,
        }
        for qid, r in rankings.items()
    }
    judged = [q for q in per_query if any(g > 0 for g in gains.get(q, {}).values())]
    return {
        "ndcg10": statistics.fmean(per_query[q]["ndcg10"] for q in judged),
        "map100": statistics.fmean(per_query[q]["map100"] for q in judged),
        "recall100": statistics.fmean(per_query[q]["recall100"] for q in judged),
        "queries": len(judged),
        "no_hits": sum(1 for q in judged if not per_query[q]["hits"]),
        "errors": sum(1 for q in judged if "error" in per_query[q]),
        "per_query": per_query,
    }


# -- Cranfield run ----------------------------------------------------------------------


def run_cranfield(directory: Path, workdir: Path, rounds: int) -> dict[str, Any]:
    """Index Cranfield into Sitrep and bm25s, run every question, return every figure.

    :raises FileNotFoundError, ValueError: as :func:`read_cranfield`.
    :raises SitrepError: Sitrep could not build its index.
    """
    collection = read_cranfield(directory)
    corpus = workdir / "cranfield-records"
    corpus.mkdir(parents=True)
    write_records(collection.documents, corpus / "cranfield.jsonl")

    sitrep = SitrepSystem(workdir / "cranfield-index")
    summary = sitrep.build([corpus])
    bm25 = Bm25System([d.id for d in collection.documents], [f"{d.title}\n{d.text}" for d in collection.documents])

    def doc_id(hit: Any) -> str:
        return hit.report_id.removeprefix(RECORD_PREFIX)

    queries = {"or": {q.id: or_query(q.text) for q in collection.questions},
               "plain": {q.id: plain_query(q.text) for q in collection.questions}}
    default_length = load_settings(environ={}).max_query_length
    result: dict[str, Any] = {
        "documents": len(collection.documents),
        "records": sitrep.records,
        "ingest_warnings": len(summary.warnings),
        "questions": len(collection.questions),
        "judgements": collection.judgements,
        "index_s": {"sitrep": sitrep.index_seconds, "bm25s": bm25.index_seconds},
        "default_max_query_length": default_length,
        "over_default_query_length": {
            mode: sum(1 for q in texts.values() if len(q) > default_length) for mode, texts in queries.items()
        },
        "systems": {},
        "latency": {},
    }
    try:
        for mode in MODES:
            rankings = {
                qid: _documents(sitrep.search_ids(q, 100, doc_id)) for qid, q in queries[mode].items()
            }
            result["systems"][mode] = _scores(rankings, collection.gains)
        result["systems"]["bm25s"] = _scores(
            {q.id: bm25.rank(q.text, 100) for q in collection.questions}, collection.gains
        )
        for mode in MODES:
            for per_page in (10, 100):
                result["latency"][f"sitrep_{mode}_{per_page}"] = _timed(
                    lambda q, n=per_page: sitrep.search_ids(q, n, doc_id), list(queries[mode].values()), rounds
                )
                result["latency"][f"sitrep_{mode}_ranking_{per_page}"] = _timed(
                    lambda q, n=per_page: sitrep.ranked_ids(q, n, doc_id), list(queries[mode].values()), rounds
                )
        texts = [q.text for q in collection.questions]
        for k in (10, 100):
            result["latency"][f"bm25s_{k}"] = _timed(lambda q, n=k: bm25.rank(q, n), texts, rounds)
    finally:
        sitrep.close()
    return result


def _documents(ranking: Ranking) -> Ranking:
    return Ranking(first_occurrences(ranking.ids), ranking.error)


# -- ISW judged set ---------------------------------------------------------------------


def _tsv_rows(path: Path) -> Iterable[tuple[int, list[str]]]:
    """Rows of a TSV file, skipping blank lines, ``#`` comments and the header row."""
    header_seen = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        if not header_seen:
            header_seen = True
            continue
        yield number, line.split("\t")


def read_queries(path: Path) -> dict[str, dict[str, str]]:
    """``query_id -> {"query", "kind"}`` from a TSV with columns query_id, kind, query.

    :raises ValueError: a row without three columns, or a repeated id.
    """
    queries: dict[str, dict[str, str]] = {}
    for number, row in _tsv_rows(path):
        if len(row) != 3:
            raise ValueError(f"{path.name} line {number}: expected query_id, kind, query")
        qid, kind, text = (cell.strip() for cell in row)
        if qid in queries:
            raise ValueError(f"{path.name} line {number}: query id {qid} repeated")
        queries[qid] = {"query": text, "kind": kind}
    return queries


def read_judgements(path: Path) -> dict[str, dict[str, int]]:
    """``query_id -> paragraph_id -> grade`` (0, 1 or 2) from a TSV with those three columns.

    :raises ValueError: a row without three columns, or a grade other than 0, 1, 2.
    """
    judged: dict[str, dict[str, int]] = {}
    for number, row in _tsv_rows(path):
        if len(row) != 3 or row[2].strip() not in ("0", "1", "2"):
            raise ValueError(f"{path.name} line {number}: expected query_id, paragraph_id, grade 0/1/2")
        judged.setdefault(row[0].strip(), {})[row[1].strip()] = int(row[2])
    return judged


def run_isw(
    directory: Path, queries_path: Path, judgements_path: Path | None, workdir: Path, rounds: int,
    pool_path: Path | None = None,
) -> dict[str, Any]:
    """Index the ISW pages into Sitrep, their paragraphs into bm25s; nDCG@10 of every query.

    :raises OSError, ValueError: a queries or judgements file cannot be read (:func:`read_queries`).
    :raises SitrepError: Sitrep could not build its index.
    """
    queries = read_queries(queries_path)
    judged = read_judgements(judgements_path) if judgements_path and judgements_path.exists() else {}
    sitrep = SitrepSystem(workdir / "isw-index")
    sitrep.build([directory])
    try:
        assert sitrep.index is not None
        records = {hit.id: hit for hit in sitrep.index.iter_hits("")}
        bm25 = Bm25System(list(records), [f"{h.title}\n{h.text}" for h in records.values()])

        def paragraph_id(hit: Any) -> str:
            return hit.id

        tops: dict[str, dict[str, Ranking]] = {"or": {}, "plain": {}, "bm25s": {}}
        for qid, query in queries.items():
            tops["or"][qid] = sitrep.search_ids(or_query(query["query"]), 10, paragraph_id)
            tops["plain"][qid] = sitrep.search_ids(plain_query(query["query"]), 10, paragraph_id)
            tops["bm25s"][qid] = bm25.rank(query["query"], 10)
        result: dict[str, Any] = {
            "records": len(records),
            "queries": len(queries),
            "judgements": sum(len(v) for v in judged.values()),
            "judged_ids_missing": sorted(
                {pid for grades in judged.values() for pid in grades if pid not in records}
            ),
            "index_s": {"sitrep": sitrep.index_seconds, "bm25s": bm25.index_seconds},
            "systems": {},
        }
        for name, rankings in tops.items():
            scores = {
                qid: {
                    "ndcg10": ndcg_at(r.ids, judged.get(qid, {}), 10),
                    "hits": len(r.ids),
                    "unjudged": sum(1 for pid in r.ids if pid not in judged.get(qid, {})),
                    **({"error": r.error} if r.error else {}),
                    "ranked": r.ids,
                }
                for qid, r in rankings.items()
            }
            with_relevant = [q for q in scores if any(g > 0 for g in judged.get(q, {}).values())]
            result["systems"][name] = {
                "ndcg10": statistics.fmean(scores[q]["ndcg10"] for q in with_relevant) if with_relevant else 0.0,
                "by_kind": {
                    kind: statistics.fmean(scores[q]["ndcg10"] for q in with_relevant if queries[q]["kind"] == kind)
                    for kind in sorted({queries[q]["kind"] for q in with_relevant})
                },
                "queries": len(with_relevant),
                "no_hits": sum(1 for q in with_relevant if not scores[q]["hits"]),
                "unjudged_in_top10": sum(s["unjudged"] for s in scores.values()),
                "per_query": scores,
            }
        result["latency"] = {
            f"sitrep_{mode}_10": _timed(
                lambda q, m=mode: sitrep.search_ids(or_query(q) if m == "or" else plain_query(q), 10, paragraph_id),
                [v["query"] for v in queries.values()], rounds,
            )
            for mode in MODES
        }
        result["latency"]["bm25s_10"] = _timed(
            lambda q: bm25.rank(q, 10), [v["query"] for v in queries.values()], rounds
        )
        if pool_path is not None:
            write_pool(pool_path, queries, tops, records, judged)
        return result
    finally:
        sitrep.close()


def write_pool(
    path: Path, queries: Mapping[str, Mapping[str, str]], tops: Mapping[str, Mapping[str, Ranking]],
    records: Mapping[str, Any], judged: Mapping[str, Mapping[str, int]],
) -> None:
    """Write each query's pooled top 10s (every system), with text and any grade given, for judging.

    :raises OSError: ``path`` cannot be written.
    """
    lines = ["# Pooled top 10s for judging (third-party text: keep outside the repository)", ""]
    for qid, query in queries.items():
        pooled: dict[str, list[str]] = {}
        for name, rankings in tops.items():
            for rank, pid in enumerate(rankings[qid].ids, start=1):
                pooled.setdefault(pid, []).append(f"{name}#{rank}")
        lines += [f"## {qid} [{query['kind']}] {query['query']}", ""]
        for pid, where in pooled.items():
            hit = records[pid]
            grade = judged.get(qid, {}).get(pid)
            lines += [
                f"### {qid} {pid} ({', '.join(where)}) grade: {'' if grade is None else grade}",
                f"{hit.date} · {hit.section or '-'}",
                "",
                hit.text,
                "",
            ]
    path.write_text("\n".join(lines), encoding="utf-8")


# -- printing ---------------------------------------------------------------------------


def _ratio(value: float, base: float) -> str:
    return f"{value / base:.3f}" if base else "-"


def _ms(figures: Mapping[str, float]) -> str:
    return f"{figures['mean_ms']:.1f} ms ({figures['p50_ms']:.1f})"


def format_cranfield(result: Mapping[str, Any]) -> str:
    """The Cranfield figures of :func:`run_cranfield` as Markdown tables."""
    systems = result["systems"]
    base = systems["bm25s"]
    lines = [
        f"Cranfield: {result['documents']} documents ({result['records']} Sitrep paragraphs), "
        f"{result['questions']} questions, {result['judgements']} judgements "
        "(gain = 5 - Cleverdon's code; -1, the source document, gains 0)",
        "",
        "| system | nDCG@10 | MAP@100 | R@100 | nDCG@10 / bm25s | MAP@100 / bm25s | R@100 / bm25s | no hits | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, label in (*MODE_NAMES.items(), ("bm25s", BM25_NAME)):
        s = systems[name]
        lines.append(
            f"| {label} | {s['ndcg10']:.4f} | {s['map100']:.4f} | {s['recall100']:.4f} | "
            f"{_ratio(s['ndcg10'], base['ndcg10'])} | {_ratio(s['map100'], base['map100'])} | "
            f"{_ratio(s['recall100'], base['recall100'])} | {s['no_hits']}/{s['queries']} | {s['errors']} |"
        )
    latency, index_s = result["latency"], result["index_s"]
    lines += [
        "",
        "| timing (mean, median) | Sitrep | bm25s | Sitrep / bm25s |",
        "| --- | ---: | ---: | ---: |",
        f"| index | {index_s['sitrep']:.2f} s | {index_s['bm25s']:.2f} s | "
        f"{_ratio(index_s['sitrep'], index_s['bm25s'])} |",
    ]
    for mode in MODES:
        for n in (10, 100):
            for kind, label in (("", "result page"), ("ranking_", "ranking only")):
                mine, theirs = latency[f"sitrep_{mode}_{kind}{n}"], latency[f"bm25s_{n}"]
                lines.append(
                    f"| query, {n} hits, {'words OR-joined' if mode == 'or' else 'plain question'}, {label} | "
                    f"{_ms(mine)} | {_ms(theirs)} | {_ratio(mine['mean_ms'], theirs['mean_ms'])} |"
                )
    over = result["over_default_query_length"]
    lines += [
        "",
        f"Questions longer than the default max_query_length ({result['default_max_query_length']}): "
        f"OR-joined {over['or']}, plain {over['plain']}.",
    ]
    return "\n".join(lines)


def format_isw(result: Mapping[str, Any]) -> str:
    """The ISW figures of :func:`run_isw` as a Markdown table and a line of timings."""
    systems = result["systems"]
    base = systems["bm25s"]["ndcg10"]
    kinds = sorted(systems["bm25s"]["by_kind"])
    missing = result["judged_ids_missing"]
    lines = [
        f"ISW 2023: {result['records']} paragraphs, {result['queries']} queries, {result['judgements']} judgements"
        + (f", {len(missing)} judged ids not in the index" if missing else ""),
        "",
        "| system | nDCG@10 | / bm25s | "
        + " | ".join(f"nDCG@10, {k}" for k in kinds)
        + " | no hits | unjudged in top 10 |",
        "| --- | ---: | ---: | " + " | ".join("---:" for _ in kinds) + " | ---: | ---: |",
    ]
    for name, label in (*MODE_NAMES.items(), ("bm25s", BM25_NAME)):
        s = systems[name]
        lines.append(
            f"| {label} | {s['ndcg10']:.4f} | {_ratio(s['ndcg10'], base)} | "
            + " | ".join(f"{s['by_kind'].get(k, 0):.4f}" for k in kinds)
            + f" | {s['no_hits']}/{s['queries']} | {s['unjudged_in_top10']} |"
        )
    latency = result["latency"]
    lines += [
        "",
        f"Index: Sitrep {result['index_s']['sitrep']:.2f} s, bm25s {result['index_s']['bm25s']:.2f} s "
        "(over Sitrep's paragraphs). "
        f"Query, 10 hits (mean, median): Sitrep OR-joined {_ms(latency['sitrep_or_10'])}, "
        f"plain {_ms(latency['sitrep_plain_10'])}, bm25s {_ms(latency['bm25s_10'])}.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the bench; 0 when done, 1 after one ``Error:`` line, 2 for a usage error (argparse)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cranfield", type=Path, help="folder holding cran.all.1400, cran.qry and cranqrel")
    parser.add_argument("--isw", type=Path, help="folder of the saved 2023 ISW pages the judgements are for")
    parser.add_argument("--queries", type=Path, default=DATA / "isw2023_queries.tsv", help="ISW queries (TSV)")
    parser.add_argument("--judgements", type=Path, default=DATA / "isw2023_judgements.tsv", help="ISW judgements (TSV)")
    parser.add_argument("--pool", type=Path, help="write the ISW queries' pooled top 10s with their text here")
    parser.add_argument("--json", type=Path, help="write every figure, per query too, as JSON")
    parser.add_argument("--workdir", type=Path, help="scratch folder (default: a temporary one, removed after)")
    parser.add_argument("--rounds", type=int, default=1, help="timed passes over the queries (default 1)")
    args = parser.parse_args(argv)
    if args.cranfield is None and args.isw is None:
        parser.error("give --cranfield DIR, --isw DIR or both")
    if args.rounds < 1:
        parser.error("--rounds must be 1 or more")
    if args.cranfield is not None:
        missing = [n for n in ("cran.all.1400", "cran.qry", "cranqrel") if not (args.cranfield / n).is_file()]
        if missing:
            parser.error(f"{args.cranfield} has no {', '.join(missing)}")
    if args.isw is not None:
        if not args.isw.is_dir():
            parser.error(f"{args.isw} is not a folder")
        if not args.queries.is_file():
            parser.error(f"no queries file {args.queries}")
        if args.pool is not None and args.pool.resolve().is_relative_to(REPO):
            parser.error("--pool writes third-party text: give a path outside the repository")
    try:
        import bm25s  # noqa: F401
        import Stemmer  # noqa: F401
    except ImportError:
        print("Error: the bench needs bm25s and PyStemmer: pip install -e '.[bench]'", file=sys.stderr)
        return 1
    if args.workdir is not None and args.workdir.exists() and any(args.workdir.iterdir()):
        parser.error(f"{args.workdir} is not empty; give a new folder")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="sitrep-relevance-"))
    workdir.mkdir(parents=True, exist_ok=True)
    summary: dict[str, Any] = {"python": sys.version.split()[0]}
    try:
        if args.cranfield is not None:
            summary["cranfield"] = run_cranfield(args.cranfield, workdir, args.rounds)
            print(format_cranfield(summary["cranfield"]))
        if args.isw is not None:
            summary["isw"] = run_isw(
                args.isw, args.queries, args.judgements, workdir, args.rounds, args.pool
            )
            if args.cranfield is not None:
                print()
            print(format_isw(summary["isw"]))
    except (OSError, ValueError, SitrepError) as err:
        print(f"Error: {err}", file=sys.stderr)
        return 1
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json is not None:
        args.json.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
