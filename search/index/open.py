"""Open and create the index, and read what identifies it: the only way in for readers and writers.

Every caller gets a Whoosh ``Index`` from :func:`open_index` or
:func:`create_index`; :func:`index_identity` tells readers when to reopen.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, Index

from ..errors import IndexDamaged, IndexMissing, SchemaChanged
from .damage import file_problem, toc_damage
from .recovery import recover_swap
from .schema import SCHEMA_VERSION, build_schema, schema_signature
from .storage import INDEX_NAME, ThreadSafeFileStorage

VERSION_FILE = "SITREP_SCHEMA"


def _storage(index_dir: Path, writing: bool = False) -> FileStorage:
    # Without mmap, opening a searcher reads postings on demand instead of
    # copying the index into memory (0.3 ms and no extra memory at 100k docs).
    # Each thread reads with its own file positions: the web server shares
    # one searcher between request threads (see search/index/storage.py, #6).
    if not writing:
        return ThreadSafeFileStorage(str(index_dir), supports_mmap=False)
    # An update is one thread, and it keeps this run's paragraphs in memory
    # (RepeatGroups): it looks up in the index only what was there before
    # the run.  Not mapped either: Whoosh opens a segment of a mapped
    # compound file by copying its terms and postings into a BytesIO, so
    # each reader an update opened copied the whole index (2.9 s at 300k
    # paragraphs to add one report, #5).
    return FileStorage(str(index_dir), supports_mmap=False)


def open_index(index_dir: Path, *, writing: bool = False) -> Index:
    """Open the index in ``index_dir`` for reading or writing.

    :param writing: for :func:`update_index` only: a storage for one thread,
        not one searcher shared by many.

    :raises IndexMissing: no index there yet.
    :raises SchemaChanged: the index was built by a Sitrep with another schema.
    :raises IndexDamaged: the TOC or the schema file cannot be read (segments
        are opened later, by readers; see :mod:`search.index.integrity`).
    """
    index_dir = Path(index_dir)
    recover_swap(index_dir)
    if not index_dir.is_dir() or not _has_toc(index_dir):
        raise IndexMissing(f"no index at {index_dir}; run `sitrep index` first")
    version_file = index_dir / VERSION_FILE
    problem = file_problem(version_file) if version_file.exists() or version_file.is_symlink() else None
    if problem:
        raise IndexDamaged(index_dir, VERSION_FILE, problem)
    version = version_file.read_text(errors="replace").split("\n", 1)[0].strip() if version_file.exists() else "?"
    try:
        ix = _storage(index_dir, writing).open_index()
    except Exception as error:  # Whoosh raises whatever the bytes of a bad TOC cause
        raise toc_damage(index_dir, error) from error
    if version != str(SCHEMA_VERSION) or schema_signature(ix.schema) != schema_signature(build_schema()):
        ix.close()
        raise SchemaChanged(
            f"the index at {index_dir} was built with another schema "
            + (f"(version {version}, this Sitrep uses {SCHEMA_VERSION})" if version != str(SCHEMA_VERSION)
               else "(its fields differ from this Sitrep's)")
            + "; run `sitrep index --rebuild`"
        )
    return ix


def _has_toc(index_dir: Path) -> bool:
    # Whoosh's exists_in() opens the index, so a damaged TOC would raise
    # there: whether a TOC exists is a question of file names only.
    return TOC._latest_generation(FileStorage(str(index_dir)), INDEX_NAME) >= 0


def create_index(index_dir: Path, *, writing: bool = False) -> Index:
    """Create an empty index in ``index_dir``, replacing whatever index is there.

    :param writing: as for :func:`open_index`.
    """
    index_dir = Path(index_dir)
    if index_dir.exists() and _has_toc(index_dir):
        for child in index_dir.iterdir():
            if child.name != ".gitkeep":
                child.unlink() if child.is_file() else shutil.rmtree(child)
    index_dir.mkdir(parents=True, exist_ok=True)
    # A fresh build token tells open readers that this is a new index even
    # when its generation number happens to equal the old one's.  It is
    # written before the index exists, so a run killed in between leaves
    # "no index" (created again next time), never an index with no schema file.
    (index_dir / VERSION_FILE).write_text(f"{SCHEMA_VERSION}\n{uuid.uuid4().hex}\n")
    return _storage(index_dir, writing).create_index(build_schema())


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
    with ix.reader() as reader:
        return files_in_reader(reader)


def files_in_reader(reader) -> dict[str, str]:
    # A deleted paragraph's terms stay in Whoosh's lexicon until its segment
    # is merged, so a file_key counts only while one of its paragraphs is
    # live: otherwise a deleted file was "removed" again by every run, and an
    # edited one kept its old hash when that sorted last (#13).
    files: dict[str, str] = {}
    for leaf, _ in reader.leaf_readers():
        deletions = leaf.has_deletions()
        for term in leaf.lexicon("file_key"):
            if deletions and all(leaf.is_deleted(n) for n in leaf.postings("file_key", term).all_ids()):
                continue
            digest, _, path = term.decode("utf-8").partition(" ")
            files[path] = digest
    return files


def latest_generation(index_dir: Path) -> int:
    """The number of the latest committed generation in ``index_dir`` (-1: none), from file names only."""
    return TOC._latest_generation(FileStorage(str(index_dir)), INDEX_NAME)


__all__ = ["VERSION_FILE", "create_index", "index_identity", "indexed_files", "latest_generation", "open_index"]
