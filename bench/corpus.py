"""Other projects' BPMN files, PATEN's naming rules set aside: does the engine run as many of them to an
end event as plain SpiffWorkflow 3.2.0 does with the same automatic inputs, and does lint's verdict
match the run (whatever lint accepts runs to an end event)?

    .venv/bin/python bench/corpus.py [--quick] [--limit N] [--verbose] [DIR...]

The corpus: the DIRs given, else the directories of PATEN_BPMN_CORPUS (separated by os.pathsep)
and ../shared/external/bpmn-miwg beside the repository when it is there. Every `.bpmn` file (and
`.xml` file whose root is bpmn:definitions) under them, every executable top-level process.

stdout, JSON lines: with --verbose one line per process; always one line per process lint accepted
that did not complete (`accepted_not_completed`) and per process plain completes and we do not
(`plain_only`); a summary per corpus directory, with both lists grouped by cause; a final line with
the totals and the machine's load average. stderr: progress and the same lists, readable.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from _common import emit, ensure_root_on_path, load_average, note

ensure_root_on_path()

from tests.engine.corpus_driver import (  # noqa: E402 - after the repository is on the path
    RUN_SECONDS,
    Record,
    accepted_not_completed,
    bpmn_files,
    by_cause,
    corpus_directories,
    plain_only,
    run_corpus,
    sample,
    summary,
)

QUICK_FILES = 40


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("directories", nargs="*", metavar="DIR", help="corpus directories (default: see above)")
    p.add_argument("--quick", action="store_true", help=f"{QUICK_FILES} files per directory, spread evenly")
    p.add_argument("--limit", type=int, help="at most N files per directory, spread evenly over the sorted list")
    p.add_argument("--verbose", action="store_true", help="one JSON line per process")
    p.add_argument("--jobs", type=int, help="worker processes (default: one per available core)")
    p.add_argument("--seconds", type=float, default=RUN_SECONDS, help="time budget per process and side")
    p.add_argument("--profile", action="store_true", help="accepted for run_all.py; this benchmark has no profile")
    p.add_argument("--no-profile", action="store_true", help="accepted for run_all.py")
    args = p.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        p.error("--limit must be at least 1")
    return args


def report(title: str, records: list[Record]) -> None:
    note(f"  {title}: {len(records)}")
    for group in by_cause(records):
        plain = ", ".join(f"{outcome} {count}" for outcome, count in group["plain"].items())
        note(f"    {group['count']:4d}  {group['ours']}: {group['cause']}   (plain: {plain})")
        note(f"          e.g. {group['example']}: {group['detail'][:300]}")


def corpus_lines(directory: Path, records: list[Record], scanned: int) -> dict[str, Any]:
    """Emit the lists of one corpus directory; return its summary line."""
    failing, missed = accepted_not_completed(records), plain_only(records)
    for kind, listed in (("accepted_not_completed", failing), ("plain_only", missed)):
        for record in listed:
            emit({"bench": "corpus", "kind": kind, **record.to_dict()})
    note(f"corpus {directory}:")
    report("lint accepts, the engine does not complete", failing)
    report("plain SpiffWorkflow completes, the engine does not", missed)
    return {"bench": "corpus", "kind": "summary", "corpus": str(directory), "files_scanned": scanned,
            **summary(records), "accepted_not_completed_by_cause": by_cause(failing),
            "plain_only_by_cause": by_cause(missed)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    directories = corpus_directories(args.directories)
    limit = QUICK_FILES if args.quick and args.limit is None else args.limit
    if not directories:
        reason = "no corpus directory: set PATEN_BPMN_CORPUS or check out ../shared/external/bpmn-miwg"
        note(f"corpus: {reason}")
        emit({"bench": "corpus", "skipped": True, "reason": reason})
        return 0
    selection = {d: sample(bpmn_files(d), limit) for d in directories}
    note(f"corpus: {sum(map(len, selection.values()))} files in {len(directories)} directories")
    started = time.monotonic()

    def progress(done: int, total: int) -> None:
        if done % 100 == 0 or done == total:
            note(f"corpus: {done}/{total} processes run ({time.monotonic() - started:.0f} s)")

    records = run_corpus(selection, workers=args.jobs, seconds=args.seconds, progress=progress)
    elapsed = time.monotonic() - started
    if args.verbose:
        for record in records:
            emit({"bench": "corpus", "kind": "process", **record.to_dict()})
    for directory in directories:
        mine = [r for r in records if r.corpus == str(directory)]
        emit(corpus_lines(directory, mine, len(selection[directory])))
    emit({"bench": "corpus", "kind": "total", "directories": [str(d) for d in directories],
          "files_scanned": sum(map(len, selection.values())), **summary(records),
          "seconds": round(elapsed, 1), "load_average": load_average(), "python": sys.version.split()[0]})  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
