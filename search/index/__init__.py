"""The index stage: the schema, analysis and segment writing, and the only code that writes the index.

Report files come in as :class:`~search.ingest.ParagraphDoc` records
(:mod:`search.index.update` runs the incremental update, committing in
batches; :mod:`search.index.rebuild` builds beside and swaps) and go out as a
Whoosh index on disk that :mod:`search.query` opens with :func:`open_index`.

May import: whoosh, numpy, ``search.ingest`` and the top-level modules of
``search`` (config, errors, dates, taxonomy, numbers).  Never
``search.query``, ``search.export``, ``search.cli`` or ``web``: year
inference asks :func:`dated_neighbour` here, not the query stage.
"""

from .damage import file_problem
from .integrity import IndexHealth, check_index, damage_of, explain_damage
from .neighbours import dated_neighbour
from .open import VERSION_FILE, create_index, index_identity, indexed_files, open_index
from .records import record_fields
from .schema import FACET_FIELDS, PAIR_ANALYZER, SCHEMA_VERSION, TEXT_ANALYZER, build_schema
from .storage import INDEX_NAME
from .update import IndexSummary, update_index

__all__ = [
    "FACET_FIELDS",
    "INDEX_NAME",
    "IndexHealth",
    "IndexSummary",
    "PAIR_ANALYZER",
    "SCHEMA_VERSION",
    "TEXT_ANALYZER",
    "VERSION_FILE",
    "build_schema",
    "check_index",
    "create_index",
    "damage_of",
    "dated_neighbour",
    "explain_damage",
    "file_problem",
    "index_identity",
    "indexed_files",
    "open_index",
    "record_fields",
    "update_index",
]
