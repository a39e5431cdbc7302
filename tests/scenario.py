"""Reading and running scenario files (inputs per human task, expected path and result)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

import engine

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


@cache
def _library(directory: Path) -> engine.Library:
    return engine.Library.from_directory(directory)


def scenario_definition(scenario: Scenario) -> engine.Definition:
    """The scenario's service loaded with the decision tables and shared sub-processes beside it."""
    library = _library(scenario.bpmn.parent)
    return engine.load_definition(scenario.bpmn.read_bytes(), scenario.bpmn.name, library=library)


def scenario_files(scenario: Scenario) -> list[Path]:
    """What to deploy for the scenario's service: the decision tables and shared sub-processes beside it, then it."""
    here = scenario.bpmn.parent
    return [*sorted(here.glob("decisions/*.dmn")), *sorted(here.glob("shared/*.bpmn")), scenario.bpmn]


def catalogue_parts() -> list[tuple[str, bytes]]:
    """The catalogue's decision tables and shared sub-processes, named as deploys name them."""
    paths = [*sorted(PROCESSES.glob("decisions/*.dmn")), *sorted(PROCESSES.glob("shared/*.bpmn"))]
    return [(p.relative_to(ROOT).as_posix(), p.read_bytes()) for p in paths]


def catalogue_library() -> engine.Library:
    """What the catalogue's services call and ask: its decision tables and shared sub-processes."""
    return _library(PROCESSES)
