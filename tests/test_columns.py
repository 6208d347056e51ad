"""Repeat groups read from the dup_group column and numbered across generations (#17)."""

from __future__ import annotations

import numpy as np
import pytest

from search import SearchIndex, load_settings, update_index
from search.errors import ParagraphNotFound
from search.query.columns import NO_VALUE, ColumnNumbers, column_values
from search.query import facets
from search.query.facets import FacetPostings

REPEATED = [
    "Russian forces shelled Kherson City and the Dnipro river bank overnight, officials said.",
    "Ukrainian drones struck the Novoshakhtinsk oil refinery in Rostov Oblast overnight.",
]


def write_report(path, date, paragraphs):
    path.write_text(f"{date}\n\n" + "\n\n".join(paragraphs) + "\n")


def own_paragraphs(name, count):
    return [f"Report {name} paragraph {n}: fighting continued near settlement number {n} of {name}." for n in range(count)]


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether ``a`` and ``b`` put the same documents together (numbers may differ)."""
    pairs = set(zip(a.tolist(), b.tolist()))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


@pytest.fixture
def reports(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    return folder


def stored_groups(gen) -> np.ndarray:
    """Each document's repeat group numbered from its stored ``dup_group`` (deleted documents included)."""
    values = [gen.searcher.reader().stored_fields(n)["dup_group"] for n in range(gen.doc_count)]
    return np.unique(np.array(values), return_inverse=True)[1].reshape(-1)


def groups_by_text(index: SearchIndex) -> dict[str, set[int]]:
    """Repeat group number -> the live paragraphs' texts, from the generation's groups()."""
    gen = index.generation()
    live = gen.arrays().live
    found: dict[int, set[str]] = {}
    for docnum in np.flatnonzero(live):
        found.setdefault(int(gen.groups()[docnum]), set()).add(gen.searcher.stored_fields(int(docnum))["text"])
    return found


def test_groups_from_the_column_are_the_stored_groups(settings, reports):
    # Three runs: three segments, with repeats inside one and across them.
    write_report(reports / "a.txt", "December 1, 2024", [*REPEATED, *own_paragraphs("a", 4), REPEATED[0]])
    update_index(settings, [reports])
    write_report(reports / "b.txt", "December 2, 2024", [*own_paragraphs("b", 3), *REPEATED])
    update_index(settings, [reports])
    write_report(reports / "c.txt", "December 3, 2024", [REPEATED[1], *own_paragraphs("c", 2)])
    update_index(settings, [reports])
    with SearchIndex(settings) as index:
        gen = index.generation()
        assert len(gen.searcher.reader().leaf_readers()) >= 2
        groups = gen.groups()
        # The stored values, numbered value by value.
        stored = stored_groups(gen)
        assert groups.shape == stored.shape and same_partition(groups, stored)
        assert NO_VALUE not in groups
        texts = [gen.searcher.stored_fields(n)["text"] for n in range(gen.doc_count)]
        for repeated in REPEATED:
            docs = [n for n, text in enumerate(texts) if text == repeated]
            assert len(docs) >= 3 and len({int(groups[n]) for n in docs}) == 1
        assert len(set(groups.tolist())) == len(set(texts))


def test_groups_carried_across_generations_stay_right(settings, reports):
    write_report(reports / "a.txt", "December 1, 2024", [*REPEATED, *own_paragraphs("a", 5)])
    update_index(settings, [reports])
    write_report(reports / "b.txt", "December 2, 2024", [REPEATED[0], *own_paragraphs("b", 3)])
    update_index(settings, [reports])
    with SearchIndex(settings) as served:
        before = served.search("", collapse=True)
        served.search("Kherson", collapse=True)
        # A new file repeating a paragraph, then the file that held the first copy deleted.
        write_report(reports / "c.txt", "December 3, 2024", [REPEATED[0], REPEATED[1], *own_paragraphs("c", 2)])
        update_index(settings, [reports])
        (reports / "a.txt").unlink()
        update_index(settings, [reports])
        after = served.search("", collapse=True)
        with SearchIndex(settings) as fresh:
            assert groups_by_text(served) == groups_by_text(fresh)
            gen = served.generation()
            live = gen.arrays().live
            assert same_partition(gen.groups()[live], stored_groups(gen)[live])
            assert after.total == fresh.search("", collapse=True).total
            assert after.facets == fresh.search("", collapse=True).facets
            for q in ("Kherson", "refinery", "fighting"):
                ours, theirs = served.search(q, collapse=True), fresh.search(q, collapse=True)
                assert ours.total == theirs.total and [h.id for h in ours.hits] == [h.id for h in theirs.hits]
                assert ours.facets == theirs.facets
    # 5 + 3 + 2 own paragraphs minus a's 5, and the two repeated ones once each.
    assert after.total == 3 + 2 + 2 and before.total == 5 + 3 + 2


def test_column_numbers_keep_a_value_s_number_and_give_none_to_no_value(settings, reports):
    write_report(reports / "a.txt", "December 1, 2024", [*REPEATED, *own_paragraphs("a", 2)])
    update_index(settings, [reports])
    with SearchIndex(settings) as index:
        reader = index.generation().searcher.reader()
        (leaf, _), *_ = reader.leaf_readers()
        values = column_values(leaf, "dup_group")
        assert values.size == leaf.doc_count_all() and all(len(v) == 16 for v in values.tolist())
        numbers = ColumnNumbers("dup_group")
        first = numbers.numbers(reader)
        assert same_partition(first, np.unique(values, return_inverse=True)[1].reshape(-1))
        # Forgetting the segment and numbering it again gives the same numbers.
        numbers.forget_segments(set())
        assert np.array_equal(numbers.numbers(reader), first)
        # A segment's values not all met before: known ones keep their
        # number, new ones get new numbers, no value is NO_VALUE.
        registry = ColumnNumbers("dup_group")
        registry._number(values[:2])
        mixed = np.array([values[0], b"", b"ffffffffffffffff", values[1]], dtype=values.dtype)
        found = registry._number(mixed)
        again = registry._number(values[:2])
        assert found[1] == NO_VALUE and found[0] == again[0] and found[3] == again[1]
        assert found[2] not in (again[0], again[1], NO_VALUE)


def ordinals_by_loop(facet: FacetPostings) -> np.ndarray:
    """FacetPostings.ordinals as it was written before #17: value by value."""
    ordinals = np.full(facet.doc_count, -1, dtype=np.int32)
    for i in range(len(facet.values)):
        ordinals[facet.postings[facet.offsets[i] : facet.offsets[i + 1]]] = i
    return ordinals


@pytest.mark.parametrize("fieldname", ["day", "report_id", "place", "topic"])
def test_facet_ordinals_are_the_loop_s(seed_settings, fieldname):
    # place and topic have several values per paragraph: the last one wins, as in the loop.
    with SearchIndex(seed_settings) as index:
        facet = index.generation().facet(fieldname)
        assert facet.values and np.array_equal(facet.ordinals(), ordinals_by_loop(facet))


def test_facet_postings_joined_from_segments_are_each_values_documents(settings, reports):
    write_report(reports / "a.txt", "December 1, 2024", ["Shelling in Kherson and Pokrovsk.", *own_paragraphs("a", 2)])
    update_index(settings, [reports])
    write_report(reports / "b.txt", "December 2, 2024", ["Fighting near Pokrovsk and Toretsk.", *own_paragraphs("b", 2)])
    update_index(settings, [reports])
    with SearchIndex(settings) as index:
        gen = index.generation()
        facet = gen.facet("place")
        assert len(gen.searcher.reader().leaf_readers()) == 2
        assert facet.values == sorted(facet.values)
        for i, value in enumerate(facet.values):
            docs = facet.postings[facet.offsets[i] : facet.offsets[i + 1]].tolist()
            assert docs == sorted(gen.searcher.document_numbers(place=value))


@pytest.mark.parametrize("fieldname", ["topic", "place", "day", "section"])
def test_collapsed_facet_counts_are_distinct_groups(settings, reports, fieldname):
    write_report(reports / "a.txt", "December 1, 2024", [*REPEATED, *own_paragraphs("a", 4)])
    update_index(settings, [reports])
    write_report(reports / "b.txt", "December 2, 2024", [*REPEATED, "Fighting near Pokrovsk and Toretsk."])
    update_index(settings, [reports])
    with SearchIndex(settings) as index:
        gen = index.generation()
        facet, groups = gen.facet(fieldname), gen.groups()
        rng = np.random.default_rng(17)
        for _ in range(5):
            pool = rng.random(gen.doc_count) < 0.7
            expected = [len(set(groups[docs[pool[docs]]].tolist()))
                        for docs in (facet.postings[facet.offsets[i] : facet.offsets[i + 1]]
                                     for i in range(len(facet.values)))]
            assert facet.counts(pool, groups).tolist() == expected


def test_warm_reads_every_route_s_arrays_and_close_keeps_them(seed_settings, tmp_path):
    settings = load_settings(environ={}, index_dir=seed_settings.index_dir)
    with SearchIndex(settings) as index:
        index.warm(postings_mb=1)
        assert index._postings_cache.bytes > 0  # the most common words are decoded
        gen = index.generation()
        assert gen._groups is not None and {"report_id", "day"} <= gen._ordinals.keys()
        assert all(gen.facet(name)._by_group is not None for name in ("topic", "place", "day"))
        cached = dict(index._segment_cache)
        index.close()
        index.warm()  # as a worker does after the fork: a new searcher over the same reads
        assert index.generation() is not gen
        assert all(index._segment_cache[key] is postings for key, postings in cached.items())
        assert index.search("Pokrovsk").total == 6
    # No index yet: nothing to warm, and no error (requests answer 503).
    with SearchIndex(load_settings(environ={}, index_dir=tmp_path / "none")) as missing:
        missing.warm(postings_mb=1)


@pytest.mark.parametrize("fieldname", ["place", "topic", "day", "cited"])
@pytest.mark.parametrize("sparse_factor", [0, 10**9])
def test_facet_counts_from_the_matches_own_values_or_every_posting_agree(seed_settings, monkeypatch, fieldname,
                                                                         sparse_factor):
    # SPARSE_FACTOR picks the path: 0 counts every pool from its documents'
    # values, 10**9 every pool by the pass over all postings; both give each value's count.
    monkeypatch.setattr(facets, "SPARSE_FACTOR", sparse_factor)
    with SearchIndex(seed_settings) as index:
        facet = index.generation().facet(fieldname)
        rng = np.random.default_rng(5)
        for size in (0, 1, 2, 7, facet.doc_count // 3, facet.doc_count):
            pool = np.zeros(facet.doc_count, dtype=bool)
            pool[rng.choice(facet.doc_count, size=size, replace=False)] = True
            expected = [int(pool[facet.postings[facet.offsets[i] : facet.offsets[i + 1]]].sum())
                        for i in range(len(facet.values))]
            assert facet.counts(pool).tolist() == expected, size


def test_spelling_counts_carried_across_generations_are_counted_afresh(settings, reports):
    # A generation's "did you mean" terms are the last one's plus its new
    # segments and minus the merged-away ones (SpellingCounts): they must be
    # the terms a fresh count of the same index finds.
    from search.query.spelling import SUGGEST_RATIO, SpellingCounts

    with SearchIndex(settings) as index:
        for n in range(8):  # enough commits for tiny segments to be merged away
            write_report(reports / f"r{n}.txt", f"December {n + 1}, 2024",
                         ["Shelling near Pokrovsk and Toretsk.", *own_paragraphs(f"r{n}", 3)] * (n % 3 + 1))
            update_index(settings, [reports])
            gen = index.generation()
            carried = gen.suggestion_terms(SUGGEST_RATIO)  # warm counted it already: the carried counts
            fresh = SpellingCounts().terms(gen.searcher.reader(), SUGGEST_RATIO)
            assert carried.size == fresh.size
            assert {k: sorted(v) for k, v in carried._buckets.items() if v} == \
                   {k: sorted(v) for k, v in fresh._buckets.items() if v}
        assert carried.size > 0 and carried.closest("pokrovks") == fresh.closest("pokrovks") is not None

def test_column_values_of_several_lengths_are_each_document_s_value(settings, reports):
    # A paragraph repeated within a report gets the id "<digest>-2": ids of two lengths in one column.
    write_report(reports / "a.txt", "December 1, 2024", [REPEATED[0], *own_paragraphs("a", 2), REPEATED[0]])
    update_index(settings, [reports])
    with SearchIndex(settings) as index:
        (leaf, _), *_ = index.generation().searcher.reader().leaf_readers()
        values = column_values(leaf, "id")
        column = leaf.column_reader("id", translate=False)
        assert values.tolist() == [column[n] for n in range(leaf.doc_count_all())]
        assert {len(v) for v in values.tolist()} == {16, 18}


def test_paragraphs_are_found_by_id_among_live_ones(settings, reports):
    write_report(reports / "a.txt", "December 1, 2024", [REPEATED[0], *own_paragraphs("a", 2), REPEATED[0]])
    write_report(reports / "b.txt", "December 2, 2024", own_paragraphs("b", 2))
    update_index(settings, [reports])
    with SearchIndex(settings) as index:
        before = {hit.id: hit.text for hit in index.search("", per_page=50).hits}
    assert any(paragraph_id.endswith("-2") for paragraph_id in before)
    # a.txt changes: its old paragraphs are deleted, the kept ones come back with the same id.
    write_report(reports / "a.txt", "December 1, 2024", [REPEATED[0], own_paragraphs("a", 2)[0], REPEATED[0]])
    update_index(settings, [reports])
    with SearchIndex(settings) as index:
        gen = index.generation()
        assert not gen.arrays().live.all()
        for paragraph_id, text in before.items():
            if text == own_paragraphs("a", 2)[1]:
                with pytest.raises(ParagraphNotFound):
                    index.paragraph(paragraph_id)
                assert gen.document_number(paragraph_id) is None
                continue
            number = gen.document_number(paragraph_id)
            assert gen.arrays().live[number] and index.paragraph(paragraph_id).text == text
        assert gen.document_number("no such id, longer than any id in the column") is None


def test_group_members_are_the_live_paragraphs_with_that_stored_group(settings, reports):
    write_report(reports / "a.txt", "December 1, 2024", [*REPEATED, *own_paragraphs("a", 2)])
    write_report(reports / "b.txt", "December 2, 2024", [REPEATED[0], *own_paragraphs("b", 2)])
    write_report(reports / "c.txt", "December 3, 2024", [REPEATED[0], REPEATED[1]])
    update_index(settings, [reports])
    (reports / "b.txt").unlink()
    update_index(settings, [reports])
    with SearchIndex(settings) as index:
        gen = index.generation()
        reader, live = gen.searcher.reader(), gen.arrays().live
        stored = [reader.stored_fields(n)["dup_group"] for n in range(gen.doc_count)]
        assert not live.all()  # b's paragraphs are deleted, not yet merged away
        for group in set(stored):
            expected = [n for n, value in enumerate(stored) if value == group and live[n]]
            assert gen.group_members(group).tolist() == expected
        assert gen.group_members("ffffffffffffffff").tolist() == []


def facet_of(values: list[str], documents: list[list[int]], doc_count: int) -> FacetPostings:
    """A FacetPostings over given values (sorted, as an index gives them) and each value's documents."""
    facet = object.__new__(FacetPostings)
    sizes = [len(docs) for docs in documents]
    facet.doc_count = doc_count
    facet.values = list(values)
    facet.index = {value: i for i, value in enumerate(values)}
    facet.postings = np.array([d for docs in documents for d in docs], dtype=np.int32)
    facet.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    facet._casefolded = {value.casefold(): value for value in values}
    facet._casefold_rank = None
    facet._by_group = None
    facet._documents = None
    return facet


def test_facet_values_come_most_first_then_by_case_folded_value(monkeypatch):
    # The order is worked out on value numbers (facets.py); it must be the
    # order of sorting the values by (-count, case-folded value), values of
    # one count and one folding in index order, with selected and excluded
    # values (known or not) among them.
    rng = np.random.default_rng(11)
    values = sorted(["Avdiivka", "avdiivka", "Bakhmut", "BAKHMUT", "Kyiv", "kyiv", "Lyman", "Pokrovsk", "Siversk",
                     "Toretsk", "Vuhledar", "Zaporizhzhia", "Ätna", "ätna", "Oblast 1", "oblast 1"])
    doc_count = 60
    documents = [sorted(rng.choice(doc_count, size=rng.integers(0, 12), replace=False).tolist()) for _ in values]
    facet = facet_of(values, documents, doc_count)
    for trial in range(300):
        pool = rng.random(doc_count) < rng.random()
        chosen = set(rng.choice(values + ["Unknown"], size=rng.integers(0, 3)).tolist()) if trial % 3 else set()
        dropped = set(rng.choice(values + ["Gone"], size=rng.integers(0, 3)).tolist()) if trial % 4 == 1 else set()
        excluded_pool = pool | (rng.random(doc_count) < 0.3)
        found = facet.facet_values(pool, chosen, excluded=dropped, excluded_pool=excluded_pool)
        count = facet.counts(pool).tolist()
        left = facet.counts(excluded_pool).tolist()
        expected = []
        for i, value in enumerate(values):
            shown = left[i] if value in dropped else count[i]
            if shown or value in chosen or value in dropped:
                expected.append((value, shown, value in chosen, value in dropped))
        expected += [(value, 0, True, False) for value in chosen if value not in facet.index]
        expected += [(value, 0, value in chosen, True) for value in dropped - chosen if value not in facet.index]
        expected.sort(key=lambda v: (-v[1], v[0].casefold()))
        assert [(v.value, v.count, v.selected, v.excluded) for v in found] == expected, trial
