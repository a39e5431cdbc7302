"""Other projects' BPMN files, PATEN's naming rules set aside: the engine runs at least as many of
their processes to an end event as plain SpiffWorkflow 3.2.0 with the same automatic inputs, and
whatever lint accepts runs to an end event (what cannot run, lint must refuse).

The corpus: PATEN_BPMN_CORPUS (directories separated by os.pathsep) and ../shared/external/bpmn-miwg
beside the repository; skipped when neither is there. Each process runs in a worker process under
a time budget (tests/engine/corpus_driver.py); bench/corpus.py runs the same and prints the lists.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from tests.engine.corpus_driver import (
    CORPUS_VARIABLE,
    MIWG,
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

pytestmark = pytest.mark.slow

# Files per corpus directory, spread evenly over each: all of bpmn-miwg (789) and of SpiffWorkflow's
# tests, in about a minute on two cores; bench/corpus.py runs every file of larger corpora.
SAMPLE_FILES = 1000
LISTED = 40


@pytest.fixture(scope="module")
def records() -> list[Record]:
    directories = corpus_directories()
    if not directories:
        pytest.skip(f"no BPMN corpus: set {CORPUS_VARIABLE} or check out {MIWG}")
    found = run_corpus({d: sample(bpmn_files(d), SAMPLE_FILES) for d in directories})
    if not found:
        pytest.skip(f"no executable process in {', '.join(map(str, directories))}")
    return found


def _listing(title: str, records: list[Record]) -> str:
    """The cases by cause (with plain SpiffWorkflow's outcomes for them), then one line each."""
    lines = [title]
    for group in by_cause(records):
        plain = ", ".join(f"{outcome} {count}" for outcome, count in group["plain"].items())
        lines.append(f"  {group['count']:4d} x {group['ours']}: {group['cause']}  (plain: {plain})")
        lines.append(f"         e.g. {group['example']}: {group['detail'][:200]}")
    lines.append("cases:")
    for r in records[:LISTED]:
        reason = (r.ours.detail or r.ours.cause)[:160]
        lines.append(f"  {r.corpus}/{r.file} ({r.process}): ours {r.ours.outcome}: {reason}; plain {r.plain.outcome}")
    if len(records) > LISTED:
        lines.append(f"  ... and {len(records) - LISTED} more (bench/corpus.py lists them all)")
    return "\n".join(lines)


def test_the_engine_never_crashes_on_other_projects_diagrams(records: list[Record]) -> None:
    # given the corpus run both ways; when we look at the engine's outcomes
    crashes = [r for r in records if r.ours.outcome == "crash"]

    # then no exception other than the engine's own errors escaped it
    assert not crashes, _listing(f"{len(crashes)} processes crash the engine (bugs of ours):", crashes)


def test_whatever_lint_accepts_runs_to_an_end_event_or_fails_as_plain_spiffworkflow_does(
    records: list[Record],
) -> None:
    # given the processes lint accepted (naming rules set aside) that the engine did not complete
    failing = accepted_not_completed(records)

    # when we keep those that wait forever, and those that fail where plain SpiffWorkflow, given the
    # same automatic inputs, does not (a diagram reading data nothing gives it fails in both)
    silent = [r for r in failing if r.ours.outcome == "stalled"]
    ours_alone = [r for r in failing if r.ours.outcome != "stalled" and r.plain.outcome == "completed"]

    # then there are none: what cannot run, lint must refuse
    accepted = sum(r.ours.outcome != "refused" for r in records)
    assert not silent, _listing(f"{len(silent)} of {accepted} processes lint accepts wait forever:", silent)
    title = f"{len(ours_alone)} of {accepted} processes lint accepts fail where plain SpiffWorkflow completes:"
    assert not ours_alone, _listing(title, ours_alone)


def test_the_engine_completes_at_least_as_many_processes_as_plain_spiffworkflow(records: list[Record]) -> None:
    # given the corpus run both ways; when we count the processes each runs to an end event
    counts = summary(records)
    per_corpus: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        per_corpus[record.corpus].append(record)
    numbers = "; ".join(
        f"{c}: plain {n['completed_plain']}, ours {n['completed_ours']}"
        for c, n in ((c, summary(mine)) for c, mine in per_corpus.items())
    )

    # then the engine completes at least as many over the corpus
    missed = plain_only(records)
    assert counts["completed_ours"] >= counts["completed_plain"], _listing(
        f"the engine completes fewer ({numbers}); plain completes, ours does not:", missed
    )
