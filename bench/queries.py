"""Benchmark queries drawn from a corpus's own term distribution, the same for every engine.

    from queries import draw_queries
    mix = draw_queries(records, 300, seed=3)

``records`` are the paragraphs as Sitrep's ingest reads them (anything with
``text``, ``title``, ``topics``, ``places``, ``source`` and ``date``), read
once as a stream, so a million of them need not be held in memory.  Each
query is a dict: ``kind``, ``q`` and, where the kind calls for them,
``topic`` / ``source`` / ``place`` (lists), ``from`` / ``to`` (ISO dates)
and ``collapse`` (True).  Every query differs from every other in what it
asks (the kind is only a label), so a server's result cache never answers
one from another.

Kinds (equal shares while each has distinct queries left to give):

``common``   one word in at least 5% of paragraphs
``mid``      one word in 0.5–5% of paragraphs
``rare``     one word in under 0.1% of paragraphs; at least half of them in 1–10
``question`` a plain 2–6-word question of corpus words and a place
             ("what happened near Pokrovsk", "North Korean troops in Kursk Oblast")
``phrase``   2–4 consecutive words of a paragraph, quoted
``filter``   a word with a topic, source or place filter, or a filter alone
``date``     a word or place within a month or a quarter of report dates
``collapse`` a word or question with repeats collapsed

Deterministic: the same records, count and seed give the same list.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from typing import Any, Iterable
from urllib.parse import urlencode

from whoosh.analysis import STOP_WORDS as WHOOSH_STOP_WORDS

KINDS = ("common", "mid", "rare", "question", "phrase", "filter", "date", "collapse")
COMMON_SHARE = 0.05
MID_SHARE = 0.005
RARE_SHARE = 0.001  # "truly rare": in fewer than 0.1% of paragraphs
SAMPLE_PARAGRAPHS = 4000  # reservoir of texts phrases and questions are cut from
# Words no one searches for alone: ours, and Whoosh's list that Sitrep's
# analyzer drops ("may" is one), so no single-word query is all stop words.
STOP_WORDS = frozenset(
    "the of and in to a an on at by for from with near that this these those is are was were be been has have "
    "had it its as or not but their they them there which who whom what when where how did does do into over "
    "about after before than then also".split()
) | WHOOSH_STOP_WORDS
QUESTION_TEMPLATES = (
    "what happened near {place}",
    "{subject} in {place}",
    "{subject} near {place}",
    "{word} near {place}",
    "where did {subject} {word}",
    "{word} {word} {place}",
    "were there {word} {word} in {place}",
    "{subject} {word} {place}",
)
WORD = re.compile(r"[^\W\d_]+")


class _CorpusProfile:
    """What one pass over the records keeps: document frequencies, facet values, a sample of texts."""

    def __init__(self, records: Iterable[Any], seed: int) -> None:
        rng = random.Random(seed)
        self.paragraphs = 0
        self.df: Counter[str] = Counter()
        self.topics: Counter[str] = Counter()
        self.places: Counter[str] = Counter()
        self.sources: Counter[str] = Counter()
        self.months: Counter[str] = Counter()
        self.sample: list[str] = []
        for record in records:
            self.paragraphs += 1
            words = {w for w in WORD.findall(f"{record.title} {record.text}".lower()) if len(w) >= 3}
            self.df.update(words)
            self.topics.update(record.topics)
            self.places.update(record.places)
            self.sources[record.source] += 1
            if record.date:
                self.months[record.date.isoformat()[:7]] += 1
            # Reservoir sampling: every paragraph equally likely to be kept.
            if len(self.sample) < SAMPLE_PARAGRAPHS:
                self.sample.append(record.text)
            else:
                slot = rng.randrange(self.paragraphs)
                if slot < SAMPLE_PARAGRAPHS:
                    self.sample[slot] = record.text

    def band(self, low: float, high: float) -> list[str]:
        """Words (not stop words) in at least ``low`` and under ``high`` of the paragraphs, most frequent first."""
        n = self.paragraphs
        return sorted((w for w, c in self.df.items() if low * n <= c < high * n and w not in STOP_WORDS),
                      key=lambda w: (-self.df[w], w))


def draw_queries(records: Iterable[Any], count: int, seed: int = 3) -> list[dict]:
    """``count`` distinct queries of every kind in :data:`KINDS`, drawn from ``records``.

    Kinds take turns; a kind that has run out of distinct queries (a small
    corpus has few common words) leaves its turns to the others, so the
    list may hold fewer of it than of the rest.

    :raises ValueError: the records cannot give ``count`` distinct queries.
    """
    profile = _CorpusProfile(records, seed)
    if not profile.paragraphs:
        raise ValueError("no records to draw queries from")
    rng = random.Random(seed)
    common = profile.band(COMMON_SHARE, 2.0)
    mid = profile.band(MID_SHARE, COMMON_SHARE)
    rare = profile.band(0, RARE_SHARE)
    rarest = [w for w in rare if profile.df[w] <= 10]
    rng.shuffle(rare)
    rng.shuffle(rarest)
    places = sorted(profile.places)
    topics = sorted(profile.topics)
    sources = sorted(profile.sources)
    months = sorted(profile.months)
    # Who a question asks about: the corpus's most frequent "Name word" pairs
    # ("Russian forces", "Korean troops"), as an analyst would type them.
    pairs = Counter(m.group(0) for text in profile.sample
                    for m in re.finditer(r"\b(?:[A-Z][a-z]+ ){1,2}[a-z]{4,}\b", text)
                    if m.group(0).split()[0].lower() not in STOP_WORDS and m.group(0).split()[-1] not in STOP_WORDS)
    subjects = sorted(pair for pair, _ in pairs.most_common(40))
    searchable = common + mid

    def weighted(words: list[str]) -> str:
        # Words drawn as often as the corpus uses them, as people search.
        return rng.choices(words, weights=[profile.df[w] for w in words])[0]

    rare_turn = [0]

    def rare_query() -> dict | None:
        # Alternate the rarest (1-10 paragraphs) with the rest of the rare band.
        rare_turn[0] += 1
        pool = rarest if rare_turn[0] % 2 and rarest else rare
        pool = pool or rarest
        return {"q": pool.pop()} if pool else None

    def question() -> str | None:
        template = rng.choice(QUESTION_TEMPLATES)
        words = iter([weighted(searchable) for _ in range(2)])
        text = template.format_map(_Fill(lambda key: {
            "place": lambda: rng.choice(places) if places else weighted(mid or common),
            "subject": lambda: rng.choice(subjects) if subjects else weighted(common),
            "word": lambda: next(words),
        }[key]()))
        return text if 2 <= len(text.split()) <= 6 else None

    def phrase() -> str | None:
        # Whitespace tokens, so words a footnote marker or a number separates are never taken as adjacent.
        tokens = rng.choice(profile.sample).split()
        size = rng.randint(2, 4)
        if len(tokens) < size:
            return None
        start = rng.randrange(len(tokens) - size + 1)
        chosen = tokens[start:start + size]
        chosen[-1] = chosen[-1].rstrip(".,;:")
        if not all(WORD.fullmatch(token) for token in chosen):
            return None
        if chosen[0].lower() in STOP_WORDS or chosen[-1].lower() in STOP_WORDS:
            return None
        return '"' + " ".join(chosen) + '"'

    def period() -> dict:
        month = rng.choice(months)
        year, first = int(month[:4]), int(month[5:])
        last = first if rng.random() < 0.5 else min(12, first + 2)  # a month or a quarter
        end_day = 31 if last in (1, 3, 5, 7, 8, 10, 12) else 30 if last != 2 else 28
        return {"from": f"{year}-{first:02d}-01", "to": f"{year}-{last:02d}-{end_day:02d}"}

    def filtered() -> dict:
        facet, values = rng.choice([(f, v) for f, v in (("topic", topics), ("source", sources), ("place", places)) if v])
        # One in five is the filter alone, as a user browsing a place or topic.
        return {"q": weighted(searchable) if rng.random() < 0.8 else "", facet: [rng.choice(values)]}

    makers = {
        "common": lambda: {"q": weighted(common)} if common else None,
        "mid": lambda: {"q": weighted(mid)} if mid else None,
        "rare": rare_query,
        "question": lambda: (lambda q: {"q": q} if q else None)(question()),
        "phrase": lambda: (lambda p: {"q": p} if p else None)(phrase()),
        "filter": filtered,
        "date": lambda: {"q": rng.choice(places) if places and rng.random() < 0.5 else weighted(searchable),
                         **period()} if months else None,
        "collapse": lambda: {"q": (weighted(searchable) if rng.random() < 0.6 else question()) or weighted(searchable),
                             "collapse": True},
    }
    seen: set[str] = set()
    queries: list[dict] = []
    failures = Counter()
    live = list(KINDS)
    while len(queries) < count and live:
        for kind in list(live):
            if len(queries) >= count:
                break
            for _ in range(50):
                query = makers[kind]()
                key = query_key(query) if query else None
                if key and key not in seen:
                    seen.add(key)
                    queries.append({"kind": kind, **query})
                    break
            else:
                failures[kind] += 1
                if failures[kind] >= 4:
                    live.remove(kind)
    if len(queries) < count:
        raise ValueError(f"the corpus gives only {len(queries)} distinct queries, not {count}")
    return queries


class _Fill(dict):
    """str.format_map mapping that makes each placeholder's value afresh."""

    def __init__(self, make) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key: str) -> str:
        return self.make(key)


def query_key(query: dict) -> str:
    """What a query asks, without its kind label: equal keys would be answered alike."""
    return json.dumps({k: v for k, v in query.items() if k != "kind"}, sort_keys=True)


def search_arguments(query: dict) -> dict:
    """Keyword arguments for Sitrep's ``SearchIndex.search``."""
    filters = {name: query[name] for name in ("topic", "source", "place") if name in query}
    return {"filters": filters or None, "date_from": query.get("from"), "date_to": query.get("to"),
            "collapse": bool(query.get("collapse"))}


def request_path(query: dict, api: bool = True) -> str:
    """The query as a URL path: ``/api/search?...`` or the search page ``/?...``."""
    # No empty q: the page redirects a URL with empty parameters to the one without.
    params = [("q", query["q"])] if query["q"] else []
    for name in ("topic", "source", "place"):
        params += [(name, value) for value in query.get(name, ())]
    params += [(name, query[name]) for name in ("from", "to") if name in query]
    if query.get("collapse"):
        params.append(("collapse", "true"))
    return ("/api/search?" if api else "/?") + urlencode(params)


def document_frequencies(records: Iterable[Any]) -> tuple[int, Counter]:
    """(paragraphs, word -> paragraphs holding it), counted as :func:`draw_queries` counts."""
    profile = _CorpusProfile(records, seed=0)
    return profile.paragraphs, profile.df
