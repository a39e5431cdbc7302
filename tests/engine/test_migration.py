"""Moving running sktm requests onto a version without the sekcam's initials: those waiting at the
counter or the kasi move (their steps keep their ids, and their next steps skip the sekcam); the one
waiting at the removed step is refused and finishes on the old version."""

from __future__ import annotations

import functools
import json
from datetime import timedelta

import engine
from tests.engine.samples import T0
from tests.migration_setup import SKTM_SOURCE, without_initials
from tests.scenario import catalogue_library

SKTM = SKTM_SOURCE
STEPS = [
    ("Task_PeriksaKelengkapan", {"hasil_pemeriksaan": "lengkap"}),
    ("Task_VerifikasiData", {"terdaftar_dtks": True, "hasil_verifikasi": "memenuhi"}),
    ("Task_SusunDraf", {"isi_keterangan": "Benar keluarga tidak mampu."}),
    ("Task_ParafSekcam", {"hasil_paraf": "setuju"}),
    ("Task_TandatanganCamat", {"keputusan": "setuju"}),
    (
        "Task_PenyerahanSurat",
        {"nomor_surat": "470/0001/KEC-BBL/2026", "tanggal_penyerahan": "2026-03-02", "diterima_oleh": "Siti Aminah"},
    ),
]


def _load(source: str) -> engine.Definition:
    return engine.load_definition(source.encode(), "sktm.bpmn", library=catalogue_library())


@functools.cache
def old() -> engine.Definition:
    return _load(SKTM)


@functools.cache
def new() -> engine.Definition:
    return _load(without_initials(SKTM))


def _at(step: str, seed: str) -> engine.Instance:
    data = {**engine.validate_start_data(old(), {"keperluan": "Beasiswa"}), "applicant": {"nik": "6409034508900002"},
            "authority": {"status": "delegated", "office": "", "legal_basis": ""}}  # fmt: skip
    instance = engine.Instance.start(old(), data, now=T0, seed=seed)
    now = T0
    for bpmn_id, values in STEPS:
        if bpmn_id == step:
            return instance
        now += timedelta(minutes=5)
        (ready,) = [h for h in instance.ready_human_tasks() if h.bpmn_id == bpmn_id]
        instance.complete_human_task(ready.guid, values, now=now)
    raise AssertionError(step)


def _finish(instance: engine.Instance) -> list[str]:
    done, now = [], T0 + timedelta(hours=1)
    while instance.ready_human_tasks():
        (ready,) = instance.ready_human_tasks()
        now += timedelta(minutes=5)
        instance.complete_human_task(ready.guid, dict(dict(STEPS)[ready.bpmn_id]), now=now)
        done.append(ready.bpmn_id)
    assert instance.status is engine.InstanceStatus.COMPLETED
    return done


def test_the_shortened_sktm_lints_and_lacks_only_the_initials() -> None:
    assert [s[0] for s in new().procedure()] == [s[0] for s in old().procedure() if s[0] != "Task_ParafSekcam"]


def test_requests_waiting_before_the_removed_step_move_and_skip_it() -> None:
    for step in ("Task_PeriksaKelengkapan", "Task_VerifikasiData", "Task_SusunDraf"):
        instance = _at(step, seed=f"uji-{step}")
        (before,) = instance.ready_human_tasks()

        plan = instance.migrate_to(new(), now=T0 + timedelta(minutes=30))

        assert plan.safe and plan.waiting == (step,)
        (after,) = instance.ready_human_tasks()
        assert (after.guid, after.bpmn_id) == (before.guid, before.bpmn_id)  # the same step, the same id
        restored = engine.Instance.restore(new(), json.loads(json.dumps(instance.dump())))
        assert "Task_ParafSekcam" not in _finish(restored)


def test_a_request_waiting_at_the_removed_step_is_refused_and_finishes_on_the_old_version() -> None:
    instance = _at("Task_ParafSekcam", seed="uji-paraf")
    state = json.dumps(instance.dump(), sort_keys=True)

    plan = instance.migrate_to(new(), now=T0 + timedelta(minutes=30))

    assert not plan.safe
    assert any(r.code == "removed" and r.bpmn_id == "Call_ParafBerjenjang" for r in plan.refusals)
    assert json.dumps(instance.dump(), sort_keys=True) == state  # unchanged
    assert instance.definition is old()
    assert _finish(instance)[0] == "Task_ParafSekcam"


def test_a_changed_form_on_the_waiting_step_is_refused() -> None:
    changed = _load(SKTM.replace('label="Hasil pemeriksaan kelengkapan"', 'label="Hasil pemeriksaan"').replace(
        '<camunda:value id="tidak_lengkap" name="Tidak lengkap" />', ""))  # fmt: skip
    instance = _at("Task_PeriksaKelengkapan", seed="uji-form")

    plan = instance.migrate_to(changed, now=T0)

    assert [(r.code, r.bpmn_id) for r in plan.refusals] == [("changed", "Task_PeriksaKelengkapan")]


def test_a_request_past_the_removed_step_moves_with_its_camat_reminder_and_finishes() -> None:
    instance = _at("Task_TandatanganCamat", seed="uji-camat")
    (before,) = instance.ready_human_tasks()
    timers = {(t.bpmn_id, t.due_at) for t in instance.waiting_timers()}

    plan = instance.migrate_to(new(), now=T0 + timedelta(hours=2))

    assert plan.safe, plan.refusals
    (after,) = instance.ready_human_tasks()
    assert after.guid == before.guid
    assert {(t.bpmn_id, t.due_at) for t in instance.waiting_timers()} == timers  # the reminder's clock kept
    restored = engine.Instance.restore(new(), json.loads(json.dumps(instance.dump())))  # the finished call let go
    assert _finish(restored) == ["Task_TandatanganCamat", "Task_PenyerahanSurat"]
