"""One writer at a time, readers never disturbed (#6).

* The write lock is Whoosh's ``fcntl.flock`` on ``MAIN_WRITELOCK``: it dies
  with its process, so a writer killed with SIGKILL leaves no lock behind.
* A second `sitrep index` waits for the first (saying so on stderr), then
  runs; if the first keeps the lock too long it stops with one ``Error:``
  line and exit status 1.
* Re-indexing while the live server answers a steady stream of queries:
  no errors, the new generation is served as soon as a commit returns, and
  the SearchIndex keeps no more than two generations open besides those a
  request is still reading (an export reads one generation to its end).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from werkzeug.serving import WSGIRequestHandler, make_server


class QuietHandler(WSGIRequestHandler):
    """No access log: werkzeug's log handler would outlive the test's captured stderr."""

    def log_request(self, *args, **kwargs) -> None:
        pass

from crashkit import ROOT, fresh_dir, snapshot, write_corpus
from search import load_settings, update_index
from search.index.locks import LOCK_FILE, try_lock
from web import create_app

HOLD_LOCK = """
import sys, time
from search.index.locks import write_lock
with write_lock(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _hold_lock(index_dir: Path, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(index_dir), str(seconds)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_killed_writer_leaves_no_lock(tmp_path: Path) -> None:
    holder = _hold_lock(tmp_path, 60)
    assert try_lock(tmp_path) is None  # held by the other process
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert (tmp_path / LOCK_FILE).exists()  # the file stays...
    lock = try_lock(tmp_path)  # ...but the lock died with its process: no wait at all
    assert lock is not None
    lock.release()


def _index_cli(index_dir: Path, corpus: Path, wait_s: float | None = None) -> subprocess.Popen:
    code = "import search.index.update as i\n"
    if wait_s is not None:
        code += f"i.WRITER_TIMEOUT_S = {wait_s}\n"
    code += "from search.cli import main\nmain()\n"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SITREP_")}
    return subprocess.Popen([sys.executable, "-c", code, "index", "--index-dir", str(index_dir), str(corpus)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_second_index_gives_up_with_one_error_line(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "reports", files=2, paragraphs=3)
    index_dir = tmp_path / "index"
    holder = _hold_lock(index_dir, 30)
    try:
        second = _index_cli(index_dir, corpus, wait_s=1)
        out, err = second.communicate(timeout=60)
    finally:
        holder.kill()
        holder.wait()
    assert second.returncode == 1
    lines = err.strip().splitlines()
    assert lines[0].startswith(f"waiting for another sitrep index (pid {holder.pid})")
    assert lines[-1] == (f"Error: another `sitrep index` (pid {holder.pid}) is still writing {index_dir} "
                         "after 1 s; wait for it to finish and run again")
    assert out == ""


# A `sitrep index` that holds its first commit until the file argv[1] exists,
# so that the second run surely finds the lock taken, however fast the build.
HELD_INDEX = """
import os, sys, time
import search.index.update as i
release = sys.argv.pop(1)
commit = i._Batches.commit
def held_commit(self):
    while not os.path.exists(release):
        time.sleep(0.01)
    commit(self)
i._Batches.commit = held_commit
from search.cli import main
main()
"""


def test_second_index_waits_for_the_first_and_adds_nothing_twice(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "reports", files=20, paragraphs=20)
    index_dir = tmp_path / "index"
    fresh_dir(index_dir)
    release = tmp_path / "release"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SITREP_")}
    first = subprocess.Popen([sys.executable, "-c", HELD_INDEX, str(release), "index", "--index-dir", str(index_dir),
                              str(corpus)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    owner = index_dir / "SITREP_WRITER"
    while not (owner.exists() and owner.read_text().strip() == str(first.pid)):
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.01)
    second = _index_cli(index_dir, corpus)
    waiting = second.stderr.readline()
    assert "waiting for another sitrep index (pid %d)" % first.pid in waiting
    release.touch()
    out1, err1 = first.communicate(timeout=60)
    out2, err2 = second.communicate(timeout=60)
    assert first.returncode == 0 and second.returncode == 0, err1 + err2
    assert out1.startswith("20 added")
    # The second run read the list of indexed files only once it had the lock.
    assert out2.strip() == "0 added, 0 updated, 0 removed, 0 skipped, 20 unchanged; 0 paragraphs written"
    ids = [i for values in snapshot(index_dir).values() for i in values]
    assert len(ids) == len(set(ids)) == 400


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            body = response.read()
            json_body = response.headers.get_content_type() == "application/json"
            return response.status, json.loads(body) if json_body else {}
    except urllib.error.HTTPError as error:
        return error.code, {}


def test_reindex_while_serving_queries(tmp_path: Path) -> None:
    import search.query.generation as query_module

    corpus = write_corpus(tmp_path / "reports", files=20, paragraphs=15)
    files = sorted(corpus.iterdir())
    settings = load_settings(environ={}, index_dir=tmp_path / "index", reports=[corpus])
    update_index(settings, [corpus])

    generations: list = []
    original_init = query_module._Generation.__init__

    def tracked_init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        generations.append(self)

    query_module._Generation.__init__ = tracked_init
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    stop = threading.Event()
    served, errors, most_open = [0], [], [0]

    def hammer() -> None:
        queries = ["/api/search?q=forces", "/api/search?q=Pokrovsk&sort=newest", "/api/search?q=marker*",
                   "/?q=artillery", "/api/search?topic=x&page=1"]
        n = 0
        while not stop.is_set():
            status, _ = _get(base + queries[n % len(queries)])
            n += 1
            served[0] += 1
            if status >= 500:
                errors.append((queries[(n - 1) % len(queries)], status))
            # A generation a request still reads stays open until it ends; the others count.
            unheld = sum(not g.searcher.ixreader.is_closed and not g.users for g in list(generations))
            most_open[0] = max(most_open[0], unheld)

    workers = [threading.Thread(target=hammer) for _ in range(2)]
    try:
        for worker in workers:
            worker.start()
        time.sleep(0.2)
        before = served[0]
        for round_ in range(4):
            # Put a new marker word into some files, then re-index (the last round rebuilds).
            marker = f"markerword{round_}"
            for path in files[round_ % 3::3]:
                path.write_text(path.read_text().replace("Russian Offensive", f"Russian Offensive {marker}", 1)
                                + f"\n\nA paragraph about {marker} only.\n")
            update_index(settings, [corpus], rebuild=round_ == 3)
            # The very next query sees the new generation.
            status, body = _get(base + f"/api/search?q={marker}")
            assert status == 200 and body["total"] == len(files[round_ % 3::3]), body
        during = served[0] - before
    finally:
        stop.set()
        for worker in workers:
            worker.join()
        server.shutdown()
        open_after = sum(not g.searcher.ixreader.is_closed for g in generations)
        app.extensions["sitrep"].close()
        query_module._Generation.__init__ = original_init
    print(f"\n[concurrency] {during} requests served during 4 re-indexes, {len(errors)} errors")
    assert errors == []
    assert during > 20
    assert most_open[0] <= 2
    assert open_after <= 2  # once no request runs, only the newest two remain


def _two_new_generations(settings, corpus: Path, index, round_: int) -> None:
    """Add a report and search, twice: the index moves two generations on."""
    for step in range(2):
        (corpus / f"late-{round_}-{step}.txt").write_text(
            f"Late report {round_} {step}\n\nNovember 20, 2024\n\nRussian forces attacked near Kupyansk, latemarker{round_}.\n",
            encoding="utf-8")
        update_index(settings, [corpus])
        index.search("")


def test_an_export_reads_one_generation_to_its_end_while_others_land(tmp_path: Path) -> None:
    from search import SearchIndex

    corpus = write_corpus(tmp_path / "reports", files=6, paragraphs=10)
    settings = load_settings(environ={}, index_dir=tmp_path / "index", reports=[corpus])
    update_index(settings, [corpus])
    with SearchIndex(settings) as index:
        expected = [hit.id for hit in index.iter_hits("", sort="oldest")]
        assert len(expected) == 60
        hits = index.iter_hits("", sort="oldest")
        first = next(hits)
        held = index.generation()
        _two_new_generations(settings, corpus, index, 1)
        assert index.generation() is not held
        # Before leases the held generation was closed here and the next read failed.
        assert not held.searcher.ixreader.is_closed
        assert [first.id, *(hit.id for hit in hits)] == expected
        assert held.searcher.ixreader.is_closed  # closed once its last reader let go
        # The newest generation has both late reports.
        assert index.search("latemarker1").total == 2


def test_hits_dropped_unread_let_their_generation_close(tmp_path: Path) -> None:
    from search import SearchIndex

    corpus = write_corpus(tmp_path / "reports", files=4, paragraphs=5)
    settings = load_settings(environ={}, index_dir=tmp_path / "index", reports=[corpus])
    update_index(settings, [corpus])
    with SearchIndex(settings) as index:
        hits = index.iter_hits("")  # never read, as when a client hangs up at once
        held = index.generation()
        _two_new_generations(settings, corpus, index, 2)
        assert not held.searcher.ixreader.is_closed
        del hits
        assert held.searcher.ixreader.is_closed


def test_requests_are_answered_from_the_generation_before_while_warm_opens_a_new_one(tmp_path, monkeypatch):
    # sitrep serve's watcher thread calls warm() when a commit lands; a search
    # that comes while it warms the new generation must not wait for it (#17),
    # and once it is warm every search sees the new report.
    import threading

    from search import SearchIndex
    from search.query.generation import _Generation

    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "a.txt").write_text("December 1, 2024\n\nShelling near Pokrovsk continued overnight.\n")
    settings = load_settings(environ={}, index_dir=tmp_path / "index")
    update_index(settings, [reports])
    with SearchIndex(settings) as index:
        first = index.generation().identity
        (reports / "b.txt").write_text("December 2, 2024\n\nSappers cleared the Zhuravka ferry crossing.\n")
        update_index(settings, [reports])
        release, warming = threading.Event(), threading.Event()
        original = _Generation.warm

        def slow_warm(gen):
            original(gen)
            if gen.identity != first:
                warming.set()
                assert release.wait(30)

        monkeypatch.setattr(_Generation, "warm", slow_warm)
        opened = []
        watcher = threading.Thread(target=lambda: opened.append(index.warm()))
        watcher.start()
        assert warming.wait(30)
        answers = []
        meanwhile = threading.Thread(target=lambda: answers.append(index.search("Zhuravka").total))
        meanwhile.start()
        meanwhile.join(10)
        # Answered without waiting for the warm, from the generation before.
        assert not meanwhile.is_alive() and answers == [0]
        release.set()
        watcher.join(30)
        assert opened == [True]
        assert index.search("Zhuravka").total == 1 and index.generation().identity != first
