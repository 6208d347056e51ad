"""Snippets: a paragraph's text as HTML with the words a query matched in ``<mark>``."""

from __future__ import annotations

import html
import re
from typing import Any

from whoosh import highlight
from whoosh.query import AndNot, Not, Phrase, Query, Term
from whoosh.searching import Searcher

SNIPPET_CHARS = 400
_WORD = re.compile(r"\w")


class _MarkFormatter(highlight.Formatter):
    """Escapes all text first, then wraps matched words in ``<mark>``."""

    between = " … "

    def _text(self, text: str) -> str:
        return html.escape(text, quote=False)

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return "<mark>" + html.escape(highlight.get_text(text, token, replace), quote=False) + "</mark>"

    def format(self, fragments: list[Any], replace: bool = False) -> str:
        # Show where a fragment was cut out of a longer paragraph.
        formatted = []
        for fragment in fragments:
            body = self.format_fragment(fragment, replace=replace).strip()
            before = fragment.text[: fragment.startchar]
            after = fragment.text[fragment.endchar :]
            # Whoosh cuts fragments at tokens, so a fragment that reaches the
            # paragraph's edge loses only its punctuation: put it back rather
            # than pretend that text was left out.
            if _WORD.search(before):
                body = "… " + body
            else:
                body = self._text(before.lstrip()) + body
            if _WORD.search(after):
                body += " …"
            else:
                body += self._text(after.rstrip())
            formatted.append(body)
        return " ".join(formatted).replace("… …", "…")


def snippet_html(
    searcher: Searcher, query: Query, text: str, *, whole: bool = False, extra: frozenset[str] = frozenset()
) -> str:
    """An HTML snippet of ``text`` with the words ``query`` matched marked.

    Short paragraphs (and any paragraph when ``whole``) are shown whole; long
    ones as up to three fragments around the matches.  ``extra`` holds more
    analysed words to mark (other spellings of a place the query names).
    """
    phrases = wanted_phrases(query)
    words = frozenset(
        t.decode("utf-8") if isinstance(t, bytes) else t for f, t in wanted_terms(query, phrases=False) if f == "text"
    )
    text_terms = extra | words
    if not text_terms and not phrases:
        return html.escape(text if whole else shorten(text), quote=False)
    fragmenter = (
        highlight.WholeFragmenter()
        if whole or len(text) <= SNIPPET_CHARS
        else highlight.ContextFragmenter(maxchars=220, surround=70)
    )
    analyzer = searcher.schema["text"].analyzer
    # Phrase-exact: a phrase's words are marked only where they stand as the
    # phrase; stop words are left out of the comparison as they are left out
    # of the phrase itself.
    tokens = analyzer(text, chars=True, mode="query", removestops=True)
    singles = [Term("text", word) for word in sorted(text_terms)]
    tokens = highlight.set_matched_filter_phrases(tokens, text, singles, phrases)
    fragments = highlight.top_fragments(
        fragmenter.fragment_tokens(text, tokens), 3, highlight.BasicFragmentScorer(), highlight.FIRST, 1
    )
    marked = _MarkFormatter()(text, fragments)
    return marked or html.escape(text if whole else shorten(text), quote=False)


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


__all__ = ["SNIPPET_CHARS", "shorten", "snippet_html", "wanted_phrases", "wanted_terms"]
