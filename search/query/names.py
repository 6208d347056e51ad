"""Names as people type them: place spellings, adjectival forms and misspelt places, rewritten visibly.

A query's words (outside quotes, brackets and field values) that spell a
name of the gazetteer or of a taxonomy entity, in any spelling or as its
adjective ("Kiev", "DPRK", "North Korean"), find every form of the name:
the words typed and the name's adjectives match as text, the paragraphs
tagged with the place match through the tag (the tagger reads a spelling
as the place only where it names it, and knows misspellings and lists of
oblasts), and the place's other spellings rank what matches.  Every hit is
scored by BM25 over the words it holds, never a constant.  A word one edit
from a place that the index does not know, or holds in a few paragraphs
only while the place is in many ("Torestk"), is corrected to the place.
Every rewrite is returned, so the page and the JSON say what was searched
and link to the query taken literally (#15).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..index import TEXT_ANALYZER
from ..taxonomy import Name, Taxonomy

# A word one edit from a place is misspelt when it is in at most this many
# paragraphs and the place is in more.  The tagger reads a capitalised
# misspelling as the place at index time, so the place's paragraphs include
# the misspelt ones: even in a small corpus where "Torestk" is in one
# paragraph and Toretsk in two, Toretsk is what was meant (#15).
RARE_DOCS = 2
MAX_NAME_WORDS = 6  # "Democratic People's Republic of Korea"
OTHER_FORM_BOOST = 0.5  # measured on bench/data's ISW judgements, see _forms_query

_BARE_WORD = re.compile(r"(?<![\w:*?~'’-])([^\W\d_][\w'’-]*)(?![\w*?~:'’-])")
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
# Quoted phrases and bracketed ranges (date:[a to b]) are taken as written.
_LITERAL_PARTS = re.compile(r'("[^"]*"|\[[^\]]*\])')


@dataclass(frozen=True)
class Rewrite:
    """One name of a query and the forms it was searched as."""

    typed: str
    searched: tuple[str, ...]
    kind: str  # "spelling": a misspelt place corrected; "name": other forms of a name added

    def to_json(self) -> dict[str, Any]:
        """``{"typed", "searched", "kind"}`` as README.md ("JSON API") documents."""
        return {"typed": self.typed, "searched": list(self.searched), "kind": self.kind}


@dataclass(frozen=True)
class Rewritten:
    """A query with its names rewritten: ``text`` for the parser, ``shown`` for people."""

    text: str
    shown: str
    rewrites: tuple[Rewrite, ...] = ()

    @property
    def corrected(self) -> bool:
        """True when a word was replaced by another (not only joined by other forms)."""
        return any(r.kind == "spelling" for r in self.rewrites)


def rewrite_names(text: str, taxonomy: Taxonomy, reader: Any, max_percent: int = 20) -> Rewritten:
    """Rewrite the names in ``text`` (see the module docstring); ``text`` unchanged when there are none.

    ``reader`` is the generation's index reader, or anything with its
    ``doc_count()`` and ``doc_frequency()`` (the generation's remembered
    :class:`~search.query.ranking.TermFrequencies`): document frequencies
    decide which forms are worth searching.  An adjectival form joins a
    search for the name, and the name one for the adjective, only when
    neither is in more than ``max_percent`` % of all paragraphs (0 %:
    never): in ISW's reports "Russian" is in nine paragraphs of ten, and
    would flood a search for Russia.  Never raises: text the parser will
    refuse comes back as it was.
    """
    stats = _Stats(reader, max_percent)
    rewrites: list[Rewrite] = []
    parsed: list[str] = []
    shown: list[str] = []
    for index, piece in enumerate(_LITERAL_PARTS.split(text)):
        # A quoted phrase is searched as written: quoting is how to ask for
        # one name's exact words ("North Korean") in a query whose other
        # names are rewritten.
        found = None if index % 2 else _rewrite_words(piece, taxonomy, stats)
        if found is None:
            parsed.append(piece)
            shown.append(piece)
        else:
            parsed.append(found[0])
            shown.append(found[1])
            rewrites.extend(found[2])
    return Rewritten("".join(parsed), "".join(shown), tuple(r for r in rewrites if r.searched != (r.typed,)))


class _Stats:
    """Document frequencies of words and phrases in one generation, each looked up once."""

    def __init__(self, reader: Any, max_percent: int) -> None:
        self.reader = reader
        self.max_percent = max_percent
        self.limit = reader.doc_count() * max_percent / 100
        self._seen: dict[str, int] = {}

    def floods(self, form: str) -> bool:
        """True when ``form`` is too common to join a search for another form of its name."""
        docs = self.docs(form)
        return not self.max_percent or docs > self.limit

    def docs(self, form: str) -> int:
        """Paragraphs holding ``form`` (for a phrase, its rarest word pair: an upper bound)."""
        if form not in self._seen:
            words = [t.text for t in TEXT_ANALYZER(form)]
            if not words:
                count = 0
            elif len(words) == 1:
                count = self.reader.doc_frequency("text", words[0])
            else:
                count = min(self.reader.doc_frequency("pairs", f"{a} {b}") for a, b in zip(words, words[1:]))
            self._seen[form] = count
        return self._seen[form]

    def place_docs(self, name: str) -> int:
        return self.reader.doc_frequency("place", name)


def _rewrite_words(piece: str, taxonomy: Taxonomy, stats: _Stats) -> tuple[str, str, list[Rewrite]] | None:
    """Names among the bare words of ``piece`` (runs of words with only spaces between them), longest first."""
    words = [m for m in _BARE_WORD.finditer(piece) if not (m.group(1).isupper() and m.group(1) in _OPERATORS)]
    if not words:
        return None
    parsed, shown, rewrites = [], [], []
    done = 0  # characters of piece already copied
    i = 0
    while i < len(words):
        found = None
        # The longest run of adjacent words from here that spells a name.
        last = i
        while last + 1 < len(words) and last + 1 - i < MAX_NAME_WORDS and not piece[words[last].end() : words[last + 1].start()].strip():
            last += 1
        for j in range(last, i - 1, -1):
            typed = piece[words[i].start() : words[j].end()]
            name = taxonomy.name_of(typed)
            if name is not None:
                found = (j, _name_rewrite(typed, *name, stats))
                break
        if found is None:
            typed = words[i].group(1)
            found = (i, _spelling_rewrite(typed, taxonomy, stats))
        j, rewrite = found
        if rewrite is not None:
            start, end = words[i].start(), words[j].end()
            parsed.append(piece[done:start] + rewrite[0])
            shown.append(piece[done:start] + rewrite[1])
            rewrites.append(rewrite[2])
            done = end
        i = j + 1  # a name's own words are not names again ("Korea" in "North Korea")
    if not rewrites:
        return None
    return "".join(parsed) + piece[done:], "".join(shown) + piece[done:], rewrites


def _name_rewrite(typed: str, name: Name, adjective: bool, stats: _Stats) -> tuple[str, str, Rewrite] | None:
    same, other = (name.adjectives, name.spellings) if adjective else (name.spellings, name.adjectives)
    forms = [typed]
    known = {typed.casefold()}
    for form in same:
        if stats.docs(form) and form.casefold() not in known:
            forms.append(form)
            known.add(form.casefold())
    # The other side (adjectives for a name, the name for an adjective)
    # only while neither floods the search: "Russian" would swamp a search
    # for Russia, and a form as common as "Russian" itself is no name
    # anyone needs more recall for.
    added = []
    for form in () if stats.floods(typed) else other:
        if stats.docs(form) and not stats.floods(form) and form.casefold() not in known:
            added.append(form)
            known.add(form.casefold())
    forms.extend(added)
    # A paragraph tagged with the place matches: the tagger reads each
    # spelling where it names the place ("Dnipropetrovsk" in "Dnipropetrovsk
    # Oblast" is the oblast, not the city of Dnipro), so the place's other
    # spellings only score what matches, while adjectives, which never tag,
    # match as text.  Not for an adjective whose name is too common to add:
    # the tag would flood as the name would.
    tagged = name.is_place and (not adjective or bool(added)) and stats.place_docs(name.label) > 0
    if forms == [typed] and not tagged:
        return None
    spellings = {s.casefold() for s in name.spellings} if tagged else set()
    matching = [f for f in forms if f == typed or f.casefold() not in spellings]
    scoring = [f for f in forms if f != typed and f.casefold() in spellings]
    query = _forms_query(matching, scoring, name.label if tagged else None)
    return query, _shown(forms), Rewrite(typed, tuple(forms), "name")


def _spelling_rewrite(typed: str, taxonomy: Taxonomy, stats: _Stats) -> tuple[str, str, Rewrite] | None:
    """A misspelt place: unknown to the index, or rare while the place is common ("Torestk")."""
    place = taxonomy.near_place(typed)
    if place is None:
        return None
    seen = stats.docs(typed)
    if seen > RARE_DOCS:
        return None
    spellings = taxonomy.names[place].spellings
    forms = [f for f in spellings if stats.docs(f)]
    place_docs = stats.place_docs(place)
    if seen == 0:
        worth = bool(forms) or place_docs > 0
    else:
        worth = max([place_docs, *map(stats.docs, forms)]) > seen
    if not worth:
        return None
    shown = forms or [place]
    # The tag finds the place where the tagger read it; its spellings rank.
    query = _forms_query([], forms, place, boost=1.0) if place_docs else _forms_query(shown, [], None)
    return query, _shown(shown), Rewrite(typed, tuple(shown), "spelling")


def _quoted(form: str) -> str:
    # A form of several words, or with characters the query language reads
    # (an apostrophe, a hyphen), is a phrase; an operator word is quoted too.
    if re.fullmatch(r"[^\W\d_]\w*", form) and form not in _OPERATORS:
        return form
    return '"' + form.replace('"', "") + '"'


def _forms_query(matching: list[str], scoring: list[str], place: str | None, boost: float = 0.0) -> str:
    """``((typed OR adjective OR place tag) ANDMAYBE (other spellings))``: what matches, and what only scores.

    Forms other than the one typed count :data:`OTHER_FORM_BOOST` as much
    (or ``boost``: a correction's forms are what was meant): the word typed
    is the surest sign of what was meant.
    """
    boost = boost or OTHER_FORM_BOOST
    parts = [_quoted(f) if i == 0 else f"{_quoted(f)}^{boost}" for i, f in enumerate(matching)]
    if place is not None:
        # Grouped: Whoosh reads a boost after a quoted field value only so;
        # boost 0: the tag matches, only words score.
        parts.append(f'(place:"{place}")^0')
    query = parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"
    if scoring:
        ranked = " OR ".join(_quoted(f) for f in scoring)
        query = f"({query} ANDMAYBE ({ranked})^{boost})"
    return query


def _shown(forms: list[str]) -> str:
    parts = [_quoted(f) for f in forms]
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


__all__ = ["RARE_DOCS", "Rewrite", "Rewritten", "rewrite_names"]
