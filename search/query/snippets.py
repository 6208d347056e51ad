"""Snippets: a paragraph's text as HTML with the words a query matched in ``<mark>``."""

from __future__ import annotations

import html
import re
from itertools import accumulate
from typing import Any

from whoosh.query import AndNot, Not, Phrase, Query
from whoosh.searching import Searcher

from ..index import TEXT_ANALYZER

SNIPPET_CHARS = 400
_WORD = re.compile(r"\w")


# The schema analyzer's tokenizer pattern (Whoosh's RegexTokenizer default),
# so the words found here are the words the index holds.
_TOKEN = re.compile(r"\w+(?:\.?\w+)*")
# The same pattern as one capturing group: re.split then gives the text
# between words and the words in turn, in one pass of C, and their offsets
# follow from the lengths (a match object per word cost twice as much).
_SPLIT = re.compile(r"(\w+(?:\.?\w+)*)")
FRAGMENT_CHARS = 220  # at most, around the matches of a long paragraph
SURROUND = 70  # characters of context before the first and after the last match
FRAGMENTS = 3
_ANALYSED_WORDS = 100_000  # distinct words remembered before the cache starts afresh
_analysed: dict[str, str | None] = {}
_MISSING = object()


def _analysed_word(word: str) -> str | None:
    """The indexed form of one word ("advancing" -> "advanc"), or None for a stop word; remembered."""
    found = _analysed.get(word, _MISSING)
    if found is _MISSING:
        if len(_analysed) > _ANALYSED_WORDS:
            _analysed.clear()
        tokens = [t.text for t in TEXT_ANALYZER(word, mode="query", removestops=True)]
        found = _analysed[word] = tokens[0] if len(tokens) == 1 else None
    return found


def snippet_html(
    searcher: Searcher, query: Query, text: str, *, whole: bool = False, extra: frozenset[str] = frozenset()
) -> str:
    """An HTML snippet of ``text`` with the words ``query`` matched marked (see :class:`Marker`)."""
    return Marker(query, extra).snippet(text, whole=whole)


class Marker:
    """Marks what one query matched in paragraph after paragraph: the query is read once.

    Short paragraphs (and any paragraph when ``whole``) are shown whole; long
    ones as up to three fragments around the matches.  ``extra`` holds more
    analysed words to mark (other spellings of a place the query names).

    The stored text is cut into words with the analyzer's own pattern and
    each distinct word is analysed once per process (a dictionary lookup
    afterwards), instead of running Whoosh's highlighter, which analysed
    every word of every hit again (#15).
    """

    def __init__(self, query: Query, extra: frozenset[str] = frozenset()) -> None:
        self.phrases = [
            [w.decode("utf-8") if isinstance(w, bytes) else w for w in p.words] for p in wanted_phrases(query)
        ]
        words = frozenset(
            t.decode("utf-8") if isinstance(t, bytes) else t for f, t in wanted_terms(query, phrases=False) if f == "text"
        )
        self.singles = extra | words

    def pieces(self, text: str, cuts: list[int]) -> list[str]:
        """The whole of ``text`` as escaped HTML with the matches marked, cut at the offsets ``cuts``.

        ``len(cuts) + 1`` pieces, for putting something (a footnote marker)
        between them; a cut inside a marked word moves to the word's end, so
        no ``<mark>`` is ever split.
        """
        tokens, matches = self._matches(text)
        marked_spans = [(tokens[i][0], tokens[i][1]) for i in matches]
        pieces = []
        at = 0
        for cut in sorted(min(max(c, 0), len(text)) for c in cuts):
            cut = max(cut, at)
            cut = next((end for start, end in marked_spans if start < cut < end), cut)
            pieces.append(_marked(text, at, cut, tokens, matches))
            at = cut
        pieces.append(_marked(text, at, len(text), tokens, matches))
        return pieces

    def _matches(self, text: str) -> tuple[list, list[int]]:
        """The tokens of ``text`` and the indexes of those the query matched."""
        phrases, singles = self.phrases, self.singles
        if not singles and not phrases:
            return [], []
        tokens = _tokens(text)
        marked = [analysed in singles for _, _, analysed in tokens]
        if phrases:
            # Phrase-exact: a phrase's words are marked only where they stand
            # as the phrase; stop words are left out of the comparison as they
            # are left out of the phrase itself.
            kept = [i for i, (_, _, analysed) in enumerate(tokens) if analysed is not None]
            sequence = [tokens[i][2] for i in kept]
            for phrase in phrases:
                size = len(phrase)
                if not size:
                    continue
                for at in range(len(sequence) - size + 1):
                    if sequence[at : at + size] == phrase:
                        for i in kept[at : at + size]:
                            marked[i] = True
        return tokens, [i for i, hit in enumerate(marked) if hit]

    def snippet(self, text: str, *, whole: bool = False) -> str:
        """``text`` as escaped HTML with the matches in ``<mark>``, cut around them unless ``whole``."""
        tokens, matches = self._matches(text)
        if not matches:
            return html.escape(text if whole else shorten(text), quote=False)
        if whole or len(text) <= SNIPPET_CHARS:
            return _marked(text, 0, len(text), tokens, matches)
        fragments = _fragments(tokens, matches)
        best = sorted(sorted(fragments, key=lambda f: -f[0])[:FRAGMENTS], key=lambda f: f[1])
        parts = []
        for _, first, last, inside in best:
            start, end = tokens[first][0], tokens[last][1]
            body = _marked(text, start, end, tokens, inside)
            before, after = text[:start], text[end:]
            # A fragment that reaches the paragraph's edge loses only its
            # punctuation: put it back rather than pretend text was left out.
            body = ("… " + body) if _WORD.search(before) else html.escape(before.lstrip(), quote=False) + body
            body = (body + " …") if _WORD.search(after) else body + html.escape(after.rstrip(), quote=False)
            parts.append(body)
        return " ".join(parts).replace("… …", "…")


def _tokens(text: str) -> list[tuple[int, int, str | None]]:
    """(start, end, analysed form) of each word of ``text``, as ``_TOKEN.finditer`` finds them."""
    parts = _SPLIT.split(text)  # between, word, between, word, ..., between
    ends = list(accumulate(map(len, parts)))
    words = parts[1::2]
    get = _analysed.get
    analysed = [get(word, _MISSING) for word in words]
    if _MISSING in analysed:
        analysed = [_analysed_word(w) if a is _MISSING else a for w, a in zip(words, analysed)]
    return list(zip(ends[0::2], ends[1::2], analysed))


def _fragments(tokens: list, matches: list[int]) -> list[tuple[float, int, int, list[int]]]:
    """(score, first token, last token, matched tokens) of each stretch of text around the matches.

    A fragment starts at the first word within :data:`SURROUND` characters
    before a match, takes the following matches while it stays within
    :data:`FRAGMENT_CHARS`, and ends :data:`SURROUND` characters after its
    last match (or at that limit).  Scored as Whoosh's BasicFragmentScorer:
    matches times 100 per distinct word matched, so fragments with more of
    the query's words come first.
    """
    found = []
    k = 0
    previous_last = -1  # fragments never overlap
    while k < len(matches):
        first = matches[k]
        while first - 1 > previous_last and tokens[matches[k]][0] - tokens[first - 1][0] <= SURROUND:
            first -= 1
        start = tokens[first][0]
        inside = [matches[k]]
        k += 1
        while k < len(matches) and tokens[matches[k]][1] - start <= FRAGMENT_CHARS:
            inside.append(matches[k])
            k += 1
        last = inside[-1]
        while last + 1 < len(tokens) and tokens[last + 1][1] - tokens[inside[-1]][1] <= SURROUND \
                and tokens[last + 1][1] - start <= FRAGMENT_CHARS:
            last += 1
        previous_last = last
        distinct = {tokens[i][2] for i in inside}
        found.append((len(inside) * len(distinct) * 100.0, first, last, inside))
    return found


def _marked(text: str, start: int, end: int, tokens: list, matches: list[int]) -> str:
    """``text[start:end]`` escaped, with the tokens ``matches`` in ``<mark>``."""
    out = []
    at = start
    for i in matches:
        token_start, token_end, _ = tokens[i]
        if token_start < start or token_end > end:
            continue
        out.append(html.escape(text[at:token_start], quote=False))
        out.append("<mark>" + html.escape(text[token_start:token_end], quote=False) + "</mark>")
        at = token_end
    out.append(html.escape(text[at:end], quote=False))
    return "".join(out)


def wanted_phrases(query: Query) -> list[Phrase]:
    """The phrases over the text that a query looks for (not excluded ones)."""
    if isinstance(query, Not):
        return []
    if isinstance(query, AndNot):
        return wanted_phrases(query.a)
    if isinstance(query, Phrase):
        return [query] if query.fieldname == "text" else []
    return [phrase for child in query.children() for phrase in wanted_phrases(child)]


def wanted_terms(query: Query, phrases: bool = True) -> set[tuple[str, Any]]:
    """The (field, term) pairs a query looks for, leaving out what it excludes.

    :param phrases: include the words of phrases.
    """
    if isinstance(query, Not):
        return set()
    if isinstance(query, AndNot):
        return wanted_terms(query.a, phrases)
    if isinstance(query, Phrase) and not phrases:
        return set()
    children = list(query.children())
    if not children:
        return set(query.iter_all_terms(phrases=phrases))
    wanted: set[tuple[str, Any]] = set()
    for child in children:
        wanted |= wanted_terms(child, phrases)
    return wanted


def shorten(text: str) -> str:
    if len(text) <= SNIPPET_CHARS:
        return text
    return text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"


__all__ = ["SNIPPET_CHARS", "Marker", "shorten", "snippet_html", "wanted_phrases", "wanted_terms"]
