"""Topics, places and sources: the vocabularies a paragraph is tagged with.

Three TOML files feed this package (read with the standard library):
``taxonomy.toml`` maps topics to words and phrases, ``places.toml`` is the
gazetteer of places with their spelling variants, and ``sources.toml`` names
the publishers.  The taxonomy and the gazetteer can be replaced by the user
(``--taxonomy`` / ``SITREP_TAXONOMY``, ``--gazetteer`` / ``SITREP_GAZETTEER``).

Modules: :mod:`.tagger` (the :class:`Taxonomy` and its loading),
:mod:`.vocabulary` (finding a vocabulary's words in text) and
:mod:`.spelling` (misspelt place names).  Shared by ingest (tagging) and
query (place names in queries); imports only ``search.config`` and
``search.errors``.
"""

from .spelling import NearMisses, within_one_edit
from .tagger import SOURCES_FILE, Name, Place, Tags, Taxonomy, load_taxonomy
from .vocabulary import Vocabulary

__all__ = ["SOURCES_FILE", "Name", "NearMisses", "Place", "Tags", "Taxonomy", "Vocabulary", "load_taxonomy", "within_one_edit"]
