"""Back ends: where paragraphs are indexed and searched, behind one small interface.

:class:`Backend` is the seam between the query layer's callers (the CLI and
the web app) and an index: search a query with filters, sort, paging and
collapse, with facet counts over all matches (multi-select), the date
histogram and highlighted snippets; fetch a report or a paragraph; more
like this; did you mean; and, through :func:`update_backend`, apply an
incremental update (add, replace and delete by file).  Two implementations:

* ``whoosh``: :class:`search.query.SearchIndex` over the index in ``index_dir``;
* ``opensearch``: :class:`ClusterIndex` (:mod:`search.backends.opensearch`)
  over a cluster, fed by :func:`search.backends.sync.push_to_cluster`.

Both take the same arguments, raise the same errors and return the same
dataclasses (search/query/results.py), so a caller never knows which one
it has.  May import every earlier stage (ingest only through index, query,
export); only ``search/__init__.py`` imports this package.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, Protocol

from ..config import Settings
from ..index import IndexSummary, check_index, update_index
from ..query import Hit, Report, SearchIndex, SearchPage
from ..taxonomy import Taxonomy
from .opensearch import ClusterIndex
from .sync import ClusterSummary, check_reachable, push_to_cluster


class Backend(Protocol):
    """What the CLI and the web app call on an index, whichever back end holds it."""

    settings: Settings
    taxonomy: Taxonomy

    def search(self, q: str = "", *, filters: Mapping[str, Iterable[str]] | None = None,
               date_from: str | None = None, date_to: str | None = None, sort: str = "relevance", page: int = 1,
               per_page: int | None = None, event_from: str | None = None, event_to: str | None = None,
               collapse: bool = False, literal: bool = False, exclude: Mapping[str, Iterable[str]] | None = None,
               group: str | None = None, interval: str = "auto") -> SearchPage: ...

    def iter_hits(self, q: str = "", *, filters: Mapping[str, Iterable[str]] | None = None,
                  date_from: str | None = None, date_to: str | None = None, event_from: str | None = None,
                  event_to: str | None = None, sort: str = "relevance", limit: int | None = None,
                  literal: bool = False, exclude: Mapping[str, Iterable[str]] | None = None) -> Iterator[Hit]: ...

    def newest_date(self) -> str | None: ...

    def more_like_this(self, paragraph_id: str, top: int = 10) -> list[Hit]: ...

    def suggest(self, q: str) -> str | None: ...

    def report(self, report_id: str, highlight_query: str = "", **search_state: object) -> Report: ...

    def paragraph(self, paragraph_id: str) -> Hit: ...

    def warm(self, postings_mb: int = 0) -> bool: ...

    def close(self) -> None: ...


def open_backend(settings: Settings) -> Backend:
    """The index ``settings.backend`` names: SearchIndex (whoosh) or ClusterIndex (opensearch).

    Nothing is read yet: a missing index or an unreachable cluster shows on
    the first search, as IndexMissing or ClusterUnavailable (both 503s).
    """
    if settings.backend == "opensearch":
        return ClusterIndex(settings)
    return SearchIndex(settings)


def check_backend(settings: Settings) -> None:
    """Refuse to serve what cannot be served: a damaged Whoosh index, or a cluster that does not answer.

    A Whoosh index that does not exist yet is fine (the page says so, 503).

    :raises IndexDamaged: a file of the Whoosh index cannot be read.
    :raises ClusterUnavailable: the cluster does not answer, or holds no Sitrep index.
    """
    if settings.backend == "opensearch":
        with ClusterIndex(settings) as index:
            index.check()
    else:
        check_index(settings.index_dir, deep=False, missing_ok=True)


def update_backend(
    settings: Settings, paths: Iterable[Path] | None = None, *, rebuild: bool = False,
    progress: Callable[[Iterable[Path]], Iterable[Path]] | None = None,
    push_progress: Callable[[Iterable, int], Iterable] | None = None,
) -> tuple[IndexSummary, ClusterSummary | None]:
    """Index report files into the configured back end; the cluster's summary is None for whoosh.

    The ingest always runs into the index in ``index_dir`` (for the
    opensearch back end that index is the staging copy the cluster is
    brought level with; see :mod:`search.backends.sync`).

    :raises: what :func:`update_index` and :func:`push_to_cluster` raise.
    """
    if settings.backend == "opensearch":
        check_reachable(settings)  # before the ingest, not after it
    summary = update_index(settings, paths, rebuild=rebuild, progress=progress)
    if settings.backend != "opensearch":
        return summary, None
    return summary, push_to_cluster(settings, rebuild=rebuild, progress=push_progress)


__all__ = ["Backend", "ClusterIndex", "ClusterSummary", "check_backend", "open_backend", "push_to_cluster", "update_backend"]
