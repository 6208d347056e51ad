"""Time reading report files that hold one very long line of a repeated pattern (#13).

    python bench/pathological.py [--size 1000000] [--formats txt,md,html,jsonl]
                                 [--cases "'['" "'('" ...] [--timeout 120] [--index] [--scaling]

For every format and case it writes a report file whose body is one line
of ``--size`` characters, a short pattern repeated (see CASES), then reads it in a
fresh process (``read_report_file`` and ``paragraph_docs``: parsing,
footnotes, dates, sections, tagging, fingerprints) and prints the seconds.
With ``--index`` the time is that of ``update_index`` on the file instead
(reading plus analysis and writing into a new index).  A case still running
after ``--timeout`` seconds is stopped and printed as ``>TIMEOUT``.  Each
reader is meant to take time in proportion to the line, about 2 s at most
for 1 MB.  ``--scaling`` runs each case at half the size
too and prints the ratio (about 2 for linear time, about 4 for quadratic).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FORMATS = ("txt", "md", "html", "jsonl")
# Single characters and short patterns that regular expressions in the
# readers, dates, sections, endnotes, taxonomy and fingerprints treat
# specially: brackets, emphasis marks, list and heading marks, digits,
# letters, markup, entities, links, dates, footnote markers.  Each is the
# whole line, repeated, unless a case below gives it a start and an end.
UNITS = (
    "[", "(", ")", "]", "*", "_", "-", " ", "1", "a", "#", "`", "!", "<", ">", "&", "&#", ":", ".", "'", "\t",
    "[a](b", "[a]", "](", "![", "[^1", "[1]", "**a", "*a ", "_a ", "*a", "_a", "a_", "a-", "a.", "a'", "a b",
    "http://", "https://a", "<a", "</", "<!--", "<![", "<!", "<?", "<p>", "&#1", "Dec 1 ", "December 1, 2024 ",
    "1-", "1:", "(a", "a(", "()", "Russian forces ", "as of December 1 ",
)
# name -> (start, unit repeated, end): lines that need a start to reach a pattern.
CASES = {repr(unit): ("", unit, "") for unit in UNITS} | {
    "'# ' + '#'": ("# ", "#", "x"),  # an ATX heading's closing marks
    "'subscribe to' + ' '": ("Russian forces attacked\nsubscribe to", " ", "!"),  # web chrome, raw line
    "'A heading (' + ' '": ("A heading (", " ", ")x"),  # a trailing remark
}


def report_text(fmt: str, line: str) -> str:
    """A report file of format ``fmt`` whose body is ``line`` plus one ordinary sentence."""
    sentence = "Russian forces attacked near Pokrovsk on December 3, 2024."
    if fmt == "txt":
        return f"December 3, 2024\n\n{sentence}\n\n{line}\n"
    if fmt == "md":
        return f"---\ntitle: Pathological\ndate: 2024-12-03\n---\n\n{sentence}\n\n{line}\n"
    if fmt == "html":
        return f"<html><head><title>Pathological</title></head><body><article><p>{sentence}</p><p>{line}</p></article></body></html>"
    if fmt == "jsonl":
        return json.dumps({"text": f"{sentence}\n\n{line}", "date": "2024-12-03"}) + "\n"
    raise ValueError(fmt)


def time_one(fmt: str, case: str, size: int, index: bool) -> float:
    """Seconds to read (or index) one generated file; runs in this process."""
    from search import load_settings, update_index
    from search.ingest import paragraph_docs, read_report_file
    from search.taxonomy import load_taxonomy

    start, unit, end = CASES[case]
    line = start + unit * ((size - len(start) - len(end)) // len(unit)) + end
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / f"pathological.{fmt}"
        path.write_text(report_text(fmt, line), encoding="utf-8")
        settings = load_settings(environ={}, index_dir=Path(scratch) / "index")
        taxonomy = load_taxonomy(settings.taxonomy, settings.gazetteer)
        started = time.perf_counter()
        if index:
            update_index(settings, [path])
        else:
            try:
                paragraph_docs(read_report_file(path, taxonomy), taxonomy)
            except Exception as error:  # a skipped file is a result too: it was read
                print(f"({type(error).__name__}: {error})", file=sys.stderr)
        return time.perf_counter() - started


def run_case(fmt: str, case: str, size: int, index: bool, timeout: float) -> float | None:
    """Seconds for one case in a fresh process, or None when it ran past ``timeout``."""
    command = [sys.executable, __file__, "--one", fmt, case, str(size)] + (["--index"] if index else [])
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return None
    return float(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="characters in the long line")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--cases", nargs="+", default=list(CASES), help="case names as listed (default: all)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a case is stopped")
    parser.add_argument("--index", action="store_true", help="time update_index, not only reading")
    parser.add_argument("--scaling", action="store_true", help="also run at half the size; print the ratio")
    parser.add_argument("--one", nargs=3, metavar=("FORMAT", "CASE", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        fmt, case, size = args.one
        print(f"{time_one(fmt, case, int(size), args.index):.4f}")
        return 0
    formats = args.formats.split(",")
    what = "update_index" if args.index else "read_report_file + paragraph_docs"
    print(f"{what}, one line of {args.size:,} characters; seconds per format")
    print(f"{'line':<26}" + "".join(f"{fmt:>12}" for fmt in formats))
    worst = 0.0
    for case in args.cases:
        cells = []
        for fmt in formats:
            seconds = run_case(fmt, case, args.size, args.index, args.timeout)
            if seconds is None:
                cells.append(">TIMEOUT")
                worst = float("inf")
                continue
            worst = max(worst, seconds)
            cell = f"{seconds:.2f}"
            if args.scaling:
                half = run_case(fmt, case, args.size // 2, args.index, args.timeout)
                cell += f" x{seconds / half:.1f}" if half else " x?"
            cells.append(cell)
        print(f"{case:<26}" + "".join(f"{cell:>12}" for cell in cells), flush=True)
    print(f"slowest: {worst:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
