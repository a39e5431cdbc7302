"""Small diagrams that loop, branch and wait, built from a few element helpers.

Every diagram is a valid service for the linter: lanes are roles, user tasks carry forms.
"""

from __future__ import annotations

import engine

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    id="Definitions_{code}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{code}" name="{code}" isExecutable="true">
"""
TAIL = "  </bpmn:process>\n</bpmn:definitions>\n"


def field(fid: str, kind: str = "string", *options: str) -> str:
    values = "".join(f'<camunda:value id="{o}" name="{o}" />' for o in options)
    return f'<camunda:formField id="{fid}" label="{fid}" type="{kind}">{values}</camunda:formField>'


def user(uid: str, *fields: str) -> str:
    form = f"<camunda:formData>{''.join(fields)}</camunda:formData>" if fields else ""
    ext = f"<bpmn:extensionElements>{form}</bpmn:extensionElements>" if form else ""
    return f'<bpmn:userTask id="{uid}" name="{uid}">{ext}</bpmn:userTask>'


def script(sid: str, code: str) -> str:
    return f'<bpmn:scriptTask id="{sid}" scriptFormat="python"><bpmn:script>{code}</bpmn:script></bpmn:scriptTask>'


def start(sid: str = "Start_Mulai") -> str:
    return f'<bpmn:startEvent id="{sid}" />'


def end(eid: str) -> str:
    return f'<bpmn:endEvent id="{eid}" name="{eid}" />'


def gateway(gid: str, kind: str = "exclusive", default: str | None = None) -> str:
    attr = f' default="{default}"' if default else ""
    return f'<bpmn:{kind}Gateway id="{gid}"{attr} />'


def _timer(duration: str) -> str:
    return (
        "<bpmn:timerEventDefinition>"
        f'<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"{duration}"</bpmn:timeDuration>'
        "</bpmn:timerEventDefinition>"
    )


def boundary_timer(tid: str, attached: str, duration: str, *, interrupting: bool = True) -> str:
    cancel = "true" if interrupting else "false"
    head = f'<bpmn:boundaryEvent id="{tid}" cancelActivity="{cancel}" attachedToRef="{attached}">'
    return f"{head}{_timer(duration)}</bpmn:boundaryEvent>"


def catch_timer(tid: str, duration: str) -> str:
    return f'<bpmn:intermediateCatchEvent id="{tid}">{_timer(duration)}</bpmn:intermediateCatchEvent>'


def flows(*links: tuple[str, ...]) -> str:
    """Sequence flows from (source, target) or (source, target, condition) tuples."""
    out = []
    for number, link in enumerate(links, start=1):
        source, target = link[0], link[1]
        condition = (
            f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{link[2]}</bpmn:conditionExpression>'
            if len(link) > 2
            else ""
        )
        head = f'<bpmn:sequenceFlow id="Flow_{number}" sourceRef="{source}" targetRef="{target}">'
        out.append(f"{head}{condition}</bpmn:sequenceFlow>")
    return "\n".join(out)


def subprocess(sid: str, *inner: str) -> str:
    return f'<bpmn:subProcess id="{sid}">{"".join(inner)}</bpmn:subProcess>'


def diagram_source(code: str, lanes: dict[str, list[str]], *body: str) -> bytes:
    """The BPMN of process `code` whose lanes hold the listed elements."""
    lane_xml = "".join(
        f'<bpmn:lane id="Lane_{role}" name="{role}">'
        + "".join(f"<bpmn:flowNodeRef>{ref}</bpmn:flowNodeRef>" for ref in refs)
        + "</bpmn:lane>"
        for role, refs in lanes.items()
    )
    source = HEAD.format(code=code) + f'<bpmn:laneSet id="LaneSet_1">{lane_xml}</bpmn:laneSet>\n'
    source += "\n".join(body) + TAIL
    return source.encode("utf-8")


def diagram(code: str, lanes: dict[str, list[str]], *body: str) -> engine.Definition:
    """A linted definition of process `code` whose lanes hold the listed elements."""
    return engine.load_definition(diagram_source(code, lanes, *body), f"{code}.bpmn")


# --- the diagrams -----------------------------------------------------------------------------

DECISION = field("hasil", "enum", "lengkap", "kembali")


def review_loop() -> engine.Definition:
    return engine.load_definition(review_loop_source(), "putaran-uji.bpmn")


def review_loop_source() -> bytes:
    """The counter checks; "kembali" sends the file to the applicant and back to the counter.

    A script counts the rounds; the check has a non-interrupting 2-hour reminder that ends on its
    own end event, the applicant's fix an interrupting 1-day limit that closes the request.
    """
    return diagram_source(
        "putaran-uji",
        {
            "loket": ["Start_Mulai", "Task_Periksa", "Gateway_Hasil", "Script_Hitung", "End_Selesai"],
            "pemohon": ["Task_Perbaiki", "End_Diingatkan", "End_Kedaluwarsa"],
        },
        start(),
        script("Script_Hitung", "putaran = putaran + 1"),
        user("Task_Periksa", DECISION, field("catatan")),
        boundary_timer("Timer_Pengingat", "Task_Periksa", "PT2H", interrupting=False),
        end("End_Diingatkan"),
        gateway("Gateway_Hasil", default="Flow_5"),
        user("Task_Perbaiki", field("perbaikan")),
        boundary_timer("Timer_Batas", "Task_Perbaiki", "P1D"),
        end("End_Kedaluwarsa"),
        end("End_Selesai"),
        flows(
            ("Start_Mulai", "Script_Hitung"),
            ("Script_Hitung", "Task_Periksa"),
            ("Task_Periksa", "Gateway_Hasil"),
            ("Gateway_Hasil", "Task_Perbaiki", 'hasil == "kembali"'),
            ("Gateway_Hasil", "End_Selesai"),
            ("Task_Perbaiki", "Script_Hitung"),
            ("Timer_Pengingat", "End_Diingatkan"),
            ("Timer_Batas", "End_Kedaluwarsa"),
        ),
    )


def parallel_review() -> engine.Definition:
    """Two people check in parallel; a join waits for both, a script reads both answers."""
    return diagram(
        "paralel-uji",
        {
            "kasi": ["Start_Mulai", "Gateway_Bagi", "Task_Kasi", "Gateway_Gabung", "Script_Simpul", "End_Selesai"],
            "sekcam": ["Task_Sekcam"],
        },
        start(),
        gateway("Gateway_Bagi", "parallel"),
        user("Task_Kasi", field("nilai_kasi", "long")),
        user("Task_Sekcam", field("nilai_sekcam", "long")),
        gateway("Gateway_Gabung", "parallel"),
        script("Script_Simpul", "jumlah = nilai_kasi + nilai_sekcam\ndigabung = digabung + 1"),
        end("End_Selesai"),
        flows(
            ("Start_Mulai", "Gateway_Bagi"),
            ("Gateway_Bagi", "Task_Kasi"),
            ("Gateway_Bagi", "Task_Sekcam"),
            ("Task_Kasi", "Gateway_Gabung"),
            ("Task_Sekcam", "Gateway_Gabung"),
            ("Gateway_Gabung", "Script_Simpul"),
            ("Script_Simpul", "End_Selesai"),
        ),
    )


def parallel_loop() -> engine.Definition:
    """Two people check in parallel, a third decides; "kembali" starts both checks again."""
    return diagram(
        "paralel-ulang-uji",
        {
            "kasi": ["Start_Mulai", "Gateway_Bagi", "Task_Kasi", "Gateway_Gabung", "End_Selesai"],
            "sekcam": ["Task_Sekcam"],
            "camat": ["Task_Putus", "Gateway_Ulang"],
        },
        start(),
        gateway("Gateway_Bagi", "parallel"),
        user("Task_Kasi", field("nilai_kasi", "long")),
        user("Task_Sekcam", field("nilai_sekcam", "long")),
        gateway("Gateway_Gabung", "parallel"),
        user("Task_Putus", DECISION),
        gateway("Gateway_Ulang", default="Flow_8"),
        end("End_Selesai"),
        flows(
            ("Start_Mulai", "Gateway_Bagi"),
            ("Gateway_Bagi", "Task_Kasi"),
            ("Gateway_Bagi", "Task_Sekcam"),
            ("Task_Kasi", "Gateway_Gabung"),
            ("Task_Sekcam", "Gateway_Gabung"),
            ("Gateway_Gabung", "Task_Putus"),
            ("Task_Putus", "Gateway_Ulang"),
            ("Gateway_Ulang", "End_Selesai"),
            ("Gateway_Ulang", "Gateway_Bagi", 'hasil == "kembali"'),
        ),
    )


def parallel_wait() -> engine.Definition:
    """One branch changes the data, then waits an hour; the other waits for a person."""
    return diagram(
        "paralel-tunggu-uji",
        {"kasi": ["Start_Mulai", "Gateway_Bagi", "Script_Ubah", "Timer_Tunggu", "Task_Kasi", "Gateway_Gabung"]},
        start(),
        gateway("Gateway_Bagi", "parallel"),
        script("Script_Ubah", "nilai = nilai + 1"),
        catch_timer("Timer_Tunggu", "PT1H"),
        user("Task_Kasi", field("catatan")),
        gateway("Gateway_Gabung", "parallel"),
        end("End_Selesai"),
        flows(
            ("Start_Mulai", "Gateway_Bagi"),
            ("Gateway_Bagi", "Script_Ubah"),
            ("Script_Ubah", "Timer_Tunggu"),
            ("Timer_Tunggu", "Gateway_Gabung"),
            ("Gateway_Bagi", "Task_Kasi"),
            ("Task_Kasi", "Gateway_Gabung"),
            ("Gateway_Gabung", "End_Selesai"),
        ),
    )


def signatures_loop() -> engine.Definition:
    """Up to three initials in a row (a sequential multi-instance step that stops at a refusal),
    then a decision that may ask for them all again."""
    initials = user("Task_Paraf", field("paraf", "boolean")).replace(
        "</bpmn:userTask>",
        '<bpmn:multiInstanceLoopCharacteristics isSequential="true">'
        "<bpmn:loopCardinality>3</bpmn:loopCardinality>"
        "<bpmn:completionCondition>paraf == False</bpmn:completionCondition>"
        "</bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>",
    )
    return diagram(
        "paraf-uji",
        {"sekcam": ["Start_Mulai", "Task_Paraf", "End_Selesai"], "camat": ["Task_Putus", "Gateway_Ulang"]},
        start(),
        initials,
        user("Task_Putus", DECISION),
        gateway("Gateway_Ulang", default="Flow_4"),
        end("End_Selesai"),
        flows(
            ("Start_Mulai", "Task_Paraf"),
            ("Task_Paraf", "Task_Putus"),
            ("Task_Putus", "Gateway_Ulang"),
            ("Gateway_Ulang", "End_Selesai"),
            ("Gateway_Ulang", "Task_Paraf", 'hasil == "kembali"'),
        ),
    )


def waiting_gateway() -> engine.Definition:
    """A returned file waits at an event-based gateway: after 1 hour it goes back to the check,
    after 1 day the request lapses; a complete file ends."""
    return diagram(
        "tunggu-uji",
        {
            "loket": [
                "Start_Mulai",
                "Task_Periksa",
                "Gateway_Hasil",
                "Gateway_Tunggu",
                "Timer_Jam",
                "Timer_Hari",
                "End_Selesai",
                "End_Kedaluwarsa",
            ]
        },
        start(),
        user("Task_Periksa", DECISION),
        gateway("Gateway_Hasil", default="Flow_3"),
        '<bpmn:eventBasedGateway id="Gateway_Tunggu" />',
        catch_timer("Timer_Jam", "PT1H"),
        catch_timer("Timer_Hari", "P1D"),
        end("End_Selesai"),
        end("End_Kedaluwarsa"),
        flows(
            ("Start_Mulai", "Task_Periksa"),
            ("Task_Periksa", "Gateway_Hasil"),
            ("Gateway_Hasil", "End_Selesai"),
            ("Gateway_Hasil", "Gateway_Tunggu", 'hasil == "kembali"'),
            ("Gateway_Tunggu", "Timer_Jam"),
            ("Gateway_Tunggu", "Timer_Hari"),
            ("Timer_Jam", "Task_Periksa"),
            ("Timer_Hari", "End_Kedaluwarsa"),
        ),
    )


def subprocess_loop() -> engine.Definition:
    """An embedded subprocess (a check, then a script) run again while the check says "kembali"."""
    inner = (
        start("Start_Dalam"),
        user("Task_Dalam", DECISION),
        script("Script_Dalam", "dalam = dalam + 1"),
        end("End_Dalam"),
        flows(("Start_Dalam", "Task_Dalam"), ("Task_Dalam", "Script_Dalam"), ("Script_Dalam", "End_Dalam")),
    )
    source = subprocess("Sub_Periksa", *inner).replace("Flow_", "FlowDalam_")
    return diagram(
        "sub-uji",
        {"loket": ["Start_Mulai", "Sub_Periksa", "Gateway_Ulang", "End_Selesai"]},
        start(),
        source,
        gateway("Gateway_Ulang", default="Flow_3"),
        end("End_Selesai"),
        flows(
            ("Start_Mulai", "Sub_Periksa"),
            ("Sub_Periksa", "Gateway_Ulang"),
            ("Gateway_Ulang", "End_Selesai"),
            ("Gateway_Ulang", "Sub_Periksa", 'hasil == "kembali"'),
        ),
    )
