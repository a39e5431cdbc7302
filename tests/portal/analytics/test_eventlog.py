"""The event log exported as XES and CSV, read back by pm4py as a miner would, against the database."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from lxml import etree

from .readback import (
    completed_steps,
    csv_rows,
    events_in_db,
    export,
    private_values,
    read_csv,
    read_xes,
    steps_claimed,
    steps_opened,
)

XES_URIS = {
    "concept": "http://www.xes-standard.org/concept.xesext",
    "time": "http://www.xes-standard.org/time.xesext",
    "lifecycle": "http://www.xes-standard.org/lifecycle.xesext",
    "org": "http://www.xes-standard.org/org.xesext",
}


def _all(built: dict[str, Any]) -> list[Any]:
    return list(built.values())


def _step_completions(frame: Any, case: str, activity: str, resource: str, role: str) -> set[tuple[Any, ...]]:
    done = frame[frame["paten_event"] == "human_task_completed"]
    rows = zip(done[case], done[activity], done[resource], done[role], done["timestamp"], strict=True)
    return {(c, a, r, o, t.to_pydatetime()) for c, a, r, o, t in rows}


def test_xes_read_by_pm4py_holds_every_request_and_event_of_the_database(built: dict[str, Any], tmp_path: Path) -> None:
    import pm4py

    path, content = export(tmp_path, "xes")
    log = read_xes(path)
    instances = _all(built)

    per_case = log.groupby("case:concept:name").size().to_dict()
    assert per_case == dict(events_in_db(instances))  # the same requests, each with as many events
    log["timestamp"] = log["time:timestamp"]
    assert _step_completions(log, "case:concept:name", "concept:name", "org:resource", "org:role") == completed_steps(
        instances
    )  # each step under its name (not its id), who completed it, its role and its time
    by_transition = log.groupby(["case:concept:name", "lifecycle:transition"]).size().to_dict()
    for number, opened in steps_opened(instances).items():
        assert by_transition[(number, "schedule")] == opened
    for number, claimed in steps_claimed(instances).items():
        assert by_transition[(number, "start")] == claimed
    approved = built["approved"].tracking_number
    assert by_transition[(approved, "suspend")] == by_transition[(approved, "resume")] == 1  # released, taken again
    assert (built["refused"].tracking_number, "start") not in by_transition  # completed without claims: no start

    first = log[log["case:concept:name"] == approved].iloc[0]
    assert (first["concept:name"], first["org:resource"], first["org:role"]) == (
        "Permohonan didaftarkan",
        "loket1",
        "loket",
    )
    assert (first["case:service"], first["case:version"], first["case:kecamatan"]) == ("sktm", 1, "babulu")
    assert (first["case:village"], first["case:status"], first["case:outcome"]) == (
        "64.09.03.2001",
        "completed",
        "Surat diserahkan",
    )
    reminded = log[log["case:concept:name"] == built["reminded"].tracking_number]
    assert list(reminded[reminded["paten_event"] == "timer_fired"]["concept:name"]) == [
        "2 jam kerja belum ditandatangani"
    ]
    assert "Surat diserahkan" in set(log[log["paten_event"] == "instance_completed"]["concept:name"])

    dfg, starts, _ends = pm4py.discover_dfg(log)
    assert dfg[("Periksa kelengkapan berkas", "Verifikasi data kesejahteraan")] >= 4
    assert set(starts) == {"Permohonan didaftarkan"}
    for value in private_values(instances):
        assert value.encode() not in content


def test_xes_declares_the_standard_extensions_globals_and_classifiers_and_keeps_time_order(
    built: dict[str, Any], tmp_path: Path
) -> None:
    _path, content = export(tmp_path, "xes")
    root = etree.fromstring(content)
    assert (root.tag, root.get("xes.version")) == ("log", "1849.2016")
    extensions = {e.get("prefix"): (e.get("name"), e.get("uri")) for e in root.findall("extension")}
    assert extensions == {
        "concept": ("Concept", XES_URIS["concept"]), "time": ("Time", XES_URIS["time"]),
        "lifecycle": ("Lifecycle", XES_URIS["lifecycle"]), "org": ("Organizational", XES_URIS["org"]),
    }  # fmt: skip
    globals_ = {g.get("scope"): {a.get("key") for a in g} for g in root.findall("global")}
    assert globals_ == {"trace": {"concept:name"}, "event": {"concept:name", "lifecycle:transition", "time:timestamp"}}
    classifiers = {c.get("name"): c.get("keys") for c in root.findall("classifier")}
    assert classifiers == {"Activity": "concept:name", "Activity and transition": "concept:name lifecycle:transition"}
    assert root.find("string[@key='lifecycle:model']").get("value") == "standard"

    traces = root.findall("trace")
    assert len(traces) == len(built)
    for trace in traces:
        times = []
        for event in trace.findall("event"):
            keys = {a.get("key"): (a.tag, a.get("value")) for a in event}
            assert {"concept:name", "lifecycle:transition", "time:timestamp"} <= set(keys)  # the globals, on each
            assert keys["time:timestamp"][0] == "date" and keys["time:timestamp"][1].endswith("+08:00")
            assert keys["lifecycle:transition"][1] in {
                "schedule",
                "start",
                "suspend",
                "resume",
                "complete",
                "withdraw",
                "ate_abort",
            }
            if "org:role" in keys:
                assert keys["org:role"][1] in {"loket", "kasi", "sekcam", "camat", "pemohon"}
            times.append(keys["time:timestamp"][1])
        assert times == sorted(times)


def test_csv_read_by_pm4py_holds_every_request_and_event_of_the_database(built: dict[str, Any], tmp_path: Path) -> None:
    path, content = export(tmp_path, "csv")
    instances = _all(built)
    rows = csv_rows(content)
    assert list(rows[0]) == [
        "case_id", "activity", "timestamp", "lifecycle", "resource", "role", "service", "version", "kecamatan",
        "bpmn_id",
    ]  # fmt: skip
    frame = read_csv(path)
    assert frame["case:concept:name"].nunique() == len(built)
    assert frame.groupby("case:concept:name").size().to_dict() == dict(events_in_db(instances))
    frame["paten_event"] = [_kind(row) for row in frame.to_dict("records")]
    completions = _step_completions(frame, "case:concept:name", "concept:name", "resource", "role")
    assert completions == completed_steps(instances)
    for number in {row["case_id"] for row in rows}:
        times = [row["timestamp"] for row in rows if row["case_id"] == number]
        assert times == sorted(times) and all(t.endswith("+08:00") for t in times)
    sepaku = [row for row in rows if row["case_id"] == built["sepaku"].tracking_number]
    assert {(row["service"], row["version"], row["kecamatan"]) for row in sepaku} == {("sktm", "1", "sepaku")}
    assert {row["resource"] for row in sepaku} - {""} <= {
        "loket_sepaku",
        "kasi_sepaku",
        "sekcam_sepaku",
        "camat_sepaku",
    }
    for value in private_values(instances):
        assert value.encode() not in content


def _kind(row: dict[str, Any]) -> str:
    """Step completions, told apart in the CSV by their step's bpmn id and a person's role."""
    is_step = str(row["bpmn_id"]).startswith("Task_")
    return "human_task_completed" if is_step and row["lifecycle"] == "complete" else ""


def test_filters_service_kecamatan_and_registration_days_in_wita(built: dict[str, Any], tmp_path: Path) -> None:
    def cases(**filters: str) -> set[str]:
        _path, content = export(tmp_path, "csv", name="-".join(filters.values()) or "all", **filters)
        return {row["case_id"] for row in csv_rows(content)}

    number = {key: instance.tracking_number for key, instance in built.items()}
    assert cases(service="legalisasi") == {number["legalised"]}
    assert cases(kecamatan="sepaku") == {number["sepaku"]}
    assert cases(kecamatan="64.09.04") == {number["sepaku"]}  # by the Kemendagri code too
    # 31 January 23:30 WITA is in January; 1 February 00:30 WITA is not, though still 31 January in UTC.
    assert cases(date_from="2026-01-06", date_to="2026-01-31") == {
        number["refused"], number["legalised"], number["sepaku"], number["reminded"]
    }  # fmt: skip
    assert cases(date_from="2026-02-01") == {number["february"]}
    assert cases(date_to="2026-01-05") == {number["approved"]}
    assert cases(service="sktm", kecamatan="babulu", date_from="2026-01-05", date_to="2026-01-06") == {
        number["approved"], number["refused"]
    }  # fmt: skip
    assert cases(service="sku") == set()


def test_reading_in_small_chunks_or_after_archiving_changes_nothing(
    built: dict[str, Any], tmp_path: Path, monkeypatch: Any
) -> None:
    from portal.analytics import eventlog, formats
    from portal.workflow.models import HumanTask, HumanTaskHistory
    from portal.workflow.services.archive import request_archive

    _path, whole = export(tmp_path, "xes", name="whole")
    _path, whole_csv = export(tmp_path, "csv", name="whole")
    monkeypatch.setattr(eventlog, "CHUNK", 2)
    monkeypatch.setattr(formats, "FLUSH_BYTES", 512)
    for fmt, expected in (("xes", whole), ("csv", whole_csv)):
        pieces = list(eventlog.log_chunks(eventlog.LogQuery(), fmt=fmt, title="PATEN semua layanan .."))
        assert len(pieces) >= len(built) and b"".join(pieces) == expected

    approved = built["approved"]
    later = approved.completed_at + timedelta(days=400)
    assert request_archive(instance_id=approved.pk, before=later, now=later)
    assert not HumanTask.objects.filter(instance=approved).exists()
    assert HumanTaskHistory.objects.filter(instance=approved).exists()
    _path, again = export(tmp_path, "xes", name="again")
    assert again == whole  # its steps are read from the history rows; the archiving itself is no step
