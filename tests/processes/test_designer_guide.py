"""The examples of processes/README.md are files the engine reads, not prose that drifts."""

from __future__ import annotations

import re

import pytest

import engine
from engine.dmn import DmnEvaluationError, parse_dmn
from tests.scenario import PROCESSES, catalogue_library

GUIDE = (PROCESSES / "README.md").read_text(encoding="utf-8")


def _whole_dmn_example() -> bytes:
    blocks = [b for b in re.findall(r"```xml\n(.*?)```", GUIDE, flags=re.DOTALL) if "<definitions" in b]
    assert len(blocks) == 1, "the guide holds one whole decision table"
    return blocks[0].encode()


@pytest.mark.parametrize(
    ("data", "answer"),
    [
        ({"usia_termuda": 17, "hari_kerja_tersisa": 12}, "pengadilan"),
        ({"usia_termuda": 19, "hari_kerja_tersisa": 9}, "camat"),
        ({"usia_termuda": 30, "hari_kerja_tersisa": 10}, "tidak_perlu"),
    ],
)
def test_the_guide_s_decision_table_reads_and_decides_as_the_guide_says(data: dict, answer: str) -> None:
    table = parse_dmn(_whole_dmn_example(), "jalur_dispensasi_nikah.dmn")
    result = table.evaluate("jalur_dispensasi_nikah", data)
    assert result["pemutus"] == answer
    assert len(table.decisions["jalur_dispensasi_nikah"].matched_rules(data)) == 1


def test_the_guide_s_decision_table_refuses_data_it_cannot_decide() -> None:
    table = parse_dmn(_whole_dmn_example(), "jalur_dispensasi_nikah.dmn")
    with pytest.raises(DmnEvaluationError):
        table.evaluate("jalur_dispensasi_nikah", {"hari_kerja_tersisa": 3})


def test_the_catalogue_s_tables_are_the_ones_the_guide_names() -> None:
    for table in PROCESSES.glob("decisions/*.dmn"):
        assert f"`{table.stem}`" in GUIDE, f"processes/README.md does not name {table.name}"
    for shared in PROCESSES.glob("shared/*.bpmn"):
        assert f"`{shared.stem}`" in GUIDE, f"processes/README.md does not name {shared.name}"


@pytest.mark.parametrize("code", ["sktm", "sku", "penutupan-jalan"])
def test_the_shared_initials_step_is_listed_where_its_call_activity_is_drawn(code: str) -> None:
    # the published procedure lists the sekcam's step between the kasi's draft and the camat's signature
    definition = engine.load_definition(
        (PROCESSES / f"{code}.bpmn").read_bytes(), f"{code}.bpmn", library=catalogue_library()
    )
    order = [bpmn_id for bpmn_id, _name, _role in definition.procedure()]
    assert order.index("Task_SusunDraf") < order.index("Task_ParafSekcam") < order.index("Task_TandatanganCamat")
    assert definition.lanes["Task_ParafSekcam"] == "sekcam"
