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
from itertools import compress, islice
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


# The same pattern as one group, so that re.split keeps the words.
_WORD_PIECES = re.compile(f"({_WORD.pattern})", re.IGNORECASE)


def _words(text: str) -> list[re.Match[str]]:
    """Word matches of ``text`` after apostrophe normalisation (same length as the text)."""
    return list(_WORD.finditer(text.translate(_APOSTROPHES)))


def _pieces(text: str) -> list[str]:
    """``text``, apostrophes normalised, cut into ``[gap, word, gap, word, …, gap]``.

    Word ``i`` is ``pieces[2 * i + 1]``, and the words ``i`` to ``j`` as spelled
    in the text, gaps included, are ``"".join(pieces[2 * i + 1 : 2 * j + 2])``.
    One C-level split is much cheaper than a match object per word, and spans
    are only needed for the few words that match a term.
    """
    return _WORD_PIECES.split(text.translate(_APOSTROPHES))


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
    CACHE_WORDS = 200_000  # words (or phrase windows) remembered per cache before it starts afresh

    def __init__(self, terms_by_label: dict[str, list[str]]) -> None:
        self._exact: dict[tuple[str, ...], str] = {}
        # "North Korean*": (words before the last, first letters of the last)
        # -> [(the last word's prefix, label)], longest prefix first.
        self._prefixes: dict[tuple[str, ...], list[tuple[str, str]]] = {}
        # First words of multi-word terms -> the sizes (in words) of those terms,
        # longest first: elsewhere only one-word terms can start.
        self._phrase_sizes: dict[str, list[int]] = {}
        self._head_lengths: set[int] = set()  # HEAD, and shorter for prefixes like "UN*"
        self._longest = 1  # words in the longest term
        for label, terms in terms_by_label.items():
            for term in terms:
                words = tuple(m.group(0).lower() for m in _words(term.rstrip("*")))
                if not words:
                    continue
                self._longest = max(self._longest, len(words))
                if len(words) > 1:
                    self._phrase_sizes.setdefault(words[0], []).append(len(words))
                if term.endswith("*"):
                    head = words[:-1] + (words[-1][: self.HEAD],)
                    self._prefixes.setdefault(head, []).append((words[-1], label))
                    self._head_lengths.add(min(self.HEAD, len(words[-1])))
                else:
                    self._exact.setdefault(words, label)
        for entries in self._prefixes.values():
            entries.sort(key=lambda entry: len(entry[0]), reverse=True)
        for first, sizes in self._phrase_sizes.items():
            self._phrase_sizes[first] = sorted(set(sizes), reverse=True)
        self._head_lengths = sorted(self._head_lengths, reverse=True)
        self._single: dict[str, tuple[int, str] | None] = {}  # word -> its one-word match
        # Words seen to start no term at all: most words of a text are, and
        # skipping them as a set leaves a few positions to look at.
        self._inert: set[str] = set()
        # The words of a text from a phrase start on, as many as its longest
        # phrase has -> the match there.
        self._windows: dict[tuple[str, ...], tuple[int, str] | None] = {}

    def _match_at(self, words: list[str], start: int) -> tuple[int, str] | None:
        """(number of words, label) of the longest term starting at ``words[start]``."""
        first = words[start]
        sizes = self._phrase_sizes.get(first)
        if sizes is None:
            return self._one_word(first)
        # The match depends only on the next few words, and the same few
        # ("Russian forces attacked") recur in text after text.
        window = tuple(words[start : start + sizes[0]])
        match = self._windows.get(window, _MISSING)
        if match is _MISSING:
            if len(self._windows) > self.CACHE_WORDS:
                self._windows.clear()
            match = self._windows[window] = self._longest_at_start(window, sizes)
        return match

    def _longest_at_start(self, window: tuple[str, ...], sizes: list[int]) -> tuple[int, str] | None:
        """:meth:`_match_at` for the words ``window`` that start terms of ``sizes`` words."""
        # Only the sizes of terms that start with this word can match (a
        # prefix term's first word is whole too), then the word on its own.
        for size in sizes:
            if size <= len(window):
                label = self._label(window[:size])
                if label is not None:
                    return size, label
        return self._one_word(window[0])

    def _one_word(self, word: str) -> tuple[int, str] | None:
        """``(1, label)`` when ``word`` on its own is a term, else None; worked out once per word."""
        match = self._single.get(word, _MISSING)
        if match is _MISSING:
            if len(self._single) > self.CACHE_WORDS:
                self._single.clear()
                self._inert.clear()
            label = self._label((word,))
            match = self._single[word] = None if label is None else (1, label)
            if match is None and word not in self._phrase_sizes:
                self._inert.add(word)
        return match

    def _label(self, key: tuple[str, ...]) -> str | None:
        """The label of the term spelled by exactly the words ``key``, or None."""
        label = self._exact.get(key)
        if label is None and self._prefixes:
            last = key[-1]
            for n in self._head_lengths:
                for prefix, prefix_label in self._prefixes.get(key[:-1] + (last[:n],), ()):
                    if last.startswith(prefix):
                        return prefix_label
        return label

    def label_of(self, text: str) -> str | None:
        """The label whose term is exactly ``text`` (any case or spelling variant)."""
        # No term is longer than _longest words, so reading one word more is
        # enough to turn down a longer text: the file reader asks this of
        # every paragraph (is it a source line?).
        matches = islice(_WORD.finditer(text.translate(_APOSTROPHES)), self._longest + 1)
        words = [m.group(0).lower() for m in matches]
        if not words or len(words) > self._longest:
            return None
        found = self._match_at(words, 0)
        return found[1] if found and found[0] == len(words) else None

    def find(self, text: str) -> dict[str, list[str]]:
        """Labels found in ``text``, in order of first mention, with the words that matched."""
        pieces = _pieces(text)
        words = list(map(str.lower, pieces[1::2]))
        return self.find_words(pieces, words, set(words))

    def find_words(self, pieces: list[str], words: list[str], distinct: set[str]) -> dict[str, list[str]]:
        """:meth:`find` for a text already cut by :func:`_pieces`.

        ``words`` are the words of ``pieces``, lower-cased, and ``distinct`` is ``set(words)``.
        """
        found: dict[str, list[str]] = {}
        candidates = distinct - self._inert
        if not candidates:
            return found
        single = self._single
        phrase_sizes = self._phrase_sizes
        covered = 0  # words before this are part of a term already found
        # Visit only the positions of candidate words, in order: an inert word
        # matches nothing, so scanning would just step over it.
        for start in compress(range(len(words)), map(candidates.__contains__, words)):
            if start < covered:
                continue
            word = words[start]
            if word in phrase_sizes:
                match = self._match_at(words, start)
            else:
                # What _match_at would answer, read straight from the cache of
                # one-word matches: most candidates are words already seen.
                match = single.get(word) or self._one_word(word)
            if match is None:
                continue
            size, label = match
            spelled = "".join(pieces[2 * start + 1 : 2 * (start + size)])
            matched = found.setdefault(label, [])
            if spelled not in matched:
                matched.append(spelled)
            covered = start + size
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
