"""Kill `sitrep index` at random moments and check the index it leaves behind.

Shared by ``tests/test_crash.py`` (a few dozen kills) and
``bench/crash_run.py`` (as many as asked).  A "cycle" starts from an empty
index and kills, in turn, a first run, incremental runs that continue it
(committing every few hundred paragraphs, so kills land between commits), a
rebuild, and a rebuild after a schema change; after each kill the index must
open, a :class:`~search.query.SearchIndex` must serve exactly the last
committed generation, every file in it must be whole and no paragraph id may
appear twice.  A last run without a kill must then give the reference index:
every paragraph exactly once.
"""

from __future__ import annotations

import collections
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

WORDS = (
    "forces advanced near settlement artillery drone strike brigade oblast battalion reported claimed "
    "logistics frontline offensive defensive positions reservoir railway bridge convoy humanitarian "
    "corridor civilians evacuation shelling infrastructure energy grid missile interceptor airfield "
    "reconnaissance mechanized assault counterattack withdrawal encirclement salient ridge highway "
    "village district commander ministry statement negotiations ceasefire sanctions refugees shelter "
    "displacement supply ammunition winter assessment indicates likely intends sustained pressure"
).split()
PLACES = ("Pokrovsk", "Kupyansk", "Toretsk", "Kursk", "Vuhledar", "Chasiv Yar", "Kurakhove", "Siversk")


def write_corpus(directory: Path, files: int = 60, paragraphs: int = 30, seed: int = 6) -> Path:
    """Write ``files`` plain-text reports of ``paragraphs`` paragraphs each into ``directory``."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    start = date(2024, 10, 1)
    for number in range(files):
        day = start + timedelta(days=number)
        lines = [f"Russian Offensive Campaign Assessment {number}", "", day.strftime("%B %-d, %Y"), ""]
        for para in range(paragraphs):
            if para % 10 == 0:
                lines += [f"Developments near {rng.choice(PLACES)}", ""]
            sentences = []
            for _ in range(rng.randint(2, 4)):
                words = [rng.choice(WORDS) for _ in range(rng.randint(8, 16))]
                words.insert(rng.randrange(len(words)), rng.choice(PLACES))
                words.append(f"r{number}p{para}x{rng.randrange(10**6)}")  # every paragraph distinct
                sentences.append(" ".join(words).capitalize() + ".")
            lines += [" ".join(sentences), ""]
        (directory / f"assessment-{day.isoformat()}.txt").write_text("\n".join(lines), encoding="utf-8")
    return directory


def sitrep_index(index_dir: Path, corpus: Path, *, rebuild: bool = False, batch: int | None = None) -> subprocess.Popen:
    """Start `sitrep index` in a child process (``batch``: commit every ``batch`` paragraphs)."""
    code = "import search.index.update as i\n"
    if batch:
        code += f"i.BATCH_PARAGRAPHS = {batch}\n"
    code += "from search.cli import main\nmain()\n"
    args = [PYTHON, "-c", code, "index", "--index-dir", str(index_dir), str(corpus)]
    if rebuild:
        args.append("--rebuild")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SITREP_")}
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def run_to_end(index_dir: Path, corpus: Path, **kwargs) -> float:
    """Run `sitrep index` to completion; return its wall time.  Raises on a failed run."""
    began = time.monotonic()
    proc = sitrep_index(index_dir, corpus, **kwargs)
    out, err = proc.communicate(timeout=300)
    if proc.returncode != 0:
        raise AssertionError(f"sitrep index failed ({proc.returncode}): {err.decode()[-2000:]}")
    return time.monotonic() - began


def snapshot(index_dir: Path) -> dict[str, list[str]]:
    """Path -> ids of the paragraphs the index holds for it (via the engine's own reader)."""
    from search.index import open_index

    ix = open_index(index_dir)
    try:
        by_path: dict[str, list[str]] = collections.defaultdict(list)
        with ix.searcher() as searcher:
            for fields in searcher.all_stored_fields():
                by_path[fields["path"]].append(fields["id"])
        return dict(by_path)
    finally:
        ix.close()


@dataclass
class Tally:
    kills: int = 0
    finished_first: int = 0  # runs that ended before their kill came (not counted as kills)
    survived: int = 0
    failures: list[str] = field(default_factory=list)

    def line(self) -> str:
        return f"{self.survived}/{self.kills} kills survived ({self.finished_first} runs finished before their kill)"


def check_after_kill(index_dir: Path, reference: dict[str, list[str]], schema_changed: bool = False) -> str | None:
    """Why the index left by a killed run is broken, or None when it is sound."""
    from search import load_settings
    from search.errors import IndexMissing, SchemaChanged
    from search.index import index_identity, open_index
    from search.query import SearchIndex

    try:
        ix = open_index(index_dir)
    except IndexMissing:
        return None  # killed before the first commit of a new index: nothing to lose
    except SchemaChanged:
        return None if schema_changed else "index reports a schema change after a kill"
    except Exception as error:  # anything else means a damaged index
        return f"index does not open: {error!r}"
    try:
        committed = ix.doc_count()
        identity = index_identity(ix, index_dir)
    finally:
        ix.close()
    if schema_changed:
        # The index opens with today's schema: the rebuild got as far as its
        # swap before the kill landed, so it must be the whole new index.
        problem = check_complete(index_dir, reference)
        return f"a killed schema-change rebuild left a partial index: {problem}" if problem else None
    settings = load_settings(environ={}, index_dir=index_dir)
    with SearchIndex(settings) as index:
        served = index.search("", per_page=1).total
        gen = index.generation()
        if gen.identity != identity:
            return f"SearchIndex serves {gen.identity}, the last commit is {identity}"
    if served != committed:
        return f"SearchIndex serves {served} paragraphs, the last commit has {committed}"
    held = snapshot(index_dir)
    ids = [i for values in held.values() for i in values]
    if len(ids) != len(set(ids)):
        return f"{len(ids) - len(set(ids))} duplicate paragraph ids"
    for path, values in held.items():
        if sorted(values) != sorted(reference.get(path, [])):
            return f"{path} is not whole: {len(values)} of {len(reference.get(path, []))} paragraphs"
    return None


def check_complete(index_dir: Path, reference: dict[str, list[str]]) -> str | None:
    """Why a finished index differs from the reference, or None."""
    held = snapshot(index_dir)
    ids = [i for values in held.values() for i in values]
    want = [i for values in reference.values() for i in values]
    if len(ids) != len(set(ids)):
        return f"{len(ids) - len(set(ids))} duplicate paragraph ids after the rerun"
    if sorted(ids) != sorted(want):
        return f"rerun holds {len(ids)} paragraphs, the reference {len(want)}"
    return None


def fresh_dir(index_dir: Path) -> None:
    shutil.rmtree(index_dir, ignore_errors=True)
    for leftover in index_dir.parent.glob(f".{index_dir.name}.*"):
        shutil.rmtree(leftover, ignore_errors=True)
    index_dir.mkdir(parents=True)
    (index_dir / ".gitkeep").touch()


# Each step of a cycle: (label, rebuild?, commit batch, mark the schema as changed first?)
STEPS = (
    ("first run", False, None, False),
    ("continued run, small batches", False, 300, False),
    ("continued run, small batches", False, 300, False),
    ("rebuild", True, None, False),
    ("rebuild, small batches", True, 300, False),
    ("rebuild after a schema change", True, None, True),
)


def crash_cycles(workdir: Path, kills: int, seed: int = 6, log=print, files: int = 60, paragraphs: int = 30) -> Tally:
    """Kill `sitrep index` ``kills`` times at random moments; return the tally."""
    corpus = write_corpus(workdir / "reports", files, paragraphs, seed)
    index_dir = workdir / "index"
    fresh_dir(index_dir)
    duration = run_to_end(index_dir, corpus)
    reference = snapshot(index_dir)
    rng = random.Random(seed)
    tally = Tally()
    # How long each kind of run lasts, learnt as runs finish before their kill:
    # continued runs have less left to do than the first one.
    expected = {label: duration * (1.2 if rebuild else 1.0) for label, rebuild, _, _ in STEPS}
    step = 0
    while tally.kills < kills:
        label, rebuild, batch, schema = STEPS[step % len(STEPS)]
        if step % len(STEPS) == 0:
            fresh_dir(index_dir)
        if schema:
            # Make sure there is a complete index, then pretend an upgrade changed its schema.
            run_to_end(index_dir, corpus)
            version = index_dir / "SITREP_SCHEMA"
            version.write_text("0\n" + version.read_text().split("\n", 1)[1])
        delay = rng.uniform(0.0, expected[label])
        proc = sitrep_index(index_dir, corpus, rebuild=rebuild, batch=batch)
        began = time.monotonic()
        while proc.poll() is None and time.monotonic() - began < delay:
            time.sleep(0.005)
        finished = proc.poll() is not None
        if finished:
            expected[label] = 0.9 * (time.monotonic() - began)
            tally.finished_first += 1
        else:
            proc.send_signal(signal.SIGKILL)
            tally.kills += 1
        proc.communicate()
        problem = check_after_kill(index_dir, reference, schema_changed=schema and not finished)
        if problem is None and step % len(STEPS) == len(STEPS) - 1:
            # End of a cycle: a run without a kill must complete the index.
            run_to_end(index_dir, corpus, rebuild=schema)
            problem = check_complete(index_dir, reference)
        if problem is None:
            tally.survived += 0 if finished else 1
        else:
            tally.failures.append(f"kill {tally.kills} ({label}, at {delay:.2f}s): {problem}")
            fresh_dir(index_dir)
        log(f"run {step + 1:3d}, kill {tally.kills:3d} {label:32s} at {delay:5.2f}s{' (had finished)' if finished else ''}: "
            f"{'ok' if problem is None else problem}")
        step += 1
    return tally
