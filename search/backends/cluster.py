"""The connection to an OpenSearch cluster: the client, the index and alias names, and its errors as ours.

Every call the opensearch back end makes goes through :func:`cluster_errors`,
so an unreachable cluster, a missing index or a refused request reaches the
CLI as one ``Error:`` line and the web as a JSON 503 or 400, never a
traceback.  opensearch-py is imported here, on first use only: a Whoosh
server or index run never loads it.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from ..config import Settings
from ..errors import BadInput, ClusterRejected, ClusterUnavailable

# Seconds a request may take before the cluster counts as unreachable; a
# bulk request or a delete-by-query gets BULK_TIMEOUT_S.
TIMEOUT_S = 10
BULK_TIMEOUT_S = 120
GENERATION_ID = "generation"  # the one document of NAME-files that is not a file


def cluster_urls(settings: Settings) -> list[str]:
    """The node URLs of ``settings.opensearch_url`` (comma-separated: the client fails over between them)."""
    return [url for url in settings.opensearch_url.split(",") if url]


def files_alias(settings: Settings) -> str:
    """The alias of the index holding the file list (path, digest) beside the paragraphs."""
    return f"{settings.opensearch_index}-files"


def connect(settings: Settings) -> Any:
    """An ``opensearchpy.OpenSearch`` client for the cluster (no request is made yet)."""
    from opensearchpy import OpenSearch

    return OpenSearch(hosts=cluster_urls(settings), timeout=TIMEOUT_S, max_retries=1, retry_on_timeout=True)


def _reason(error: Any) -> str:
    """The cluster's own words for a refused request: the root cause's type and reason."""
    info = getattr(error, "info", None)
    if isinstance(info, dict):
        found = info.get("error")
        if isinstance(found, dict):
            causes = found.get("root_cause") or [found]
            cause = causes[0] if causes else found
            return f"{cause.get('type', 'error')}: {cause.get('reason', '')}".strip()
        if found:
            return str(found)
    return str(getattr(error, "error", "") or error)


@contextmanager
def cluster_errors(settings: Settings, doing: str = "search") -> Iterator[None]:
    """Turn opensearch-py's exceptions inside the block into Sitrep's errors.

    :raises ClusterUnavailable: nothing answers at ``opensearch_url``, the
        index does not exist, or the cluster cannot serve it (no shard left,
        overloaded, timed out).
    :raises BadInput: the cluster refused a query it found malformed (400).
    :raises ClusterRejected: the cluster refused a write.
    """
    from opensearchpy import exceptions

    url = settings.opensearch_url
    try:
        yield
    except exceptions.ConnectionTimeout:
        # A node answers but the cluster cannot do it: typically a node down
        # and no cluster manager left to accept writes.
        raise ClusterUnavailable(
            f"the OpenSearch cluster at {url} did not {doing} within its timeout; a node may be down or the "
            "cluster may have no cluster manager (see its /_cluster/health)"
        ) from None
    except exceptions.ConnectionError as error:  # ConnectionTimeout and SSLError are subclasses
        raise ClusterUnavailable(
            f"cannot reach the OpenSearch cluster at {url}{'' if doing == 'search' else ' to ' + doing} "
            f"({type(error).__name__}); start it, or point "
            "--opensearch-url (SITREP_OPENSEARCH_URL) at a node that answers"
        ) from None
    except exceptions.NotFoundError as error:
        if "index_not_found" in _reason(error):
            raise ClusterUnavailable(
                f"no Sitrep index {settings.opensearch_index!r} in the OpenSearch cluster at {url}; "
                "run `sitrep index --backend opensearch` first"
            ) from None
        raise ClusterRejected(f"the OpenSearch cluster at {url} could not {doing}: {_reason(error)}") from None
    except exceptions.TransportError as error:
        status = error.status_code if isinstance(error.status_code, int) else 0
        if status == 400 and doing == "search":
            raise BadInput(f"the OpenSearch cluster refused the query: {_reason(error)}") from None
        if 400 <= status < 500 and status != 429 and doing != "search":
            raise ClusterRejected(f"the OpenSearch cluster at {url} refused to {doing}: {_reason(error)}") from None
        raise ClusterUnavailable(
            f"the OpenSearch cluster at {url} cannot {doing} now (HTTP {status or '?'}: {_reason(error)})"
        ) from None


__all__ = ["BULK_TIMEOUT_S", "GENERATION_ID", "cluster_errors", "cluster_urls", "connect", "files_alias"]
