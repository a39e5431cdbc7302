"""Elements designers draw as the Camunda modeler writes them: unquoted ISO 8601 timers, ..."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import engine
from tests.engine.loop_diagrams import diagram, end, flows, start, user

T0 = datetime(2026, 3, 2, 0, 30, tzinfo=UTC)  # Monday 08:30 WITA


def _timer_xml(kind: str, expression: str) -> str:
    return f"<bpmn:timerEventDefinition><bpmn:{kind}>{expression}</bpmn:{kind}></bpmn:timerEventDefinition>"


def _waiting_on(kind: str, expression: str) -> engine.Definition:
    catch = f'<bpmn:intermediateCatchEvent id="Tunggu">{_timer_xml(kind, expression)}</bpmn:intermediateCatchEvent>'
    return diagram(
        "tunggu-iso", {"loket": ["Start_Mulai", "Tunggu", "Periksa", "Selesai"]},
        start(), catch, user("Periksa"), end("Selesai"),
        flows(("Start_Mulai", "Tunggu"), ("Tunggu", "Periksa"), ("Periksa", "Selesai")),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "expression", "due"),
    [
        ("timeDuration", "PT5M", T0 + timedelta(minutes=5)),
        ("timeDuration", "P1W", T0 + timedelta(days=7)),
        ("timeDuration", ' "PT5M" ', T0 + timedelta(minutes=5)),  # the quoted form still works
        ("timeDate", "2026-03-02T10:00", datetime(2026, 3, 2, 2, 0, tzinfo=UTC)),  # no zone: WITA
        ("timeDate", "2026-03-03", datetime(2026, 3, 2, 16, 0, tzinfo=UTC)),  # midnight WITA
        ("timeDate", "2026-03-02T10:00:00Z", datetime(2026, 3, 2, 10, 0, tzinfo=UTC)),
        ("timeDate", "2026-03-02T12:00:00+09:00", datetime(2026, 3, 2, 3, 0, tzinfo=UTC)),
        ("timeDate", '"2026-03-02T10:00"', datetime(2026, 3, 2, 2, 0, tzinfo=UTC)),  # an expression's text too
    ],
)
def test_an_unquoted_iso_timer_waits_until_its_moment_and_fires(kind: str, expression: str, due: datetime) -> None:
    definition = _waiting_on(kind, expression)
    instance = engine.Instance.start(definition, {}, now=T0)
    assert [t.due_at for t in instance.waiting_timers()] == [due]
    instance = engine.Instance.restore(definition, instance.dump())
    assert instance.fire_due_timers(now=due - timedelta(seconds=1)) == []
    assert [t.bpmn_id for t in instance.fire_due_timers(now=due)] == ["Tunggu"]
    assert [h.bpmn_id for h in instance.ready_human_tasks()] == ["Periksa"]


def test_an_unquoted_cycle_fires_as_often_as_it_says() -> None:
    cycle = (
        '<bpmn:boundaryEvent id="Ingatkan" cancelActivity="false" attachedToRef="Periksa">'
        f"{_timer_xml('timeCycle', 'R3/PT1H')}</bpmn:boundaryEvent>"
    )
    definition = diagram(
        "ingat-iso", {"loket": ["Start_Mulai", "Periksa", "Ingatkan", "Selesai", "Diingatkan"]},
        start(), user("Periksa"), cycle, end("Selesai"), end("Diingatkan"),
        flows(("Start_Mulai", "Periksa"), ("Periksa", "Selesai"), ("Ingatkan", "Diingatkan")),
    )  # fmt: skip
    instance = engine.Instance.start(definition, {}, now=T0)
    fired = []
    for hour in range(1, 6):
        instance = engine.Instance.restore(definition, instance.dump())
        fired += [(hour, t.bpmn_id) for t in instance.fire_due_timers(now=T0 + timedelta(hours=hour))]
    assert fired == [(1, "Ingatkan"), (2, "Ingatkan"), (3, "Ingatkan")]
    assert [h.bpmn_id for h in instance.ready_human_tasks()] == ["Periksa"]


def test_manual_and_plain_tasks_are_form_less_steps_of_their_lane() -> None:
    manual = '<bpmn:manualTask id="Arsipkan" name="Arsipkan berkas" />'
    plain = '<bpmn:task id="Telepon" name="Telepon pemohon" />'
    definition = diagram(
        "langkah-manual", {"loket": ["Start_Mulai", "Arsipkan", "Selesai"], "kasi": ["Telepon"]},
        start(), manual, plain, end("Selesai"),
        flows(("Start_Mulai", "Arsipkan"), ("Arsipkan", "Telepon"), ("Telepon", "Selesai")),
    )  # fmt: skip
    assert [(bid, name, role) for bid, name, role in definition.procedure()] == [
        ("Arsipkan", "Arsipkan berkas", "loket"), ("Telepon", "Telepon pemohon", "kasi"),
    ]  # fmt: skip
    instance = engine.Instance.start(definition, {}, now=T0)
    for expected, role in (("Arsipkan", "loket"), ("Telepon", "kasi")):
        instance = engine.Instance.restore(definition, instance.dump())
        [step] = instance.ready_human_tasks()
        assert (step.bpmn_id, step.role, step.form.fields) == (expected, role, ())
        with pytest.raises(engine.FormValidationError):
            instance.complete_human_task(step.guid, {"catatan": "tidak ada formulir"}, now=T0)
        assert instance.complete_human_task(step.guid, {}, now=T0) == {}
    assert instance.status is engine.InstanceStatus.COMPLETED


def test_a_manual_task_outside_any_lane_is_refused_like_a_user_task() -> None:
    from tests.engine.loop_diagrams import diagram_source

    source = diagram_source(
        "tanpa-lajur", {"loket": ["Start_Mulai", "Selesai"]},
        start(), '<bpmn:manualTask id="Arsipkan" />', end("Selesai"),
        flows(("Start_Mulai", "Arsipkan"), ("Arsipkan", "Selesai")),
    )  # fmt: skip
    errors = engine.errors_of(engine.lint(source, "tanpa-lajur.bpmn"))
    assert [(p.element_id, p.message) for p in errors] == [
        ("Arsipkan", "manual task is outside any lane: put it in the lane of the role that does it")
    ]


def test_lint_checks_the_process_that_runs_and_what_it_calls_not_the_others_of_the_file() -> None:
    from tests.engine.loop_diagrams import HEAD, TAIL, diagram_source

    service = diagram_source(
        "dengan-lain", {"loket": ["Start_Mulai", "Panggil", "Selesai"]},
        start(), '<bpmn:callActivity id="Panggil" calledElement="bagian" />', end("Selesai"),
        flows(("Start_Mulai", "Panggil"), ("Panggil", "Selesai")),
    ).decode()  # fmt: skip
    called = HEAD.format(code="bagian").split("<bpmn:process", 1)[1]
    other = HEAD.format(code="lain").split("<bpmn:process", 1)[1]
    extra = (
        f'<bpmn:process{called}<bpmn:startEvent id="B1" /><bpmn:serviceTask id="Layanan" />'
        '<bpmn:endEvent id="B2" /><bpmn:sequenceFlow id="F3" sourceRef="Layanan" targetRef="B2" />'
        '<bpmn:sequenceFlow id="F1" sourceRef="B1" targetRef="Layanan" /></bpmn:process>\n'
        f'<bpmn:process{other}<bpmn:startEvent id="L1" /><bpmn:sendTask id="Kirim" />'
        '<bpmn:sequenceFlow id="F2" sourceRef="L1" targetRef="Kirim" /></bpmn:process>\n'
    )
    source = service.replace(TAIL, "  </bpmn:process>\n" + extra + "</bpmn:definitions>\n").encode()
    problems = engine.lint(source, "dengan-lain.bpmn")
    assert [(p.element_id, p.severity) for p in engine.errors_of(problems)] == [("Layanan", engine.Severity.ERROR)]
    assert ("lain", "this process never runs: it is not the service's and nothing calls it") in [
        (p.element_id, p.message) for p in problems
    ]


def test_print_in_a_script_goes_to_the_log_not_into_the_data(caplog: pytest.LogCaptureFixture) -> None:
    from tests.engine.loop_diagrams import script

    body = "hasil = 2\nprint('hasil', hasil)\nfor n in range(50):\n    print(n)"
    definition = diagram(
        "cetak", {"loket": ["Start_Mulai", "Hitung", "Periksa", "Selesai"]},
        start(), script("Hitung", body), user("Periksa"), end("Selesai"),
        flows(("Start_Mulai", "Hitung"), ("Hitung", "Periksa"), ("Periksa", "Selesai")),
    )  # fmt: skip
    with caplog.at_level("INFO", logger="paten.engine.scripts"):
        instance = engine.Instance.start(definition, {}, now=T0)
    printed = [r.getMessage() for r in caplog.records if r.name == "paten.engine.scripts"]
    assert printed[:2] == ["script printed: hasil 2", "script printed: 0"]
    assert len(printed) == 20  # bounded, however long the loop
    assert [h.bpmn_id for h in instance.ready_human_tasks()] == ["Periksa"]
    assert instance.data["hasil"] == 2 and not {"printed", "_print"} & set(instance.data)


def _lint_errors(source: bytes, filename: str) -> list[tuple[str, str]]:
    return [(p.element_id, p.message) for p in engine.errors_of(engine.lint(source, filename))]


def test_a_sequence_flow_without_id_is_refused_where_it_is() -> None:
    from tests.engine.loop_diagrams import diagram_source

    source = diagram_source(
        "tanpa-id", {"loket": ["Start_Mulai", "Periksa", "Selesai"]},
        start(), user("Periksa"), end("Selesai"),
        flows(("Start_Mulai", "Periksa")), '<bpmn:sequenceFlow sourceRef="Periksa" targetRef="Selesai" />',
    )  # fmt: skip
    assert ("Periksa->Selesai", "sequence flow has no id: the engine would drop it and the path would end here") in (
        _lint_errors(source, "tanpa-id.bpmn")
    )


def test_a_parallel_join_fed_by_a_loop_and_from_before_it_runs_the_same_saved_at_every_step() -> None:
    from tests.engine.loop_diagrams import field, gateway, script

    definition = diagram(
        "putar", {"loket": ["Start_Mulai", "Awal", "Gabung", "Tambah", "Ulang", "Periksa", "Selesai"]},
        start(), script("Awal", "x = 0"), gateway("Gabung", "parallel"), script("Tambah", "x += 1"),
        gateway("Ulang", default="Flow_5"), user("Periksa", field("catatan")), end("Selesai"),
        flows(("Start_Mulai", "Awal"), ("Awal", "Gabung"), ("Gabung", "Tambah"), ("Tambah", "Ulang"),
              ("Ulang", "Selesai"), ("Ulang", "Periksa", "x &lt; 3"), ("Periksa", "Gabung")),
    )  # fmt: skip
    instance = engine.Instance.start(definition, {}, now=T0)
    rounds = 0
    while instance.ready_human_tasks():
        instance = engine.Instance.restore(definition, instance.dump())
        [step] = instance.ready_human_tasks()
        instance.complete_human_task(step.guid, {"catatan": "lagi"}, now=T0)
        rounds += 1
    assert (rounds, instance.status, instance.data["x"]) == (2, engine.InstanceStatus.COMPLETED, 3)


# --- messages ----------------------------------------------------------------------------------------


def _with_messages(source: bytes, *names: str) -> bytes:
    declared = "".join(f'<bpmn:message id="Message_{n}" name="{n}" />' for n in names)
    return source.replace(b"  <bpmn:process", declared.encode() + b"\n  <bpmn:process", 1)


def _catch(cid: str, message: str, tag: str = "intermediateCatchEvent") -> str:
    return f'<bpmn:{tag} id="{cid}"><bpmn:messageEventDefinition messageRef="Message_{message}" /></bpmn:{tag}>'


def _message_diagram(
    code: str, lanes: dict[str, list[str]], messages: tuple[str, ...], *body: str
) -> engine.Definition:
    from tests.engine.loop_diagrams import diagram_source

    source = _with_messages(diagram_source(code, lanes, *body), *messages)
    return engine.load_definition(source, f"{code}.bpmn", naming=False)


def _restored(definition: engine.Definition, instance: engine.Instance) -> engine.Instance:
    import json

    return engine.Instance.restore(definition, json.loads(json.dumps(instance.dump())))


@pytest.mark.parametrize("tag", ["intermediateCatchEvent", "receiveTask"])
def test_a_message_from_outside_is_kept_under_its_name_and_the_process_goes_on(tag: str) -> None:
    definition = _message_diagram(
        "tunggu-pesan", {"loket": ["Start_Mulai", "Tunggu", "Periksa", "Selesai"]}, ("rekomendasi_desa",),
        start(), _catch("Tunggu", "rekomendasi_desa", tag), user("Periksa"), end("Selesai"),
        flows(("Start_Mulai", "Tunggu"), ("Tunggu", "Periksa"), ("Periksa", "Selesai")),
    )  # fmt: skip
    instance = _restored(definition, engine.Instance.start(definition, {"nama": "Siti"}, now=T0))
    assert [(m.bpmn_id, m.name) for m in instance.waiting_messages()] == [("Tunggu", "rekomendasi_desa")]
    with pytest.raises(engine.MessageNotAwaited):
        instance.deliver_message("berkas_perbaikan", {"x": 1}, now=T0)
    assert [(m.bpmn_id, m.name) for m in instance.waiting_messages()] == [("Tunggu", "rekomendasi_desa")]
    caught = instance.deliver_message("rekomendasi_desa", {"nomor": "12/DS/2026", "nama": "ditimpa?"}, now=T0)
    assert caught == ["Tunggu"]
    instance = _restored(definition, instance)
    assert instance.waiting_messages() == [] and [h.bpmn_id for h in instance.ready_human_tasks()] == ["Periksa"]
    assert instance.data["rekomendasi_desa"] == {"nomor": "12/DS/2026", "nama": "ditimpa?"}
    assert instance.data["nama"] == "Siti"  # a message never overwrites the request's own data


def _fix_or_close() -> engine.Definition:
    """Wait for the applicant's fix, or close the file after 14 days: an event-based gateway."""
    timer = (
        f'<bpmn:intermediateCatchEvent id="Lewat">{_timer_xml("timeDuration", "P14D")}</bpmn:intermediateCatchEvent>'
    )
    return _message_diagram(
        "perbaikan", {"loket": ["Start_Mulai", "Pilih", "Perbaikan", "Lewat", "Periksa", "Ditutup", "Selesai"]},
        ("berkas_perbaikan",),
        start(), '<bpmn:eventBasedGateway id="Pilih" />', _catch("Perbaikan", "berkas_perbaikan"), timer,
        user("Periksa"), end("Ditutup"), end("Selesai"),
        flows(("Start_Mulai", "Pilih"), ("Pilih", "Perbaikan"), ("Pilih", "Lewat"), ("Perbaikan", "Periksa"),
              ("Periksa", "Selesai"), ("Lewat", "Ditutup")),
    )  # fmt: skip


def test_an_event_based_gateway_takes_the_message_and_cancels_its_timer() -> None:
    definition = _fix_or_close()
    instance = _restored(definition, engine.Instance.start(definition, {}, now=T0))
    assert [(t.bpmn_id, t.due_at) for t in instance.waiting_timers()] == [("Pilih", T0 + timedelta(days=14))]
    assert [(m.bpmn_id, m.name) for m in instance.waiting_messages()] == [("Pilih", "berkas_perbaikan")]
    instance.deliver_message("berkas_perbaikan", {"berkas": "ktp.pdf"}, now=T0 + timedelta(days=3))
    instance = _restored(definition, instance)
    assert instance.waiting_timers() == [] and instance.waiting_messages() == []
    assert [h.bpmn_id for h in instance.ready_human_tasks()] == ["Periksa"]
    assert instance.fire_due_timers(now=T0 + timedelta(days=15)) == []


def test_an_event_based_gateway_times_out_and_no_longer_takes_the_message() -> None:
    definition = _fix_or_close()
    instance = _restored(definition, engine.Instance.start(definition, {}, now=T0))
    assert [t.bpmn_id for t in instance.fire_due_timers(now=T0 + timedelta(days=14))] == ["Pilih"]
    instance = _restored(definition, instance)
    assert instance.status is engine.InstanceStatus.COMPLETED and instance.end_event() == ("Ditutup", "Ditutup")
    with pytest.raises(engine.MessageNotAwaited):
        instance.deliver_message("berkas_perbaikan", {}, now=T0 + timedelta(days=15))


def test_a_message_thrown_inside_the_process_reaches_the_branch_waiting_for_it_or_nobody() -> None:
    from tests.engine.loop_diagrams import gateway, script

    throw = ('<bpmn:intermediateThrowEvent id="Kabari"><bpmn:messageEventDefinition messageRef="Message_siap" />'
             "</bpmn:intermediateThrowEvent>")  # fmt: skip
    throw_alone = throw.replace("Kabari", "KabariLagi")
    definition = _message_diagram(
        "lempar", {"loket": ["Start_Mulai", "Bagi", "Hitung", "Kabari", "KabariLagi", "Tunggu", "Gabung", "Periksa",
                             "Selesai"]},
        ("siap",),
        start(), gateway("Bagi", "parallel"), script("Hitung", "nilai = 7"), throw, _catch("Tunggu", "siap"),
        gateway("Gabung", "parallel"), throw_alone, user("Periksa"), end("Selesai"),
        flows(("Start_Mulai", "Bagi"), ("Bagi", "Tunggu"), ("Bagi", "Hitung"), ("Hitung", "Kabari"),
              ("Kabari", "Gabung"), ("Tunggu", "Gabung"), ("Gabung", "KabariLagi"), ("KabariLagi", "Periksa"),
              ("Periksa", "Selesai")),
    )  # fmt: skip
    instance = _restored(definition, engine.Instance.start(definition, {}, now=T0))
    assert [h.bpmn_id for h in instance.ready_human_tasks()] == ["Periksa"]  # caught, joined, thrown to nobody
    assert instance.data["siap"]["nilai"] == 7  # a thrown message carries the thrower's data


def test_two_timers_after_an_event_based_gateway_each_keep_their_own_time() -> None:
    from tests.engine.loop_diagrams import catch_timer

    definition = diagram(
        "dua-waktu", {"loket": ["Start_Mulai", "Tunggu", "Hari", "Jam", "Periksa", "Lewat", "Selesai"]},
        start(), '<bpmn:eventBasedGateway id="Tunggu" />', catch_timer("Hari", "P1D"), catch_timer("Jam", "PT1H"),
        user("Periksa"), end("Lewat"), end("Selesai"),
        flows(("Start_Mulai", "Tunggu"), ("Tunggu", "Hari"), ("Tunggu", "Jam"), ("Hari", "Lewat"),
              ("Jam", "Periksa"), ("Periksa", "Selesai")),
    )  # fmt: skip
    instance = _restored(definition, engine.Instance.start(definition, {}, now=T0))
    assert [(t.bpmn_id, t.due_at) for t in instance.waiting_timers()] == [("Tunggu", T0 + timedelta(hours=1))]
    assert [t.bpmn_id for t in instance.fire_due_timers(now=T0 + timedelta(hours=1))] == ["Tunggu"]
    instance = _restored(definition, instance)
    # the hour's branch was taken, and only it: the day's never runs
    assert [h.bpmn_id for h in instance.ready_human_tasks()] == ["Periksa"]
    assert instance.waiting_timers() == [] and instance.end_event() is None


def test_a_camunda_listener_and_its_timeout_are_ignored_with_a_warning_not_linted_as_a_timer() -> None:
    listener = (
        '<bpmn:userTask id="Periksa"><bpmn:extensionElements>'
        '<camunda:taskListener event="timeout" id="Batas" class="org.example.Ingatkan">'
        "<bpmn:timerEventDefinition><bpmn:timeDuration>${batas}</bpmn:timeDuration></bpmn:timerEventDefinition>"
        "</camunda:taskListener></bpmn:extensionElements></bpmn:userTask>"
    )
    from tests.engine.loop_diagrams import diagram_source

    source = diagram_source(
        "pendengar", {"loket": ["Start_Mulai", "Periksa", "Selesai"]},
        start(), listener, end("Selesai"), flows(("Start_Mulai", "Periksa"), ("Periksa", "Selesai")),
    )  # fmt: skip
    problems = [p for p in engine.lint(source, "pendengar.bpmn") if "diagram layout" not in p.message]
    assert [(p.element_id, p.message, p.severity) for p in problems] == [
        ("Periksa", "Camunda listeners do not run here: ignored", engine.Severity.WARNING)
    ]
    instance = engine.Instance.start(engine.load_definition(source, "pendengar.bpmn"), {}, now=T0)
    assert instance.waiting_timers() == [] and [h.bpmn_id for h in instance.ready_human_tasks()] == ["Periksa"]


# --- decision tables -----------------------------------------------------------------------------------

KERAMAIAN_DMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="Defs_keramaian" name="Keramaian"
  namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="rekomendasi_acara" name="Rekomendasi yang diperlukan">
    <decisionTable id="Tabel" hitPolicy="FIRST">
      <input id="In_peserta" label="Peserta">
        <inputExpression typeRef="integer"><text>peserta</text></inputExpression></input>
      <input id="In_tempat" label="Tempat">
        <inputExpression typeRef="string"><text>tempat</text></inputExpression></input>
      <output id="Out" name="rekomendasi" typeRef="string" />
      <rule id="Besar"><inputEntry><text>&gt;= 1000</text></inputEntry><inputEntry><text>-</text></inputEntry>
        <outputEntry><text>"polres"</text></outputEntry></rule>
      <rule id="Jalan"><inputEntry><text>-</text></inputEntry><inputEntry><text>"jalan"</text></inputEntry>
        <outputEntry><text>"polsek"</text></outputEntry></rule>
      <rule id="Kecil"><inputEntry><text>-</text></inputEntry><inputEntry><text>-</text></inputEntry>
        <outputEntry><text>"desa"</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""


def _keramaian(ref: str = "rekomendasi_acara", reads: str = "peserta") -> bytes:
    from tests.engine.loop_diagrams import diagram_source, field, gateway

    fields = field(reads, "long") + field("tempat", "enum", "jalan", "gedung")
    form = f"<bpmn:extensionElements><camunda:formData>{fields}</camunda:formData></bpmn:extensionElements>"
    rule = f'<bpmn:businessRuleTask id="Tentukan" camunda:decisionRef="{ref}" camunda:resultVariable="perlu" />'
    return diagram_source(
        "keramaian-uji", {"loket": ["Start_Mulai", "Tentukan", "Jalur", "Polres", "Polsek", "Desa", "Selesai"]},
        f'<bpmn:startEvent id="Start_Mulai">{form}</bpmn:startEvent>', rule, gateway("Jalur", default="Flow_5"),
        user("Polres"), user("Polsek"), user("Desa"), end("Selesai"),
        flows(("Start_Mulai", "Tentukan"), ("Tentukan", "Jalur"), ("Jalur", "Polres", 'perlu == "polres"'),
              ("Jalur", "Polsek", 'perlu == "polsek"'), ("Jalur", "Desa"), ("Polres", "Selesai"),
              ("Polsek", "Selesai"), ("Desa", "Selesai")),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("peserta", "tempat", "step"), [(1500, "gedung", "Polres"), (1500, "jalan", "Polres"), (200, "jalan", "Polsek"),
                                     (200, "gedung", "Desa")],
)  # fmt: skip
def test_a_business_rule_task_decides_by_its_table_and_the_request_keeps_that_table(
    peserta: int, tempat: str, step: str
) -> None:
    library = engine.Library.from_files([("decisions/rekomendasi_acara.dmn", KERAMAIAN_DMN)])
    definition = engine.load_definition(_keramaian(), "keramaian-uji.bpmn", library=library)
    stored = engine.definition_from_dict(engine.definition_to_dict(definition))  # as deployed and read back
    instance = engine.Instance.start(stored, {"peserta": peserta, "tempat": tempat}, now=T0)
    instance = _restored(stored, instance)
    assert [h.bpmn_id for h in instance.ready_human_tasks()] == [step]
    assert instance.data["perlu"] == step.lower()


def test_lint_refuses_a_decision_not_deployed_or_reading_data_the_process_lacks() -> None:
    library = engine.Library.from_files([("decisions/rekomendasi_acara.dmn", KERAMAIAN_DMN)])
    missing = engine.errors_of(engine.lint(_keramaian("tidak_ada"), "keramaian-uji.bpmn", library=library))
    assert [(p.element_id, p.message.split(" (")[0]) for p in missing] == [
        ("Tentukan", "decision 'tidak_ada' is not deployed")
    ]
    lacking = engine.errors_of(engine.lint(_keramaian(reads="jumlah"), "keramaian-uji.bpmn", library=library))
    assert [(p.element_id, p.message) for p in lacking] == [
        ("Tentukan", "decision 'rekomendasi_acara' reads peserta, which no form, script, message or decision "
                     "of this process gives"),
    ]  # fmt: skip
    with pytest.raises(engine.DmnError):
        engine.Library.from_files([("a.dmn", KERAMAIAN_DMN), ("b.dmn", KERAMAIAN_DMN)])  # one id, two files


# --- call activities into shared files ------------------------------------------------------------------


def _shared_initials(extra: str = "") -> bytes:
    from tests.engine.loop_diagrams import diagram_source, field

    return diagram_source(
        "paraf-berjenjang", {"kasi": ["P_Mulai", "ParafKasi"], "sekcam": ["ParafSekcam", "P_Selesai"]},
        start("P_Mulai"), user("ParafKasi", field("paraf_kasi", "boolean")),
        user("ParafSekcam", field("paraf_sekcam", "boolean")), end("P_Selesai"), extra,
        flows(("P_Mulai", "ParafKasi"), ("ParafKasi", "ParafSekcam"), ("ParafSekcam", "P_Selesai")),
    ).replace(b'id="Flow_', b'id="PFlow_')  # fmt: skip


def _calling(called: str = "paraf-berjenjang", ids: str = "Panggil") -> bytes:
    from tests.engine.loop_diagrams import diagram_source

    return diagram_source(
        "layanan-paraf", {"loket": ["Start_Mulai", ids, "Arsipkan", "Selesai"]},
        start(), f'<bpmn:callActivity id="{ids}" name="Paraf berjenjang" calledElement="{called}" />',
        '<bpmn:manualTask id="Arsipkan" />', end("Selesai"),
        flows(("Start_Mulai", ids), (ids, "Arsipkan"), ("Arsipkan", "Selesai")),
    )  # fmt: skip


def test_a_call_activity_runs_a_shared_file_s_steps_in_their_own_lanes() -> None:
    library = engine.Library.from_files([("shared/paraf-berjenjang.bpmn", _shared_initials())])
    definition = engine.load_definition(_calling(), "layanan-paraf.bpmn", library=library)
    definition = engine.definition_from_dict(engine.definition_to_dict(definition))  # as stored at deploy
    instance = engine.Instance.start(definition, {}, now=T0)
    seen = []
    while instance.ready_human_tasks():
        instance = _restored(definition, instance)
        [step] = instance.ready_human_tasks()
        seen.append((step.bpmn_id, step.role, [f.id for f in step.form.fields]))
        data = {f.id: True for f in step.form.fields}
        instance.complete_human_task(step.guid, data, now=T0)
    assert seen == [("ParafKasi", "kasi", ["paraf_kasi"]), ("ParafSekcam", "sekcam", ["paraf_sekcam"]),
                    ("Arsipkan", "loket", [])]  # fmt: skip
    assert instance.status is engine.InstanceStatus.COMPLETED and instance.data["paraf_sekcam"] is True


def test_lint_refuses_a_missing_shared_process_a_call_cycle_and_an_id_used_twice() -> None:
    library = engine.Library.from_files([("shared/paraf-berjenjang.bpmn", _shared_initials())])
    missing = _lint_errors(_calling("paraf-lain"), "layanan-paraf.bpmn")
    assert [e for e, m in missing if "neither an executable process of this file" in m] == ["Panggil"]
    back = '<bpmn:callActivity id="Balik" calledElement="paraf-berjenjang" />'
    cyclic = engine.Library.from_files([("shared/paraf-berjenjang.bpmn", _shared_initials(back).replace(
        b'<bpmn:flowNodeRef>P_Selesai</bpmn:flowNodeRef>', b"<bpmn:flowNodeRef>P_Selesai</bpmn:flowNodeRef>"
        b"<bpmn:flowNodeRef>Balik</bpmn:flowNodeRef>"))])  # fmt: skip
    errors = engine.errors_of(engine.lint(_calling(), "layanan-paraf.bpmn", library=cyclic))
    assert any(p.element_id == "Balik" and "calls back here: a cycle" in p.message for p in errors), errors
    twice = engine.errors_of(engine.lint(_calling(ids="ParafKasi"), "layanan-paraf.bpmn", library=library))
    assert any("this id is used in the service and in shared/paraf-berjenjang.bpmn" in p.message for p in twice)


# --- what was stored before ----------------------------------------------------------------------------


def _stored_before() -> list[dict[str, Any]]:
    import gzip
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "fixtures" / "states" / "stored-before-designer-elements.json.gz"
    return list(json.loads(gzip.decompress(path.read_bytes())))


@pytest.mark.parametrize("stored", _stored_before(), ids=lambda s: str(s["scenario"]))
def test_definitions_and_requests_stored_before_these_elements_run_on_to_their_end(stored: dict[str, Any]) -> None:
    from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

    definition = engine.definition_from_dict(stored["definition"])
    instance = engine.Instance.restore(definition, stored["state"])
    now = datetime.fromisoformat(stored["now"])
    for number, step in enumerate(stored["remaining"], start=1):
        now += timedelta(minutes=10)
        if "fire_timers_after" in step:
            parsed = TimerEventDefinition.parse_iso_duration(step["fire_timers_after"])
            now += TimerEventDefinition.get_timedelta_from_start(parsed, now)
            instance.fire_due_timers(now=now)
        else:
            ready = {h.bpmn_id: h for h in instance.ready_human_tasks()}
            assert step["bpmn_id"] in ready, (number, sorted(ready))
            instance.complete_human_task(ready[step["bpmn_id"]].guid, step.get("data", {}), now=now)
        instance = _restored(definition, instance)
    assert instance.status is engine.InstanceStatus.COMPLETED
    assert instance.end_event() is not None and instance.end_event()[0] == stored["expect"]["end"]
