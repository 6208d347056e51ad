"""bench/relevance.py: its metrics on hand-computed rankings, its Cranfield reader, its query text.

The relevance figures of #15 are only as good as these pieces, so each is
checked against numbers worked out by hand; nothing here times anything.
"""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "relevance.py"
_spec = importlib.util.spec_from_file_location("relevance", SCRIPT)
relevance = importlib.util.module_from_spec(_spec)
sys.modules["relevance"] = relevance  # dataclasses look their module up by name
_spec.loader.exec_module(relevance)


def test_ndcg_uses_graded_gains_with_a_log2_discount():
    # DCG = 1/log2(2) + 0/log2(3) + 2/log2(4) = 2; the ideal order 3, 2, 1 gives
    # 3 + 2/log2(3) + 1/2.  d2 is unjudged and gains nothing.
    gains = {"d1": 1, "d3": 2, "d4": 3}
    expected = 2 / (3 + 2 / math.log2(3) + 0.5)
    assert relevance.ndcg_at(["d1", "d2", "d3"], gains) == pytest.approx(expected)
    assert relevance.ndcg_at(["d4", "d3", "d1"], gains) == pytest.approx(1.0)


def test_ndcg_counts_only_the_first_k_and_ignores_zero_gains():
    gains = {"hit": 2, "miss": 0}
    ranked = [f"other{n}" for n in range(10)] + ["hit"]
    assert relevance.ndcg_at(ranked, gains, k=10) == 0.0
    assert relevance.ndcg_at(ranked, gains, k=11) == pytest.approx(1 / math.log2(12))
    assert relevance.ndcg_at(["miss"], {"miss": 0}) == 0.0  # nothing relevant: 0, not a division by zero
    with pytest.raises(ValueError):
        relevance.ndcg_at(["hit"], gains, k=0)


def test_average_precision_divides_by_every_relevant_document():
    # Relevant at ranks 1 and 3: (1/1 + 2/3) / 3 relevant documents (r3 never found).
    gains = {"r1": 1, "r2": 2, "r3": 1, "n1": 0}
    ranked = ["r1", "n1", "r2", "n2"]
    assert relevance.average_precision(ranked, gains) == pytest.approx((1 + 2 / 3) / 3)
    assert relevance.average_precision(ranked, gains, k=2) == pytest.approx(1 / 3)
    assert relevance.average_precision([], gains) == 0.0


def test_recall_counts_relevant_documents_in_the_first_k():
    gains = {"r1": 1, "r2": 2, "r3": 1, "n1": 0}
    assert relevance.recall_at(["r1", "n1", "r2"], gains) == pytest.approx(2 / 3)
    assert relevance.recall_at(["r1", "n1", "r2"], gains, k=1) == pytest.approx(1 / 3)
    assert relevance.recall_at(["n1"], gains) == 0.0  # a zero gain is judged, not relevant


def test_a_document_ranks_where_its_best_paragraph_is():
    assert relevance.first_occurrences(["7", "3", "7", "1", "3"]) == ["7", "3", "1"]


CRAN_DOCS = """.I 1
.T
lift of a thin
wing .
.A
someone
.B
a journal
.W
lift of a thin
wing .
  the lift was measured .
.I 2
.T
a report whose abstract was lost .
.A
.B
.W
.I 3
.T
heat transfer .
.A
.B
.W
heat transfer in slip flow .
"""
CRAN_QUERIES = """.I 001
.W
what is the lift of
a thin wing .
.I 004
.W
papers on heat transfer .
"""
CRAN_QRELS = "1 1 1\n1 3 4\n1 2 -1\n2 3 2 \n"


@pytest.fixture
def cranfield(tmp_path: Path) -> Path:
    folder = tmp_path / "cranfield"
    folder.mkdir()
    (folder / "cran.all.1400").write_text(CRAN_DOCS)
    (folder / "cran.qry").write_text(CRAN_QUERIES)
    (folder / "cranqrel").write_text(CRAN_QRELS)
    return folder


def test_cranfield_questions_are_numbered_in_order_and_codes_become_gains(cranfield):
    collection = relevance.read_cranfield(cranfield)
    # .I 004 is the second question, and the judgements call it 2.
    assert [(q.id, q.text) for q in collection.questions] == [
        ("1", "what is the lift of a thin wing ."),
        ("2", "papers on heat transfer ."),
    ]
    # Code 1 (complete answer) gains 4, code 4 (minimum interest) 1, -1 (source document) 0.
    assert collection.gains == {"1": {"1": 4, "3": 1, "2": 0}, "2": {"3": 3}}
    docs = {d.id: d for d in collection.documents}
    assert docs["1"].title == "lift of a thin wing ."
    assert docs["1"].text == "lift of a thin wing . the lift was measured ."
    assert docs["2"].text == docs["2"].title  # an empty abstract is indexed by its title


def test_a_judgement_for_an_unknown_question_is_refused(cranfield):
    (cranfield / "cranqrel").write_text("9 1 1\n")
    with pytest.raises(ValueError, match="unknown question 9"):
        relevance.read_cranfield(cranfield)
    with pytest.raises(ValueError):
        relevance.cranfield_gain(5)


HOSTILE_QUESTIONS = [
    'what "exact" methods -dash are (presently available?',
    "title: field:value AND OR NOT [a TO b] {c} ^2 ~3 wing*",
    "what's karman's 'vortex street' +drag \\ / result .",
]


@pytest.fixture
def tiny_sitrep(tmp_path: Path):
    """The bench's own Sitrep system over two invented records, indexed by update_index."""
    records = tmp_path / "records"
    records.mkdir()
    lines = [
        {"id": "a", "title": "Drag", "text": "The drag of a thin wing in a vortex street was measured."},
        {"id": "b", "title": "Heat", "text": "Heat transfer in slip flow past a flat plate."},
    ]
    (records / "docs.jsonl").write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    system = relevance.SitrepSystem(tmp_path / "index")
    system.build([records])
    yield system
    system.close()


def report_id(hit) -> str:
    return hit.report_id


@pytest.mark.parametrize("question", HOSTILE_QUESTIONS)
@pytest.mark.parametrize("form", ["or_query", "plain_query"])
def test_no_question_becomes_a_syntax_error(tiny_sitrep, question, form):
    text = getattr(relevance, form)(question)
    assert tiny_sitrep.search_ids(text, 10, report_id).error is None, text


def test_a_question_of_stop_words_is_counted_as_an_error_not_raised(tiny_sitrep):
    ranking = tiny_sitrep.search_ids(relevance.or_query("the of and"), 10, report_id)
    assert ranking.ids == [] and ranking.error.startswith("QuerySyntaxError")


def test_the_plain_question_is_relaxed_when_no_record_has_every_word(tiny_sitrep):
    question = "drag of heated plates?"
    assert set(tiny_sitrep.search_ids(relevance.or_query(question), 10, report_id).ids) == {"a", "b"}
    # No record has every word, so the plain question's words are relaxed
    # to a ranked OR (#15) and find what the OR-joined words find.
    assert set(tiny_sitrep.search_ids(relevance.plain_query(question), 10, report_id).ids) == {"a", "b"}


def test_the_bench_runs_end_to_end_on_a_tiny_cranfield(cranfield, tmp_path):
    import bm25s  # noqa: F401  the test extra brings it (and PyStemmer): missing, this fails
    import Stemmer  # noqa: F401
    out = tmp_path / "figures.json"
    assert relevance.main(["--cranfield", str(cranfield), "--json", str(out)]) == 0
    figures = json.loads(out.read_text())["cranfield"]
    assert figures["documents"] == 3 and figures["questions"] == 2
    for system in ("or", "plain", "bm25s"):
        scores = figures["systems"][system]
        assert 0.0 <= scores["ndcg10"] <= 1.0 and scores["queries"] == 2
    # The second question's words are all in its one relevant document's title and text.
    assert figures["systems"]["bm25s"]["per_query"]["2"]["ranked"][0] == "3"
    assert figures["systems"]["or"]["per_query"]["2"]["ranked"][0] == "3"
