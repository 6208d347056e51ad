"""The taxonomy a paragraph is tagged with: topics, places and sources from their TOML files."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress
from pathlib import Path

from ..config import DATA_DIR
from ..errors import TaxonomyError
from .spelling import NearMisses
from .vocabulary import Vocabulary, _normalise, _pieces

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

SOURCES_FILE = DATA_DIR / "sources.toml"
# A capitalised word of five characters or more, not part of a longer word.
# The look-behind stands after the capital (and checks the character before
# it) so that the pattern starts with a character class, which the regex
# engine skips ahead to; a pattern starting with a look-behind is tried at
# every position of the text.
_CAPITALISED = re.compile(r"[^\W\d_a-zа-яіїєґ](?<![\w'’-].)[\w'’]{4,}(?![\w-])")
# "Dnipropetrovsk, Zaporizhia, and Mykolaiv oblasts" names three oblasts, not
# three cities (#12).  A plural region word -> the words its singular adds to
# a list item to spell the place ("Zaporizhia" + "oblast"); an item that does
# not spell one that way is tried as "<item> oblast", since the gazetteer has
# "X Oblast" for every oblast but not "X province" or "X krai".
_LIST_ENDS = {
    "oblasts": ("oblast",),
    "regions": ("region",),
    "provinces": ("province",),
    "krais": ("krai",),
    "republics": ("people", "s", "republic"),  # "Donetsk and Luhansk People's Republics"
}
_LIST_MODIFIERS = frozenset({
    "eastern", "western", "northern", "southern", "central", "northeastern", "northwestern",
    "southeastern", "southwestern", "occupied",
})  # "in western Donetsk and eastern Zaporizhia oblasts"
_LIST_CONJUNCTIONS = frozenset({"and", "or"})
_LIST_ITEM_WORDS = 3  # "Ivano-Frankivsk", "Nizhny Novgorod": words in one list item, at most
_LIST_ITEMS = 16  # items read back from one region word, so a crafted list costs no more


@dataclass(frozen=True)
class Tags:
    """What a paragraph is about, with the words that gave each tag."""

    topics: dict[str, list[str]] = field(default_factory=dict)
    places: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Place:
    """One gazetteer entry."""

    name: str
    kind: str
    country: str
    within: str | None
    variants: tuple[str, ...]
    adjectives: tuple[str, ...] = ()  # "North Korean": searched with the name, never tagged


@dataclass(frozen=True)
class Name:
    """A name people search by (a place or a topic entity): its spellings and adjectival forms."""

    label: str
    spellings: tuple[str, ...]
    adjectives: tuple[str, ...]
    is_place: bool


class Taxonomy:
    """The topic, place and source vocabularies loaded from their TOML files."""

    def __init__(self, taxonomy_file: Path, gazetteer_file: Path) -> None:
        topics = _load(taxonomy_file).get("topics")
        if not isinstance(topics, dict) or not topics:
            raise TaxonomyError(f"{taxonomy_file}: expected [topics.NAME] tables with a terms list")
        self.topic_terms = {
            _label(taxonomy_file, name): _terms(taxonomy_file, name, spec) for name, spec in topics.items()
        }
        entries = _load(gazetteer_file).get("place")
        if not isinstance(entries, list) or not entries:
            raise TaxonomyError(f"{gazetteer_file}: expected [[place]] entries with name and variants")
        self.places: dict[str, Place] = {}
        for entry in entries:
            if not isinstance(entry, dict) or "name" not in entry:
                raise TaxonomyError(f"{gazetteer_file}: every [[place]] needs a name")
            _label(gazetteer_file, entry["name"])
            variants = tuple(_terms(gazetteer_file, entry["name"], entry, key="variants"))
            self.places[entry["name"]] = Place(
                name=entry["name"],
                kind=str(entry.get("kind", "")),
                country=str(entry.get("country", "")),
                within=entry.get("within"),
                variants=(entry["name"], *variants),
                adjectives=tuple(_terms(gazetteer_file, entry["name"], entry, key="adjectives"))
                if "adjectives" in entry else (),
            )
        # Names a query may use for a place or a topic entity, with their
        # adjectival forms ("North Korean" for North Korea): searched with the
        # name at query time (search/query/names.py), never used for tagging,
        # where "Ukrainian forces" would tag nearly every paragraph Ukraine.
        self.names: dict[str, Name] = {
            name: Name(name, tuple(dict.fromkeys(place.variants)), place.adjectives, True)
            for name, place in self.places.items()
        }
        for name, spec in topics.items():
            if isinstance(spec, dict) and "adjectives" in spec:
                adjectives = tuple(_terms(taxonomy_file, name, spec, key="adjectives"))
                known = self.names.get(name)
                self.names[name] = (
                    Name(name, known.spellings, tuple(dict.fromkeys(known.adjectives + adjectives)), True)
                    if known else Name(name, (name,), adjectives, False)
                )
        self._names = Vocabulary({name: [*n.spellings, *n.adjectives] for name, n in self.names.items()})
        self._adjectives = {_normalise(a): name for name, n in self.names.items() for a in n.adjectives}
        sources = _load(SOURCES_FILE)["sources"]
        self.source_names = {name: [name, *spec.get("names", [])] for name, spec in sources.items()}
        self._topics = Vocabulary(self.topic_terms)
        self._places = Vocabulary({name: list(p.variants) for name, p in self.places.items()})
        self._near_places = NearMisses(
            {
                _normalise(variant): name
                for name, place in self.places.items()
                for variant in place.variants
                if " " not in _normalise(variant)
            }
        )
        self._sources = Vocabulary(self.source_names)

    def tag(self, text: str) -> Tags:
        """Topics and places named in ``text``, each with the words that matched.

        A capitalised word one edit away from a place name ("Torestk") counts
        as that place; the words that matched show the misspelling.  A list
        of names before a plural region word ("Dnipropetrovsk, Zaporizhia, and
        Mykolaiv oblasts", "Donetsk and Luhansk People's Republics") names the
        oblasts, not the cities: each name is tagged as its oblast, with the
        name as written for its words, and not as the city too.
        """
        # Both vocabularies read the same words: cut the text once.
        pieces = _pieces(text)
        words = list(map(str.lower, pieces[1::2]))
        distinct = set(words)
        # Most paragraphs have no plural region word, and one set test settles it.
        listed = () if distinct.isdisjoint(_LIST_ENDS) else self._region_lists(pieces, words)
        if listed:
            # The listed names are read as oblasts, so the city vocabulary must not see them.
            unlisted = words.copy()
            for _, first, last in listed:
                unlisted[first:last] = [""] * (last - first)
            places = self._places.find_words(pieces, unlisted, set(unlisted))
            for label, first, last in sorted(listed, key=lambda item: item[1]):  # lists are read backwards
                spelled = "".join(pieces[2 * first + 1 : 2 * last])
                matched = places.setdefault(label, [])
                if spelled not in matched:
                    matched.append(spelled)
            listed_words = {pieces[2 * k + 1] for _, first, last in listed for k in range(first, last)}
        else:
            places = self._places.find_words(pieces, words, distinct)
            listed_words = set()
        for word in _CAPITALISED.findall(text):
            if word in listed_words:
                continue
            name = self._near_places.place_of(word)
            if name is not None and word not in places.get(name, ()):
                places.setdefault(name, []).append(word)
        return Tags(topics=self._topics.find_words(pieces, words, distinct), places=places)

    def _region_lists(self, pieces: list[str], words: list[str]) -> list[tuple[str, int, int]]:
        """``(place, first word, end word)`` of each name listed before a plural region word.

        Read backwards from each region word: a name (one to
        :data:`_LIST_ITEM_WORDS` words that, with the singular region word,
        spell a gazetteer entry), then maybe a direction ("eastern"), then a
        comma, slash, "&", "and", "or", ", and" or "and/or" before the next
        name; anything else ends the list.  Every step looks at a fixed number
        of words, and a list stops after :data:`_LIST_ITEMS` names, so the
        cost grows with the text whatever it holds.
        """
        found: list[tuple[str, int, int]] = []
        for end in compress(range(len(words)), map(_LIST_ENDS.__contains__, words)):
            suffix = _LIST_ENDS[words[end]]
            if len(suffix) > 1:  # "People's Republics": the words before must be "People's"
                start = end - len(suffix) + 1
                if start < 0 or words[start:end] != list(suffix[:-1]):
                    continue
                end = start
            if end == 0 or pieces[2 * end].strip():
                continue  # the last name and the region word have only space between them
            last = end  # the name read next ends before this word
            for _ in range(_LIST_ITEMS):
                item = self._list_item(pieces, words, last, suffix)
                if item is None:
                    break
                label, first = item
                found.append((label, first, last))
                k = first
                if k > 0 and words[k - 1] in _LIST_MODIFIERS and not pieces[2 * k].strip():
                    k -= 1
                gap = pieces[2 * k].strip()
                if gap in (",", "/", "&"):
                    last = k
                elif gap or k == 0 or words[k - 1] not in _LIST_CONJUNCTIONS:
                    break
                else:
                    k -= 1  # "and", "or"; "and/or" is two words
                    if k > 0 and words[k - 1] == "and" and pieces[2 * k].strip() == "/":
                        k -= 1
                    if pieces[2 * k].strip() not in ("", ","):
                        break
                    last = k
        return found

    def _list_item(
        self, pieces: list[str], words: list[str], last: int, suffix: tuple[str, ...]
    ) -> tuple[str, int] | None:
        """(place, first word) of the longest name ending before word ``last`` that spells a place with ``suffix``."""
        for size in range(min(_LIST_ITEM_WORDS, last), 0, -1):
            first = last - size
            # The words of one name are joined by spaces or hyphens only.
            if any(pieces[2 * k].strip() not in ("", "-") for k in range(first + 1, last)):
                continue
            name = tuple(words[first:last])
            # The vocabulary's own exact lookup: the words are cut already.
            label = self._places._label(name + suffix)
            if label is None and suffix != ("oblast",):
                label = self._places._label(name + ("oblast",))
            if label is not None:
                return label, first
        return None

    def near_place(self, word: str) -> str | None:
        """The place a misspelt single word stands for, or None."""
        return self._near_places.place_of(word)

    def source_line(self, line: str) -> tuple[str, str | None] | None:
        """If ``line`` names a source on its own, or as "Source: Title", return (source, title)."""
        name, _, title = line.partition(":")
        source = self._sources.label_of(name.strip())
        if source is None:
            return None
        title = " ".join(title.split())
        return source, (title or None)

    def source_mentioned(self, text: str) -> str | None:
        """The first source named anywhere in ``text`` as a whole word."""
        found = self._sources.find(text)
        return next(iter(found), None)

    def name_of(self, text: str) -> tuple[Name, bool] | None:
        """The name ``text`` spells (any case, spelling or adjectival form), and whether it is an adjective.

        >>> from search.config import DATA_DIR
        >>> names = load_taxonomy(DATA_DIR / "taxonomy.toml", DATA_DIR / "places.toml")
        >>> [(found.label, adjective) for found, adjective in map(names.name_of, ["north korean", "DPRK"])]
        [('North Korea', True), ('North Korea', False)]
        """
        label = self._names.label_of(text)
        if label is None:
            return None
        return self.names[label], self._adjectives.get(_normalise(text)) == label

    def canonical_place(self, name: str) -> str | None:
        """The gazetteer name for any spelling variant of a place, or None."""
        return self._places.label_of(name)


def _load(path: Path) -> dict:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as err:
        raise TaxonomyError(f"cannot read {path}: {err.strerror}") from None
    except tomllib.TOMLDecodeError as err:
        raise TaxonomyError(f"{path} is not valid TOML: {err}") from None


def _label(path: Path, name: object) -> str:
    # The index keeps a paragraph's topics and places as one comma-separated
    # KEYWORD field, so a comma inside a name would split it in two.
    if not isinstance(name, str) or not name.strip() or "," in name:
        raise TaxonomyError(f"{path}: {name!r} is not a usable name (it must be text without commas)")
    return name


def _terms(path: Path, name: str, spec: object, key: str = "terms") -> list[str]:
    terms = spec.get(key) if isinstance(spec, dict) else None
    if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
        raise TaxonomyError(f"{path}: {name!r} needs a {key} list of strings")
    return terms


@lru_cache(maxsize=8)
def load_taxonomy(taxonomy_file: Path, gazetteer_file: Path) -> Taxonomy:
    """Load (once per pair of files) the vocabularies.

    :raises TaxonomyError: a file is missing, not TOML, or has the wrong shape.
    """
    return Taxonomy(Path(taxonomy_file), Path(gazetteer_file))
