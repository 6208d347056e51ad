"""A `sitrep index` killed with SIGKILL at any moment never damages the index (#6).

Each kill lands at a random moment (fixed seed) within the measured length
of a run: during a first build, incremental runs that commit every few
hundred paragraphs, a rebuild and a rebuild after a schema change.  After
every kill the index opens, a SearchIndex serves the last committed
generation, every file in it is whole and no id appears twice; a rerun then
holds every paragraph exactly once.  ``bench/crash_run.py --kills 50`` does
the same at length.
"""

from __future__ import annotations

from pathlib import Path

from crashkit import crash_cycles, check_after_kill, fresh_dir, run_to_end, sitrep_index, snapshot, write_corpus

KILLS = 21


def test_sigkill_at_random_moments_never_damages_the_index(tmp_path: Path) -> None:
    lines: list[str] = []
    tally = crash_cycles(tmp_path, KILLS, seed=6, log=lines.append, files=20, paragraphs=15)
    assert tally.kills >= 20
    assert tally.failures == [], "\n".join(lines)
    assert tally.survived == tally.kills
    print(f"\n[crash] {tally.line()}")


def test_killed_rebuild_keeps_the_old_index_and_leaves_no_litter(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "reports", files=20, paragraphs=20)
    index_dir = tmp_path / "index"
    fresh_dir(index_dir)
    run_to_end(index_dir, corpus)
    before = snapshot(index_dir)
    # Wait until the rebuild has written some of its new index beside the old one.
    proc = sitrep_index(index_dir, corpus, rebuild=True)
    import time

    def rebuild_has_segments() -> bool:
        # The rebuild may remove its folder while glob lists it.
        try:
            return bool(list(tmp_path.glob(".index.rebuild-*/*.seg")))
        except FileNotFoundError:
            return False

    deadline = time.monotonic() + 30
    while not rebuild_has_segments() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.kill()
    proc.communicate()
    assert check_after_kill(index_dir, before) is None
    assert snapshot(index_dir) == before
    assert (index_dir / ".gitkeep").exists()
    run_to_end(index_dir, corpus, rebuild=True)
    assert sorted(map(sorted, snapshot(index_dir).values())) == sorted(map(sorted, before.values()))
    assert list(tmp_path.glob(".index.*")) == []  # the killed run's directory was cleared


def test_open_index_undoes_a_swap_killed_between_its_two_renames(tmp_path: Path) -> None:
    import os

    from search.errors import IndexMissing
    from search.index import open_index
    from search.index.locks import write_lock

    corpus = write_corpus(tmp_path / "reports", files=2, paragraphs=3)
    index_dir = tmp_path / "index"
    fresh_dir(index_dir)
    run_to_end(index_dir, corpus)
    before = snapshot(index_dir)
    old = tmp_path / ".index.old-1234abcd"
    os.rename(index_dir, old)  # a schema-change rebuild died after its first rename
    with write_lock(old):  # ...or is still running: readers must leave its swap alone
        try:
            open_index(index_dir)
        except IndexMissing:
            pass
        assert not index_dir.exists() and old.exists()
    open_index(index_dir).close()  # the run is gone: the old index comes back
    assert snapshot(index_dir) == before and not old.exists()
