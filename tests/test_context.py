"""Did you mean, more like this, and citations."""

from __future__ import annotations

import re

import pytest

from search import ParagraphNotFound, SearchIndex, load_settings, update_index
from web import create_app


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    root = tmp_path_factory.mktemp("context")
    reports = root / "reports"
    reports.mkdir()
    common = [f"Russian forces shelled Kherson City and the Dnipro river bank, officials said ({n})." for n in range(12)]
    rare = ["A single report misspells the city as Khersom after the strike.", "Offiicials gave no figure."]
    drones = [
        "Ukrainian drones struck the Novoshakhtinsk oil refinery in Rostov Oblast overnight.",
        "Ukrainian drones struck an oil refinery in Rostov Oblast again, causing a fire.",
        "Moldova's parliament debated energy supplies from Transnistria.",
    ]
    (reports / "a.txt").write_text("December 20, 2024\n\n" + "\n\n".join(common + rare + drones) + "\n")
    settings = load_settings(environ={}, index_dir=root / "index")
    update_index(settings, [reports])
    return settings


@pytest.fixture(scope="module")
def index(settings):
    with SearchIndex(settings) as index:
        yield index


@pytest.mark.parametrize(
    ("q", "suggestion"),
    [
        ("Khersom", "Kherson"),  # rare (1 paragraph) next to a word in 12
        ("shelled Khersom", "shelled Kherson"),
        ("Kherson", None),  # frequent words are left alone
        ("refinery", None),  # rare, but nothing close and frequent
        ('"unclosed', None),  # a query that does not parse suggests nothing
    ],
)
def test_did_you_mean(index, q, suggestion):
    assert index.suggest(q) == suggestion


def test_did_you_mean_is_in_the_result(index):
    assert index.search("Offiicials").did_you_mean == "officials"
    assert index.search("Offiicials").to_json()["did_you_mean"] == "officials"
    assert index.search("").did_you_mean is None
    # A misspelt place is corrected instead, which a suggestion would repeat (#15).
    corrected = index.search("Khersom")
    assert corrected.showing_results_for is not None and corrected.did_you_mean is None
    assert index.search("Khersom", literal=True).did_you_mean is None


@pytest.mark.parametrize(("most", "suggestion"), [(10, "officials"), (1, "officials"), (0, None)])
def test_did_you_mean_only_for_few_hits_or_unknown_words(settings, most, suggestion):
    # "Offiicials" is in one paragraph: suggested while 1 hit is "few", not with suggest_max_hits 0.
    with SearchIndex(load_settings(environ={}, index_dir=settings.index_dir, suggest_max_hits=most)) as index:
        assert index.search("Offiicials").did_you_mean == suggestion
        # A word the index does not know is always worth a suggestion.
        assert index.search("shelled OR Oficials").did_you_mean == "shelled OR officials"


def test_more_like_this_ranks_the_similar_paragraph_first(index):
    (source,) = index.search('"Novoshakhtinsk"').hits
    similar = index.more_like_this(source.id, top=3)
    assert similar and similar[0].text.startswith("Ukrainian drones struck an oil refinery")
    assert source.id not in {hit.id for hit in similar}
    with pytest.raises(ParagraphNotFound):
        index.more_like_this("nope")


@pytest.fixture(scope="module")
def client(settings):
    app = create_app(settings, TESTING=True)
    yield app.test_client()
    app.extensions["sitrep"].close()


def test_pages_offer_did_you_mean_more_like_this_and_cite(client):
    html = client.get("/?q=Offiicials").get_data(as_text=True)
    assert 'Did you mean <a href="/?q=officials">officials</a>?' in html
    corrected = client.get("/?q=Khersom").get_data(as_text=True)
    assert "Showing results for" in corrected and "Did you mean" not in corrected
    (hit,) = client.get("/api/search?q=Novoshakhtinsk").get_json()["hits"]
    similar = client.get(f"/api/paragraphs/{hit['id']}/similar").get_json()
    assert similar["hits"][0]["text"].startswith("Ukrainian drones struck an oil refinery")
    assert client.get("/api/paragraphs/nope/similar").status_code == 404
    report = client.get(hit["url"].split("#")[0]).get_data(as_text=True)
    citation = re.search(rf'<textarea id="cite-{hit["position"]}" readonly rows="4">(.*?)</textarea>', report).group(1)
    assert citation.startswith("Unknown source, “Russian forces shelled Kherson City")
    # No original address known: the permalink is what was accessed.
    assert re.search(rf'paragraph {hit["position"]}\. http://127\.0\.0\.1:5000/reports/a\?p={hit["position"]}#p{hit["position"]}'
                     r' \(accessed \d{4}-\d\d-\d\d\)$', citation), citation
    more = client.get(f"/more/{hit['id']}").get_data(as_text=True)
    assert "similar paragraph" in more and "Ukrainian drones struck an oil refinery" in more


@pytest.mark.parametrize(
    ("a", "b", "limit", "close"),
    [
        ("torestk", "toretsk", 1, True),  # two neighbours swapped
        ("pokrovks", "pokrovsk", 1, True),
        ("offiici", "offici", 1, True),  # a letter dropped
        ("khersom", "kherson", 1, True),  # changed
        ("china", "chang", 1, False),
        ("china", "chang", 2, True),
        ("abcdef", "badcfe", 2, False),  # three swaps
        ("kursk", "kurskiy", 2, True),
        ("kursk", "kurskiyy", 2, False),
    ],
)
def test_edit_distance_bound(a, b, limit, close):
    from search.query.spelling import edits_within

    assert edits_within(a, b, limit) is close
    assert edits_within(b, a, limit) is close


def test_suggestion_terms_keep_frequent_terms_and_pick_the_most_frequent_close_one():
    from search.query.spelling import SuggestionTerms

    terms = SuggestionTerms.from_counts({"kherson": 40, "khersan": 12, "kharkiv": 90, "khersom": 1, "ker": 50}, floor=10)
    assert terms.size == 4  # "khersom" is below the floor: never suggested
    assert terms.closest("khersom") == (40, "kherson")
    assert terms.closest("kherson") == (12, "khersan")  # never the word itself
    assert terms.closest("chang") is None  # another first letter
    assert terms.closest("kurs") is None


def test_suggestion_terms_are_read_from_the_index(index):
    gen = index.generation()
    terms = gen.suggestion_terms(10)
    assert terms is gen.suggestion_terms(10)  # once per generation
    assert terms.closest("offiici") == (12, "offici")
