"""A vocabulary: labels with the words and phrases that stand for them, found in text in one pass."""

from __future__ import annotations

import re
from itertools import compress, islice

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
