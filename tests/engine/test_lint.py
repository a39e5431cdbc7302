"""One test per lint rule, each on the valid template with one thing broken; located by element id."""

from __future__ import annotations

from pathlib import Path

import pytest

import engine
from tests.engine.samples import CODE, FILENAME, SCRIPT, TEMPLATE, sample, with_script, with_timer

ROOT = Path(__file__).resolve().parents[2]
PROCESS = '<bpmn:process id="layanan-uji" name="Layanan uji" isExecutable="true">'
SCRIPT_OPEN = '<bpmn:scriptTask id="Script_Catat" name="Catat" scriptFormat="python">'


def _errors(source: bytes, filename: str = FILENAME) -> list[tuple[str, str]]:
    return [(p.element_id, p.message) for p in engine.errors_of(engine.lint(source, filename))]


def _only_error_at(source: bytes, element_id: str, phrase: str, filename: str = FILENAME) -> str:
    """Assert lint reports `phrase` at `element_id` (and load refuses); return that message."""
    problems = engine.lint(source, filename)
    hits = [p for p in engine.errors_of(problems) if p.element_id == element_id and phrase in p.message]
    assert hits, [str(p) for p in problems]
    assert all(str(p).startswith(f"{filename}:") for p in problems)
    with pytest.raises(engine.DefinitionError) as raised:
        engine.load_definition(source, filename)
    assert any(p.element_id == element_id for p in raised.value.problems)
    return hits[0].message


def _replace_script_task(tag: str, attributes: str = "") -> bytes:
    return sample(
        (SCRIPT_OPEN, f'<bpmn:{tag} id="Script_Catat" name="Catat"{attributes}>'),
        ("</bpmn:scriptTask>", f"</bpmn:{tag}>"),
        (f"<bpmn:script>{SCRIPT}</bpmn:script>", ""),
    )


def test_the_template_is_clean() -> None:
    # given the unmodified template (so every other test breaks exactly one thing)
    # when linted
    # then there is no problem at all, not even a warning, and it loads
    assert engine.lint(TEMPLATE.encode(), FILENAME) == []
    assert engine.load_definition(TEMPLATE.encode(), FILENAME).code == CODE


def test_no_executable_process() -> None:
    source = sample((PROCESS, PROCESS.replace('isExecutable="true"', 'isExecutable="false"')))
    _only_error_at(source, "Definitions_Uji", "no executable process")


def test_process_id_is_not_the_service_code() -> None:
    # given a process whose id differs from the file name
    source = sample(
        (PROCESS, PROCESS.replace('id="layanan-uji"', 'id="layanan-lain"')),
        ('processRef="layanan-uji"', 'processRef="layanan-lain"'),
    )
    message = _only_error_at(source, "layanan-lain", "is not the file's service code")
    assert f"'{CODE}'" in message


def test_file_name_decides_the_service_code() -> None:
    # given the valid template saved under another name
    message = _only_error_at(TEMPLATE.encode(), CODE, "is not the file's service code", filename="dir/sku.bpmn")
    assert "'sku'" in message
    assert engine.service_code_of("dir/sku.bpmn") == "sku"
    assert engine.service_code_of("x/Sku.BPMN") == "Sku"


def test_lane_name_that_is_not_a_role() -> None:
    source = sample(('<bpmn:lane id="Lane_Camat" name="camat">', '<bpmn:lane id="Lane_Camat" name="bupati">'))
    message = _only_error_at(source, "Lane_Camat", "lane name 'bupati' is not a known role")
    assert all(role in message for role in sorted(engine.LANE_ROLES))


def test_user_task_outside_any_lane() -> None:
    source = sample(("<bpmn:flowNodeRef>Task_Setujui</bpmn:flowNodeRef>", ""))
    _only_error_at(source, "Task_Setujui", "user task is outside any lane")


def test_gateway_flow_without_condition_and_not_default() -> None:
    # given the gateway's default removed, so its unconditioned flow is ambiguous
    source = sample(('name="Lengkap?" default="Flow_TidakLengkap"', 'name="Lengkap?"'))
    message = _only_error_at(source, "Flow_TidakLengkap", "has no condition and is not its default")
    assert "Gateway_Lengkap" in message
    assert "Flow_Lengkap" not in {e for e, _ in _errors(source)}


def test_gateway_default_flow_needs_no_condition() -> None:
    # given an inclusive gateway whose flows both carry conditions except the default
    source = sample(
        ('<bpmn:exclusiveGateway id="Gateway_Lengkap"', '<bpmn:inclusiveGateway id="Gateway_Lengkap"'),
        ("</bpmn:exclusiveGateway>", "</bpmn:inclusiveGateway>"),
    )
    assert _errors(source) == []


@pytest.mark.parametrize(
    ("expression", "kind", "phrase"),
    [
        ('"PT4H" +', "timeDuration", "does not evaluate: syntax error"),
        ("P1X", "timeDuration", "timer value 'P1X' is not a duration in ISO 8601"),
        ("PT", "timeDuration", "is not a duration in ISO 8601"),
        ("2026-13-45", "timeDate", "timer value '2026-13-45' is not a date-time in ISO 8601"),
        ("PT4H", "timeDate", "is not a date-time in ISO 8601"),
        ("2026-12-01T09:00:00", "timeDuration", "is not a duration in ISO 8601"),
        ("R3/besok", "timeCycle", "is not a repeating interval in ISO 8601"),
        ("${tanggal}", "timeDate", "a Camunda expression (${...}), which does not run here"),
        ("0 0/5 * * * ?", "timeCycle", "a cron line, which does not run here: write a repeating interval"),
        ('"besok pagi"', "timeDuration", "timer value 'besok pagi' is not a duration in ISO 8601"),
        ('"4 jam"', "timeDuration", "is not a duration in ISO 8601"),
        ('"2026-13-45"', "timeDate", "is not a date-time in ISO 8601"),
        ('"sekali sehari"', "timeCycle", "is not a repeating interval in ISO 8601"),
        ("4", "timeDuration", "must give ISO 8601 text such as P2D, not int"),
        ("1 / 0", "timeDuration", "does not evaluate: ZeroDivisionError"),
        ("", "timeDuration", "timer has an empty expression"),
        ("__import__('os')", "timeDuration", "does not evaluate"),
    ],
)
def test_timer_expression_that_does_not_give_a_valid_time(expression: str, kind: str, phrase: str) -> None:
    message = _only_error_at(with_timer(expression, kind), "Timer_Eskalasi", phrase)
    assert message.startswith("timer")


@pytest.mark.parametrize(
    ("expression", "kind"),
    [
        ('"P2D"', "timeDuration"), ('"2026-12-01T09:00:00+08:00"', "timeDate"), ('"R3/PT1H"', "timeCycle"),
        # ISO 8601 as modelers write it, unquoted
        ("P2D", "timeDuration"), ("PT5M", "timeDuration"), ("P1W", "timeDuration"), ("PT1.5H", "timeDuration"),
        ("2026-12-01T09:00:00+08:00", "timeDate"), ("2026-12-01T01:00:00Z", "timeDate"),
        ("2026-12-01T09:00", "timeDate"), ("2026-12-01", "timeDate"),
        ("R3/PT1H", "timeCycle"), ("R/P1D", "timeCycle"), ("R2/2026-12-01T09:00:00+08:00/PT1H", "timeCycle"),
        ("working_days(2)", "timeDate"), ("  PT4H\n ", "timeDuration"),
    ],
)  # fmt: skip
def test_valid_timer_expressions_pass(expression: str, kind: str) -> None:
    assert engine.lint(with_timer(expression, kind), FILENAME) == []


def test_timer_reading_process_data_is_only_a_warning() -> None:
    # given a timer computed from a data field lint cannot know
    problems = engine.lint(with_timer("tanggal_surat", "timeDate"), FILENAME)

    # then it is a located warning, not an error, and the file still loads
    assert [(p.element_id, p.severity) for p in problems] == [("Timer_Eskalasi", engine.Severity.WARNING)]
    assert "warning: timer expression depends on process data" in str(problems[0])
    engine.load_definition(with_timer("tanggal_surat", "timeDate"), FILENAME)


def test_timer_without_any_time_element() -> None:
    source = with_timer("", "timeDuration").replace(b'<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">', b"")
    source = source.replace(b"</bpmn:timeDuration>", b"")
    _only_error_at(source, "Timer_Eskalasi", "timer has no timeDate, timeDuration or timeCycle")


def test_form_field_of_unknown_type() -> None:
    source = sample(
        (
            '<camunda:formField id="catatan" label="Catatan" type="string">',
            '<camunda:formField id="catatan" label="Catatan" type="text">',
        )
    )
    message = _only_error_at(source, "Task_Periksa", "form field 'catatan' has unknown type 'text'")
    assert "boolean, date, enum, long, string" in message


@pytest.mark.parametrize(
    ("field_id", "phrase"),
    [
        ("catatan&#10;", "must be a name of letters, digits and _"),
        ("2catatan", "must be a name of letters, digits and _"),
        ("cat-atan", "must be a name of letters, digits and _"),
        ("applicant", "form field id 'applicant' is reserved"),
        ("now", "form field id 'now' is reserved"),
        ("hasil", "form field 'hasil' is defined twice"),
    ],
)
def test_form_field_ids_must_be_plain_unreserved_and_unique(field_id: str, phrase: str) -> None:
    source = sample(('<camunda:formField id="catatan"', f'<camunda:formField id="{field_id}"'))
    _only_error_at(source, "Task_Periksa", phrase)


def test_enum_without_values() -> None:
    source = sample(
        ('<camunda:value id="lengkap" name="Lengkap" />', ""),
        ('<camunda:value id="tidak_lengkap" name="Tidak lengkap" />', ""),
        ('hasil == "lengkap"', "True"),
    )
    _only_error_at(source, "Task_Periksa", "form field 'hasil' is an enum without values")


def test_unknown_constraint_is_a_warning() -> None:
    source = sample(
        ('<camunda:constraint name="maxlength" config="100" />', '<camunda:constraint name="pattern" config="x" />')
    )
    problems = engine.lint(source, FILENAME)
    assert [(p.element_id, p.severity) for p in problems] == [("Task_Periksa", engine.Severity.WARNING)]
    assert "constraint 'pattern' is ignored" in problems[0].message


@pytest.mark.parametrize("tag", ["serviceTask", "sendTask"])
def test_tasks_that_call_external_systems(tag: str) -> None:
    _only_error_at(_replace_script_task(tag), "Script_Catat", f"{tag} is not supported")


def test_call_activity_to_a_missing_process() -> None:
    source = _replace_script_task("callActivity", ' calledElement="tidak-ada"')
    message = _only_error_at(source, "Script_Catat", "call activity calls 'tidak-ada'")
    assert "neither an executable process of this file nor a deployed shared sub-process" in message


def test_call_activity_without_called_element() -> None:
    _only_error_at(_replace_script_task("callActivity"), "Script_Catat", "call activity has no calledElement")


def test_business_rule_task_without_decision_ref() -> None:
    _only_error_at(_replace_script_task("businessRuleTask"), "Script_Catat", "has no camunda:decisionRef")


def test_business_rule_task_with_a_decision_that_is_not_loaded() -> None:
    source = _replace_script_task("businessRuleTask", ' camunda:decisionRef="keputusan"')
    _only_error_at(source, "Script_Catat", "decision 'keputusan' is not deployed")


def test_complex_gateway_is_not_supported() -> None:
    source = sample(
        ('<bpmn:exclusiveGateway id="Gateway_Lengkap"', '<bpmn:complexGateway id="Gateway_Lengkap"'),
        ("</bpmn:exclusiveGateway>", "</bpmn:complexGateway>"),
    )
    _only_error_at(source, "Gateway_Lengkap", "complex gateways are not supported")


@pytest.mark.parametrize(
    ("condition", "phrase"),
    [
        ('__import__("os").system("id")', '"__import__" is an invalid variable name'),
        ("hasil.__class__ is str", "attribute '__class__' is not allowed"),
        ("().__class__.__bases__[0].__subclasses__()", "attribute '__subclasses__' is not allowed"),
        ("open('/etc/passwd') and True", "'open' is not allowed"),
        ('"{0.__class__}".format(hasil)', "str.format() is not allowed"),
        ("import os", "syntax error"),
        ("hasil ==", "syntax error"),
    ],
)
def test_condition_with_an_import_or_a_dunder(condition: str, phrase: str) -> None:
    source = sample(('hasil == "lengkap"', condition.replace('"', "&quot;")))
    message = _only_error_at(source, "Flow_Lengkap", phrase)
    assert message.startswith("condition refused: ")


@pytest.mark.parametrize(
    ("script", "phrase"),
    [
        ("import os", "import is not allowed"),
        ("from os import system", "import is not allowed"),
        ("x = ().__class__.__bases__[0].__subclasses__()", "attribute '__subclasses__' is not allowed"),
        ("while True:\n    pass", "while loops are not allowed"),
        ("f = lambda: 1", "lambda is not allowed"),
        ("x = eval('1')", "'eval' is not allowed"),
        ("try:\n    x = 1\nexcept:\n    x = 2", "a bare except is not allowed"),
    ],
)
def test_script_that_is_refused(script: str, phrase: str) -> None:
    message = _only_error_at(with_script(script), "Script_Catat", phrase)
    assert message.startswith("script refused: ")


def test_missing_diagram_layout_is_only_a_warning() -> None:
    start = TEMPLATE.index("  <bpmndi:BPMNDiagram")
    end = TEMPLATE.index("</bpmndi:BPMNDiagram>") + len("</bpmndi:BPMNDiagram>\n")
    source = (TEMPLATE[:start] + TEMPLATE[end:]).encode()
    problems = engine.lint(source, FILENAME)
    assert [(p.element_id, p.severity) for p in problems] == [("Definitions_Uji", engine.Severity.WARNING)]
    engine.load_definition(source, FILENAME)


def test_several_problems_are_all_reported_each_at_its_element() -> None:
    # given three unrelated mistakes in one file
    source = sample(
        ('<bpmn:lane id="Lane_Camat" name="camat">', '<bpmn:lane id="Lane_Camat" name="lurah">'),
        ('hasil == "lengkap"', "hasil.__dict__"),
        ('"PT4H"', "PT4X"),
    )

    # when linted
    located = {element for element, _ in _errors(source)}

    # then each is located at its own element
    assert {"Lane_Camat", "Flow_Lengkap", "Timer_Eskalasi"} <= located


def _project_diagrams() -> list[Path]:
    return sorted([*(ROOT / "processes").glob("*.bpmn"), *(ROOT / "tests" / "fixtures" / "bpmn").glob("*.bpmn")])


@pytest.mark.parametrize("path", _project_diagrams(), ids=lambda p: p.name)
def test_every_project_diagram_lints_without_errors(path: Path) -> None:
    # given a diagram the project ships or tests with
    # when linted under its own file name
    # with the decision tables and shared sub-processes beside it
    library = engine.Library.from_directory(path.parent)
    problems = engine.lint(path.read_bytes(), path.name, library=library)

    # then there is no error (warnings are allowed) and it loads
    assert engine.errors_of(problems) == [], [str(p) for p in problems]
    assert engine.load_definition(path.read_bytes(), path.name, library=library).code == path.stem


def test_project_diagrams_were_found() -> None:
    names = {p.name for p in _project_diagrams()}
    assert {"sktm.bpmn", "sku.bpmn", "rekomendasi-uji.bpmn"} <= names


# --- paten.remind ----------------------------------------------------------------------------------

_TIMER_OPEN = '<bpmn:boundaryEvent id="Timer_Eskalasi" name="4 jam" attachedToRef="Task_Setujui">'


def _reminding(roles: str, *, interrupting: bool = False) -> bytes:
    cancel = "" if interrupting else ' cancelActivity="false"'
    opening = f'<bpmn:boundaryEvent id="Timer_Eskalasi" name="4 jam"{cancel} attachedToRef="Task_Setujui">'
    properties = (
        "<bpmn:extensionElements><camunda:properties>"
        f'<camunda:property name="paten.remind" value="{roles}" />'
        "</camunda:properties></bpmn:extensionElements>"
    )
    return sample((_TIMER_OPEN, opening + properties))


def test_a_non_interrupting_reminder_timer_is_parsed_with_its_step_and_roles() -> None:
    definition = engine.load_definition(_reminding("camat, sekcam"), FILENAME)
    assert definition.reminders == {"Timer_Eskalasi": ("Task_Setujui", ("camat", "sekcam"))}
    stored = engine.definition_from_dict(engine.definition_to_dict(definition))
    assert stored.reminders == definition.reminders
    assert engine.load_definition(_reminding(""), FILENAME).reminders == {"Timer_Eskalasi": ("Task_Setujui", ())}


def test_a_reminder_on_an_interrupting_timer_is_an_error() -> None:
    _only_error_at(_reminding("", interrupting=True), "Timer_Eskalasi", "non-interrupting")


def test_a_reminder_naming_an_unknown_role_is_an_error() -> None:
    _only_error_at(_reminding("lurah"), "Timer_Eskalasi", "'lurah', not a role")


def test_a_reminder_on_a_user_task_is_an_error() -> None:
    properties = (
        '<bpmn:userTask id="Task_Setujui" name="Setujui">'
        '<bpmn:extensionElements><camunda:properties><camunda:property name="paten.remind" value="" />'
        "</camunda:properties></bpmn:extensionElements>"
    )
    source = sample(('<bpmn:userTask id="Task_Setujui" name="Setujui">', properties))
    assert ("Task_Setujui", "'paten.remind' belongs on a timer boundary event") in [
        (where, message) for where, message in _errors(source)
    ]
