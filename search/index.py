"""Create, open and update the Whoosh index: the only module that writes it.

Updates are incremental: each indexed file is remembered by its path and
content hash (the ``file_key`` field), so a run reads only new and changed
files and deletes the paragraphs of files that are gone.  Every change is
committed by Whoosh atomically; a file is either fully in a generation or not.
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import Index, LockError

from .config import Settings
from .errors import IndexBusy, IndexMissing, SchemaChanged
from .fingerprint import is_near
from .ingest import (
    FileDraft,
    ParagraphDoc,
    SkipFile,
    file_hash,
    find_report_files,
    paragraph_docs,
    read_report_file,
)
from .schema import SCHEMA_VERSION, build_schema, schema_signature
from .taxonomy import Taxonomy, load_taxonomy

VERSION_FILE = "SITREP_SCHEMA"
WRITER_TIMEOUT_S = 10.0


@dataclass
class IndexSummary:
    """What one `sitrep index` run did."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    paragraphs: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    def line(self) -> str:
        """The one-line summary printed by the CLI."""
        return (
            f"{self.added} added, {self.updated} updated, {self.removed} removed, "
            f"{len(self.skipped)} skipped, {self.unchanged} unchanged; "
            f"{self.paragraphs} paragraphs written"
        )


def _storage(index_dir: Path) -> FileStorage:
    # Without mmap, opening a searcher reads postings on demand instead of
    # copying the index into memory (0.3 ms and no extra memory at 100k docs).
    return FileStorage(str(index_dir), supports_mmap=False)


def open_index(index_dir: Path) -> Index:
    """Open the index in ``index_dir`` for reading or writing.

    :raises IndexMissing: no index there yet.
    :raises SchemaChanged: the index was built by a Sitrep with another schema.
    """
    index_dir = Path(index_dir)
    if not index_dir.is_dir() or not whoosh_index.exists_in(str(index_dir)):
        raise IndexMissing(f"no index at {index_dir}; run `sitrep index` first")
    version_file = index_dir / VERSION_FILE
    version = version_file.read_text().split("\n", 1)[0].strip() if version_file.exists() else "?"
    ix = _storage(index_dir).open_index()
    if version != str(SCHEMA_VERSION) or schema_signature(ix.schema) != schema_signature(build_schema()):
        ix.close()
        raise SchemaChanged(
            f"the index at {index_dir} was built with another schema (version {version}, "
            f"this Sitrep uses {SCHEMA_VERSION}); run `sitrep index --rebuild`"
        )
    return ix


def create_index(index_dir: Path) -> Index:
    """Create an empty index in ``index_dir``, replacing whatever index is there."""
    index_dir = Path(index_dir)
    if index_dir.exists() and whoosh_index.exists_in(str(index_dir)):
        for child in index_dir.iterdir():
            if child.name != ".gitkeep":
                child.unlink() if child.is_file() else shutil.rmtree(child)
    index_dir.mkdir(parents=True, exist_ok=True)
    ix = _storage(index_dir).create_index(build_schema())
    # A fresh build token tells open readers that this is a new index even
    # when its generation number happens to equal the old one's.
    (index_dir / VERSION_FILE).write_text(f"{SCHEMA_VERSION}\n{uuid.uuid4().hex}\n")
    return ix


def index_identity(ix: Index, index_dir: Path) -> tuple[str, int]:
    """(build token, generation): changes whenever readers must reopen."""
    try:
        lines = (Path(index_dir) / VERSION_FILE).read_text().split("\n")
    except OSError:
        lines = []
    token = lines[1].strip() if len(lines) > 1 else ""
    try:
        generation = ix.latest_generation()
    except OSError:
        generation = -2
    return token, generation


def indexed_files(ix: Index) -> dict[str, str]:
    """Path -> content hash of every file that has paragraphs in the index."""
    files: dict[str, str] = {}
    with ix.reader() as reader:
        for term in reader.lexicon("file_key"):
            digest, _, path = term.decode("utf-8").partition(" ")
            files[path] = digest
    return files


def record_fields(doc: ParagraphDoc, dup_group: str = "") -> dict:
    """A :class:`ParagraphDoc` as Whoosh field values."""
    fields = {
        "id": doc.id,
        "report_id": doc.report_id,
        "title": doc.title,
        "text": doc.text,
        "source": doc.source,
        "topic": ",".join(doc.topics),
        "place": ",".join(doc.places),
        "section": doc.section or "",
        "kind": doc.kind,
        "position": doc.position,
        "date_inferred": doc.date_inferred,
        "date_basis": doc.date_basis,
        "footnotes": [
            {"n": n, "text": note.text, "urls": list(note.urls)} if note else {"n": n, "text": "", "urls": []}
            for n in doc.footnotes
            for note in [next((e for e in doc.notes if e.number == n), None)]
        ],
        "heading": doc.heading or "",
        "label": doc.label or "",
        "cited": ",".join(doc.cited),
        "event_dates": [d.isoformat() for d in doc.event_dates],
        "url": doc.url or "",
        "fingerprint": doc.fingerprint,
        "bands": " ".join(doc.bands),
        "dup_group": dup_group or doc.fingerprint,
        "path": doc.path,
        "file_hash": doc.file_hash,
        "file_key": f"{doc.file_hash} {doc.path}",
    }
    if doc.date is not None:
        fields["date"] = datetime(doc.date.year, doc.date.month, doc.date.day)
        fields["month"] = doc.date.strftime("%Y-%m")
        fields["day"] = doc.date.isoformat()
    if doc.event_dates:
        fields["event_date"] = [datetime(d.year, d.month, d.day) for d in doc.event_dates]
    return fields


class RepeatGroups:
    """Gives each new paragraph the group of the paragraph it repeats.

    A paragraph joins the group of an indexed or earlier paragraph with the
    same normalised fingerprint, or else of one that shares a MinHash band
    and is a near-duplicate by word-pair Jaccard; otherwise it starts a
    group named by its own fingerprint.  Search collapses on the group.
    """

    MAX_CANDIDATES = 25  # per band: a very common band is a boilerplate line

    def __init__(self, searcher) -> None:
        self._searcher = searcher
        self._reader = searcher.reader()
        self._by_fingerprint: dict[str, str] = {}
        self._by_band: dict[str, list[tuple[str, str]]] = {}

    def group_of(self, doc: ParagraphDoc) -> str:
        group = self._by_fingerprint.get(doc.fingerprint) or self._indexed_group("fingerprint", doc.fingerprint)
        if group is None:
            group = self._near_group(doc)
        group = group or doc.fingerprint
        self._by_fingerprint.setdefault(doc.fingerprint, group)
        for band in doc.bands:
            self._by_band.setdefault(band, []).append((doc.text, group))
        return group

    def _indexed_group(self, fieldname: str, value: str) -> str | None:
        if (fieldname, value) not in self._reader:
            return None
        for docnum in self._reader.postings(fieldname, value).all_ids():
            if not self._reader.is_deleted(docnum):
                return self._searcher.stored_fields(docnum).get("dup_group")
        return None

    def _near_group(self, doc: ParagraphDoc) -> str | None:
        for band in doc.bands:
            for text, group in self._by_band.get(band, [])[: self.MAX_CANDIDATES]:
                if is_near(doc.text, text):
                    return group
            if ("bands", band) not in self._reader:
                continue
            ids = self._reader.postings("bands", band).all_ids()
            for count, docnum in enumerate(ids):
                if count >= self.MAX_CANDIDATES:
                    break
                fields = self._searcher.stored_fields(docnum)
                if is_near(doc.text, fields["text"]):
                    return fields.get("dup_group")
        return None


def _within(path: str, roots: list[Path]) -> bool:
    candidate = Path(path)
    return any(candidate == root or root in candidate.parents for root in roots)


def _writer(ix: Index):
    try:
        return ix.writer(timeout=WRITER_TIMEOUT_S)
    except LockError:
        raise IndexBusy(
            "another `sitrep index` is writing this index; wait for it to finish and run again"
        ) from None


def update_index(
    settings: Settings,
    paths: Iterable[Path] | None = None,
    *,
    rebuild: bool = False,
    progress: Callable[[Iterable[Path]], Iterable[Path]] | None = None,
) -> IndexSummary:
    """Bring the index up to date with the report files under ``paths``.

    New and changed files (by content hash) are read and written; unchanged
    files are not touched; files that were indexed from under ``paths`` and
    no longer exist lose their paragraphs.  A file that cannot be read is
    skipped with its reason, and whatever it had in the index stays.

    :param paths: files or directories; ``settings.reports`` when None.
    :param rebuild: start from an empty index (needed after a schema change).
    :param progress: wraps the list of files to read, e.g. a progress bar.
    :raises SchemaChanged: the index needs ``rebuild=True``.
    :raises IndexBusy: another writer holds the lock.
    :raises TaxonomyError: the taxonomy or gazetteer cannot be read.
    """
    taxonomy = load_taxonomy(settings.taxonomy, settings.gazetteer)
    roots = [Path(p).resolve() for p in (paths if paths is not None else settings.reports)]
    files, missing = find_report_files(roots)
    summary = IndexSummary(skipped=[(str(p), reason) for p, reason in missing])
    if rebuild:
        ix = create_index(settings.index_dir)
    else:
        try:
            ix = open_index(settings.index_dir)
        except IndexMissing:
            ix = create_index(settings.index_dir)
    try:
        known = indexed_files(ix)
        drafts = _read_changed(files, known, taxonomy, summary, progress)
        present = {str(path) for path in files}
        gone = [path for path in known if _within(path, roots) and path not in present]
        ready = [d for d in drafts if not d.needs_year]
        waiting = [d for d in drafts if d.needs_year]
        _write(ix, [(d, paragraph_docs(d, taxonomy)) for d in ready], gone, known, summary)
        if waiting:
            # Dates without a year are completed from the most similar dated
            # report, which may be one just written above: hence a second commit.
            from .query import dated_neighbour

            batch = []
            for draft in waiting:
                found = dated_neighbour(ix, draft.text(), exclude_path=str(draft.path))
                anchor, basis = found if found else (None, "")
                batch.append((draft, paragraph_docs(draft, taxonomy, anchor, basis)))
            _write(ix, batch, [], known, summary)
    finally:
        ix.close()
    return summary


def _read_changed(files, known, taxonomy: Taxonomy, summary: IndexSummary, progress) -> list[FileDraft]:
    drafts: list[FileDraft] = []
    changed = []
    for path in files:
        if str(path) in known:
            try:
                if file_hash(path.read_bytes()) == known[str(path)]:
                    summary.unchanged += 1
                    continue
            except OSError:
                pass
        changed.append(path)
    for path in progress(changed) if progress else changed:
        try:
            draft = read_report_file(path, taxonomy)
        except SkipFile as reason:
            summary.skipped.append((str(path), str(reason)))
            continue
        drafts.append(draft)
        summary.warnings.extend((str(path), warning) for warning in draft.warnings)
    return drafts


def _write(ix: Index, batch: list[tuple[FileDraft, list[ParagraphDoc]]], gone: list[str], known, summary) -> None:
    if not batch and not gone:
        return
    writer = _writer(ix)
    searcher = ix.searcher()
    groups = RepeatGroups(searcher)
    try:
        for path in gone:
            writer.delete_by_term("path", path)
            summary.removed += 1
        for draft, docs in batch:
            path = str(draft.path)
            if path in known:
                writer.delete_by_term("path", path)
                summary.updated += 1
            else:
                summary.added += 1
            for doc in docs:
                writer.add_document(**record_fields(doc, groups.group_of(doc)))
            summary.paragraphs += len(docs)
    except BaseException:
        writer.cancel()
        raise
    finally:
        searcher.close()
    writer.commit()


__all__ = ["IndexSummary", "create_index", "indexed_files", "open_index", "update_index"]
