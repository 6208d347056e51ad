"""Topic, place and source vocabularies (search/taxonomy.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from search import TaxonomyError
from search.taxonomy import Taxonomy, Vocabulary, load_taxonomy

VOCABULARY_TERMS = {
    "Donetsk Oblast": ["Donetsk Oblast"],
    "Donetsk": ["Donetsk"],
    "Displacement": ["displac*"],
    "North Korea": ["North Korea*", "DPRK"],
    "Front line": ["front line"],
    "Kim Jong Un": ["Kim Jong-un"],
    "Pokrovsk": ["Pokrovs'k"],
}
VOCABULARY = Vocabulary(VOCABULARY_TERMS)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # Longest match first, whole words only.
        ("near Donetsk Oblast's border and in Donetsk",
         {"Donetsk Oblast": ["Donetsk Oblast"], "Donetsk": ["Donetsk"]}),
        ("Donetskyi district", {}),
        # A term ending in * matches words that start with it, and only at a word start.
        ("displaced people, displacement, misdisplaced",
         {"Displacement": ["displaced", "displacement"]}),
        ("North Koreans and north korea", {"North Korea": ["North Koreans", "north korea"]}),
        # Case does not matter.
        ("the DPRK and the dprk", {"North Korea": ["DPRK", "dprk"]}),
        ("FRONT LINE", {"Front line": ["FRONT LINE"]}),
        # Hyphens and runs of white space count as one space, in text and in terms.
        ("the front-line and the front \n line", {"Front line": ["front-line", "front \n line"]}),
        ("kim jong un", {"Kim Jong Un": ["kim jong un"]}),
        ("Donetsk-Oblast", {"Donetsk Oblast": ["Donetsk-Oblast"]}),
        # Typographic apostrophes match straight ones.
        ("Pokrovs’k", {"Pokrovsk": ["Pokrovs'k"]}),
        ("frontline", {}),
    ],
)
def test_vocabulary_find(text, found):
    assert VOCABULARY.find(text) == found


def test_vocabulary_answers_the_same_once_it_has_seen_the_words():
    # Find remembers each word's one-word match; a word seen alone first
    # ("Donetsk", "North") must still start its phrase later, and the reverse.
    texts = ["Donetsk", "North", "displaced", "Donetsk Oblast", "North Koreans", "front line", "Kim Jong-un",
             "near Donetsk Oblast's border and in Donetsk", "the north and the front", "Pokrovs’k"]
    warm = Vocabulary(VOCABULARY_TERMS)
    for text in texts + texts[::-1]:
        assert warm.find(text) == Vocabulary(VOCABULARY_TERMS).find(text), text


def test_vocabulary_reports_labels_in_order_of_first_mention():
    assert list(VOCABULARY.find("Donetsk, then DPRK, then Donetsk Oblast")) == [
        "Donetsk", "North Korea", "Donetsk Oblast"]


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("donetsk OBLAST", "Donetsk Oblast"),
        ("Donetsk-Oblast", "Donetsk Oblast"),
        ("displacements", "Displacement"),
        ("displaced persons", None),  # a prefix term covers one word only
        ("Kyiv", None),
    ],
)
def test_vocabulary_label_of(text, label):
    assert VOCABULARY.label_of(text) == label


def test_empty_vocabulary_finds_nothing():
    assert Vocabulary({}).find("anything at all") == {}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def topics_file(tmp_path):
    return write(tmp_path / "topics.toml", '[topics."Syria"]\nterms = ["Syria*", "Qamishli"]\n')


@pytest.fixture
def places_file(tmp_path):
    return write(
        tmp_path / "places.toml",
        '[[place]]\nname = "Pokrovsk"\nkind = "city"\ncountry = "Ukraine"\n'
        'within = "Donetsk Oblast"\nvariants = ["Krasnoarmiisk"]\n',
    )


def test_taxonomy_from_files(topics_file, places_file):
    taxonomy = Taxonomy(topics_file, places_file)
    tags = taxonomy.tag("Russian forces left Qamishli in Syria; Krasnoarmiisk")
    assert tags.topics == {"Syria": ["Qamishli", "Syria"]}
    assert tags.places == {"Pokrovsk": ["Krasnoarmiisk"]}
    place = taxonomy.places["Pokrovsk"]
    assert (place.kind, place.country, place.within) == ("city", "Ukraine", "Donetsk Oblast")
    assert place.variants == ("Pokrovsk", "Krasnoarmiisk")  # the name is a variant too
    assert taxonomy.canonical_place("krasnoarmiisk") == "Pokrovsk"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Institute for the Study of War", ("Institute for the Study of War", None)),
        ("ISW", ("Institute for the Study of War", None)),
        ("Wilson Center: Forced displacement", ("Wilson Center", "Forced displacement")),
        ("Russian forces advanced", None),
    ],
)
def test_source_line(topics_file, places_file, line, expected):
    assert Taxonomy(topics_file, places_file).source_line(line) == expected


def test_source_mentioned_in_a_heading(topics_file, places_file):
    taxonomy = Taxonomy(topics_file, places_file)
    assert taxonomy.source_mentioned("Key ISW takeaways as of December 14") == "Institute for the Study of War"
    assert taxonomy.source_mentioned("Key takeaways") is None


@pytest.mark.parametrize("which", ["taxonomy", "gazetteer"])
def test_broken_toml_names_the_file(tmp_path, topics_file, places_file, which):
    broken = write(tmp_path / "broken.toml", '[topics."Syria"\nterms = [\n')
    files = (broken, places_file) if which == "taxonomy" else (topics_file, broken)
    with pytest.raises(TaxonomyError, match="not valid TOML") as caught:
        Taxonomy(*files)
    assert str(broken) in str(caught.value)


@pytest.mark.parametrize("which", ["taxonomy", "gazetteer"])
def test_missing_file_names_the_file(tmp_path, topics_file, places_file, which):
    missing = tmp_path / "missing.toml"
    files = (missing, places_file) if which == "taxonomy" else (topics_file, missing)
    with pytest.raises(TaxonomyError, match="cannot read") as caught:
        load_taxonomy(*files)
    assert str(missing) in str(caught.value)


@pytest.mark.parametrize(
    ("topics", "places", "words"),
    [
        ("", None, "expected [topics.NAME]"),
        ('[topics."Syria"]\nterms = "Syria"\n', None, "'Syria' needs a terms list"),
        ('[topics."Syria"]\ndescription = "no terms"\n', None, "'Syria' needs a terms list"),
        (None, "", "expected [[place]]"),
        (None, '[[place]]\nvariants = ["x"]\n', "every [[place]] needs a name"),
        (None, '[[place]]\nname = "X"\nvariants = [1]\n', "'X' needs a variants list"),
        (None, '[[place]]\nname = "X"\nvariants = ["X"]\nadjectives = "Xian"\n', "'X' needs a adjectives list"),
        ('[topics."Syria"]\nterms = ["Syria*"]\nadjectives = [2]\n', None, "'Syria' needs a adjectives list"),
    ],
)
def test_wrong_shape_is_a_taxonomy_error(tmp_path, topics_file, places_file, topics, places, words):
    if topics is not None:
        topics_file = write(tmp_path / "shape-topics.toml", topics)
    if places is not None:
        places_file = write(tmp_path / "shape-places.toml", places)
    with pytest.raises(TaxonomyError, match=words.replace("[", r"\[").replace("]", r"\]")):
        Taxonomy(topics_file, places_file)


def test_names_with_adjectives_from_both_files(tmp_path):
    topics = write(tmp_path / "topics.toml", '[topics."Syria"]\nterms = ["Syria*"]\nadjectives = ["Syrian"]\n'
                   '[topics."Wagner Group"]\nterms = ["Wagner*"]\nadjectives = ["Wagnerite"]\n')
    places = write(tmp_path / "places.toml", '[[place]]\nname = "Syria"\nvariants = ["Syria", "Sirija"]\n'
                   'adjectives = ["Syrian"]\n[[place]]\nname = "Pokrovsk"\nvariants = ["Krasnoarmiisk"]\n')
    taxonomy = Taxonomy(topics, places)
    syria, adjective = taxonomy.name_of("syrian")
    assert adjective and (syria.label, syria.spellings, syria.adjectives, syria.is_place) == (
        "Syria", ("Syria", "Sirija"), ("Syrian",), True)
    wagner, adjective = taxonomy.name_of("Wagnerite")
    assert adjective and (wagner.spellings, wagner.is_place) == (("Wagner Group",), False)
    assert taxonomy.name_of("wagner group") == (wagner, False)
    assert taxonomy.name_of("Krasnoarmiisk")[0].label == "Pokrovsk"
    assert taxonomy.name_of("Qamishli") is None
    # Adjectives never tag: "Syrian forces" is not a mention of Syria the place.
    assert taxonomy.tag("Syrian forces withdrew.").places == {}


@pytest.mark.parametrize("name", ["Air defense, drones", " "])
def test_comma_in_a_topic_name_is_rejected(tmp_path, places_file, name):
    topics = write(tmp_path / "comma.toml", f'[topics."{name}"]\nterms = ["drone*"]\n')
    with pytest.raises(TaxonomyError):
        Taxonomy(topics, places_file)


def test_default_vocabularies_load(taxonomy):
    assert {"North Korea", "Syria"} <= set(taxonomy.topic_terms)
    assert "Pokrovsk" in taxonomy.places
    assert all("," not in name for name in [*taxonomy.topic_terms, *taxonomy.places])


# -- misspelt place names --------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [
        ("torestk", "toretsk", True),  # two letters swapped
        ("kupiansk", "kupyansk", True),  # one letter changed
        ("pokrovk", "pokrovsk", True),  # one letter missing
        ("pokrovskk", "pokrovsk", True),  # one letter extra
        ("pokrvosk", "pokrovsk", True),
        ("pkorovks", "pokrovsk", False),  # two edits
        ("kursk", "kursk", True),
    ],
)
def test_within_one_edit(a, b, near):
    from search.taxonomy import within_one_edit

    assert within_one_edit(a, b) is near
    assert within_one_edit(b, a) is near


def test_a_misspelt_place_is_tagged_with_the_right_name(taxonomy):
    tags = taxonomy.tag("Russian forces advanced near Torestk and Kurakhovo.")
    assert tags.places["Toretsk"] == ["Torestk"]
    assert "Kurakhove" in tags.places


@pytest.mark.parametrize(
    "text",
    [
        "Russian and Georgian officials met Moldovan envoys.",  # demonyms are not typos
        "torestk in lower case is not a name",
        "Kursk's governor",  # short names take no fuzzy match, only exact ones
    ],
)
def test_fuzzy_places_leave_ordinary_words_alone(taxonomy, text):
    assert "Russia" not in taxonomy.tag(text).places
    assert "Georgia" not in taxonomy.tag(text).places
    assert "Moldova" not in taxonomy.tag(text).places
    assert "Toretsk" not in taxonomy.tag(text).places


def test_near_place(taxonomy):
    assert taxonomy.near_place("Torestk") == "Toretsk"
    assert taxonomy.near_place("Torestk") == "Toretsk"  # again, from what it remembered
    assert taxonomy.near_place("Toretsk") is None  # a known spelling is not a near miss
    assert taxonomy.near_place("Russian") is None


def test_short_prefix_terms_match():
    vocabulary = Vocabulary({"UN": ["UN*"], "Drones": ["drone*"]})
    assert vocabulary.find("UNHCR and UNICEF said drones and drone-makers") == {
        "UN": ["UNHCR", "UNICEF"], "Drones": ["drones", "drone"],
    }


# -- lists of oblasts (#12) ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("Russian forces shelled Dnipropetrovsk, Zaporizhia, and Mykolaiv oblasts.",
         {"Dnipropetrovsk Oblast": ["Dnipropetrovsk"], "Zaporizhzhia Oblast": ["Zaporizhia"],
          "Mykolaiv Oblast": ["Mykolaiv"]}),
        ("Strikes hit Kharkiv and Luhansk oblasts.", {"Kharkiv Oblast": ["Kharkiv"], "Luhansk Oblast": ["Luhansk"]}),
        ("in Donetsk and Luhansk regions", {"Donetsk Oblast": ["Donetsk"], "Luhansk Oblast": ["Luhansk"]}),
        ("in Kherson, Zaporizhzhia oblasts", {"Kherson Oblast": ["Kherson"], "Zaporizhzhia Oblast": ["Zaporizhzhia"]}),
        # Russian oblasts, a capital O, "provinces" and "&".
        ("drills in Belgorod and Kursk Oblasts", {"Belgorod Oblast": ["Belgorod"], "Kursk Oblast": ["Kursk"]}),
        ("Kharkiv & Sumy provinces", {"Kharkiv Oblast": ["Kharkiv"], "Sumy Oblast": ["Sumy"]}),
        # Directions before a name, "and/or", a hyphenated name.
        ("fire in western Donetsk and eastern Zaporizhia oblasts",
         {"Donetsk Oblast": ["Donetsk"], "Zaporizhzhia Oblast": ["Zaporizhia"]}),
        ("attacks into western Kharkiv and/or northern Donetsk Oblasts",
         {"Kharkiv Oblast": ["Kharkiv"], "Donetsk Oblast": ["Donetsk"]}),
        ("in Ivano-Frankivsk and Lviv oblasts",
         {"Ivano-Frankivsk Oblast": ["Ivano-Frankivsk"], "Lviv Oblast": ["Lviv"]}),
        # Ukrainian adjective forms spell the oblast with "oblast" too.
        ("in Kyivska and Vinnytska oblasts", {"Kyiv Oblast": ["Kyivska"], "Vinnytsia Oblast": ["Vinnytska"]}),
        # The republics are the oblasts, as "Donetsk People's Republic" is.
        ("the Donetsk and Luhansk People’s Republics",
         {"Donetsk Oblast": ["Donetsk"], "Luhansk Oblast": ["Luhansk"]}),
        # Without a region word the names are the cities.
        ("Dnipro and Mykolaiv", {"Dnipro": ["Dnipro"], "Mykolaiv": ["Mykolaiv"]}),
        ("Kharkiv and Luhansk officials", {"Kharkiv": ["Kharkiv"], "Luhansk": ["Luhansk"]}),
        # A list ends at a name that is no oblast; what comes before it is read as usual.
        ("in Rivne, Bucha and Kharkiv regions",
         {"Rivne": ["Rivne"], "Bucha": ["Bucha"], "Kharkiv Oblast": ["Kharkiv"]}),
        ("failed to capture Kyiv, as well as Donetsk and Luhansk oblasts",
         {"Kyiv": ["Kyiv"], "Donetsk Oblast": ["Donetsk"], "Luhansk Oblast": ["Luhansk"]}),
        ("Russian oblasts and border regions", {}),
    ],
)
def test_a_list_before_a_plural_region_word_names_oblasts(taxonomy, text, places):
    assert taxonomy.tag(text).places == places


def test_a_city_named_outside_the_list_is_still_the_city(taxonomy):
    tags = taxonomy.tag("Russian forces struck Mykolaiv City. Shelling hit Mykolaiv and Kherson oblasts.")
    assert tags.places == {
        "Mykolaiv": ["Mykolaiv City"], "Mykolaiv Oblast": ["Mykolaiv"], "Kherson Oblast": ["Kherson"]}


def test_a_listed_name_is_not_read_as_a_misspelt_city(taxonomy):
    # "Donetska" is one letter from "Donetsk", but "Donetska oblast" is the oblast.
    assert taxonomy.near_place("Donetska") == "Donetsk"
    assert taxonomy.tag("in Donetska and Luhanska oblasts").places == {
        "Donetsk Oblast": ["Donetska"], "Luhansk Oblast": ["Luhanska"]}


@pytest.mark.parametrize(
    ("line", "places"),
    [
        (", A" * 333_334 + " oblasts", []),
        (", Kharkiv" * 111_112 + " oblasts", ["Kharkiv", "Kharkiv Oblast"]),  # a list is read 16 names back
        ("Kharkiv and Sumy oblasts " * 40_000, ["Kharkiv Oblast", "Sumy Oblast"]),
        ("Luhansk People's Republics " * 40_000, ["Luhansk Oblast"]),
    ],
)
def test_region_lists_on_a_one_megabyte_line_finish(line, places):
    # A fresh process with a generous timeout: a list reader that went back
    # over the whole line for every region word would hang, not fail.
    code = (
        "import sys, json\n"
        "from search.taxonomy import load_taxonomy\n"
        "from search.config import load_settings\n"
        "s = load_settings()\n"
        "print(json.dumps(sorted(load_taxonomy(s.taxonomy, s.gazetteer).tag(sys.stdin.read()).places)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], input=line, capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).parent.parent)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == places


# -- the default gazetteer (#12) -------------------------------------------------


def test_every_gazetteer_variant_names_its_own_place(taxonomy):
    # A variant belongs to one place only: a second place with the same spelling would never be found.
    taken = [(variant, name, taxonomy.canonical_place(variant))
             for name, place in taxonomy.places.items() for variant in place.variants]
    assert [entry for entry in taken if entry[1] != entry[2]] == []


@pytest.mark.parametrize(
    ("text", "places"),
    [
        # Villages the ISW reports name, in the spellings they use.
        ("near Krasna Hora and Vodyane", {"Krasna Hora": ["Krasna Hora"], "Vodiane": ["Vodyane"]}),
        ("near Bilohirya and Maly Shcherbaky", {"Bilohiria": ["Bilohirya"], "Mali Shcherbaky": ["Maly Shcherbaky"]}),
        ("in Slonim, Grodno Oblast", {"Slonim": ["Slonim"], "Grodno Oblast": ["Grodno Oblast"]}),
        # A one-letter misspelling still finds the village...
        ("near Mayorsk", {"Maiorsk": ["Mayorsk"]}),
        # ...so spellings one letter from ordinary words are not in the gazetteer.
        ("Mayors and the Stavka met Grishin and Olivia", {}),
        # The river and the operational direction are not the cities they resemble.
        ("along the Siverskyi Donets and the Donets", {"Siverskyi Donets River": ["Siverskyi Donets", "Donets"]}),
        ("the Tavrisk Direction Defense Forces", {"Tavria": ["Tavrisk Direction"]}),
    ],
)
def test_default_gazetteer_names_places_from_the_reports(taxonomy, text, places):
    assert taxonomy.tag(text).places == places
