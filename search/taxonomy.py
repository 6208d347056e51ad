"""Topics, places and sources: the vocabularies a paragraph is tagged with.

Three TOML files feed this module (read with the standard library):
``taxonomy.toml`` maps topics to words and phrases, ``places.toml`` is the
gazetteer of places with their spelling variants, and ``sources.toml`` names
the publishers.  The taxonomy and the gazetteer can be replaced by the user
(``--taxonomy`` / ``SITREP_TAXONOMY``, ``--gazetteer`` / ``SITREP_GAZETTEER``).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

from .errors import TaxonomyError

SOURCES_FILE = Path(__file__).parent / "data" / "sources.toml"
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "‘": "'"})
_MISSING = object()


def _normalise(text: str) -> str:
    return " ".join(text.translate(_APOSTROPHES).lower().replace("-", " ").split())


# An apostrophe inside a name ("Pokrovs'k") joins; a possessive "'s" does not.
_WORD = re.compile(r"[^\W_]+(?:'(?!s\b)[^\W_]+)*", re.IGNORECASE)


def _words(text: str) -> list[re.Match[str]]:
    """Word matches of ``text`` after apostrophe normalisation (same length as the text)."""
    return list(_WORD.finditer(text.translate(_APOSTROPHES)))


class Vocabulary:
    """Finds the terms of many labels in text, whole words only, longest first.

    A term is a word or phrase; a term ending in ``*`` matches any word that
    starts with what comes before the star.  Punctuation and white space
    between words do not count ("Donetsk-Dnipropetrovsk", "U.S.").  Text is
    cut into words once and word sequences are looked up in dictionaries, so
    the cost grows with the text, not with the size of the vocabulary.

    >>> places = Vocabulary({"Donetsk Oblast": ["Donetsk Oblast"], "Donetsk": ["Donetsk"]})
    >>> places.find("near Donetsk Oblast's border and in Donetsk")
    {'Donetsk Oblast': ['Donetsk Oblast'], 'Donetsk': ['Donetsk']}
    """

    HEAD = 3  # letters of a prefix term that index it
    CACHE_WORDS = 200_000  # distinct words whose one-word match is remembered

    def __init__(self, terms_by_label: dict[str, list[str]]) -> None:
        self._exact: dict[tuple[str, ...], str] = {}
        # "North Korean*": (words before the last, first letters of the last)
        # -> [(the last word's prefix, label)], longest prefix first.
        self._prefixes: dict[tuple[str, ...], list[tuple[str, str]]] = {}
        # First words of multi-word terms: elsewhere only one-word terms can start.
        self._phrase_starts: set[str] = set()
        self._head_lengths: set[int] = set()  # HEAD, and shorter for prefixes like "UN*"
        self._longest = 1
        for label, terms in terms_by_label.items():
            for term in terms:
                words = tuple(m.group(0).lower() for m in _words(term.rstrip("*")))
                if not words:
                    continue
                self._longest = max(self._longest, len(words))
                if len(words) > 1:
                    self._phrase_starts.add(words[0])
                if term.endswith("*"):
                    head = words[:-1] + (words[-1][: self.HEAD],)
                    self._prefixes.setdefault(head, []).append((words[-1], label))
                    self._head_lengths.add(min(self.HEAD, len(words[-1])))
                else:
                    self._exact.setdefault(words, label)
        for entries in self._prefixes.values():
            entries.sort(key=lambda entry: len(entry[0]), reverse=True)
        self._head_lengths = sorted(self._head_lengths, reverse=True)
        self._single: dict[str, tuple[int, str] | None] = {}  # word -> its one-word match

    def _match_at(self, words: list[str], start: int) -> tuple[int, str] | None:
        """(number of words, label) of the longest term starting at ``words[start]``."""
        longest = min(self._longest, len(words) - start) if words[start] in self._phrase_starts else 1
        for size in range(longest, 0, -1):
            key = tuple(words[start : start + size])
            label = self._exact.get(key)
            if label is None:
                last = key[-1]
                for n in self._head_lengths:
                    entries = self._prefixes.get(key[:-1] + (last[:n],), ())
                    label = next((lbl for prefix, lbl in entries if last.startswith(prefix)), None)
                    if label is not None:
                        break
            if label is not None:
                return size, label
        return None

    def label_of(self, text: str) -> str | None:
        """The label whose term is exactly ``text`` (any case or spelling variant)."""
        words = [m.group(0).lower() for m in _words(text)]
        if not words:
            return None
        found = self._match_at(words, 0)
        return found[1] if found and found[0] == len(words) else None

    def find(self, text: str) -> dict[str, list[str]]:
        """Labels found in ``text``, in order of first mention, with the words that matched."""
        text = text.translate(_APOSTROPHES)
        matches = _words(text)
        return self.find_words(text, matches, [m.group(0).lower() for m in matches])

    def find_words(self, text: str, matches: list[re.Match[str]], words: list[str]) -> dict[str, list[str]]:
        """:meth:`find` for a ``text`` already normalised and cut into words.

        ``matches`` are the word matches :func:`_words` gives, ``words`` their lower-cased text.
        """
        found: dict[str, list[str]] = {}
        single = self._single
        if len(single) > self.CACHE_WORDS:
            single.clear()
        phrase_starts = self._phrase_starts
        start = 0
        while start < len(words):
            word = words[start]
            if word in phrase_starts:
                match = self._match_at(words, start)
            else:
                # Most words start no phrase: their match depends on the word
                # alone, so each distinct word is looked up once.
                match = single.get(word, _MISSING)
                if match is _MISSING:
                    match = single[word] = self._match_at([word], 0)
            if match is None:
                start += 1
                continue
            size, label = match
            spelled = text[matches[start].start() : matches[start + size - 1].end()]
            matched = found.setdefault(label, [])
            if spelled not in matched:
                matched.append(spelled)
            start += size
        return found


def within_one_edit(a: str, b: str) -> bool:
    """True when ``a`` becomes ``b`` by one insertion, deletion, substitution or swap.

    >>> within_one_edit("torestk", "toretsk"), within_one_edit("kupyansk", "kupiansk")
    (True, True)
    """
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        i, j = diff[0], diff[-1]
        return len(diff) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k in range(len(short)) if short[k] != long_[k]), len(short))
    return short[i:] == long_[i + 1 :]


class NearMisses:
    """Finds the place a misspelt word stands for ("Torestk" -> Toretsk).

    Only single-word names of :data:`MIN_LETTERS` letters or more take part:
    shorter names are too close to ordinary words.  Candidates come from a
    table of each name with one letter deleted (symmetric deletion), so a
    lookup costs a few dictionary probes, not a scan of the gazetteer.
    """

    MIN_LETTERS = 6
    # Demonyms and possessives of a place are not misspellings of it:
    # "Russian" is not a typo of "Russia", nor "Georgian" of "Georgia".
    SUFFIXES = ("'s", "ians", "ian", "ans", "an", "ns", "n", "s")

    def __init__(self, names_by_spelling: dict[str, str]) -> None:
        self._known = names_by_spelling
        self._seen: dict[str, str | None] = {}  # word -> place_of(word), each word worked out once
        self._table: dict[str, set[str]] = {}
        for spelling in names_by_spelling:
            if len(spelling) >= self.MIN_LETTERS and spelling.isalpha():
                for key in {spelling, *_deletions(spelling)}:
                    self._table.setdefault(key, set()).add(spelling)

    def place_of(self, word: str) -> str | None:
        """The one place ``word`` is a single edit away from, or None."""
        found = self._seen.get(word, _MISSING)
        if found is _MISSING:
            if len(self._seen) > Vocabulary.CACHE_WORDS:
                self._seen.clear()
            found = self._seen[word] = self._place_of(word)
        return found

    def _place_of(self, word: str) -> str | None:
        key = word.translate(_APOSTROPHES).lower()
        if len(key) < self.MIN_LETTERS - 1 or key in self._known:
            return None
        if any(key.endswith(s) and key[: -len(s)] in self._known for s in self.SUFFIXES):
            return None
        spellings = set().union(*(self._table.get(k, ()) for k in {key, *_deletions(key)}))
        names = {self._known[s] for s in spellings if within_one_edit(key, s)}
        return names.pop() if len(names) == 1 else None


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


_CAPITALISED = re.compile(r"(?<![\w'’-])[^\W\d_a-zа-яіїєґ][\w'’]{4,}(?![\w-])")


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
            )
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
        as that place; the words that matched show the misspelling.
        """
        # Both vocabularies read the same words: cut the text once.
        normalised = text.translate(_APOSTROPHES)
        matches = _words(normalised)
        words = [m.group(0).lower() for m in matches]
        places = self._places.find_words(normalised, matches, words)
        for word in _CAPITALISED.findall(text):
            name = self._near_places.place_of(word)
            if name is not None and word not in places.get(name, ()):
                places.setdefault(name, []).append(word)
        return Tags(topics=self._topics.find_words(normalised, matches, words), places=places)

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
