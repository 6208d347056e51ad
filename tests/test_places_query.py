"""Place names in every spelling, at query time (search/query.py: _with_place_names)."""

from __future__ import annotations

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
