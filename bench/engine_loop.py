"""Cost of a step as a request loops back again and again: does it grow with the request's past?

sktm's counter check (Task_PeriksaKelengkapan) returns an incomplete file to the applicant
(Task_LengkapiBerkas), who hands it back to the counter: one loop iteration is these two
completions. The file is returned `--loops` times, then found complete and the request runs to
its end.

A completion is measured as a command does it, with the engine alone (no Django, no database):
decode the stored state from JSON, restore the workflow, complete the counter's human task (the
engine steps run inside), dump the state and encode it to JSON (what the portal's JSONField
stores), and read the ready human tasks and waiting timers (what the mirror tables read).

Two variants, run round-robin so machine noise falls on both alike:
* compacted: the state as the engine stores it (only what it needs to continue);
* full: SpiffWorkflow's whole task tree, every completed task since the start (the stored form
  before compaction).

Output: one JSON line per variant: the state size in bytes after the counter's completion at
loop iterations 1, 50 and 100 (or --loops), the median cost of that completion over the runs,
and the ratios to iteration 1.

    .venv/bin/python bench/engine_loop.py [--runs 15] [--warmup 2] [--loops 100]
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from _common import emit, ensure_root_on_path, note, r, service_definition

SERVICE = "sktm"
CHECK, FIX = "Task_PeriksaKelengkapan", "Task_LengkapiBerkas"
START = {"keperluan": "Beasiswa sekolah anak", "nomor_pengantar_desa": "470/112/BBD/III/2026", "jumlah_tanggungan": 4}
APPLICANT = {"nik": "6409034508900002", "name": "Siti Aminah", "desa": "Babulu Darat", "phone": "081234567890"}
AUTHORITY = {"status": "delegated", "office": "", "legal_basis": ""}
T0 = datetime(2026, 3, 2, 0, 30, tzinfo=UTC)  # Monday 08:30 WITA
TARGET_RATIO_MAX = 1.5


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=15, help="measured requests per variant (default 15)")
    p.add_argument("--warmup", type=int, default=2, help="unmeasured requests per variant first (default 2)")
    p.add_argument("--loops", type=int, default=100, help="times the file is returned (default 100, at least 50)")
    p.add_argument("--profile", action="store_true", help="accepted for run_all.py; this benchmark has no profile")
    p.add_argument("--no-profile", action="store_true", help="accepted for run_all.py")
    args = p.parse_args(argv)
    if args.runs < 1 or args.warmup < 0 or args.loops < 50:
        p.error("--runs must be >= 1, --warmup >= 0, --loops >= 50")
    return args


class LoopRunner:
    """One sktm request whose file goes back and forth `loops` times, saved as `compact` says."""

    def __init__(self, loops: int, *, compact: bool) -> None:
        ensure_root_on_path()
        import engine
        from engine.serialization import workflow_to_state

        self.engine = engine
        self.to_state = workflow_to_state
        self.definition = service_definition(SERVICE)
        self.loops = loops
        self.compact = compact

    def _save(self, running: Any) -> str:
        return json.dumps(self.to_state(running.workflow, compact=self.compact))

    def _command(self, stored: str, bpmn_id: str, data: dict[str, Any], now: datetime) -> tuple[str, float]:
        """One completion as a command does it; returns the new stored state and its cost in seconds."""
        t0 = time.perf_counter()
        running = self.engine.Instance.restore(self.definition, json.loads(stored))
        guid = next(h.guid for h in running.ready_human_tasks() if h.bpmn_id == bpmn_id)
        running.complete_human_task(guid, data, now=now)
        stored = self._save(running)
        running.ready_human_tasks()
        running.waiting_timers()
        return stored, time.perf_counter() - t0

    def request(self) -> tuple[list[float], list[int]]:
        """Cost and state size after the counter's completion, per loop iteration (index 0 is the first)."""
        engine = self.engine
        now = T0
        data = {**engine.validate_start_data(self.definition, START), "applicant": APPLICANT, "authority": AUTHORITY}
        stored = self._save(engine.Instance.start(self.definition, data, now=now))
        costs: list[float] = []
        sizes: list[int] = []
        for number in range(1, self.loops + 1):
            now += timedelta(minutes=10)
            answer = {"hasil_pemeriksaan": "tidak_lengkap", "catatan": f"Berkas kurang (putaran {number})"}
            stored, cost = self._command(stored, CHECK, answer, now)
            costs.append(cost)
            sizes.append(len(stored.encode("utf-8")))
            now += timedelta(minutes=10)
            stored, _cost = self._command(stored, FIX, {"keterangan_perbaikan": f"Dilengkapi ({number})"}, now)
        now += timedelta(minutes=10)
        stored, _cost = self._command(stored, CHECK, {"hasil_pemeriksaan": "lengkap", "catatan": ""}, now)
        running = engine.Instance.restore(self.definition, json.loads(stored))
        if [h.bpmn_id for h in running.ready_human_tasks()] != ["Task_VerifikasiData"]:
            raise SystemExit("engine_loop: the complete file did not reach the verification step")
        return costs, sizes


def measure(runners: dict[str, LoopRunner], warmup: int, runs: int) -> dict[str, tuple[list[list[float]], list[int]]]:
    """Per variant: the costs of every measured run (per iteration) and the sizes of the last run."""
    for _ in range(warmup):
        for runner in runners.values():
            runner.request()
    gc.collect()
    costs: dict[str, list[list[float]]] = {name: [] for name in runners}
    sizes: dict[str, list[int]] = {}
    for number in range(1, runs + 1):
        for name, runner in runners.items():
            run_costs, sizes[name] = runner.request()
            costs[name].append(run_costs)
        note(f"engine_loop: run {number}/{runs} done")
    return {name: (costs[name], sizes[name]) for name in runners}


def report(variant: str, costs: list[list[float]], sizes: list[int], loops: int, runs: int) -> dict[str, Any]:
    marks = sorted({1, 50, loops})
    median_ms = {k: statistics.median(run[k - 1] for run in costs) * 1000.0 for k in marks}
    first = median_ms[1]
    return {
        "bench": "engine_loop",
        "variant": variant,
        "service": SERVICE,
        "loop": f"{CHECK} -> Gateway_Lengkap -> {FIX} -> {CHECK}",
        "runs": runs,
        "loops": loops,
        "state_bytes": {str(k): sizes[k - 1] for k in marks},
        "state_ratio_last_to_first": r(sizes[loops - 1] / sizes[0]),
        "completion_median_ms": {str(k): r(median_ms[k]) for k in marks},
        "ratio_50th_to_1st": r(median_ms[50] / first),
        "ratio_last_to_1st": r(median_ms[loops] / first),
        "target_ratio_50th_to_1st_max": TARGET_RATIO_MAX,
        "python": sys.version.split()[0],
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    runners = {"compacted": LoopRunner(args.loops, compact=True), "full": LoopRunner(args.loops, compact=False)}
    note(f"engine_loop: {SERVICE}, {args.loops} loops, {args.runs} runs per variant after {args.warmup} warm-up")
    measured = measure(runners, args.warmup, args.runs)
    for variant, (costs, sizes) in measured.items():
        emit(report(variant, costs, sizes, args.loops, args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
