"""More like this: the paragraphs most similar to one paragraph."""

from __future__ import annotations

import html

import numpy as np
from whoosh.query import Or, Term

from ..errors import ParagraphNotFound
from .generation import _Generation
from .ranking import top_documents
from .results import Hit, hit_from_fields
from .snippets import shorten


def more_like(gen: _Generation, paragraph_id: str, top: int) -> list[Hit]:
    """Up to ``top`` paragraphs most like ``paragraph_id`` by its most distinctive words, repeats of it left out.

    :raises ParagraphNotFound: no paragraph has that id.
    """
    searcher = gen.searcher
    docnum = gen.document_number(paragraph_id)
    if docnum is None:
        raise ParagraphNotFound(f"no paragraph {paragraph_id!r} in the index")
    own = searcher.stored_fields(docnum)
    # Whoosh's more_like: an OR of the key terms, each boosted by its
    # weight.  Scored here with array operations over cached postings (the
    # same BM25F): Whoosh's matchers took 4-6 s for the common words a
    # paragraph's key terms include at 100k paragraphs (#17).
    key_terms = searcher.key_terms_from_text("text", own["text"], numterms=15, normalize=False)
    query = Or([Term("text", word, boost=weight) for word, weight in key_terms])
    matched = gen.matches(query)
    if matched is None:  # not expected for an OR of terms; Whoosh's answer is the same
        ranked = [(result.docnum, result.score) for result in searcher.search(query, limit=top * 2, mask={docnum})]
    else:
        matched.mask[docnum] = False
        numbers = top_documents(matched.scores, np.flatnonzero(matched.mask), top * 2)
        ranked = [(int(n), float(matched.scores[n])) for n in numbers]
    hits = []
    for number, score in ranked:
        fields = searcher.stored_fields(number)
        if fields.get("dup_group") == own.get("dup_group"):
            continue
        hits.append(hit_from_fields(fields, html.escape(shorten(fields["text"]), quote=False), score))
        if len(hits) == top:
            break
    return hits


__all__ = ["more_like"]
