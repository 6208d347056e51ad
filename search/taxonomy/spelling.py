"""Misspelt place names: words one edit from a name ("Torestk" -> Toretsk).

Found through deletions of each name, without comparing every pair of words.
"""

from __future__ import annotations

from .vocabulary import Vocabulary, _APOSTROPHES, _MISSING


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
