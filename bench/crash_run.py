"""Kill `sitrep index` with SIGKILL at random moments and count the runs the index survives.

    .venv/bin/python bench/crash_run.py --kills 50

Uses the same corpus and checks as tests/test_crash.py (tests/crashkit.py),
with a bigger corpus (60 files x 30 paragraphs) and as many kills as asked;
prints one line per kill and then "survived/total".  Exit status 1 if any
kill left a damaged index or a rerun that did not hold every paragraph once.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from crashkit import crash_cycles  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=50, help="How many runs to kill (default 50).")
    parser.add_argument("--seed", type=int, default=6, help="Random seed for the corpus and kill times.")
    parser.add_argument("--files", type=int, default=60, help="Report files in the corpus.")
    parser.add_argument("--paragraphs", type=int, default=30, help="Paragraphs per file.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sitrep-crash-") as work:
        tally = crash_cycles(Path(work), args.kills, seed=args.seed, files=args.files, paragraphs=args.paragraphs,
                             log=lambda line: print(line, flush=True))
    for failure in tally.failures:
        print("FAILED", failure)
    print(f"survived/total: {tally.survived}/{tally.kills} "
          f"(plus {tally.finished_first} runs that finished before their kill)")
    return 0 if not tally.failures else 1


if __name__ == "__main__":
    sys.exit(main())
