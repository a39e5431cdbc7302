"""Decision tables as the Camunda modeler saves them: every hit policy, the FEEL cells designers
write, located problems for broken or hostile files, and a JSON round trip that changes nothing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pytest

from engine.dmn import (
    Decision,
    DmnError,
    DmnEvaluationError,
    DmnFile,
    HitPolicy,
    lint_dmn,
    parse_dmn,
)
from engine.errors import EngineError, Severity

SAMPLES = Path(__file__).parent / "dmn_samples"
DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"
DMN12 = "http://www.omg.org/spec/DMN/20180521/MODEL/"
DMN11 = "http://www.omg.org/spec/DMN/20151101/dmn.xsd"
DIAGRAM = {
    DMN13: "https://www.omg.org/spec/DMN/20191111/DMNDI/",
    DMN12: "http://www.omg.org/spec/DMN/20180521/DMNDI/",
}
FILENAME = "uji.dmn"

Column = tuple[str, str, str | None]  # (label, expression, typeRef) or (name, typeRef, outputValues)


def _table(
    rules: list[tuple[list[str], list[str]]],
    *,
    inputs: list[Column] | None = None,
    outputs: list[Column] | None = None,
    hit_policy: str | None = None,
    aggregation: str | None = None,
    ns: str = DMN13,
    decision_id: str = "Decision_uji",
) -> bytes:
    """One decision written the way the Camunda modeler writes it, with the diagram part it adds."""
    inputs = [("Nilai", "nilai", None)] if inputs is None else inputs
    outputs = [("hasil", "string", None)] if outputs is None else outputs
    policy = f" hitPolicy={quoteattr(hit_policy)}" if hit_policy else ""
    policy += f" aggregation={quoteattr(aggregation)}" if aggregation else ""
    parts = [f'<decision id="{decision_id}" name="Keputusan uji"><decisionTable id="DecisionTable_1"{policy}>']
    for n, (label, expression, type_ref) in enumerate(inputs, 1):
        typed = f" typeRef={quoteattr(type_ref)}" if type_ref else ""
        parts.append(
            f'<input id="Input_{n}" label={quoteattr(label)}><inputExpression id="InputExpression_{n}"{typed}>'
            f"<text>{escape(expression)}</text></inputExpression></input>"
        )
    for n, (name, type_ref, values) in enumerate(outputs, 1):
        typed = f" typeRef={quoteattr(type_ref)}" if type_ref else ""
        listed = f"<outputValues><text>{escape(values)}</text></outputValues>" if values else ""
        parts.append(f'<output id="Output_{n}" label="{name.title()}" name="{name}"{typed}>{listed}</output>')
    for n, (entries, results) in enumerate(rules, 1):
        cells = "".join(
            f'<inputEntry id="UT_{n}_{i}"><text>{escape(e)}</text></inputEntry>' for i, e in enumerate(entries)
        )
        cells += "".join(
            f'<outputEntry id="LE_{n}_{i}"><text>{escape(r)}</text></outputEntry>' for i, r in enumerate(results)
        )
        parts.append(f'<rule id="Rule_{n}">{cells}</rule>')
    parts.append("</decisionTable></decision>")
    return _definitions("".join(parts), ns=ns, decision_id=decision_id)


def _definitions(body: str, *, ns: str = DMN13, decision_id: str = "Decision_uji") -> bytes:
    diagram = ""
    if ns in DIAGRAM:
        diagram = (
            f'<dmndi:DMNDI><dmndi:DMNDiagram id="DMNDiagram_1"><dmndi:DMNShape id="DMNShape_1" '
            f'dmnElementRef="{decision_id}"><dc:Bounds height="80" width="180" x="160" y="100" />'
            "</dmndi:DMNShape></dmndi:DMNDiagram></dmndi:DMNDI>"
        )
    head = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="{ns}" xmlns:dmndi="{DIAGRAM.get(ns, DMN13)}" '
        'xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" xmlns:biodi="http://bpmn.io/schema/dmn/biodi/2.0" '
        'xmlns:camunda="http://camunda.org/schema/1.0/dmn" id="Definitions_1" name="DRD" '
        'namespace="http://camunda.org/schema/1.0/dmn" exporter="Camunda Modeler" exporterVersion="5.20.0">'
    )
    return f"{head}{body}{diagram}</definitions>".encode()


def _decision(source: bytes, decision_id: str = "Decision_uji") -> Decision:
    return parse_dmn(source, FILENAME).decisions[decision_id]


def _one_test(entry: str, type_ref: str | None = None) -> Decision:
    """A FIRST table whose only rule says "ya" when `entry` matches the input `nilai`."""
    return _decision(_table([([entry], ['"ya"'])], inputs=[("Nilai", "nilai", type_ref)], hit_policy="FIRST"))


# --- reading what the modeler writes -----------------------------------------------------------


def test_a_modeler_file_is_read_with_its_columns_rules_and_diagram_ignored() -> None:
    dmn = parse_dmn((SAMPLES / "biaya_layanan.dmn").read_bytes(), "biaya_layanan.dmn")

    assert set(dmn.decisions) == {"Decision_biaya", "Decision_jalur"}
    biaya = dmn.decisions["Decision_biaya"]
    assert biaya.name == "Biaya layanan"
    assert biaya.hit_policy is HitPolicy.FIRST and biaya.aggregation is None
    assert [(i.label, i.expression, i.type_ref) for i in biaya.inputs] == [
        ("Jenis layanan", "layanan", "string"),
        ("Umur pemohon", "pemohon.umur", "integer"),
    ]
    assert [(o.name, o.label, o.type_ref) for o in biaya.outputs] == [
        ("biaya", "Biaya (Rp)", "integer"),
        ("catatan", "Catatan", "string"),
    ]
    assert [(r.id, r.number, r.description) for r in biaya.rules] == [
        ("DecisionRule_lansia", 1, "Warga lanjut usia dibebaskan dari biaya"),
        ("DecisionRule_kantor", 2, ""),
        ("DecisionRule_antar", 3, "Diantar ke rumah"),
    ]
    assert biaya.rules[1].input_entries == ('"kantor","loket"', "[17..60[")
    assert biaya.names_read() == {"layanan", "pemohon"}
    assert dmn.decisions["Decision_jalur"].required == ("Decision_biaya",)
    assert lint_dmn((SAMPLES / "biaya_layanan.dmn").read_bytes(), "biaya_layanan.dmn") == []


def test_a_modeler_file_gives_the_first_matching_rule_as_a_dict_of_its_outputs() -> None:
    biaya = parse_dmn((SAMPLES / "biaya_layanan.dmn").read_bytes(), "b.dmn").decisions["Decision_biaya"]

    assert biaya.evaluate({"layanan": "loket", "pemohon": {"umur": 30}}) == {"biaya": 5000, "catatan": None}
    assert biaya.evaluate({"layanan": "kantor", "pemohon": {"umur": 70}}) == {
        "biaya": 0,
        "catatan": "bebas biaya lansia",
    }
    assert biaya.evaluate({"layanan": "antar", "pemohon": {"umur": "45"}})["biaya"] == 15000
    assert biaya.evaluate({"layanan": "kantor", "pemohon": {"umur": 12}}) is None


def test_a_required_decision_is_evaluated_first_and_read_by_its_id() -> None:
    dmn = parse_dmn((SAMPLES / "biaya_layanan.dmn").read_bytes(), "b.dmn")

    assert dmn.evaluate("Decision_jalur", {"layanan": "loket", "pemohon": {"umur": 30}}) == "bayar di loket"
    assert dmn.evaluate("Decision_jalur", {"layanan": "loket", "pemohon": {"umur": 65}}) == "gratis"
    assert dmn.evaluate("Decision_jalur", {"layanan": "loket", "pemohon": {"umur": 5}}) == "gratis"  # null
    assert dmn.decisions["Decision_jalur"].names_read() == set()


def test_a_dmn_1_1_file_with_biodi_parts_and_an_input_variable_is_read() -> None:
    dmn = parse_dmn((SAMPLES / "denda_dmn11.dmn").read_bytes(), "denda_dmn11.dmn")
    denda = dmn.decisions["decision_denda"]

    assert denda.hit_policy is HitPolicy.COLLECT and denda.aggregation is not None
    assert denda.inputs[0].variable == "hari"
    assert denda.evaluate({"berkas": {"terlambat": 3, "jenis": "ktp"}}) == 10000
    assert denda.evaluate({"berkas": {"terlambat": 10, "jenis": "ktp"}}) == 13000
    assert denda.evaluate({"berkas": {"terlambat": 10, "jenis": "akta"}}) == 10000
    assert denda.evaluate({"berkas": {"terlambat": 0, "jenis": "ktp"}}) == 0


@pytest.mark.parametrize("ns", [DMN11, DMN12, DMN13])
def test_dmn_1_1_1_2_and_1_3_namespaces_are_read_alike(ns: str) -> None:
    decision = _decision(_table([(["< 10"], ['"kecil"']), ([">= 10"], ['"besar"'])], ns=ns))

    assert decision.hit_policy is HitPolicy.UNIQUE
    assert decision.evaluate({"nilai": 3}) == "kecil"
    assert decision.evaluate({"nilai": 30}) == "besar"


# --- unary tests -------------------------------------------------------------------------------

UNARY_TESTS: list[tuple[str, str | None, Any, bool]] = [
    ("-", None, 42, True),
    ("", None, None, True),
    ('"kantor"', "string", "kantor", True),
    ('"kantor"', "string", "rumah", False),
    ("5", "integer", 5, True),
    ("5", "integer", "5", True),  # the input's typeRef turns form text into a number
    ("5", "integer", 6, False),
    ("-2.5", None, -2.5, True),
    ("true", "boolean", True, True),
    ("true", None, 1, False),
    ("false", "boolean", True, False),
    ("null", None, None, True),
    ("null", None, 0, False),
    ('"a","b"', None, "b", True),
    ('"a","b"', None, "c", False),
    ("< 100", None, 99, True),
    ("< 100", None, 100, False),
    ("< 100", None, None, False),
    ("<= 100", None, 100, True),
    ("> 5", None, 5, False),
    (">= 5", None, 5, True),
    ("= 3", None, 3, True),
    ('!= "x"', None, "y", True),
    ('!= "x"', None, "x", False),
    ("[1..10]", None, 1, True),
    ("[1..10]", None, 10, True),
    ("]1..10[", None, 1, False),
    ("]1..10[", None, 5, True),
    ("]1..10[", None, 10, False),
    ("(1..10)", None, 10, False),
    ("(1..10]", None, 10, True),
    ("[1..10)", None, 1, True),
    ("[1..10)", None, 10, False),
    ("[1.5..2.5]", None, 2.0, True),
    ("[1..10]", None, None, False),
    ('not("a", "b")', None, "c", True),
    ('not("a", "b")', None, "a", False),
    ("not(< 5)", None, 7, True),
    ("not([1..3], 7)", None, 7, False),
    ("< 5, > 10", None, 11, True),
    ("< 5, > 10", None, 7, False),
    ('[date("2026-01-01")..date("2026-12-31")]', "date", "2026-06-15", True),
    ('[date("2026-01-01")..date("2026-12-31")]', "date", "2027-01-01", False),
    ('< date("2026-01-01")', "date", date(2025, 12, 31), True),
    ('>= date and time("2026-01-01T08:00:00")', "dateTime", "2026-01-01T00:00:00+00:00", True),  # 08:00 WITA
    ('>= date and time("2026-01-01T08:00:00")', "dateTime", "2025-12-31T23:59:00+00:00", False),
    ("? > 5 and ? < 10", None, 7, True),
    ("? > 5 and ? < 10", None, 10, False),
    ("(2 + 3)", None, 5, True),
    # SpiffWorkflow's Python cells
    ("'a'", None, "a", True),
    ("== 5", None, 5, True),
    ('in ["a", "b"]', None, "b", True),
    ('in ["a", "b"]', None, "z", False),
    ("not in [1, 2]", None, 1, False),
    ("len(?) > 3", None, "abcd", True),
    ('? in "x\\"?"', None, '"?', True),  # a ? inside quotes is text
    ('? in "x\\"?"', None, "cellInput", False),
]


@pytest.mark.parametrize(("entry", "type_ref", "value", "matches"), UNARY_TESTS)
def test_an_input_entry_matches_as_feel_says(entry: str, type_ref: str | None, value: Any, matches: bool) -> None:
    decision = _one_test(entry, type_ref)

    assert decision.evaluate({"nilai": value}) == ("ya" if matches else None)


def test_an_entry_may_compare_with_other_data_and_say_what_it_reads() -> None:
    decision = _one_test("[batas.bawah..batas.atas], = pengecualian")

    assert decision.names_read() == {"nilai", "batas", "pengecualian"}
    data = {"batas": {"bawah": 3, "atas": 5}, "pengecualian": 9}
    assert decision.evaluate({**data, "nilai": 4}) == "ya"
    assert decision.evaluate({**data, "nilai": 9}) == "ya"
    assert decision.evaluate({**data, "nilai": 6}) is None


def test_input_expressions_read_paths_and_compute() -> None:
    decision = _decision(
        _table(
            [(["true", "> 100", '"Ibu Siti"'], ['"cocok"'])],
            inputs=[
                ("Dewasa", 'pemohon.umur >= 17 and not(pemohon.status = "ditolak")', "boolean"),
                ("Total", "jumlah * harga + 10", "number"),
                ("Sapaan", '"Ibu " + pemohon.nama', "string"),
            ],
        )
    )
    data = {"pemohon": {"umur": 30, "status": "baru", "nama": "Siti"}, "jumlah": 3, "harga": 40}

    assert decision.evaluate(data) == "cocok"
    assert decision.evaluate({**data, "harga": 20}) is None
    assert decision.names_read() == {"pemohon", "jumlah", "harga"}


def test_output_entries_are_literals_or_expressions_coerced_by_type() -> None:
    decision = _decision(
        _table(
            [(["-"], ['"teks"', "2.0", "harga * 2", "", "true", '"2026-03-01"'])],
            outputs=[
                ("teks", "string", None),
                ("bulat", "integer", None),
                ("hitung", "double", None),
                ("kosong", "string", None),
                ("benar", "boolean", None),
                ("tanggal", "date", None),
            ],
        )
    )

    result = decision.evaluate({"nilai": 1, "harga": 5})

    assert result == {
        "teks": "teks",
        "bulat": 2,
        "hitung": 10.0,
        "kosong": None,
        "benar": True,
        "tanggal": date(2026, 3, 1),
    }
    assert type(result["bulat"]) is int and type(result["hitung"]) is float


def test_input_values_are_coerced_by_type_and_a_blank_form_field_is_null() -> None:
    blank = _one_test("null", "integer")
    number = _one_test("[999.5..1000.5]", "number")

    assert blank.evaluate({"nilai": "  "}) == "ya"
    assert blank.evaluate({"nilai": "0"}) is None
    assert number.evaluate({"nilai": "1e3"}) == "ya"
    assert number.evaluate({"nilai": " 1000 "}) == "ya"
    with pytest.raises(DmnEvaluationError, match=r"input 'Nilai': 'seribu' is not a number \(typeRef number\)"):
        number.evaluate({"nilai": "seribu"})


# --- hit policies ------------------------------------------------------------------------------

AGE_RULES = [(["< 17"], ['"anak"']), (["[17..60]"], ['"dewasa"']), (["> 60"], ['"lansia"'])]


def test_unique_gives_the_one_matching_rule_or_none() -> None:
    decision = _decision(_table(AGE_RULES, inputs=[("Umur", "umur", "integer")]))

    assert [decision.evaluate({"umur": u}) for u in (5, 17, 60, 61)] == ["anak", "dewasa", "dewasa", "lansia"]
    assert decision.evaluate({"umur": None}) is None


def test_unique_with_two_matching_rules_is_an_error_naming_them() -> None:
    decision = _decision(_table([(["> 10"], ['"a"']), (["< 20"], ['"b"']), (["> 30"], ['"c"'])]))

    with pytest.raises(DmnEvaluationError) as caught:
        decision.evaluate({"nilai": 15})

    assert caught.value.element_id == "Decision_uji"
    message = str(caught.value)
    assert "Keputusan uji" in message and "UNIQUE" in message
    assert "rule 1 (Rule_1)" in message and "rule 2 (Rule_2)" in message and "Rule_3" not in message
    assert isinstance(caught.value, EngineError)


def test_first_gives_the_first_match_in_table_order() -> None:
    decision = _decision(_table([(["> 10"], ['"a"']), (["> 5"], ['"b"']), (["-"], ['"c"'])], hit_policy="FIRST"))

    assert [decision.evaluate({"nilai": v}) for v in (20, 7, 1)] == ["a", "b", "c"]


def test_priority_gives_the_match_whose_outputs_come_first_in_the_output_values() -> None:
    outputs = [("tingkat", "string", '"tinggi","sedang","rendah"'), ("petugas", "string", '"camat","kasi"')]
    rules = [
        (["-"], ['"rendah"', '"camat"']),
        (["> 5"], ['"sedang"', '"kasi"']),
        (["> 5"], ['"sedang"', '"camat"']),
        (["> 9"], ['"tinggi"', '"kasi"']),
    ]
    decision = _decision(_table(rules, outputs=outputs, hit_policy="PRIORITY"))

    assert decision.evaluate({"nilai": 1}) == {"tingkat": "rendah", "petugas": "camat"}
    assert decision.evaluate({"nilai": 7}) == {"tingkat": "sedang", "petugas": "camat"}  # output by output
    assert decision.evaluate({"nilai": 10}) == {"tingkat": "tinggi", "petugas": "kasi"}


def test_any_accepts_matches_that_agree_and_refuses_a_conflict() -> None:
    decision = _decision(_table([(["> 5"], ['"ya"']), (["> 7"], ['"ya"']), (["> 9"], ['"tidak"'])], hit_policy="ANY"))

    assert decision.evaluate({"nilai": 8}) == "ya"
    assert decision.evaluate({"nilai": 1}) is None
    with pytest.raises(DmnEvaluationError, match=r"ANY.*rule 1 \(Rule_1\), rule 2 \(Rule_2\), rule 3 \(Rule_3\)"):
        decision.evaluate({"nilai": 10})


def test_collect_rule_order_and_output_order_give_lists() -> None:
    rules = [(["> 0"], ['"rendah"']), (["> 5"], ['"tinggi"']), (["> 8"], ['"sedang"'])]
    values = [("tingkat", "string", '"tinggi","sedang","rendah"')]

    def decide(policy: str, value: int) -> Any:
        return _decision(_table(rules, outputs=values, hit_policy=policy)).evaluate({"nilai": value})

    assert decide("COLLECT", 9) == ["rendah", "tinggi", "sedang"]
    assert decide("RULE ORDER", 9) == ["rendah", "tinggi", "sedang"]
    assert decide("OUTPUT ORDER", 9) == ["tinggi", "sedang", "rendah"]
    assert decide("OUTPUT ORDER", 6) == ["tinggi", "rendah"]
    assert decide("COLLECT", 0) == []


def test_collect_of_a_table_with_several_outputs_gives_a_list_of_dicts() -> None:
    outputs = [("syarat", "string", None), ("wajib", "boolean", None)]
    rules = [(["-"], ['"KTP"', "true"]), (['"pindah"'], ['"surat pindah"', "false"])]
    decision = _decision(_table(rules, outputs=outputs, hit_policy="COLLECT"))

    assert decision.evaluate({"nilai": "pindah"}) == [
        {"syarat": "KTP", "wajib": True},
        {"syarat": "surat pindah", "wajib": False},
    ]


@pytest.mark.parametrize(
    ("aggregation", "value", "expected"),
    [
        ("SUM", 9, 35),
        ("MIN", 9, 5),
        ("MAX", 9, 20),
        ("COUNT", 9, 3),
        ("SUM", 6, 30),
        ("SUM", 0, 0),
        ("MIN", 0, None),
        ("MAX", 0, None),
        ("COUNT", 0, 0),
    ],
)
def test_collect_aggregates_to_one_number(aggregation: str, value: int, expected: int | None) -> None:
    rules = [(["> 0"], ["10"]), (["> 5"], ["20"]), (["> 8"], ["5"])]
    decision = _decision(
        _table(rules, outputs=[("biaya", "integer", None)], hit_policy="COLLECT", aggregation=aggregation)
    )

    assert decision.evaluate({"nilai": value}) == expected


# --- errors while evaluating -------------------------------------------------------------------


def test_an_input_naming_data_the_process_does_not_have_is_an_error() -> None:
    decision = _decision(_table(AGE_RULES, inputs=[("Umur", "umur", "integer")]))

    with pytest.raises(DmnEvaluationError) as caught:
        decision.evaluate({"usia": 20})

    assert caught.value.element_id == "Decision_uji"
    assert "input 'Umur' reads 'umur', which the data does not have" in str(caught.value)


@pytest.mark.parametrize(
    ("expression", "output", "data", "phrase"),
    [
        ("pemohon.umur", "1", {"pemohon": {"nama": "Siti"}}, "input 'Masukan': no key 'umur' in the data"),
        ("nilai", "1 / nol", {"nilai": 1, "nol": 0}, "ZeroDivisionError"),
        ("nilai", "jumlah", {"nilai": 1}, "the data has no 'jumlah'"),
        ("nilai", "teks", {"nilai": 1, "teks": "abc"}, "'abc' is not an integer"),
    ],
)
def test_a_failing_cell_is_an_evaluation_error_that_says_where(
    expression: str, output: str, data: dict[str, Any], phrase: str
) -> None:
    rules = [(["-"], [output])]
    source = _table(rules, inputs=[("Masukan", expression, None)], outputs=[("jumlah", "integer", None)])

    with pytest.raises(DmnEvaluationError) as caught:
        _decision(source).evaluate(data)

    assert phrase in str(caught.value)
    assert caught.value.element_id == "Decision_uji"


def test_a_required_decision_missing_from_the_data_is_an_error() -> None:
    dmn = parse_dmn((SAMPLES / "biaya_layanan.dmn").read_bytes(), "b.dmn")
    alone = Decision.from_dict(dmn.decisions["Decision_jalur"].to_dict())

    assert alone.evaluate({"Decision_biaya": {"biaya": 0, "catatan": None}}) == "gratis"
    with pytest.raises(DmnEvaluationError, match="requires the result of decision 'Decision_biaya'"):
        alone.evaluate({})
    with pytest.raises(DmnEvaluationError, match="has no decision 'Decision_lain'"):
        dmn.evaluate("Decision_lain", {})


# --- problems found when the file is read ------------------------------------------------------


def test_cells_that_do_not_parse_are_located_by_rule_and_column() -> None:
    source = _table(
        [(["> 1", "[1.."], ['"baik"']), (["-", "-"], ['"tidak ditutup'])],
        inputs=[("Nilai", "nilai", None), ("Umur", "umur", None)],
    )

    problems = lint_dmn(source, FILENAME)

    assert [(p.file, p.element_id, p.severity) for p in problems] == [
        (FILENAME, "Rule_1", Severity.ERROR),
        (FILENAME, "Rule_2", Severity.ERROR),
    ]
    assert problems[0].message.startswith("rule 1 (Rule_1), input 'Umur' (column 2): cannot read '[1..'")
    assert problems[1].message.startswith("rule 2 (Rule_2), output 'hasil': ")
    assert all("\n" not in str(p) for p in problems)
    with pytest.raises(DmnError) as caught:
        parse_dmn(source, FILENAME)
    assert caught.value.problems == problems


def _without_rule_ids(source: bytes) -> bytes:
    return source.replace(b' id="Rule_1"', b"").replace(b' id="Rule_2"', b"")


@pytest.mark.parametrize(
    ("source", "element_id", "phrase"),
    [
        (_table([(["1", "2"], ['"a"'])]), "Rule_1", "has 2 input and 1 output entries; the table has 1 inputs"),
        (_table([(["1"], [])]), "Rule_1", "has 1 input and 0 output entries"),
        (_without_rule_ids(_table([(["-"], ['"a"']), (["<"], ['"b"'])])), "Decision_uji", "rule 2, input 'Nilai'"),
        (_table([(["-"], ['"a"'])], hit_policy="SOMETIMES"), "Decision_uji", "unknown hit policy 'SOMETIMES'"),
        (_table([(["-"], ["1"])], hit_policy="COLLECT", aggregation="AVG"), "Decision_uji", "not 'AVG'"),
        (_table([(["-"], ["1"])], hit_policy="FIRST", aggregation="SUM"), "Decision_uji", "only allowed with hit"),
        (
            _table(
                [(["-"], ["1", "2"])],
                outputs=[("a", None, None), ("b", None, None)],
                hit_policy="COLLECT",
                aggregation="MAX",
            ),
            "Decision_uji",
            "aggregation MAX needs a table with exactly one output",
        ),
        (_table([(["-"], ['"a"'])], hit_policy="PRIORITY"), "Decision_uji", "list them on an output"),
        (
            _table([(["-"], ['"a"'])], inputs=[("Kosong", "", None)]),
            "Input_1",
            "input 'Kosong': the expression is empty",
        ),
        (_table([(["-"], ['"x"'])], outputs=[("n", "integer", None)]), "Rule_1", "'x' is not an integer"),
        (_table([(["-"], ["__import__('os')"])]), "Rule_1", '"__import__" is an invalid variable name'),
        (_table([(["-"], ["().__class__"])]), "Rule_1", "cannot read"),
        (_table([(['date("2026-02-30")'], ['"a"'])]), "Rule_1", 'date("2026-02-30") is not a valid date'),
        (_table([(['not date("2026-01-01")'], ['"a"'])]), "Rule_1", "cannot read 'not date(\"2026-01-01\")'"),
        (_table([(["null ,"], ['"a"'])]), "Rule_1", "cannot read 'null ,': expected a value, found the end"),
        (_table([(["-"], ['"a"'])], inputs=[("Nama", "nama lengkap", None)]), "Input_1", "cannot read 'nama lengkap'"),
        (_table([(["-"], ['"a"'])]).replace(b'id="Decision_uji" ', b""), "-", "decision 'Keputusan uji' has no id"),
        (
            _definitions('<decision id="D1" name="L"><literalExpression><text>1</text></literalExpression></decision>'),
            "D1",
            "literal expression, which is not supported",
        ),
        (_definitions('<decision id="D1" />'), "D1", "has no table"),
        (_definitions(""), "-", "the file has no decision"),
        (
            _table([(["-"], ['"a"'])]).replace(b"<inputExpression ", b'<inputExpression expressionLanguage="juel" '),
            "InputExpression_1",
            "expression language 'juel' is not supported",
        ),
    ],
)
def test_a_table_that_cannot_be_used_is_refused_with_a_located_problem(
    source: bytes, element_id: str, phrase: str
) -> None:
    problems = [p for p in lint_dmn(source, FILENAME) if p.severity is Severity.ERROR]

    assert any(p.element_id == element_id and phrase in p.message for p in problems), problems
    with pytest.raises(DmnError) as caught:
        parse_dmn(source, FILENAME)
    assert caught.value.problems == problems


def _requiring(first: str, second: str) -> bytes:
    def decision(decision_id: str, needs: str) -> str:
        return (
            f'<decision id="{decision_id}" name="{decision_id}"><informationRequirement id="IR_{decision_id}">'
            f'<requiredDecision href="#{needs}" /></informationRequirement><decisionTable id="T_{decision_id}">'
            f'<input id="I_{decision_id}"><inputExpression><text>{needs}</text></inputExpression></input>'
            f'<output id="O_{decision_id}" name="hasil" /><rule id="R_{decision_id}"><inputEntry><text>-</text>'
            "</inputEntry><outputEntry><text>1</text></outputEntry></rule></decisionTable></decision>"
        )

    return _definitions(decision("A", first) + decision("B", second))


def test_required_decisions_must_exist_and_not_go_round_in_a_cycle() -> None:
    unknown = lint_dmn(_requiring("B", "C"), FILENAME)
    cycle = lint_dmn(_requiring("B", "A"), FILENAME)

    assert [(p.element_id, p.message) for p in unknown] == [
        ("B", "requires decision 'C', which this file does not have")
    ]
    assert [(p.element_id, p.message) for p in cycle] == [("A", "decisions A, B require one another in a cycle")]


def test_lint_warns_of_an_output_outside_its_listed_values_and_an_unknown_type() -> None:
    source = _table([(["-"], ['"hijau"'])], outputs=[("warna", "colour", '"merah","kuning"')])

    problems = lint_dmn(source, FILENAME)

    assert [(p.element_id, p.severity) for p in problems] == [
        ("Output_1", Severity.WARNING),
        ("Rule_1", Severity.WARNING),
    ]
    assert "unknown typeRef 'colour'" in problems[0].message
    assert "'hijau' is not one of the output's values" in problems[1].message
    assert _decision(source).evaluate({"nilai": 1}) == "hijau"


# --- hostile and broken files ------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d"><decision id="D" name="&lol3;" /></definitions>
"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE definitions [<!ENTITY rahasia SYSTEM "file:///etc/passwd">]>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d">
<decision id="D" name="&rahasia;" /></definitions>
"""


def _deeply_nested(depth: int) -> bytes:
    return _table([(["-"], ['"a"'])]).replace(
        b"</decisionTable>", b"<extensionElements>" * depth + b"</extensionElements>" * depth + b"</decisionTable>"
    )


@pytest.mark.parametrize(
    ("source", "phrase"),
    [
        (BILLION_LAUGHS, "DOCTYPE and ENTITY declarations are not allowed"),
        (XXE, "DOCTYPE and ENTITY declarations are not allowed"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "malformed XML"),
        (b"", "file is empty"),
        (b"kolom1,kolom2\n1,2\n", "malformed XML"),
        ("<definitions/>", "expected the file's bytes"),
        (_table([(["-"], ['"a"'])]).replace(b"</definitions>", b""), "malformed XML"),
        (_deeply_nested(5000), "malformed XML"),
        (
            _table([(["-"], ['"a"'])]).replace(
                b"</definitions>", b"<!--" + b"x" * (3 * 1024 * 1024) + b"--></definitions>"
            ),
            "larger than 2 MB",
        ),
        (
            b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" />',
            "not a DMN file: the root element is '<definitions> of http://www.omg.org/spec/BPMN/20100524/MODEL'",
        ),
        (b"<definitions id='d'/>", "not a DMN file: the root element is '<definitions> without a namespace'"),
        (f'<decision xmlns="{DMN13}" id="D" />'.encode(), "not a DMN file"),
    ],
)
def test_a_hostile_or_broken_file_is_refused_with_one_problem_and_never_a_traceback(source: Any, phrase: str) -> None:
    problems = lint_dmn(source, FILENAME)

    assert len(problems) == 1
    assert (problems[0].file, problems[0].element_id) == (FILENAME, "-")
    assert phrase in problems[0].message
    assert "root:" not in problems[0].message  # nothing read from /etc/passwd shows up
    with pytest.raises(DmnError) as caught:
        parse_dmn(source, FILENAME)
    assert caught.value.problems == problems


def test_a_deep_cell_and_an_endless_table_are_refused_and_a_long_table_is_read() -> None:
    deep = _table([(["-"], ["(" * 1500 + "1" + ")" * 1500]), (["-" * 1500 + "1"], ["a.b.c.d.e.f.g.h.i.j"])])
    endless = _table([([f"{n}"], [f"{n}"]) for n in range(2501)], hit_policy="FIRST")
    many = _table([([f"[{n}..{n + 1}["], [f'"{n}"']) for n in range(300)], hit_policy="UNIQUE")

    problems = lint_dmn(deep, FILENAME)
    assert [p.element_id for p in problems] == ["Rule_1", "Rule_2", "Rule_2"]
    assert "nested more than 40 levels deep" in problems[0].message
    assert "(column 1): cannot read '----" in problems[1].message
    assert problems[2].message.endswith("output 'hasil': a path of more than 8 steps")
    assert [p.message for p in lint_dmn(endless, FILENAME)] == [
        "the tables have 5002 entries; at most 5000 are allowed"
    ]
    assert _decision(many).evaluate({"nilai": 299.5}) == "299"


# --- stored as JSON ----------------------------------------------------------------------------


def _cases() -> list[tuple[str, dict[str, Any]]]:
    return [
        ("Decision_biaya", {"layanan": "loket", "pemohon": {"umur": 30}}),
        ("Decision_biaya", {"layanan": "kantor", "pemohon": {"umur": 70}}),
        ("Decision_biaya", {"layanan": "antar", "pemohon": {"umur": 20}}),
        ("Decision_biaya", {"layanan": "kantor", "pemohon": {"umur": 10}}),
        ("Decision_jalur", {"layanan": "loket", "pemohon": {"umur": 30}}),
        ("Decision_jalur", {"layanan": "loket", "pemohon": {"umur": 80}}),
    ]


def test_a_file_stored_as_json_and_rebuilt_gives_the_same_results() -> None:
    parsed = parse_dmn((SAMPLES / "biaya_layanan.dmn").read_bytes(), "biaya_layanan.dmn")

    stored = json.loads(json.dumps(parsed.to_dict()))
    rebuilt = DmnFile.from_dict(stored)

    assert rebuilt.to_dict() == stored
    assert [rebuilt.evaluate(d, data) for d, data in _cases()] == [parsed.evaluate(d, data) for d, data in _cases()]
    assert rebuilt.evaluate("Decision_jalur", {"layanan": "loket", "pemohon": {"umur": 80}}) == "gratis"
    assert rebuilt.decisions["Decision_biaya"].names_read() == {"layanan", "pemohon"}


@pytest.mark.parametrize(
    "source",
    [
        (SAMPLES / "denda_dmn11.dmn").read_bytes(),
        _table(AGE_RULES, inputs=[("Umur", "umur", "integer")], hit_policy="RULE ORDER"),
        _table([(['[date("2026-01-01")..date("2026-12-31")]'], ['date("2026-06-01")'])], outputs=[("d", "date", None)]),
    ],
)
def test_a_decision_stored_as_json_and_rebuilt_gives_the_same_results(source: bytes) -> None:
    for decision in parse_dmn(source, FILENAME).decisions.values():
        stored = json.loads(json.dumps(decision.to_dict()))
        rebuilt = Decision.from_dict(stored)

        assert rebuilt.to_dict() == stored
        assert (rebuilt.hit_policy, rebuilt.aggregation, rebuilt.rules) == (
            decision.hit_policy,
            decision.aggregation,
            decision.rules,
        )
        for data in (
            {"umur": 10, "nilai": date(2026, 3, 1), "berkas": {"terlambat": 9, "jenis": "ktp"}},
            {"umur": 70, "nilai": date(2025, 3, 1), "berkas": {"terlambat": 1, "jenis": "akta"}},
        ):
            assert rebuilt.evaluate(data) == decision.evaluate(data)


@pytest.mark.parametrize(
    ("stored", "phrase"),
    [
        ({"id": 5}, "'id' must be text"),
        ({"id": "D", "inputs": "nilai"}, "'inputs' must be a list"),
        ({"id": "D", "inputs": [], "outputs": [{"name": "a"}], "rules": [{"inputs": [1], "outputs": ["1"]}]}, "texts"),
        ({"id": "D", "inputs": [], "outputs": [{"name": "a"}], "rules": [["not", "a", "dict"]]}, "malformed"),
        ({"id": "D", "hit_policy": "MOST", "outputs": [{"name": "a"}]}, "unknown hit policy"),
        ("not a dict", "malformed"),
    ],
)
def test_a_stored_decision_that_is_not_one_is_refused(stored: Any, phrase: str) -> None:
    with pytest.raises(DmnError) as caught:
        Decision.from_dict(stored)

    assert phrase in str(caught.value)


def test_a_stored_file_that_is_not_one_is_refused() -> None:
    with pytest.raises(DmnError, match="no list of decisions"):
        DmnFile.from_dict({"file": "x.dmn", "decisions": "semua"})
    with pytest.raises(DmnError, match="no decision"):
        DmnFile.from_dict({"file": "x.dmn", "decisions": []})


def test_a_column_s_own_input_variable_is_not_data_the_table_reads() -> None:
    # the catalogue's table names its columns `peserta` and `tempat` (camunda:inputVariable)
    path = Path(__file__).resolve().parents[2] / "processes" / "decisions" / "rekomendasi_keramaian.dmn"
    decision = parse_dmn(path.read_bytes(), path.name).decisions["rekomendasi_keramaian"]

    assert decision.names_read() == {"perkiraan_peserta", "jenis_tempat"}
    assert decision.matched_rules({"perkiraan_peserta": 299, "jenis_tempat": "lapangan"}) == ("Rule_KecilLapangan",)
    assert decision.matched_rules({"perkiraan_peserta": 1000, "jenis_tempat": "jalan"}) == ("Rule_SedangJalan",)
