"""The fast field analysis (search/analysis.py) gives exactly Whoosh's postings."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from whoosh.analysis import StandardAnalyzer, StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT

from search.index.analysis import Words, field_indexer, schema_indexers, word_chain
from search.index.schema import PAIR_ANALYZER, TEXT_ANALYZER, build_schema

FORMATS_DIR = Path(__file__).resolve().parent / "data" / "formats"

# Words that stress the tokenizer, stop list, stemmer and accent folding.
TRICKY = (
    "The a an and of is it I U.S. u.s.a. Kyiv Київ Kharkiv's Zaporizhzhia’s São Paulo naïve café "
    "İstanbul STRASSE straße ΣΊΣΥΦΟΣ co-operation don't x*y *wild 3.14 1,000 2025-02-24 _under_score "
    "... Ǆemal ﬁnal advancing advanced advances positions positional generously Đakovo Łódź "
    "ÆSIR œuvre ß 42nd 9mm km² HIMARS ATACMS Su-34s T-90M e.g. i.e. etc. a.b.c. .5 5. x.y.z "
    "running runs ran attacks attacked attacking Russian Russians Russia's Donetsk-Dnipropetrovsk"
).split()
SEPARATORS = (" ", "  ", "\n", " - ", ", ", ". ", "'", "—", "(", ")", "/", ":", "\t", "")


def generated_texts(count: int, seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    texts = ["", " ", "the", "a", "the army", "army", "of the and", "Army of the", "advancing"]
    for _ in range(count):
        words = [rng.choice(TRICKY) for _ in range(rng.randint(1, 40))]
        texts.append("".join(w + rng.choice(SEPARATORS) for w in words))
    return texts


def corpus_lines() -> list[str]:
    seeds = Path(__file__).resolve().parent.parent / "seeds"
    lines: list[str] = []
    for path in sorted([*seeds.glob("*.txt"), *FORMATS_DIR.iterdir()]):
        lines += [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines


def test_the_text_fields_take_the_fast_path():
    indexers = schema_indexers(build_schema())
    assert {"text", "pairs", "title", "report_id", "path"} <= set(indexers)
    # NUMERIC fields encode their own terms, and comma-separated KEYWORD
    # fields strip theirs: Whoosh keeps them (their values repeat and are
    # remembered by the writer).
    assert not {"position", "date", "topic", "place"} & set(indexers)


@pytest.mark.parametrize("texts", [corpus_lines(), generated_texts(3000)], ids=["seeds", "generated"])
def test_fast_postings_equal_whoosh_postings(texts):
    schema = build_schema()
    indexers = schema_indexers(schema)
    for name, indexer in indexers.items():
        field = schema[name]
        for text in texts:
            assert sorted(indexer(text)) == sorted(field.index(text)), (name, text)


def test_pairs_reuse_the_text_analysis_and_give_the_shingles():
    schema = build_schema()
    indexers = schema_indexers(schema)
    value = "Russian forces advanced near the Kupyansk railway; forces advanced again."
    pairs = {term.decode() for term, *_ in indexers["pairs"](value)}
    assert pairs == {t.text for t in PAIR_ANALYZER(value)}
    assert "forc advanc" in pairs and "russian forc" in pairs
    # "one word" and "no word" texts: the word alone, and nothing.
    assert [p[0] for p in indexers["pairs"]("Pokrovsk")] == [b"pokrovsk"]
    assert indexers["pairs"]("the of and") == []


def test_positions_count_stop_words_before_the_first_term_only():
    words = Words(word_chain(list(TEXT_ANALYZER.items)))
    terms, first = words.terms("The of army and the navy")
    assert (terms, first) == (["armi", "navi"], 2)
    assert [t.pos for t in TEXT_ANALYZER("The of army and the navy", positions=True)] == [2, 3]


def test_other_chains_and_field_types_are_left_to_whoosh():
    words_for = lambda chain: Words(chain)  # noqa: E731
    assert field_indexer(TEXT(analyzer=StandardAnalyzer()), words_for) is None
    assert field_indexer(TEXT(analyzer=StemmingAnalyzer()), words_for) is None  # no accent folding
    assert field_indexer(NUMERIC(), words_for) is None
    assert field_indexer(KEYWORD(commas=True), words_for) is None
    assert field_indexer(ID(), words_for) is not None
