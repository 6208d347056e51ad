"""Rebuild the index beside the live one, then put it in place in one commit or one directory swap.

Readers keep the old index until the new one is complete; a run killed
meanwhile leaves the old index as it was (see :mod:`search.index.recovery`).
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Callable

from whoosh.index import Index
from whoosh.writing import CLEAR

from ..errors import IndexDamaged, IndexMissing, SchemaChanged
from .commit import cancel_writer, open_writer
from .integrity import check_index
from .locks import write_lock
from .open import create_index, open_index
from .recovery import remove_leftovers


def rebuild_beside(index_dir: Path, fill: Callable[[Index], None]) -> None:
    """Build a new index with ``fill`` beside ``index_dir``, then put it in place.

    The caller holds the write lock of ``index_dir``.  With the same schema,
    the new segments are moved into the live index and committed with a merge
    policy that, like ``CLEAR``, drops every old segment: one atomic TOC
    rename replaces the old generation, so readers and a killed run see
    either the old generation or the new one (:func:`_adopt_segments`).
    After a schema change the old index cannot take the new documents, and
    the directories are swapped instead (:func:`swap_in`); so is a damaged
    old index: a rebuild never needs to read the old one (:func:`_adoptable`).
    """
    remove_leftovers(index_dir)
    target = index_dir.parent / f".{index_dir.name}.rebuild-{uuid.uuid4().hex[:8]}"
    built = current = None
    try:
        built = create_index(target, writing=True)
        with write_lock(target):
            fill(built)
        current = _adoptable(index_dir)
        if current is not None:
            try:
                _adopt_segments(built, current)
            finally:
                current.close()
    except BaseException:
        # Inside the try, create_index too: on a full disk it can fail
        # after making the directory (#13).
        if built is not None:
            built.close()
        shutil.rmtree(target, ignore_errors=True)
        raise
    built.close()
    if current is None:
        swap_in(target, index_dir)
    else:
        shutil.rmtree(target, ignore_errors=True)


def _adoptable(index_dir: Path) -> Index | None:
    """The live index, open, when a rebuild can commit its segments into it; else None.

    Only a whole index of this schema qualifies (:func:`~search.index.integrity.check_index`
    without ``deep``: its TOC and every segment open).  A missing, older or
    damaged one is replaced by renaming directories, which reads none of its
    files, so damage never stops the rebuild that repairs it.
    """
    try:
        check_index(index_dir, deep=False)
        return open_index(index_dir)
    except (IndexMissing, SchemaChanged, IndexDamaged):
        return None


def _adopt_segments(built: Index, current: Index) -> None:
    """Make ``built``'s segments the whole of ``current`` in one commit.

    The segment files are moved (renamed, same file system) into
    ``current``'s directory, where nothing refers to them until the commit;
    the commit's merge policy then drops every old segment, like ``CLEAR``,
    and keeps only the moved ones.  Whoosh writes the TOC to a temporary
    file and renames it, so the switch is atomic.  Old segment files stay
    until Whoosh cleans them, so searchers of the old generation finish.
    (``writer.add_reader`` would copy instead, but it fails on column fields
    in whoosh3 3.54.0.)
    """
    segments = built._segments()
    source, destination = Path(built.storage.folder), Path(current.storage.folder)
    writer = open_writer(current)
    try:
        for segment in segments:
            for name in segment.list_files(built.storage):
                os.rename(source / name, destination / name)

        def only_built(writer, old_segments):  # a Whoosh merge policy, as CLEAR
            return CLEAR(writer, old_segments) + list(segments)

        writer.commit(mergetype=only_built)
    except BaseException:
        cancel_writer(writer)
        raise


def swap_in(built: Path, index_dir: Path) -> None:
    """Put the index built in ``built`` where ``index_dir`` is, keeping ``.gitkeep``.

    Two renames: the old index moves aside, the new one takes its place.  If
    the process dies between them, :func:`open_index` moves the old one back.
    """
    old = index_dir.parent / f".{index_dir.name}.old-{built.name.rsplit('-', 1)[-1]}"
    if (index_dir / ".gitkeep").exists():
        (built / ".gitkeep").touch()
    if index_dir.exists():
        os.rename(index_dir, old)
    os.rename(built, index_dir)
    shutil.rmtree(old, ignore_errors=True)


__all__ = ["rebuild_beside", "swap_in"]
