"""More like this: the paragraphs most similar to one paragraph."""

from __future__ import annotations

import html

from ..errors import ParagraphNotFound
from .generation import _Generation
from .results import Hit, hit_from_fields
from .snippets import shorten


def more_like(gen: _Generation, paragraph_id: str, top: int) -> list[Hit]:
    """Up to ``top`` paragraphs most like ``paragraph_id`` by its most distinctive words, repeats of it left out.

    :raises ParagraphNotFound: no paragraph has that id.
    """
    searcher = gen.searcher
    docnum = next(iter(searcher.document_numbers(id=paragraph_id)), None)
    if docnum is None:
        raise ParagraphNotFound(f"no paragraph {paragraph_id!r} in the index")
    own = searcher.stored_fields(docnum)
    similar = searcher.more_like(docnum, "text", text=own["text"], top=top * 2, numterms=15)
    hits = []
    for result in similar:
        if result.get("dup_group") == own.get("dup_group"):
            continue
        hits.append(hit_from_fields(result.fields(), html.escape(shorten(result["text"]), quote=False), result.score))
        if len(hits) == top:
            break
    return hits


__all__ = ["more_like"]
