"""Forked workers (search/forking.py) and the parallel build that uses them (#5)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from whoosh.filedb.filestore import FileStorage

import crashkit
from crashkit import ROOT, crash_cycles, write_corpus
from search.index import update as index_module
from search import load_settings, update_index
from search.index.forking import ChildFailed, can_fork, ordered_map, run_forked

pytestmark = pytest.mark.skipif(not can_fork(), reason="forked workers need Linux and no other thread")


def square_or_fail(n: int) -> int:
    if n == 5:
        raise ValueError("five")
    return n * n


def test_ordered_map_keeps_the_order_and_raises_at_the_failing_item():
    assert list(ordered_map(square_or_fail, list(range(5)), workers=2)) == [0, 1, 4, 9, 16]
    found = []
    with pytest.raises(ValueError, match="five"):
        for value in ordered_map(square_or_fail, list(range(9)), workers=3):
            found.append(value)
    assert found == [0, 1, 4, 9, 16]


def test_run_forked_returns_each_jobs_result_in_order():
    assert run_forked([lambda: os.getpid(), lambda: "b", lambda: [3]])[1:] == ["b", [3]]
    assert run_forked([lambda: os.getpid()])[0] != os.getpid()
    with pytest.raises(ZeroDivisionError):
        run_forked([lambda: 1, lambda: 1 / 0])


def test_a_child_that_dies_is_an_error_not_a_hang():
    with pytest.raises(ChildFailed):
        run_forked([lambda: os._exit(3)])


def test_no_child_is_left_running():
    pids = list(ordered_map(lambda _: os.getpid(), list(range(6)), workers=2))
    assert len(set(pids)) == 2
    for pid in set(pids):
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # already reaped


ORPHAN = """
import os, time
from search.index.forking import ordered_map
# One write per pid: two children printing at once could interleave their digits and newlines.
next(ordered_map(lambda _: (os.write(1, f"{os.getpid()}\\n".encode()), time.sleep(60)), [0, 1], workers=2))
"""


def test_children_die_with_a_killed_parent():
    # The parent starts two children that sleep and is killed: they must not
    # keep running (they would hold the index lock and the caller's pipes).
    proc = subprocess.Popen([sys.executable, "-c", ORPHAN], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    pids = [int(proc.stdout.readline()) for _ in range(2)]
    assert all(_alive(pid) for pid in pids)
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in pids)
    proc.stdout.close()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def documents(index_dir: Path) -> tuple[list[str], dict]:
    """Paragraph ids in document order, and every posting by (field, term) -> [(id, weight)]."""
    ix = FileStorage(str(index_dir)).open_index()
    with ix.searcher() as searcher:
        reader = searcher.reader()
        ids = {docnum: fields["id"] for docnum, fields in reader.iter_docs()}
        postings = {}
        for name, field in ix.schema.items():
            if field.indexed:
                for term in reader.lexicon(name):
                    # Not items_as("weight"): the text fields' postings keep
                    # their weights alone, with no value to decode (schema 8).
                    matcher = reader.postings(name, term)
                    found = postings[name, term] = []
                    while matcher.is_active():
                        found.append((ids[matcher.id()], matcher.weight()))
                        matcher.next()
        segments = len(ix._segments())
    ix.close()
    return [ids[d] for d in sorted(ids)], postings, segments


def test_a_parallel_build_indexes_what_a_one_process_build_does(tmp_path, monkeypatch):
    corpus = write_corpus(tmp_path / "reports", files=12, paragraphs=40)
    serial = load_settings(index_dir=tmp_path / "serial")
    monkeypatch.setattr(index_module, "_processes", lambda files: 1)
    update_index(serial, [corpus])
    monkeypatch.undo()
    parallel = load_settings(index_dir=tmp_path / "parallel")
    monkeypatch.setattr(index_module, "FORK_MIN_PARAGRAPHS", 100)
    monkeypatch.setattr(index_module, "_processes", lambda files: 3)
    summary = update_index(parallel, [corpus])
    assert summary.paragraphs == 480
    order, postings, segments = documents(parallel.index_dir)
    assert segments == 3  # one per writing process
    assert (order, postings) == documents(serial.index_dir)[:2]


def test_killing_a_parallel_build_never_damages_the_index(tmp_path, monkeypatch):
    # The crash cycles of tests/test_crash.py, with files read and segments
    # written by children (small thresholds so that every run forks).
    def sitrep_index(index_dir, corpus, *, rebuild=False, batch=None):
        code = "import search.index.update as i\ni.FORK_MIN_PARAGRAPHS = 40\ni.FORK_MIN_FILES = 2\n"
        code += "i._processes = lambda files: 2\n"
        if batch:
            code += f"i.BATCH_PARAGRAPHS = {batch}\n"
        code += "from search.cli import main\nmain()\n"
        args = [sys.executable, "-c", code, "index", "--index-dir", str(index_dir), str(corpus)]
        if rebuild:
            args.append("--rebuild")
        env = {k: v for k, v in os.environ.items() if not k.startswith("SITREP_")}
        return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    monkeypatch.setattr(crashkit, "sitrep_index", sitrep_index)
    lines: list[str] = []
    tally = crash_cycles(tmp_path, 12, seed=11, log=lines.append, files=20, paragraphs=15)
    assert tally.kills >= 10
    assert tally.failures == [], "\n".join(lines)
