"""Bounded state: what is stored of an instance does not grow with its past, and behaves the same.

A driver saves and restores the instance around every command, compacted as the engine stores
it; the reference is the same commands on SpiffWorkflow alone (the instance kept in memory, its
whole task tree) or saved in full, as states were stored before compaction.
"""

from __future__ import annotations

import copy
import functools
import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState

import engine
from tests.engine import loop_diagrams as diagrams
from tests.engine import looping
from tests.engine.looping import COMPACT, FULL, MEMORY, Driver
from tests.engine.samples import T0
from tests.scenario import (
    PROCESSES,
    Scenario,
    all_scenarios,
    catalogue_library,
    scenario_authority,
    scenario_definition,
)

COMPLETED = engine.InstanceStatus.COMPLETED


@functools.cache
def _review(rounds: int) -> Driver:
    """The review loop checked `rounds` times, each check's reminder firing first (run once per
    process; inside a test, so with the engine's built-in calendar)."""
    return looping.run_review(rounds, T0)


@pytest.fixture
def review_runs() -> dict[int, Driver]:
    return {rounds: _review(rounds) for rounds in (1, 50, 100)}


def _states(tasks: dict[str, Any], spec: str, state: int) -> list[str]:
    return [key for key, task in tasks.items() if task["task_spec"] == spec and task["state"] == state]


# --- loops ------------------------------------------------------------------------------------


def test_the_state_of_a_request_that_looped_100_times_stays_within_twice_one_loop(
    review_runs: dict[int, Driver],
) -> None:
    # given the review loop run 1, 50 and 100 times, saved and restored around every command

    # when the largest state each run stored is compared
    largest = {rounds: max(driver.sizes) for rounds, driver in review_runs.items()}

    # then looping did not make it grow beyond twice the one-loop size
    assert largest[50] <= 2 * largest[1], largest
    assert largest[100] <= 2 * largest[1], largest


def test_a_request_that_loops_hundreds_of_times_still_runs() -> None:
    # given the review loop returned 249 times (the whole tree, kept in memory, recurses past
    # Python's limit long before that: SpiffWorkflow walks ancestors recursively)

    # when it is driven with the state compacted between commands
    driver = looping.run_review(250, T0, remind=False)

    # then every round ran and the request ended
    status, end, data = driver.outcome()
    assert (status, end, data["putaran"]) == (COMPLETED, ("End_Selesai", "End_Selesai"), 250)


def test_the_whole_task_tree_would_grow_with_every_loop() -> None:
    # given the same loop saved in full (the stored form before compaction), 1 and 10 times
    one, ten = (looping.run_review(rounds, T0, FULL) for rounds in (1, 10))

    # then its state grew with the loops: what compaction removes is real
    assert max(ten.sizes) > 5 * max(one.sizes)


@pytest.mark.parametrize("rounds", [1, 50, 100])
def test_a_looping_request_reaches_the_same_end_and_data_as_spiffworkflow_alone(
    rounds: int, review_runs: dict[int, Driver]
) -> None:
    # given the compacted run and the same commands on an instance kept in memory
    compacted = review_runs[rounds]
    reference = looping.run_review(rounds, T0, MEMORY)

    # then after every command the same steps were ready, the same timers armed, the same data seen
    assert compacted.trace == reference.trace
    status, end, data = compacted.outcome()
    assert (status, end) == (COMPLETED, ("End_Selesai", "End_Selesai"))
    assert data["putaran"] == rounds and data["catatan"] == f"putaran {rounds}"


def test_a_loop_saved_in_full_behaves_as_the_compacted_one() -> None:
    # given the loop saved in full and compacted
    full, compacted = (looping.run_review(10, T0, mode) for mode in (FULL, COMPACT))

    # then both saw the same at every step
    assert full.trace == compacted.trace


def test_live_tasks_keep_their_ids_and_saving_again_changes_nothing() -> None:
    # given a request returned several times, now with the applicant, a limit timer armed
    driver = Driver.start(diagrams.review_loop(), T0, {"putaran": 0})
    for number in range(1, 4):
        looping.return_file(driver, number, fix=number < 3)
    before = driver.instance
    state = looping.saved(before)

    # when it is restored, and saved again
    after = looping.restored(before.definition, state)

    # then the step and the timer kept their ids (the portal stores them) and the state is stable
    assert [(h.bpmn_id, h.guid) for h in after.ready_human_tasks()] == [
        (h.bpmn_id, h.guid) for h in before.ready_human_tasks()
    ]
    assert after.waiting_timers() == before.waiting_timers()
    assert [t.bpmn_id for t in after.waiting_timers()] == ["Timer_Batas"]
    assert looping.saved(after) == state
    assert after.data == before.data


# --- joins, boundary events, gateways and subprocesses ----------------------------------------


@pytest.mark.parametrize(("first", "second"), [("Task_Sekcam", "Task_Kasi"), ("Task_Kasi", "Task_Sekcam")])
def test_a_parallel_split_with_one_branch_done_joins_after_being_restored(first: str, second: str) -> None:
    # given a parallel split where one branch is done and the other still waits for its person
    answers = {"Task_Kasi": {"nilai_kasi": 3}, "Task_Sekcam": {"nilai_sekcam": 4}}
    driver = Driver.start(diagrams.parallel_review(), T0, {"digabung": 0})
    driver.complete(first, answers[first])

    # when it is stored (its join is waiting for the other branch) and restored
    tasks = looping.saved(driver.instance)["tasks"]
    assert len(_states(tasks, "Gateway_Gabung", TaskState.WAITING)) == 1
    assert driver.ready() == [second]

    # and the other branch completes
    driver.complete(second, answers[second])

    # then the join fired once, with both branches' data
    status, end, data = driver.outcome()
    assert (status, end) == (COMPLETED, ("End_Selesai", "End_Selesai"))
    assert (data["jumlah"], data["digabung"]) == (7, 1)


def test_a_parallel_join_in_a_loop_waits_for_both_branches_every_round() -> None:
    # given two parallel checks that a decision sends back again and again
    # (SpiffWorkflow's whole tree lets a later round's join fire on an earlier round's branch)
    driver = Driver.start(diagrams.parallel_loop(), T0, {})
    answers = {"Task_Kasi": {"nilai_kasi": 3}, "Task_Sekcam": {"nilai_sekcam": 4}}
    for number in range(1, 11):
        first, second = ("Task_Kasi", "Task_Sekcam") if number % 2 else ("Task_Sekcam", "Task_Kasi")

        # when one branch completes
        driver.complete(first, answers[first])

        # then the decision waits for the other one
        assert driver.ready() == [second], f"round {number}"
        driver.complete(second, answers[second])
        assert driver.ready() == ["Task_Putus"]
        driver.complete("Task_Putus", {"hasil": "kembali" if number < 10 else "lengkap"})
    assert driver.outcome()[:2] == (COMPLETED, ("End_Selesai", "End_Selesai"))
    assert max(driver.sizes) <= 2 * max(driver.sizes[:4])


def test_a_waiting_timer_keeps_the_data_its_branch_wrote_before_it() -> None:
    # given parallel branches: one changed the data and waits on a timer, the other on a person
    driver = Driver.start(diagrams.parallel_wait(), T0, {"nilai": 1})
    assert driver.ready() == ["Task_Kasi"]

    # when the person completes (saved, restored) and the timer fires later
    driver.complete("Task_Kasi", {"catatan": "selesai"})
    assert driver.wait(timedelta(hours=2)) == ["Timer_Tunggu"]

    # then the timer's branch brought its own data to the join, not what was there before it
    status, end, data = driver.outcome()
    assert (status, end) == (COMPLETED, ("End_Selesai", "End_Selesai"))
    assert data == {"nilai": 2, "catatan": "selesai"}


def test_a_boundary_timer_on_a_waiting_task_fires_after_many_compacted_saves() -> None:
    # given a file returned 30 times, now with the applicant, the 1-day limit armed
    driver = Driver.start(diagrams.review_loop(), T0, {"putaran": 0})
    for number in range(1, 31):
        looping.return_file(driver, number, fix=number < 30)
    (limit,) = driver.instance.waiting_timers()
    armed_at = driver.now

    # when hours pass (saved and restored each time) without the applicant acting
    for _ in range(3):
        assert driver.wait(timedelta(hours=6)) == []
        assert driver.instance.waiting_timers() == [limit]

    # then the limit fires when due and closes the request
    assert limit.bpmn_id == "Timer_Batas" and limit.due_at == armed_at + timedelta(days=1)
    assert driver.wait(timedelta(hours=7)) == ["Timer_Batas"]
    status, end, data = driver.outcome()
    assert (status, end) == (COMPLETED, ("End_Kedaluwarsa", "End_Kedaluwarsa"))
    assert data["putaran"] == 30


def test_an_event_based_gateway_in_a_loop_stays_bounded_and_behaves_the_same() -> None:
    # given a returned file waiting at an event-based gateway (1 hour back, 1 day lapses), 30 times
    def run(mode: str) -> Driver:
        driver = Driver.start(diagrams.waiting_gateway(), T0, {}, mode)
        for _ in range(30):
            driver.complete("Task_Periksa", {"hasil": "kembali"})
            driver.advance(timedelta(hours=2))
            assert driver.ready() == ["Task_Periksa"]
        driver.complete("Task_Periksa", {"hasil": "lengkap"})
        return driver

    compacted, reference = run(COMPACT), run(MEMORY)

    # then it ended as SpiffWorkflow alone ends it, and the stored state did not grow
    assert compacted.trace == reference.trace
    assert compacted.outcome()[:2] == (COMPLETED, ("End_Selesai", "End_Selesai"))
    assert max(compacted.sizes) <= 2 * max(compacted.sizes[:3])


def test_a_subprocess_run_again_and_again_keeps_one_subprocess_in_the_state() -> None:
    # given an embedded subprocess run 30 times by a loop around it
    def run(mode: str) -> Driver:
        driver = Driver.start(diagrams.subprocess_loop(), T0, {"dalam": 0}, mode)
        for number in range(1, 31):
            driver.complete("Task_Dalam", {"hasil": "kembali" if number < 30 else "lengkap"})
            if mode == COMPACT:
                assert len(looping.saved(driver.instance)["subprocesses"]) <= 1
        return driver

    compacted, reference = run(COMPACT), run(MEMORY)

    # then the finished rounds' subprocesses were dropped and the outcome is SpiffWorkflow's
    assert compacted.trace == reference.trace
    status, end, data = compacted.outcome()
    assert (status, end, data["dalam"]) == (COMPLETED, ("End_Selesai", "End_Selesai"), 30)
    assert max(compacted.sizes) <= 2 * max(compacted.sizes[:2])


def test_a_multi_instance_step_in_a_loop_behaves_the_same_and_stays_bounded() -> None:
    # given initials collected three times in a row (stopping at a refusal), asked for again 20 times
    def run(mode: str) -> Driver:
        driver = Driver.start(diagrams.signatures_loop(), T0, {}, mode)
        for number in range(1, 21):
            for instance in range(3):
                if "Task_Paraf" in driver.ready():
                    driver.complete("Task_Paraf", {"paraf": not (number % 3 == 0 and instance == 1)})
            driver.complete("Task_Putus", {"hasil": "kembali" if number < 20 else "lengkap"})
        return driver

    compacted, reference = run(COMPACT), run(MEMORY)

    # then it ran as SpiffWorkflow alone runs it, and the state did not grow with the rounds
    assert compacted.trace == reference.trace
    assert compacted.outcome()[:2] == (COMPLETED, ("End_Selesai", "End_Selesai"))
    assert max(compacted.sizes) <= 2 * max(compacted.sizes[:5])


# --- a state stored before compaction -----------------------------------------------------------


def _fixture() -> tuple[engine.Definition, dict[str, Any], datetime]:
    definition = engine.load_definition(looping.FULL_STATE_BPMN.read_bytes(), looping.FULL_STATE_BPMN.name)
    record = json.loads(looping.FULL_STATE.read_text(encoding="utf-8"))
    return definition, record["state"], datetime.fromisoformat(record["now"])


def _finish_review(driver: Driver) -> Driver:
    assert driver.wait(timedelta(hours=3)) == ["Timer_Pengingat"]
    driver.complete("Task_Periksa", {"hasil": "lengkap", "catatan": "akhirnya"})
    return driver


def test_a_state_stored_in_full_loads_keeps_its_ids_and_is_compacted_on_the_next_save() -> None:
    # given a state stored in full: ten loops of history, a check waiting, its reminder armed
    definition, state, _now = _fixture()
    tasks = state["tasks"]
    (check,) = _states(tasks, "Task_Periksa", TaskState.READY)
    (reminder,) = _states(tasks, "Timer_Pengingat", TaskState.WAITING)

    # when it is loaded
    instance = engine.Instance.restore(definition, copy.deepcopy(state))

    # then the step and the timer the portal knows by id are there, and the next save is compacted
    assert [(h.bpmn_id, h.guid) for h in instance.ready_human_tasks()] == [("Task_Periksa", check)]
    assert [(t.bpmn_id, t.guid) for t in instance.waiting_timers()] == [("Timer_Pengingat", reminder)]
    compacted = looping.saved(instance)
    assert len(compacted["tasks"]) * 4 < len(tasks)
    assert {check, reminder} <= set(compacted["tasks"])
    assert looping.restored(definition, compacted).data == instance.data


def test_a_state_stored_in_full_continues_to_the_same_end_as_before() -> None:
    # given the stored full state, continued compacted (as now) and in full (as before)
    definition, state, now = _fixture()

    def resume(mode: str) -> Driver:
        return Driver(engine.Instance.restore(definition, copy.deepcopy(state)), now, mode)

    # when its reminder fires and the counter finds the file complete
    compacted, full = _finish_review(resume(COMPACT)), _finish_review(resume(FULL))

    # then both saw the same and ended alike, with the rounds counted before the state was stored
    assert compacted.trace == full.trace
    status, end, data = compacted.outcome()
    assert (status, end) == (COMPLETED, ("End_Selesai", "End_Selesai"))
    assert data["putaran"] == looping.FULL_STATE_ROUNDS + 1


# --- the services -----------------------------------------------------------------------------


def _run_scenario(scenario: Scenario, modes: list[str]) -> Driver:
    """Run a scenario; command n is saved as modes[n] says (the last mode for the rest)."""
    definition = scenario_definition(scenario)
    data = {
        "authority": scenario_authority(scenario),
        **engine.validate_start_data(definition, scenario.start.get("data", {})),
        "applicant": scenario.start["applicant"],
    }
    driver = Driver.start(definition, T0, data, modes[0])
    for number, step in enumerate(scenario.steps, start=1):
        driver.mode = modes[min(number, len(modes) - 1)]
        if "fire_timers_after" in step:
            duration = TimerEventDefinition.parse_iso_duration(step["fire_timers_after"])
            driver.wait(timedelta(minutes=10) + TimerEventDefinition.get_timedelta_from_start(duration, driver.now))
        else:
            driver.complete(step["bpmn_id"], step.get("data", {}))
    return driver


@pytest.mark.parametrize("scenario", all_scenarios(), ids=lambda s: s.id)
def test_every_service_scenario_runs_compacted_as_spiffworkflow_runs_it_alone(scenario: Scenario) -> None:
    # given a scenario of a service, run compacted, in memory, and first in full then compacted
    compacted = _run_scenario(scenario, [COMPACT])
    reference = _run_scenario(scenario, [MEMORY])
    switched = _run_scenario(scenario, [FULL] * (1 + len(scenario.steps) // 2) + [COMPACT])

    # then every run saw the same after every command and reached the scenario's end
    assert compacted.trace == reference.trace
    assert switched.trace == reference.trace
    status, end, _data = compacted.outcome()
    assert status is COMPLETED and end is not None and end[0] == scenario.expect["end"]


def _sktm_revisions(rounds: int, mode: str) -> Driver:
    """sktm up to the camat, who returns the draft `rounds` times (reminded each time), then signs."""
    bpmn = PROCESSES / "sktm.bpmn"
    definition = engine.load_definition(bpmn.read_bytes(), bpmn.name, library=catalogue_library())
    data = {
        **engine.validate_start_data(definition, {"keperluan": "Beasiswa sekolah anak"}),
        "applicant": {"nik": "6409034508900002", "name": "Siti Aminah"},
        "authority": {"status": "delegated", "office": "", "legal_basis": ""},
    }
    driver = Driver.start(definition, T0, data, mode)
    driver.complete("Task_PeriksaKelengkapan", {"hasil_pemeriksaan": "lengkap", "catatan": ""})
    driver.complete("Task_VerifikasiData", {"terdaftar_dtks": True, "hasil_verifikasi": "memenuhi"})
    for number in range(1, rounds + 1):
        driver.complete("Task_SusunDraf", {"isi_keterangan": f"Draf keterangan nomor {number}"})
        driver.complete("Task_ParafSekcam", {"hasil_paraf": "setuju"})
        assert driver.wait_for("Timer_PengingatCamat") == ["Timer_PengingatCamat"]
        last = number == rounds
        driver.complete(
            "Task_TandatanganCamat",
            {"keputusan": "setuju" if last else "kembalikan", "catatan_camat": "" if last else "Perbaiki drafnya"},
        )
    driver.complete(
        "Task_PenyerahanSurat",
        {"nomor_surat": "474/1", "tanggal_penyerahan": "2026-05-20", "diterima_oleh": "Siti Aminah"},
    )
    return driver


def test_sktm_returned_by_the_camat_again_and_again_with_reminders_stays_bounded() -> None:
    # given the camat reminded and returning the draft 30 times (each reminder ends on a side
    # branch that SpiffWorkflow keeps waiting until the process ends)
    compacted, reference = _sktm_revisions(30, COMPACT), _sktm_revisions(30, MEMORY)
    once = _sktm_revisions(1, COMPACT)

    # then the state stayed the size of a request returned once, and the request ended the same
    assert max(compacted.sizes) <= 2 * max(once.sizes)
    assert compacted.trace == reference.trace
    assert compacted.outcome()[1] == ("EndEvent_Selesai", "Surat diserahkan")
