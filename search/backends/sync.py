"""The opensearch back end's writing half: push what the ingest indexed into the cluster, file by file.

The ingest runs as on the Whoosh back end, into the index in ``index_dir``:
repeat groups and years taken from the corpus are worked out against
everything indexed so far, so that index is the cluster's staging copy.
Its paragraphs then go to the cluster with the bulk API, by paragraph id
(loading twice replaces, never duplicates).  The cluster keeps its own
file list (``NAME-files``: each file's path and a digest of its
paragraphs as sent), so a run sends only files whose paragraphs changed
(new or edited content, a new date, a new repeat group) and deletes the
paragraphs of files that are gone.

A first run, and ``--rebuild``, write a new index named ``NAME-<time>``
(and ``NAME-<time>-files``) and then move the aliases ``NAME`` and
``NAME-files`` to them in one atomic ``_aliases`` call that also deletes
the old ones: until then searches see the old index, and a run that
fails leaves it untouched and deletes what it wrote.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Iterator

from ..config import Settings
from ..errors import ClusterRejected, SitrepError
from ..export import MAPPING, index_documents
from .cluster import BULK_TIMEOUT_S, GENERATION_ID, cluster_errors, connect, files_alias

BATCH_DOCUMENTS = 2_000  # paragraphs per bulk request
FILES_MAPPING = {
    "mappings": {"dynamic": "strict", "properties": {
        "path": {"type": "keyword"}, "digest": {"type": "keyword", "index": False},
        "paragraphs": {"type": "integer"}, "generation": {"type": "keyword"}}},
}
# One replica wherever a second node can hold it, none on a single node
# (whose health stays green): a cluster of two survives losing either.
INDEX_SETTINGS = {"number_of_shards": 1, "auto_expand_replicas": "0-1"}


@dataclass
class ClusterSummary:
    """What one push to the cluster did."""

    index: str
    files_sent: int = 0
    paragraphs_sent: int = 0
    files_removed: int = 0
    files_unchanged: int = 0
    rebuilt: bool = False

    def line(self) -> str:
        """The one-line summary the CLI prints under the index's."""
        how = "new index" if self.rebuilt else "updated"
        return (f"OpenSearch {self.index} ({how}): {self.files_sent} files sent ({self.paragraphs_sent} paragraphs), "
                f"{self.files_removed} removed, {self.files_unchanged} unchanged")


def _file_id(path: str) -> str:
    return hashlib.sha1(path.encode("utf-8", "surrogateescape")).hexdigest()


def _content_hash(doc: dict[str, Any]) -> str:
    # Not the order: it shifts whenever an earlier file changes, and a
    # file sent before keeps its place among the others.
    content = {key: value for key, value in doc.items() if key != "order"}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def local_files(settings: Settings) -> dict[str, tuple[str, int]]:
    """Path -> (digest of its paragraphs as sent, how many) for every file of the local index.

    Reads the index once, keeping one hash per paragraph, not the
    paragraphs: a push never holds the corpus in memory.
    """
    hashes: dict[str, list[str]] = {}
    # The analysed fields follow from the text and title, which are hashed.
    for doc in index_documents(settings, terms=False):
        hashes.setdefault(doc["path"] or "", []).append(_content_hash(doc))
    return {path: (hashlib.sha256("".join(sorted(found)).encode()).hexdigest(), len(found))
            for path, found in hashes.items()}


def _batches(settings: Settings, wanted: dict[str, tuple[str, int]]) -> Iterator[tuple[list[dict[str, Any]], list[str]]]:
    """(paragraphs, files completed by them) in bulk-sized batches, for the files in ``wanted``.

    A file is completed in the batch that holds its last paragraph; its
    entry in the file list is written only after that batch is in.
    """
    batch: list[dict[str, Any]] = []
    left = {path: count for path, (_, count) in wanted.items()}
    done: list[str] = []
    for doc in index_documents(settings):
        path = doc["path"] or ""
        if path not in left:
            continue
        batch.append(doc)
        left[path] -= 1
        if not left[path]:
            done.append(path)
        if len(batch) >= BATCH_DOCUMENTS:
            yield batch, done
            batch, done = [], []
    if batch or done:
        yield batch, done


def _file_entries(wanted: dict[str, tuple[str, int]], paths: list[str]) -> list[dict[str, Any]]:
    return [{"_id": _file_id(path), "_source": {"path": path, "digest": wanted[path][0],
                                                "paragraphs": wanted[path][1]}} for path in paths]


def _bulk(client: Any, settings: Settings, index: str, actions: list[dict[str, Any]]) -> None:
    """Send one bulk request; raise on the first document the cluster refused.

    :raises ClusterRejected: a document was refused (its id and the cluster's reason).
    """
    lines = []
    for action in actions:
        op = {key: value for key, value in action.items() if key.startswith("_") and key != "_source"}
        name = op.pop("_op_type", "index")
        lines.append(json.dumps({name: {"_index": index, **op}}))
        if name != "delete":
            lines.append(json.dumps(action["_source"], ensure_ascii=False))
    with cluster_errors(settings, "index the paragraphs"):
        answer = client.bulk(body="\n".join(lines) + "\n", request_timeout=BULK_TIMEOUT_S)
    if answer.get("errors"):
        for item in answer["items"]:
            result = next(iter(item.values()))
            if result.get("error") and not (result.get("status") == 404 and "delete" in item):
                error = result["error"]
                reason = f"{error.get('type')}: {error.get('reason')}" if isinstance(error, dict) else str(error)
                raise ClusterRejected(f"the OpenSearch cluster refused paragraph {result.get('_id')}: {reason}")


def push_to_cluster(
    settings: Settings, *, rebuild: bool = False,
    progress: Callable[[Iterable[Any], int], Iterable[Any]] | None = None,
) -> ClusterSummary:
    """Bring the cluster's index up to date with the local index (see the module docstring).

    :param rebuild: write a new index and swap the aliases to it, whatever the cluster holds.
    :param progress: wraps the bulk batches and their number, e.g. in a progress bar.
    :raises ClusterUnavailable: the cluster does not answer.
    :raises ClusterRejected: the cluster refused a document, an index or an alias change; with a
        new index nothing is changed (it is deleted), on an update the files not yet sent keep
        their old digest and the next run sends them.
    :raises IndexMissing: there is no local index to push.
    """
    client = connect(settings)
    alias, files = settings.opensearch_index, files_alias(settings)
    summary = ClusterSummary(alias)
    try:
        with cluster_errors(settings, "read its index list"):
            client.info()
            exists = client.indices.exists_alias(name=alias)
            if not exists and client.indices.exists(index=alias):
                raise ClusterRejected(
                    f"{alias!r} in the cluster at {settings.opensearch_url} is an index, not an alias; "
                    "delete it, or choose another --opensearch-index")
        local = local_files(settings)
        if rebuild or not exists:
            _new_index(client, settings, local, summary, progress)
        else:
            _update(client, settings, local, summary, progress)
        return summary
    finally:
        client.close()


def check_reachable(settings: Settings) -> None:
    """Ask the cluster who it is, so an unreachable one is named before the ingest runs.

    :raises ClusterUnavailable: nothing answers at ``opensearch_url``.
    """
    client = connect(settings)
    try:
        with cluster_errors(settings):
            client.info()
    finally:
        client.close()


def _wrap(progress, batches: Iterable, paragraphs: int) -> Iterable:
    count = -(-paragraphs // BATCH_DOCUMENTS)
    return progress(batches, count) if progress is not None and count else batches


def _stamp(client: Any, settings: Settings, files_index: str) -> None:
    """A new generation stamp: servers drop what they cached about the old one."""
    with cluster_errors(settings, "mark the new generation"):
        client.index(index=files_index, id=GENERATION_ID, body={"generation": uuid.uuid4().hex}, refresh=True)


def _new_index(client: Any, settings: Settings, local: dict, summary: ClusterSummary, progress) -> None:
    alias, files = settings.opensearch_index, files_alias(settings)
    version = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S%f")
    paragraphs_index, files_index = f"{alias}-{version}", f"{alias}-{version}-files"
    body = {"settings": {**MAPPING["settings"], "index": {**INDEX_SETTINGS, "refresh_interval": "-1"}},
            "mappings": MAPPING["mappings"]}
    with cluster_errors(settings, "create an index"):
        client.indices.create(index=paragraphs_index, body=body)
        client.indices.create(index=files_index, body={"settings": {"index": INDEX_SETTINGS}, **FILES_MAPPING})
    try:
        paragraphs = sum(count for _, count in local.values())
        for batch, done in _wrap(progress, _batches(settings, local), paragraphs):
            _bulk(client, settings, paragraphs_index, [{"_id": doc["id"], "_source": doc} for doc in batch])
            if done:
                _bulk(client, settings, files_index, _file_entries(local, done))
            summary.files_sent += len(done)
            summary.paragraphs_sent += len(batch)
        with cluster_errors(settings, "finish the new index"):
            client.indices.put_settings(index=paragraphs_index, body={"index": {"refresh_interval": None}})
            client.indices.refresh(index=paragraphs_index)
            counted = client.count(index=paragraphs_index)["count"]
        if counted != summary.paragraphs_sent:
            raise ClusterRejected(f"the new index {paragraphs_index} holds {counted} paragraphs, not "
                                  f"{summary.paragraphs_sent}; nothing was changed")
        _stamp(client, settings, files_index)
        with cluster_errors(settings, "move the aliases"):
            actions: list[dict[str, Any]] = []
            for name, new in ((alias, paragraphs_index), (files, files_index)):
                old = list(client.indices.get_alias(name=name)) if client.indices.exists_alias(name=name) else []
                actions += [{"remove_index": {"index": index}} for index in old]
                actions.append({"add": {"index": new, "alias": name}})
            client.indices.update_aliases(body={"actions": actions})
    except BaseException:
        # Nothing half-applied: the aliases still name the old index.  A
        # cluster that is gone keeps the unfinished index; the error said why.
        try:
            with cluster_errors(settings, "delete the unfinished index"):
                client.indices.delete(index=f"{paragraphs_index},{files_index}", ignore_unavailable=True)
        except SitrepError:
            pass
        raise
    summary.rebuilt = True


def _cluster_files(client: Any, settings: Settings) -> dict[str, str]:
    """Path -> digest of every file the cluster's file list holds."""
    found: dict[str, str] = {}
    after = None
    with cluster_errors(settings, "read its file list"):
        while True:
            body: dict[str, Any] = {"size": 1000, "sort": [{"path": "asc"}],
                                    "query": {"exists": {"field": "path"}}}
            if after is not None:
                body["search_after"] = after
            hits = client.search(index=files_alias(settings), body=body)["hits"]["hits"]
            for hit in hits:
                found[hit["_source"]["path"]] = hit["_source"]["digest"]
            if len(hits) < 1000:
                return found
            after = hits[-1]["sort"]


def _delete_where(client: Any, settings: Settings, index: str, query: dict[str, Any]) -> None:
    """Delete the paragraphs matching ``query`` by id with the bulk API.

    Not _delete_by_query: it lives in the reindex module, which a cluster
    may leave out (the test node does), and bulk deletes report each failure.
    """
    with cluster_errors(settings, "find the paragraphs to delete"):
        client.indices.refresh(index=index)
    while True:
        with cluster_errors(settings, "find the paragraphs to delete"):
            hits = client.search(index=index, body={"query": query, "size": BATCH_DOCUMENTS, "_source": False,
                                                    "sort": [{"id": "asc"}]})["hits"]["hits"]
        if not hits:
            return
        _bulk(client, settings, index, [{"_op_type": "delete", "_id": hit["_id"]} for hit in hits])
        with cluster_errors(settings, "delete paragraphs"):
            client.indices.refresh(index=index)


def _update(client: Any, settings: Settings, local: dict, summary: ClusterSummary, progress) -> None:
    alias, files = settings.opensearch_index, files_alias(settings)
    known = _cluster_files(client, settings)
    changed = {path: found for path, found in local.items() if known.get(path) != found[0]}
    removed = sorted(path for path in known if path not in local)
    summary.files_unchanged = len(local) - len(changed)
    sent: dict[str, list[str]] = {}  # path -> ids sent, until the file is complete
    for batch, done in _wrap(progress, _batches(settings, changed), sum(n for _, n in changed.values())):
        # New paragraphs first (by id: a paragraph kept is replaced in place),
        # then, once a file is complete, its paragraphs that are gone and its
        # digest: a run cut short sends the file again.
        _bulk(client, settings, alias, [{"_id": doc["id"], "_source": doc} for doc in batch])
        for doc in batch:
            sent.setdefault(doc["path"] or "", []).append(doc["id"])
        stale = [{"bool": {"filter": [{"term": {"path": path}}],
                           "must_not": [{"ids": {"values": sent[path]}}]}} for path in done if path in known]
        if stale:
            _delete_where(client, settings, alias, {"bool": {"should": stale}})
        if done:
            _bulk(client, settings, files, _file_entries(changed, done))
        for path in done:
            del sent[path]
        summary.files_sent += len(done)
        summary.paragraphs_sent += len(batch)
    if removed:
        for start in range(0, len(removed), 500):
            _delete_where(client, settings, alias, {"terms": {"path": removed[start:start + 500]}})
        _bulk(client, settings, files, [{"_op_type": "delete", "_id": _file_id(path)} for path in removed])
        summary.files_removed = len(removed)
    with cluster_errors(settings, "refresh the index"):
        client.indices.refresh(index=f"{alias},{files}")
    if changed or removed:
        _stamp(client, settings, files)


__all__ = ["ClusterSummary", "check_reachable", "push_to_cluster"]
