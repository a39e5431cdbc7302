"""Deploying decision tables and shared sub-processes with the services that use them: versioned
like services, all or nothing, a change reaching new requests only (each service version keeps the
parts it was built with, and a changed part gives its services a new version)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SKTM_APPLICANT
from tests.engine.loop_diagrams import diagram_source, end, field, flows, gateway, user
from tests.engine.test_designer_elements import KERAMAIAN_DMN, _shared_initials
from tests.portal.workflow.test_lint_deploy_commands import _run, _write

pytestmark = pytest.mark.django_db


def _service() -> bytes:
    fields = field("peserta", "long") + field("tempat", "enum", "jalan", "gedung")
    form = f"<bpmn:extensionElements><camunda:formData>{fields}</camunda:formData></bpmn:extensionElements>"
    return diagram_source(
        "keramaian-uji", {"loket": ["Start_Mulai", "Tentukan", "Jalur", "Paraf", "Polres", "Desa", "Selesai"]},
        f'<bpmn:startEvent id="Start_Mulai">{form}</bpmn:startEvent>',
        '<bpmn:businessRuleTask id="Tentukan" camunda:decisionRef="rekomendasi_acara" '
        'camunda:resultVariable="perlu" />',
        gateway("Jalur", default="Flow_4"), user("Polres"), user("Desa"), end("Selesai"),
        '<bpmn:callActivity id="Paraf" calledElement="paraf-berjenjang" />',
        flows(("Start_Mulai", "Tentukan"), ("Tentukan", "Jalur"), ("Jalur", "Polres", 'perlu == "polres"'),
              ("Jalur", "Desa"), ("Polres", "Paraf"), ("Desa", "Paraf"), ("Paraf", "Selesai")),
    )  # fmt: skip


def _tree(root: Path, dmn: bytes = KERAMAIAN_DMN) -> list[str]:
    return [
        str(_write(root / "decisions", dmn, "rekomendasi_acara.dmn")),
        str(_write(root / "shared", _shared_initials(), "paraf-berjenjang.bpmn")),
        str(_write(root, _service(), "keramaian-uji.bpmn")),
    ]


def _versions() -> list[tuple[str, int, bool, list[str]]]:
    from portal.workflow.models import ProcessDefinition

    rows = ProcessDefinition.objects.filter(code="keramaian-uji").order_by("version").prefetch_related("parts")
    return [(r.code, r.version, r.is_active, sorted(f"{p}" for p in r.parts.all())) for r in rows]


def test_a_service_its_table_and_its_shared_file_deploy_together_and_once(tmp_path: Path, users: Any) -> None:
    from portal.workflow.models import DefinitionEvent

    code, lines = _run("process_deploy", "--by", "perancang1", *_tree(tmp_path))
    assert code == 0, lines
    assert [line.split(" sha256 ")[0] for line in lines] == [
        "decisions/rekomendasi_acara version 1", "shared/paraf-berjenjang version 1", "keramaian-uji version 1",
    ]  # fmt: skip
    assert _versions() == [("keramaian-uji", 1, True, ["decisions/rekomendasi_acara v1", "shared/paraf-berjenjang v1"])]
    kinds = list(DefinitionEvent.objects.order_by("seq").values_list("type", "code"))
    assert kinds[-3:] == [
        ("part_deployed", "decisions/rekomendasi_acara"), ("part_deployed", "shared/paraf-berjenjang"),
        ("definition_deployed", "keramaian-uji"),
    ]  # fmt: skip
    again = _run("process_deploy", "--by", "perancang1", *_tree(tmp_path))[1]
    assert all(line.endswith("(unchanged)") for line in again) and len(_versions()) == 1


def test_a_changed_table_reaches_new_requests_only(tmp_path: Path, users: Any) -> None:
    from portal.workflow.models import HumanTask
    from portal.workflow.services.registration import request_register

    assert _run("process_deploy", *_tree(tmp_path))[0] == 0
    data = {"peserta": 1500, "tempat": "gedung"}
    before = request_register(service_code="keramaian-uji", applicant=SKTM_APPLICANT, data=data, actor=users["loket1"])
    stricter = KERAMAIAN_DMN.replace(b"&gt;= 1000", b"&gt;= 2000")
    changed = _write(tmp_path / "decisions", stricter, "rekomendasi_acara.dmn")
    code, lines = _run("process_deploy", "--note", "ambang baru", str(changed))
    assert code == 0, lines
    assert [line.split(" sha256 ")[0] for line in lines] == [
        "decisions/rekomendasi_acara version 2",
        "keramaian-uji version 2",
    ]
    assert _versions()[-1] == (
        "keramaian-uji",
        2,
        True,
        ["decisions/rekomendasi_acara v2", "shared/paraf-berjenjang v1"],
    )
    after = request_register(service_code="keramaian-uji", applicant=SKTM_APPLICANT, data=data, actor=users["loket1"])
    steps = {
        i.pk: list(HumanTask.objects.filter(instance=i).values_list("bpmn_id", flat=True)) for i in (before, after)
    }
    assert steps == {before.pk: ["Polres"], after.pk: ["Desa"]}  # each request keeps the table it started with


def test_a_broken_table_or_a_missing_one_deploys_nothing(tmp_path: Path, users: Any) -> None:
    from portal.workflow.models import DefinitionPart

    broken = KERAMAIAN_DMN.replace(b"<text>&gt;= 1000</text>", b"<text>&gt;= </text>")
    code, lines = _run("process_deploy", *_tree(tmp_path, broken))
    assert code == 1 and any("rekomendasi_acara.dmn" in line for line in lines), lines
    alone = _run("process_deploy", str(_write(tmp_path / "lain", _service(), "keramaian-uji.bpmn")))
    assert alone[0] == 1 and any("decision 'rekomendasi_acara' is not deployed" in line for line in alone[1])
    assert _versions() == [] and not DefinitionPart.objects.exists()
