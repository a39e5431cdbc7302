"""Reading and running scenario files (inputs per human task, expected path and result)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = ROOT / "processes"
FIXTURES = ROOT / "tests" / "fixtures" / "bpmn"


@dataclass(frozen=True)
class Scenario:
    code: str
    name: str
    bpmn: Path
    start: dict[str, Any]
    steps: list[dict[str, Any]]
    expect: dict[str, Any]
    description: str

    @property
    def id(self) -> str:
        return f"{self.code}/{self.name}"


def load_scenarios(directory: Path) -> list[Scenario]:
    result = []
    for path in sorted((directory / "scenarios").glob("*/*.yaml")):
        code = path.parent.name
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        result.append(
            Scenario(
                code=code,
                name=path.stem,
                bpmn=directory / f"{code}.bpmn",
                start=raw["start"],
                steps=raw.get("steps", []),
                expect=raw.get("expect", {}),
                description=raw.get("description", ""),
            )
        )
    return result


def all_scenarios() -> list[Scenario]:
    return load_scenarios(PROCESSES) + load_scenarios(FIXTURES)


def scenario_authority(scenario: Scenario) -> dict[str, str]:
    """The `authority` data a scenario runs under: `start.authority` is delegated or forwarded."""
    status = scenario.start.get("authority", "delegated")
    office = "DPMPTSP Kabupaten Penajam Paser Utara" if status == "forwarded" else ""
    return {"status": status, "office": office, "legal_basis": ""}
