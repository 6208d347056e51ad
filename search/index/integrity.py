"""Whether every file of the index's current generation is whole and readable (`sitrep check`).

An index can be damaged from outside Sitrep: a failing disk, a file deleted,
cut short or overwritten by hand, a backup restored half way.  Whoosh then
fails somewhere inside a search with whatever error the bad bytes cause
(``EOFError``, ``UnpicklingError``, ``MemoryError`` ...).  Here the files
the current generation needs are checked one by one, and the first bad one
is named in an :class:`~search.errors.IndexDamaged`:

* the table of contents (``_MAIN_<generation>.toc``) and ``SITREP_SCHEMA``
  can be read (:func:`search.index.open_index` checks them, with :mod:`search.index.damage`);
* every segment file the TOC lists exists, is a regular file, can be read,
  and is exactly as long as its own header says (a compound ``.seg`` file
  starts with the offset and length of its directory, which ends the file);
  the directory can be read and its parts lie within the file;
* each segment opens with Whoosh's ``SegmentReader``;
* with ``deep``, every byte of every segment file is read, and Whoosh's
  readers decode all of it: each term and its postings, each document's
  stored fields, each column and each field's lengths.

The checks without ``deep`` read a few hundred bytes per segment: the
server runs them when reading the index fails (:func:`explain_damage`), to
answer 503 naming the file instead of 500, and `sitrep serve` runs them
before it starts.  `sitrep check` runs all of them.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from whoosh.codec.base import Segment
from whoosh.codec.whoosh3 import _lenfield
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC
from whoosh.reading import CorruptIndexError, SegmentReader

from ..errors import IndexDamaged, IndexMissing, SitrepError
from .damage import file_problem, read_problem, toc_damage
from .open import open_index
_HEADER_BYTES = 12  # a compound file's directory offset (8 bytes) and length (4)
_CHUNK = 1 << 20


@dataclass(frozen=True)
class IndexHealth:
    """What :func:`check_index` found in a whole index."""

    segments: int
    paragraphs: int

    def line(self) -> str:
        """The line `sitrep check` prints."""
        segments = "segment" if self.segments == 1 else "segments"
        paragraphs = "paragraph" if self.paragraphs == 1 else "paragraphs"
        return f"ok: {self.segments} {segments}, {self.paragraphs} {paragraphs}"


def check_index(index_dir: Path, *, deep: bool = True, missing_ok: bool = False) -> IndexHealth | None:
    """Check every file of the current generation of the index in ``index_dir``.

    :param deep: also read and decode every byte (terms, postings, stored
        fields, columns); without it only what opening the index reads.
    :param missing_ok: return None, rather than raise, when there is no index yet.
    :raises IndexMissing: there is no index (unless ``missing_ok``).
    :raises SchemaChanged: the index was built with another schema.
    :raises IndexDamaged: a file is missing, unreadable, cut short or garbled.
    """
    index_dir = Path(index_dir)
    try:
        # One thread: Whoosh's plain file storage, whose buffered reads cost
        # a quarter of the server's per-thread ones (search/index/storage.py).
        ix = open_index(index_dir, writing=True)
    except IndexMissing:
        if missing_ok:
            return None
        raise
    try:
        try:
            toc = ix._read_toc()
        except Exception as error:  # replaced since open_index read it
            raise toc_damage(index_dir, error) from error
        paragraphs = sum(_check_segment(ix.storage, index_dir, toc, segment, deep) for segment in toc.segments)
    finally:
        ix.close()
    return IndexHealth(segments=len(toc.segments), paragraphs=paragraphs)


def damage_of(index_dir: Path, error: BaseException) -> IndexDamaged | None:
    """The damage that explains ``error``, raised while reading the index in ``index_dir``, or None.

    Runs the checks of :func:`check_index` without ``deep``.  When they
    find nothing but ``error`` is one that only bad bytes cause, the damage
    is reported without a file name (`sitrep check` finds it).
    """
    if isinstance(error, SitrepError):
        return None
    try:
        check_index(index_dir, deep=False)
    except IndexDamaged as damage:
        return damage
    except Exception:  # no index, or another schema: not what made the read fail
        return None
    if isinstance(error, (CorruptIndexError, EOFError)) or type(error).__name__ in _DECODING_ERRORS:
        return IndexDamaged(index_dir, "a segment file", read_problem(error) + "; `sitrep check` names it")
    return None


# Errors that garbled bytes raise in Whoosh's decoders (pickle, zlib, struct, its file tables).
_DECODING_ERRORS = {"UnpicklingError", "error", "FileFormatError", "UnicodeDecodeError", "MemoryError"}


@contextmanager
def explain_damage(index_dir: Path) -> Iterator[None]:
    """Inside the block, an error that damage to the index explains is raised as that :class:`IndexDamaged`.

    Any other error (a bug) goes through unchanged.

    :raises IndexDamaged: reading the index failed and :func:`damage_of` found why.
    """
    try:
        yield
    except SitrepError:
        raise
    except Exception as error:
        damage = damage_of(index_dir, error)
        if damage is None:
            raise
        raise damage from error


def _check_segment(storage: FileStorage, index_dir: Path, toc: TOC, segment: Segment, deep: bool) -> int:
    """Check one segment's files; its number of live documents."""
    if segment.is_compound():
        name = segment.make_filename(Segment.COMPOUND_EXT)
        names = [name]
        problem = file_problem(index_dir / name) or _compound_problem(storage, name)
        if problem:
            raise IndexDamaged(index_dir, name, problem)
    else:  # Whoosh's uncompounded segments: one file per part, named by the segment
        name = segment.segment_id()
        names = segment.list_files(storage)
        for part in names:
            problem = file_problem(index_dir / part)
            if problem:
                raise IndexDamaged(index_dir, part, problem)
    try:
        reader = SegmentReader(storage, toc.schema, segment, generation=toc.generation)
    except Exception as error:
        raise IndexDamaged(index_dir, name, read_problem(error)) from error
    try:
        if deep:
            for part in names:
                _read_all_bytes(index_dir / part)
            _decode_everything(reader)
        return reader.doc_count()
    except Exception as error:
        raise IndexDamaged(index_dir, name, read_problem(error)) from error
    finally:
        reader.close()


def _compound_problem(storage: FileStorage, name: str) -> str | None:
    """What is wrong with the layout of the compound segment file ``name``, or None."""
    size = storage.file_length(name)
    if size < _HEADER_BYTES:
        return f"truncated to {size} bytes"
    handle = storage.open_file(name)
    try:
        directory_start, directory_length = handle.read_long(), handle.read_int()
        end = directory_start + directory_length
        if directory_start < _HEADER_BYTES or directory_length <= 0:
            return "garbled (its header points outside the file)"
        if size < end:
            return f"truncated: {size:,} of {end:,} bytes"
        if size > end:
            return f"{size - end:,} bytes longer than its directory says"
        try:
            parts = CompoundStorage(handle, use_mmap=False)._dir
        except Exception as error:
            return f"its directory is {read_problem(error)}"
        for part, where in parts.items():
            if where["offset"] < _HEADER_BYTES or where["offset"] + where["length"] > directory_start:
                return f"its part {part} lies outside the file"
    except OSError as error:
        return read_problem(error)
    finally:
        handle.close()
    return None


def _read_all_bytes(path: Path) -> None:
    with open(path, "rb") as handle:
        while handle.read(_CHUNK):
            pass


def _decode_everything(reader: SegmentReader) -> None:
    """Read every term, posting, stored document, column and field length of one segment."""
    schema = reader.schema
    terms = reader._terms
    for (fieldname, text), info in reader:
        # The matcher reader.postings() would make, from the term info in hand
        # (not looked up again), without skipping deleted documents.
        format_ = schema[fieldname].format
        _read_postings(reader.codec().postings_reader(terms._postfile, info, format_, term=(fieldname, text)))
    for docnum in range(reader.doc_count_all()):
        reader.stored_fields(docnum)
    for fieldname, field in schema.items():
        if field.column_type and reader.has_column(fieldname):
            for _ in reader.column_reader(fieldname, translate=False):
                pass
        if field.scorable and reader._perdoc.has_column(_lenfield(fieldname)):
            reader.max_field_length(fieldname)  # reads the whole length column


def _read_postings(matcher) -> None:
    """Decode every block of a posting list: ids, weights and values."""
    whole_blocks = all(hasattr(matcher, name) for name in ("_read_ids", "_read_weights", "_read_values", "_next_block"))
    while matcher.is_active():
        if whole_blocks:
            # whoosh3's matcher decodes a block at a time: one call per block, not per posting.
            matcher._read_ids()
            matcher._read_weights()
            matcher._read_values()
            matcher._next_block()
        else:
            matcher.id()
            matcher.weight()
            matcher.value()
            matcher.next()


__all__ = ["IndexHealth", "check_index", "damage_of", "explain_damage"]
