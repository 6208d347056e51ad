"""What keeps one index file from being read, in words for the user.

Used when opening the index (:mod:`search.index.open`) and by the checks of
:mod:`search.index.integrity`; it opens no index itself.
"""

from __future__ import annotations

import stat
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC

from ..errors import IndexDamaged
from .storage import INDEX_NAME


def toc_damage(index_dir: Path, error: BaseException) -> IndexDamaged:
    """The damage of the latest TOC in ``index_dir``, which Whoosh failed to read with ``error``."""
    storage = FileStorage(str(index_dir))
    name = TOC._filename(INDEX_NAME, TOC._latest_generation(storage, INDEX_NAME))
    return IndexDamaged(index_dir, name, file_problem(Path(index_dir) / name) or read_problem(error))



def file_problem(path: Path) -> str | None:
    """What keeps ``path`` from being read as an index file, or None when it can be read."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return "missing"
    except OSError as error:
        return f"cannot be read: {error.strerror}"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file"
    try:
        with open(path, "rb") as handle:
            handle.read(1)
    except OSError as error:
        return f"cannot be read: {error.strerror}"
    return "empty" if info.st_size == 0 else None



def read_problem(error: BaseException) -> str:
    """``error``, raised while Whoosh read a file, as a few words for the user."""
    if isinstance(error, OSError) and error.strerror:
        return f"cannot be read: {error.strerror}"
    detail = str(error).split("\n", 1)[0]
    kind = type(error).__name__
    if kind == "error":  # zlib.error, struct.error
        kind = f"{type(error).__module__}.error"
    return f"garbled ({kind}{': ' + detail[:80] if detail else ''})"


__all__ = ["file_problem", "read_problem", "toc_damage"]
