"""A damaged index (search/integrity.py): one Error: line naming the file, 503s, `sitrep check`, --rebuild.

Each kind of damage is done to a copy of the seed index the way it happens
to real ones: a segment file cut short, deleted, made unreadable, its
directory overwritten; the table of contents with flipped bytes or empty.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from search import SearchIndex, load_settings, update_index
from search.cli import cli
from search.index import open_index
from search.index import check_index

from conftest import serving

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def whole_index(tmp_path_factory, seeds_dir) -> Path:
    """The seeds indexed once; tests damage copies of it."""
    index_dir = tmp_path_factory.mktemp("whole") / "index"
    update_index(load_settings(environ={}, index_dir=index_dir), [seeds_dir])
    return index_dir


@pytest.fixture
def index_copy(whole_index, tmp_path) -> Path:
    copy = tmp_path / "index"
    shutil.copytree(whole_index, copy)
    return copy


def segment_files(index_dir: Path) -> list[Path]:
    return sorted(index_dir.glob("MAIN_*.seg"), key=lambda p: p.stat().st_size)


def toc_file(index_dir: Path) -> Path:
    (toc,) = index_dir.glob("_MAIN_*.toc")
    return toc


def truncate_segment(index_dir: Path) -> tuple[str, str]:
    segment = segment_files(index_dir)[-1]
    size = segment.stat().st_size
    os.truncate(segment, size // 2)
    return segment.name, f"truncated: {size // 2:,} of {size:,} bytes"


def delete_segment(index_dir: Path) -> tuple[str, str]:
    segment = segment_files(index_dir)[0]
    segment.unlink()
    return segment.name, "missing"


def segment_made_a_directory(index_dir: Path) -> tuple[str, str]:
    # Unreadable even for root, whom file permissions do not stop.
    segment = segment_files(index_dir)[0]
    segment.unlink()
    segment.mkdir()
    return segment.name, "not a regular file"


def segment_without_read_permission(index_dir: Path) -> tuple[str, str]:
    if os.geteuid() == 0:
        pytest.skip("root reads a file whatever its permissions; segment_made_a_directory covers unreadable files")
    segment = segment_files(index_dir)[0]
    segment.chmod(0)
    return segment.name, "cannot be read: Permission denied"


def segment_directory_overwritten(index_dir: Path) -> tuple[str, str]:
    segment = segment_files(index_dir)[0]
    with open(segment, "r+b") as handle:  # a compound segment's directory is its last bytes
        handle.seek(-200, os.SEEK_END)
        handle.write(b"\0" * 200)
    return segment.name, "its directory is garbled (UnpicklingError"


def toc_bytes_flipped(index_dir: Path) -> tuple[str, str]:
    toc = toc_file(index_dir)
    data = bytearray(toc.read_bytes())
    for at in range(40, len(data), 97):
        data[at] ^= 0xFF
    toc.write_bytes(bytes(data))
    return toc.name, "garbled ("


def toc_emptied(index_dir: Path) -> tuple[str, str]:
    toc = toc_file(index_dir)
    toc.write_bytes(b"")
    return toc.name, "empty"


DAMAGE = [
    truncate_segment,
    delete_segment,
    segment_made_a_directory,
    segment_without_read_permission,
    segment_directory_overwritten,
    toc_bytes_flipped,
    toc_emptied,
]


def invoke(*args):
    return CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=False)


def assert_damage_error(result, index_dir: Path, name: str, problem: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"Error: the index at {index_dir} is damaged ({name}: {problem}"), line
    assert line.endswith("); run `sitrep index --rebuild`"), line


def all_ids(index_dir: Path) -> list[str]:
    with SearchIndex(load_settings(index_dir=index_dir)) as index:
        return sorted(hit.id for hit in index.iter_hits(""))


# -- sitrep check -------------------------------------------------------------------------


def test_check_a_whole_index(index_copy):
    ix = open_index(index_copy)
    try:
        segments, paragraphs = len(ix._segments()), ix.doc_count()
    finally:
        ix.close()
    result = invoke("check", "--index-dir", index_copy)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"ok: {segments} segments, {paragraphs} paragraphs\n"
    assert paragraphs == 32


def test_check_counts_in_words(tmp_path):
    reports, index_dir = tmp_path / "reports", tmp_path / "index"
    reports.mkdir()
    (reports / "one.txt").write_text("December 1, 2024\n\nStrikes hit Kherson overnight.\n")
    update_index(load_settings(index_dir=index_dir), [reports])
    assert invoke("check", "--index-dir", index_dir).stdout == "ok: 1 segment, 1 paragraph\n"


@pytest.mark.parametrize("damage", DAMAGE)
def test_check_names_the_damaged_file(index_copy, damage):
    name, problem = damage(index_copy)
    assert_damage_error(invoke("check", "--index-dir", index_copy), index_copy, name, problem)


def test_check_reads_every_byte(index_copy):
    # Bytes garbled in the middle of the postings leave every file the right
    # size and every segment opening: only reading all of them finds it.
    from whoosh.filedb.compound import CompoundStorage
    from whoosh.filedb.filestore import FileStorage

    segment = segment_files(index_copy)[-1]
    storage = FileStorage(str(index_copy))
    parts = CompoundStorage(storage.open_file(segment.name), use_mmap=False)
    postings = parts._dir[segment.stem + ".pst"]
    parts.close()
    with open(segment, "r+b") as handle:
        handle.seek(postings["offset"] + postings["length"] // 3)
        handle.write(b"\0" * (postings["length"] // 3))
    assert check_index(index_copy, deep=False).paragraphs == 32
    result = invoke("check", "--index-dir", index_copy)
    assert_damage_error(result, index_copy, segment.name, "garbled (")


@pytest.mark.parametrize("part, garble", [
    # The stored fields' trailer (search/index/codec.py) says where the
    # dictionary and the offsets are: a garbled trailer or zeroed column
    # must be found.  (The minhash column has no checksum, like Whoosh's
    # other fixed-width columns: only a segment cut short shows there.)
    ("._stored.col", lambda data: data[:-12] + b"\xff" * 12),
    ("._stored.col", lambda data: b"\0" * len(data)),
])
def test_check_finds_garbled_stored_fields(index_copy, part, garble):
    from whoosh.filedb.compound import CompoundStorage
    from whoosh.filedb.filestore import FileStorage

    segment = segment_files(index_copy)[-1]
    parts = CompoundStorage(FileStorage(str(index_copy)).open_file(segment.name), use_mmap=False)
    where = parts._dir[segment.stem + part]
    parts.close()
    with open(segment, "r+b") as handle:
        handle.seek(where["offset"])
        data = handle.read(where["length"])
        handle.seek(where["offset"])
        handle.write(garble(data))
    result = invoke("check", "--index-dir", index_copy)
    assert_damage_error(result, index_copy, segment.name, "")


def test_check_without_an_index(tmp_path):
    result = invoke("check", "--index-dir", tmp_path / "none")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == f"Error: no index at {tmp_path / 'none'}; run `sitrep index` first\n"


# -- the commands that read the index -------------------------------------------------------


@pytest.mark.parametrize("damage", DAMAGE)
def test_search_on_a_damaged_index(index_copy, damage):
    name, problem = damage(index_copy)
    assert_damage_error(invoke("search", "Russian", "--index-dir", index_copy), index_copy, name, problem)


@pytest.mark.parametrize("damage", DAMAGE)
def test_index_on_a_damaged_index(index_copy, seeds_dir, damage):
    name, problem = damage(index_copy)
    result = invoke("index", seeds_dir, "--index-dir", index_copy)
    assert_damage_error(result, index_copy, name, problem)


@pytest.mark.parametrize("damage", DAMAGE)
def test_rebuild_recovers_from_any_damage(whole_index, index_copy, seeds_dir, damage):
    damage(index_copy)
    (index_copy / ".gitkeep").touch()
    result = invoke("index", seeds_dir, "--rebuild", "--index-dir", index_copy)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("2 added, 0 updated, 0 removed, 0 skipped, 0 unchanged;")
    assert invoke("check", "--index-dir", index_copy).stdout.startswith("ok: ")
    assert all_ids(index_copy) == all_ids(whole_index)
    assert (index_copy / ".gitkeep").exists()
    assert [p.name for p in index_copy.parent.iterdir() if p.name.startswith(".index.")] == []


# -- the server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("damage", [truncate_segment, segment_made_a_directory, toc_emptied])
def test_serve_refuses_a_damaged_index(index_copy, damage):
    name, problem = damage(index_copy)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SITREP_")}
    server = subprocess.Popen(
        [sys.executable, "-c", "from search.cli import main; main()", "serve", "--port", str(free_port()),
         "--index-dir", str(index_copy)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        _, err = server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            server.communicate(timeout=30)
    assert server.returncode == 1
    (line,) = err.splitlines()  # nothing else: no "Serving Sitrep on ...", no gunicorn
    assert line.startswith(f"Error: the index at {index_copy} is damaged ({name}: {problem}"), line
    assert line.endswith("); run `sitrep index --rebuild`")


@pytest.fixture
def served(index_copy):
    """A real server on 127.0.0.1 over ``index_copy``; yields its base URL."""
    with serving(load_settings(index_dir=index_copy)) as url:
        yield url


def get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def test_a_running_server_answers_503_when_segments_are_cut_short(served, index_copy):
    status, _, body = get(f"{served}/api/search?q=Russian")
    assert status == 200 and json.loads(body)["total"] > 0
    for segment in segment_files(index_copy):  # under the open searcher
        os.truncate(segment, segment.stat().st_size // 2)
    status, kind, body = get(f"{served}/api/search?q=Pokrovsk")  # postings not read yet
    assert (status, kind) == (503, "application/json")
    error = json.loads(body)
    assert error["ok"] is False and error["status"] == 503 and error["errors"] == [error["error"]]
    assert error["error"].startswith(f"the index at {index_copy} is damaged (MAIN_")
    assert "truncated" in error["error"] and error["error"].endswith("run `sitrep index --rebuild`")
    status, kind, page = get(f"{served}/?q=Kursk")
    assert status == 503 and kind.startswith("text/html")
    assert "is damaged" in page and "sitrep index --rebuild" in page and "Traceback" not in page


def test_a_running_server_answers_503_until_the_rebuild(served, index_copy, seeds_dir):
    name, _ = toc_emptied(index_copy)
    for path in ("/api/search?q=Russian", "/api/reports/000_0dbb5635bfea498f", "/api/export.csv", "/"):
        status, kind, body = get(served + path)
        assert status == 503, (path, body)
        expected = f"the index at {index_copy} is damaged ({name}: empty); run `sitrep index --rebuild`"
        if path.startswith("/api/"):
            assert json.loads(body) == {"ok": False, "error": expected, "errors": [expected], "status": 503}
        else:
            assert kind.startswith("text/html") and "is damaged" in body
    assert invoke("index", seeds_dir, "--rebuild", "--index-dir", index_copy).exit_code == 0
    status, _, body = get(f"{served}/api/search?q=Russian")
    assert status == 200 and json.loads(body)["total"] > 0
