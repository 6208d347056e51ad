"""Names at query time: place spellings, adjectival forms, misspelt places (search/query/names.py)."""

from __future__ import annotations

import json
import re

import pytest

from search import SearchIndex, update_index


@pytest.fixture(scope="module")
def spelled(tmp_path_factory):
    from search import load_settings

    root = tmp_path_factory.mktemp("spellings")
    reports = root / "reports"
    reports.mkdir()
    (reports / "kyiv.txt").write_text(
        "December 20, 2024\n\nInstitute for the Study of War\n\n"
        "Russian drones struck Kyiv overnight, damaging energy infrastructure.\n\n"
        "Officials in Київ reported power outages across the city.\n\n"
        "A missile strike hit Kiev's western districts, older reports said.\n\n"
        "Russian forces attacked near Torestk and Kurakhove.\n\n"
        "Fighting continued near Chasiv Yar in Donetsk Oblast.\n"
    )
    settings = load_settings(environ={}, index_dir=root / "index")
    update_index(settings, [reports])
    with SearchIndex(settings) as index:
        yield index


def texts(page):
    return sorted(hit.text for hit in page.hits)


@pytest.mark.parametrize("spelling", ["Kyiv", "Kiev", "Київ", "Киев", "kyiv"])
def test_every_spelling_finds_every_spelling(spelled, spelling):
    page = spelled.search(spelling)
    assert page.total == 3
    assert all("<mark>" in hit.snippet for hit in page.hits)


def test_a_misspelt_query_word_finds_the_place(spelled):
    assert texts(spelled.search("Toretsk")) == texts(spelled.search("Torestk"))
    assert spelled.search("Toretsk").total == 1


def test_a_quoted_place_phrase_is_normalised_but_others_are_not(spelled):
    assert spelled.search('"Chasiv Yar"').total == 1
    assert spelled.search('"Kiev districts"').total == 0  # a phrase that is not a name stays a phrase


def test_place_names_still_combine_with_operators(spelled):
    assert spelled.search("Kiev NOT drones").total == 2
    assert spelled.search("Kiev -drones").total == 2
    assert spelled.search("Kiev OR Kurakhove").total == 4
    assert spelled.search("text:Kiev").total == 1  # a field value is taken literally


# -- names as people type them (search/query/names.py, #15) ----------------------

FILLER = [
    "Russian forces continued ground attacks along the front line on {n} March.",
    "Russian milbloggers claimed gains near the river crossing, report {n}.",
    "Russian officials repeated their demands in a statement, item {n}.",
]


@pytest.fixture(scope="module")
def named(tmp_path_factory):
    """An index where "Russian" is in 60 of 82 paragraphs, Toretsk in many and "Torestk" in one."""
    from search import load_settings

    root = tmp_path_factory.mktemp("names")
    reports = root / "reports"
    reports.mkdir()
    paragraphs = [template.format(n=n) for n in range(20) for template in FILLER]
    paragraphs += [f"Fighting continued near Toretsk, where assault group {n} advanced." for n in range(12)]
    paragraphs += [
        "Ukrainian defenders repelled an assault near Torestk on Tuesday.",
        "North Korean troops took part in assaults in Kursk Oblast.",
        "Soldiers of the North Korean contingent suffered losses.",
        "North Korea sent more artillery shells to the front.",
        "The DPRK denied any role in the fighting.",
        "Officials in Russia discussed the budget; the Kremlin stayed quiet.",
        "Drones struck Kyiv overnight.",
        "Older reports spelled the capital Kiev.",
        "Shelling hit Dnipropetrovsk Oblast again.",
        "Missiles struck Dnipro overnight.",
    ]
    (reports / "names.txt").write_text("March 20, 2025\n\n" + "\n\n".join(paragraphs) + "\n")
    settings = load_settings(environ={}, index_dir=root / "index")
    update_index(settings, [reports])
    return settings


@pytest.fixture(scope="module")
def named_index(named):
    with SearchIndex(named) as index:
        yield index


def test_a_name_finds_its_adjective_and_other_spellings(named_index):
    page = named_index.search("North Korea")
    assert texts(page) == sorted([
        "North Korean troops took part in assaults in Kursk Oblast.",
        "Soldiers of the North Korean contingent suffered losses.",
        "North Korea sent more artillery shells to the front.",
        "The DPRK denied any role in the fighting.",
    ])
    assert page.rewrites == [{"typed": "North Korea", "searched": ["North Korea", "DPRK", "North Korean"], "kind": "name"}]
    assert page.showing_results_for == '("North Korea" OR DPRK OR "North Korean")'
    assert page.search_instead_for == "North Korea" and not page.corrected


def test_an_adjective_finds_the_name(named_index):
    assert texts(named_index.search("North Korean")) == texts(named_index.search("North Korea"))
    # One paragraph has the name and "troops": it comes first; with fewer
    # than a page of such paragraphs the words are relaxed, the name being
    # one word (all its forms), so the others have the name (#15).
    page = named_index.search("north korean troops")
    assert page.hits[0].text == "North Korean troops took part in assaults in Kursk Oblast."
    assert page.all_words == 1
    assert texts(page) == texts(named_index.search("North Korea"))


def test_a_quoted_name_and_a_literal_search_are_taken_as_written(named_index):
    quoted = named_index.search('"North Korean"')
    literal = named_index.search("North Korean", literal=True)
    assert texts(quoted) == texts(literal) == sorted([
        "North Korean troops took part in assaults in Kursk Oblast.",
        "Soldiers of the North Korean contingent suffered losses.",
    ])
    assert quoted.showing_results_for is None and quoted.rewrites == []
    assert literal.literal and literal.showing_results_for is None


def test_a_common_adjective_does_not_flood_its_name(named_index):
    # "Russian" is in 60 of 82 paragraphs: above name_form_max_percent (20 %).
    page = named_index.search("Russia")
    assert texts(page) == ["Officials in Russia discussed the budget; the Kremlin stayed quiet."]
    assert page.rewrites == []
    assert named_index.search("Russian").total == 60  # nor the reverse


@pytest.mark.parametrize(("percent", "total"), [(100, 61), (80, 61), (70, 1), (0, 1)])
def test_name_form_max_percent_decides_which_forms_join(named, percent, total):
    from search import load_settings

    settings = load_settings(environ={}, index_dir=named.index_dir, name_form_max_percent=percent)
    with SearchIndex(settings) as index:
        assert index.search("Russia").total == total
        assert index.search("North Korea").total == (4 if percent else 2)


def test_place_spellings_are_ranked_by_text_not_a_constant(named_index):
    page = named_index.search("Kiev")
    assert texts(page) == ["Drones struck Kyiv overnight.", "Older reports spelled the capital Kiev."]
    scores = [hit.score for hit in page.hits]
    assert all(score > 0 for score in scores) and len(set(scores)) == 2
    assert page.rewrites == [{"typed": "Kiev", "searched": ["Kiev", "Kyiv"], "kind": "name"}]


def test_other_spellings_rank_but_the_tag_decides_what_names_the_place(named_index):
    # "Dnipropetrovsk" is a spelling of the city of Dnipro, but in "Dnipropetrovsk
    # Oblast" it names the oblast: the tagger knows, so the search does too.
    page = named_index.search("Dnipro")
    assert texts(page) == ["Missiles struck Dnipro overnight."]
    assert "Dnipropetrovsk" in page.showing_results_for
    # Typed, the word itself matches too (as it always did), and ranks first.
    typed = named_index.search("Dnipropetrovsk")
    assert [h.text for h in typed.hits] == ["Shelling hit Dnipropetrovsk Oblast again.", "Missiles struck Dnipro overnight."]


def test_a_misspelt_place_is_corrected_even_when_the_misspelling_is_indexed(named_index):
    page = named_index.search("Torestk")
    toretsk = named_index.search("Toretsk")
    assert toretsk.total == 13  # 12 spell it right; the tagger reads "Torestk" as Toretsk too
    assert texts(page) == texts(toretsk)
    assert page.corrected and page.rewrites == [{"typed": "Torestk", "searched": ["Toretsk"], "kind": "spelling"}]
    assert (page.showing_results_for, page.search_instead_for) == ("Toretsk", "Torestk")
    assert page.did_you_mean is None  # never a correction and a suggestion at once
    literal = named_index.search("Torestk", literal=True)
    assert texts(literal) == ["Ukrainian defenders repelled an assault near Torestk on Tuesday."]
    assert literal.did_you_mean is None and literal.rewrites == []


def test_api_and_page_show_the_correction_with_a_literal_link(named):
    from web import create_app

    client = create_app(named, TESTING=True).test_client()
    data = client.get("/api/search", query_string={"q": "Torestk"}).get_json()
    assert (data["showing_results_for"], data["search_instead_for"], data["literal"]) == ("Toretsk", "Torestk", False)
    assert data["rewrites"] == [{"typed": "Torestk", "searched": ["Toretsk"], "kind": "spelling"}]
    assert data["total"] == 13
    literal = client.get("/api/search", query_string={"q": "Torestk", "literal": "1"}).get_json()
    assert (literal["total"], literal["literal"], literal["showing_results_for"]) == (1, True, None)
    assert client.get("/api/search", query_string={"q": "Torestk", "literal": "maybe"}).status_code == 400

    html = client.get("/", query_string={"q": "Torestk"}).get_data(as_text=True)
    assert "Showing results for <strong>Toretsk</strong> — search instead for" in html
    link = re.search(r'<p class="rewritten">.*?<a href="([^"]+)"[^>]*>Torestk</a>', html).group(1)
    assert "literal=1" in link
    followed = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert "<strong>1</strong> paragraph" in followed and "Words as typed" in followed
    assert 'class="rewritten"' not in followed
    expanded = client.get("/", query_string={"q": "North Korea"}).get_data(as_text=True)
    assert "Also searched as <strong>(&#34;North Korea&#34; OR DPRK OR &#34;North Korean&#34;)</strong>" in expanded


def test_cli_literal_option(named, runner):
    from search.cli import cli

    args = ["search", "Torestk", "--index-dir", str(named.index_dir)]
    corrected = runner.invoke(cli, args, catch_exceptions=False)
    assert corrected.exit_code == 0
    assert "Showing results for Toretsk; search instead for Torestk with --literal" in corrected.stdout
    literal = runner.invoke(cli, [*args, "--literal", "--json"], catch_exceptions=False)
    assert json.loads(literal.stdout)["total"] == 1


def test_a_misspelling_is_corrected_in_a_small_corpus_too(tmp_path):
    # As in the seeds: one report spells Toretsk right, another "Torestk";
    # the place (two paragraphs, the tagger reads the misspelling as it)
    # is what a search for "Torestk" means, however small the corpus (#15).
    from search import load_settings

    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "a.txt").write_text("December 20, 2024\n\nRussian forces attacked near Toretsk on Friday.\n")
    (reports / "b.txt").write_text("December 21, 2024\n\nShelling was reported around Torestk again.\n")
    settings = load_settings(environ={}, index_dir=tmp_path / "index")
    update_index(settings, [reports])
    with SearchIndex(settings) as index:
        page = index.search("Torestk")
        assert page.total == 2 and page.corrected
        assert (page.showing_results_for, page.search_instead_for) == ("Toretsk", "Torestk")
        assert index.search("Torestk", literal=True).total == 1
