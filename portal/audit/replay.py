"""Deterministic replay: a request's recorded commands run again by the engine, against the version
it started on, rebuilt from the stored sources, at the recorded times, and compared with what was
recorded (steps created and cancelled, timers fired, messages caught, the end reached) and with the
stored state. The first difference is reported with the event where it shows.

The commands: the start (its initial data and the seed its task ids were numbered from), each
completed step with its data (and the letter its signature numbered), each timer firing at the time
the sweep fired it, each message delivered, each move onto another version (run again on that
version, rebuilt and checked the same way) and each move undone. Claims and hand-backs do not move
the workflow.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

import engine
from portal.officecalendar.selectors import calendar_of_office
from portal.workflow.enums import EventType
from portal.workflow.models import InstanceEvent, ProcessDefinition, ProcessInstance
from portal.workflow.services.archive import ARCHIVED_STATE
from portal.workflow.services.definitions import bundle_sha256

_E = EventType
# Versions rebuilt from their sources, by fingerprint: `--all` replays many requests of few versions.
_BUILT: dict[str, engine.Definition] = {}
_BUILT_MAX = 32


@dataclass(frozen=True)
class Divergence:
    seq: int | None
    message: str

    def __str__(self) -> str:
        return f"#{self.seq}: {self.message}" if self.seq is not None else self.message


class _Diverged(Exception):
    def __init__(self, seq: int | None, message: str) -> None:
        super().__init__(message)
        self.divergence = Divergence(seq, message)


def _runtime(definition: ProcessDefinition, recorded_sha: str, *, seq: int = 1) -> engine.Definition:
    """The version rebuilt from its stored sources, after checking they still give its fingerprint."""
    parts = list(definition.parts.all())
    own = hashlib.sha256(definition.bpmn_source.encode("utf-8")).hexdigest()
    shas = [hashlib.sha256(p.source.encode("utf-8")).hexdigest() == p.sha256 for p in parts]
    if not all(shas) or bundle_sha256(own, parts) != definition.sha256 or definition.sha256 != recorded_sha:
        raise _Diverged(seq, _("definisi proses yang tersimpan tidak lagi sama dengan yang dipakai (diubah)"))
    built = _BUILT.get(definition.sha256)  # the sources were just checked to give this fingerprint
    if built is None:
        library = engine.Library.from_files(sorted((p.filename, p.source.encode("utf-8")) for p in parts))
        source = definition.bpmn_source.encode("utf-8")
        built = engine.load_definition(source, f"{definition.code}.bpmn", library=library)
        if len(_BUILT) >= _BUILT_MAX:
            _BUILT.pop(next(iter(_BUILT)))
        _BUILT[definition.sha256] = built
    return built


def _open(running: engine.Instance) -> dict[str, str]:
    return {h.guid: h.bpmn_id for h in running.ready_human_tasks()}


def _letter_for(events: list[InstanceEvent], index: int) -> dict[str, Any] | None:
    """The letter the completion at `index` numbered (recorded right after it, before the next command)."""
    for later in events[index + 1 :]:
        if later.type == _E.LETTER_NUMBERED:
            return {"letter": {"id": later.payload.get("letter_id"), "number": later.payload.get("number")}}
        if later.type in (_E.HUMAN_TASK_COMPLETED, _E.TIMER_FIRED, _E.MESSAGE_DELIVERED):
            return None
    return None


class _Replay:
    def __init__(self, instance: ProcessInstance, events: list[InstanceEvent]) -> None:
        self.instance, self.events = instance, events
        self.running: engine.Instance | None = None
        self.fired: set[str] = set()  # timers the last sweep fired, to match with the events that say so
        self.before_move: list[dict[str, Any]] = []  # the state before each move not yet undone

    def start(self) -> None:
        first = self.events[0]
        payload = first.payload
        if first.type != _E.INSTANCE_STARTED or not payload.get("task_id_seed"):
            raise _Diverged(
                None, _("permohonan ini dimulai sebelum id langkahnya dapat diulang; tidak dapat diputar ulang")
            )
        definition = ProcessDefinition.objects.filter(pk=payload.get("definition_id")).first()
        if definition is None:
            raise _Diverged(1, _("versi proses yang dipakai saat mulai tidak ditemukan"))
        runtime = _runtime(definition, str(payload.get("sha256")))
        data = copy.deepcopy(payload.get("initial_data") or {})
        self.running = engine.Instance.start(runtime, data, now=first.at, seed=str(payload["task_id_seed"]))

    def apply(self, index: int) -> None:
        event, running = self.events[index], self.running
        assert running is not None
        payload, seq = event.payload, event.seq
        guid = str(payload.get("task_guid") or "")
        if event.type == _E.HUMAN_TASK_CREATED and _open(running).get(guid) != payload.get("bpmn_id"):
            raise _Diverged(
                seq, _("langkah %(step)s tidak muncul saat diputar ulang") % {"step": payload.get("bpmn_id")}
            )
        if event.type == _E.HUMAN_TASK_CANCELLED and guid in _open(running):
            raise _Diverged(
                seq, _("langkah %(step)s masih terbuka saat diputar ulang") % {"step": payload.get("bpmn_id")}
            )
        if event.type == _E.HUMAN_TASK_COMPLETED:
            if guid not in _open(running):
                raise _Diverged(
                    seq, _("langkah %(step)s tidak menunggu saat diputar ulang") % {"step": payload.get("bpmn_id")}
                )
            data = copy.deepcopy(payload.get("data") or {})
            letter = _letter_for(self.events, index)
            if engine.letter_due(running.definition, str(payload.get("bpmn_id")), {**running.data, **data}) != bool(
                letter
            ):
                raise _Diverged(seq, _("surat diberi nomor di langkah %(step)s tidak sesuai diagram") % {
                    "step": payload.get("bpmn_id")})  # fmt: skip
            running.complete_human_task(guid, data, now=event.at, system_data=letter)
        elif event.type == _E.TIMER_FIRED:
            if guid not in self.fired:
                self.fired = {f.guid for f in running.fire_due_timers(now=event.at)}
            if guid not in self.fired:
                raise _Diverged(
                    seq,
                    _("batas waktu %(step)s tidak jatuh tempo saat diputar ulang") % {"step": payload.get("bpmn_id")},
                )
            self.fired.discard(guid)
        elif event.type == _E.MESSAGE_DELIVERED:
            caught = running.deliver_message(
                str(payload.get("name")), copy.deepcopy(payload.get("data") or {}), now=event.at
            )
            if sorted(caught) != sorted(payload.get("caught") or []):
                raise _Diverged(
                    seq, _("pesan %(name)s diterima di tempat lain saat diputar ulang") % {"name": payload.get("name")}
                )
        elif event.type in (_E.INSTANCE_MIGRATED, _E.INSTANCE_MIGRATION_REVERTED):
            self._move(event)
        elif event.type == _E.INSTANCE_COMPLETED:
            end = running.end_event()
            if (
                running.status is not engine.InstanceStatus.COMPLETED
                or end is None
                or end[0] != payload.get("end_event")
            ):
                raise _Diverged(
                    seq, _("permohonan tidak selesai di %(end)s saat diputar ulang") % {"end": payload.get("end_event")}
                )

    def _move(self, event: InstanceEvent) -> None:
        """A move onto another version runs again on that version rebuilt from its sources; undoing
        it puts back the workflow as it stood before the move."""
        running, payload = self.running, event.payload
        assert running is not None
        target = ProcessDefinition.objects.filter(pk=payload.get("to_definition_id")).first()
        if target is None:
            raise _Diverged(event.seq, _("versi tujuan pemindahan tidak ditemukan"))
        runtime = _runtime(target, str(payload.get("to_sha256")), seq=event.seq)
        if event.type == _E.INSTANCE_MIGRATION_REVERTED:
            if not self.before_move:
                raise _Diverged(event.seq, _("pembatalan pemindahan tanpa pemindahan sebelumnya"))
            self.running = engine.Instance.restore(runtime, self.before_move.pop())
            return
        self.before_move.append(running.dump())
        plan = running.migrate_to(runtime, now=event.at)
        if not plan.safe or sorted(plan.waiting) != sorted(payload.get("waiting") or []):
            raise _Diverged(event.seq, _("pemindahan ke versi %(version)s tidak dapat diulang") % {
                "version": payload.get("to_version")})  # fmt: skip

    def finish(self) -> None:
        running = self.running
        assert running is not None
        stored = self.instance.state
        if self.instance.serializer_version == ARCHIVED_STATE or not isinstance(stored, dict) or not stored:
            return  # an archived request keeps only its data: the events were all there is to compare
        if _without_clock(running.dump()) != _without_clock(stored):
            raise _Diverged(self.events[-1].seq, _("keadaan tersimpan berbeda dari hasil pemutaran ulang"))


def _without_clock(state: dict[str, Any]) -> dict[str, Any]:
    """A state as the request made it: without the wall-clock moment each task last changed (the
    machine's, not the request's), and with the keys a task's data lost in one order (they follow the
    order of the data's keys, which the log keeps sorted)."""
    clean = copy.deepcopy(state)
    for tasks in [clean.get("tasks", {}), *(s.get("tasks", {}) for s in clean.get("subprocesses", {}).values())]:
        for task in tasks.values():
            task.pop("last_state_change", None)
            delta = task.get("delta")
            if isinstance(delta, dict) and isinstance(delta.get("deletions"), list):
                delta["deletions"] = sorted(delta["deletions"], key=str)
    return clean


def request_replay(instance: ProcessInstance) -> Divergence | None:
    """Replay one request; its first divergence, or None when replay gives back what was recorded."""
    events = list(InstanceEvent.objects.filter(instance=instance).order_by("seq"))
    if not events:
        return Divergence(None, _("permohonan ini tidak mempunyai peristiwa"))
    replay = _Replay(instance, events)
    try:
        with calendar_of_office(instance.office_id):
            replay.start()
            for index in range(1, len(events)):
                replay.apply(index)
            replay.finish()
    except _Diverged as diverged:
        return diverged.divergence
    except engine.EngineError as exc:
        return Divergence(None, _("mesin menolak saat diputar ulang: %(why)s") % {"why": exc})
    return None
