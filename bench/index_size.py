"""Where the bytes of a Sitrep index go: per field and per kind of data.

    python bench/index_size.py INDEX_DIR [--no-positions]

Reads the newest generation of the index (never writes) and prints, in MB:

* per kind: term dictionary (``.trm``), postings (``.pst``; the part that
  holds word positions is counted apart), stored fields (``_stored`` column),
  length columns, sort columns, vectors, and the files beside the segments
  (TOCs, side files, markers);
* per field: its terms, postings, positions, stored values and columns.

Stored fields are written as one zlib-compressed pickle per document, so a
field's share of the stored bytes is estimated from its share of the
uncompressed pickled values.  Positions are measured exactly: each postings
block of a positional field is decoded, and its size is compared with the
same block written without positions.
"""

from __future__ import annotations

import argparse
import io
import os
import pickle
import re
import sys
import zlib
from collections import defaultdict

from whoosh.codec.whoosh3 import COMPRESSION_MIN_SIZE, WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.filedb.filestore import FileStorage

MB = 1024 * 1024
_LENGTH_COLUMN = re.compile(r"^_(.+)_len$")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index_dir")
    parser.add_argument("--no-positions", action="store_true", help="skip decoding postings (faster)")
    args = parser.parse_args(argv)
    report = measure(args.index_dir, positions=not args.no_positions)
    print(format_report(report))
    return 0


def measure(index_dir: str, positions: bool = True) -> dict:
    """Bytes per kind and per (field, kind) of the newest generation in ``index_dir``."""
    storage = FileStorage(index_dir, supports_mmap=False)
    ix = storage.open_index()
    kinds: dict[str, int] = defaultdict(int)
    fields: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    segment_files = set()
    docs = 0
    for segment in ix._segments():
        docs += segment.doc_count_all()
        segment_files.add(segment.make_filename(".seg"))
        compound = segment.open_compound_file(storage)
        parts = {name[len(segment.segment_id()) :]: entry["length"] for name, entry in compound._dir.items()}
        for part, length in parts.items():
            kind, field = _kind_of(part)
            kinds[kind] += length
            if field is not None:
                fields[field][kind] += length
        _measure_terms(compound, segment, ix.schema, fields, positions)
        _measure_stored(storage, ix.schema, segment, parts.get("._stored.col", 0), fields)
        compound.close()
    toc = f"_{ix.indexname}_{ix.latest_generation()}.toc"
    for name in sorted(os.listdir(index_dir)):
        path = os.path.join(index_dir, name)
        if name in segment_files or not os.path.isfile(path):
            continue
        size = os.path.getsize(path)
        if name.endswith(".seg"):
            kinds["old segments"] += size
        elif name.startswith(f"{ix.indexname}_") and "." in name:
            kinds["unfinished segment parts"] += size  # a writer at work: not part of this generation
        elif name.endswith(".toc"):
            kinds["tocs" if name == toc else "old tocs"] += size
        else:
            kinds["side files"] += size
            fields[f"[{name}]"]["side file"] += size
    if positions:
        kinds["postings"] -= kinds.get("positions", 0)
    return {"docs": docs, "kinds": dict(kinds), "fields": {k: dict(v) for k, v in fields.items()},
            "total": _dir_size(index_dir)}


def _kind_of(part: str) -> tuple[str, str | None]:
    if part == ".trm":
        return "term dictionary", None
    if part == ".pst":
        return "postings", None
    if part == ".vps":
        return "vectors", None
    if part == "._stored.col":
        return "stored", None
    if part.endswith(".col"):
        column = part[1 : -len(".col")]
        match = _LENGTH_COLUMN.match(column)
        if match:
            return "length columns", match.group(1)
        return "columns", column
    return "other", None


def _measure_terms(compound, segment, schema, fields, positions: bool) -> None:
    """Term dictionary and postings bytes of each field; positions where the field keeps them."""
    from whoosh.filedb.filetables import OrderedHashReader

    prefix = segment.segment_id()
    trm = compound.open_file(prefix + ".trm")
    pst = compound.open_file(prefix + ".pst")
    tindex = OrderedHashReader(trm, trm.size() if hasattr(trm, "size") else None)
    unmap = {number: name for name, number in tindex.extras["fieldmap"].items()}
    # Per entry: two length ints, the key, the value; a bucket slot and an index slot.
    overhead = 8 + 8 + 4
    for key, value in tindex.items():
        field = unmap.get(int.from_bytes(key[:2], "big"), "?")
        fields[field]["term dictionary"] += len(key) + len(value) + overhead
        info = W3TermInfo.from_bytes(value)
        if info.is_inlined():
            continue
        offset, length = info.extent()
        if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves unpack_int's tuple
            length = length[0]
        fields[field]["postings"] += length
        fieldobj = schema[field] if field in schema else None
        if positions and fieldobj is not None and fieldobj.format.supports("positions"):
            pst.seek(offset)
            saved = _position_bytes(pst.read(length))
            fields[field]["positions"] += saved
            fields[field]["postings"] -= saved
    trm.close()
    pst.close()


def _position_bytes(data: bytes) -> int:
    """Bytes of a term's postings that only its positions take (blocks rewritten without them)."""
    assert data[:4] == WHOOSH3_HEADER_MAGIC
    at, saved = 4, 0
    while at < len(data):
        size = int.from_bytes(data[at : at + 4], "big", signed=True)
        at += 4
        end = at + abs(size)
        stream = io.BytesIO(data[at:end])
        info = pickle.load(stream)
        body = data[at + stream.tell() : end]
        level = info[3]
        ids, weights, values = pickle.loads(zlib.decompress(body) if level else body)
        bare = pickle.dumps((ids, weights, None), 2)
        if len(bare) >= COMPRESSION_MIN_SIZE and level:
            bare = zlib.compress(bare, level)
        saved += max(0, len(body) - len(bare))
        at = end
        if size < 0:
            break
    return saved


def _measure_stored(storage, schema, segment, stored_bytes: int, fields) -> None:
    """The stored column's bytes, shared among fields by their uncompressed pickled sizes."""
    from whoosh.reading import SegmentReader

    if not stored_bytes:
        return
    # The segment's own codec reads its stored fields (Whoosh's or Sitrep's, search/index/codec.py).
    reader = SegmentReader(storage, schema, segment)
    raw: dict[str, int] = defaultdict(int)
    for docnum in range(segment.doc_count_all()):
        for field, value in reader.stored_fields(docnum).items():
            raw[field] += len(pickle.dumps(value, 2))
    reader.close()
    total = sum(raw.values()) or 1
    for field, size in raw.items():
        fields[field]["stored"] += round(stored_bytes * size / total)
        fields[field]["stored (raw)"] += size


def _dir_size(index_dir: str) -> int:
    return sum(os.path.getsize(os.path.join(index_dir, n)) for n in os.listdir(index_dir)
               if os.path.isfile(os.path.join(index_dir, n)))


def format_report(report: dict) -> str:
    lines = [f"{report['docs']} documents, {report['total'] / MB:.1f} MB in all"]
    lines.append("")
    lines.append(f"{'kind':<18}{'MB':>9}")
    for kind, size in sorted(report["kinds"].items(), key=lambda kv: -kv[1]):
        lines.append(f"{kind:<18}{size / MB:>9.2f}")
    columns = ["term dictionary", "postings", "positions", "stored", "length columns", "columns", "side file"]
    lines.append("")
    lines.append(f"{'field':<22}" + "".join(f"{c[:11]:>12}" for c in columns) + f"{'total':>10}")
    rows = sorted(report["fields"].items(), key=lambda kv: -sum(v for k, v in kv[1].items() if k in columns))
    for field, sizes in rows:
        total = sum(sizes.get(c, 0) for c in columns)
        lines.append(f"{field[:21]:<22}" + "".join(f"{sizes.get(c, 0) / MB:>12.2f}" for c in columns)
                     + f"{total / MB:>10.2f}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
