"""The Whoosh schema: every indexed field is declared here and nowhere else."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable

from whoosh.analysis import CharsetFilter, ShingleFilter, StemmingAnalyzer
from whoosh.columns import FixedBytesColumn, VarBytesColumn
from whoosh.fields import BOOLEAN, COLUMN, DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, FieldType, Schema
from whoosh.formats import Format, tokens
from whoosh.support.charset import accent_map

from ..ingest.fingerprint import BANDS, ROWS

# Bump when a field changes: an index built with another version asks for --rebuild.
SCHEMA_VERSION = 8

# Stemming lets "advancing" find "advanced"; accent folding lets "Kyiv" typed
# without diacritics find text written with them (and the reverse).
TEXT_ANALYZER = StemmingAnalyzer() | CharsetFilter(accent_map)
# Adjacent word pairs of the text, as single terms: a phrase becomes an AND of
# pair terms, one postings lookup each, instead of comparing word positions
# in every paragraph that has all the words (2-3 s for "Russian forces" at
# 100k paragraphs, where the pair lookup takes milliseconds).
PAIR_ANALYZER = TEXT_ANALYZER | ShingleFilter(2, " ")

# Facet fields hold several values separated by commas; topic and place names
# therefore must not contain commas (the taxonomy loader keeps them out).
SIGNATURE_BYTES = BANDS * ROWS * 4  # the minhash column: uint32 values

FACET_FIELDS = ("topic", "source", "place", "section", "label", "cited")


class Frequencies(Format):
    """Each posting's word frequency, kept once: as its weight, with no value bytes.

    Whoosh's ``Frequency`` format writes a posting's frequency twice, as
    its weight and again as four value bytes, which a block pickles through
    ``_codecs.encode`` (45 bytes for a posting alone).  Scoring reads the
    weight only (Whoosh's matchers and :mod:`search.index.postings`), so
    the values were a third of the ``pairs`` and ``text`` postings:
    40.2 -> 25.2 MB and 15.9 -> 10.6 MB at 100k paragraphs (schema 8, #17).
    """

    posting_size = 0  # no value bytes: a block stores None for them

    def __init__(self, field_boost: float = 1.0, **options: Any) -> None:
        self.field_boost = field_boost
        self.options = options

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterable[tuple[str, int, float, bytes]]:
        # Frequency.word_values, without the packed frequency.
        freqs: dict[Any, int] = defaultdict(int)
        weights: dict[Any, float] = defaultdict(float)
        kwargs["boosts"] = True
        for t in tokens(value, analyzer, kwargs):
            freqs[t.text] += 1
            weights[t.text] += t.boost
        return ((w, freq, weights[w] * self.field_boost, b"") for w, freq in freqs.items())

    def encode(self, value: Any) -> bytes:
        return b""

    def combine(self, vs: Iterable[bytes]) -> bytes:
        return b""


class WORDS(TEXT):  # noqa: N801 (named as Whoosh's field types)
    """A ``TEXT`` field without positions whose postings keep frequencies as weights only (:class:`Frequencies`)."""

    def __init__(self, analyzer, stored: bool = False) -> None:
        super().__init__(analyzer=analyzer, stored=stored, phrase=False)
        self.format = Frequencies(field_boost=self.format.field_boost)


class ID_COLUMN(FieldType):  # noqa: N801 (named as Whoosh's field types)
    """An identifier stored, and kept in a column (each document's value side by side), with no terms.

    Looked up by reading the column into numpy once per segment
    (:mod:`search.query.columns`), not through a term per value: ``id``
    and ``dup_group`` have about one distinct value per paragraph, and as
    terms (dictionary and postings) they were 23 MB of a 100k index,
    their columns 1.6 MB each (schema 8, #17).
    """

    indexed = False

    def __init__(self) -> None:
        self.stored = True
        self.column_type = VarBytesColumn()

    def to_bytes(self, value: str | bytes) -> bytes:
        return value if isinstance(value, bytes) else value.encode("utf-8")

    def from_bytes(self, value: bytes) -> str:
        return value.decode("utf-8")


def build_schema() -> Schema:
    """The schema of a Sitrep index (version :data:`SCHEMA_VERSION`)."""
    return Schema(
        # Found by id through its column (search/query/columns.py).
        id=ID_COLUMN(),
        report_id=ID(stored=True),
        # The report's own title; a title derived from the first sentence is
        # stored but not indexed.  Its weight in the score is a setting
        # (bm25_title_weight, search/query/scoring.py), not a field boost.
        title=TEXT(analyzer=TEXT_ANALYZER, stored=True),
        # No positions (schema 7): phrases are matched through ``pairs``
        # (search/query/parse.py), and positions were 46 MB of a 100k index (#17).
        # Frequencies as weights only (schema 8, :class:`Frequencies`).
        text=WORDS(TEXT_ANALYZER, stored=True),
        pairs=WORDS(PAIR_ANALYZER),
        # No column (schema 8): nothing sorts by source, and facets read its postings.
        source=ID(stored=True),
        topic=KEYWORD(stored=True, commas=True, scorable=False, lowercase=False),
        place=KEYWORD(stored=True, commas=True, scorable=False, lowercase=False),
        section=ID(stored=True),
        heading=STORED,
        label=ID(stored=True),
        cited=KEYWORD(stored=True, commas=True, scorable=False, lowercase=False),
        kind=ID(stored=True),
        position=NUMERIC(stored=True, sortable=True),
        date=DATETIME(stored=True, sortable=True),
        month=ID,
        day=ID,
        date_inferred=BOOLEAN(stored=True),
        date_basis=STORED,
        # Dates the paragraph mentions ("on December 13"), years from the report date.
        event_date=DATETIME,
        event_dates=STORED,
        footnotes=STORED,
        # [offset, note number] of each footnote marker taken out of ``text``
        # (schema 6): the report page puts the markers back as links.
        markers=STORED,
        url=STORED,
        # Repeated paragraphs: equal fingerprint after normalisation, or a
        # shared MinHash band plus word-pair Jaccard >= 0.6 (search/ingest/fingerprint.py).
        # ``dup_group`` is the fingerprint of the first paragraph of its group.
        # The MinHash signature is a column of BANDS * ROWS uint32 values
        # (schema 7), read into numpy by the next update to find candidates by
        # band key; as band terms and a stored list it was 130 MB of a 100k index (#17).
        # The fingerprint too is a column (8 bytes, its 16 hex digits), looked
        # up the same way; as a term it was 11 MB at 100k.  Stored for exports.
        # ``dup_group`` is a column with no terms (schema 8): collapsing,
        # counting groups and "also in" read the column (search/query/columns.py).
        fingerprint=STORED,
        fingerprint_key=COLUMN(FixedBytesColumn(8)),
        minhash=COLUMN(FixedBytesColumn(SIGNATURE_BYTES)),
        dup_group=ID_COLUMN(),
        path=ID(stored=True),
        file_hash=ID(stored=True),
        # "<hash> <path>" for each indexed file: reading this field's lexicon
        # lists the indexed files without touching stored documents.
        file_key=ID,
        # "corpus" where a date's year came from the most similar dated
        # report, "unknown" where none was found: such files are read again
        # when dated reports arrive, so the year never depends on the order
        # files were indexed in (#12).
        year_from=ID,
    )


def schema_signature(schema: Schema) -> list[tuple[str, str]]:
    """Field names and types, to tell whether an index on disk matches this code."""
    return sorted((name, type(field).__name__) for name, field in schema.items())
