"""Deploying a service's files: lint first, then a new immutable version for each changed file, recorded.

Three kinds of file, told apart by where they live: a decision table file (`decisions/<id>.dmn`), a
shared sub-process (`shared/<id>.bpmn`), and a service (any other `.bpmn`). A service's version is
built with the active decision tables and shared sub-processes, copied into it, and records which
versions it used; so a later change to a shared file reaches new requests only. Deploying a changed
shared file therefore also deploys a new version of every active service that uses it (same BPMN,
the new part), in the same transaction: all or nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePath
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

import engine

from .. import events
from ..models import DefinitionPart, ProcessDefinition

Kind = DefinitionPart.Kind


@dataclass(frozen=True)
class DeployResult:
    definition: ProcessDefinition
    changed: bool


@dataclass(frozen=True)
class PartResult:
    part: DefinitionPart
    changed: bool


@dataclass(frozen=True)
class _Built:
    source: bytes
    definition: engine.Definition
    parts: tuple[tuple[str, str], ...]  # (kind, code) of each part it uses
    note: str = ""


def catalogue_files(directory: Path) -> list[tuple[str, bytes]]:
    """Every deployable file of a processes/ directory, named as deploys name them: its decision
    tables (decisions/*.dmn), shared sub-processes (shared/*.bpmn) and services (*.bpmn)."""
    paths = [*sorted(directory.glob("decisions/*.dmn")), *sorted(directory.glob("shared/*.bpmn")),
             *sorted(directory.glob("*.bpmn"))]  # fmt: skip
    return [(p.relative_to(directory.parent).as_posix(), p.read_bytes()) for p in paths]


def part_kind(filename: str) -> str | None:
    """Which part a file is: decisions (`.dmn`), shared (`.bpmn` in a folder named `shared`), or None (a service)."""
    path = PurePath(filename.replace("\\", "/"))
    if path.suffix.lower() == ".dmn":
        return Kind.DECISIONS
    if path.suffix.lower() == ".bpmn" and path.parent.name == "shared":
        return Kind.SHARED
    return None


def _part_key(filename: str) -> tuple[str, str]:
    return str(part_kind(filename)), PurePath(filename.replace("\\", "/")).stem


def active_library(*, replacing: dict[tuple[str, str], tuple[str, bytes]] | None = None) -> engine.Library:
    """The active decision tables and shared sub-processes, with `replacing` ((kind, code) -> (file
    name, source)) taking the place of the active version of the same file. DmnError if one is bad."""
    files = dict(replacing or {})
    for part in DefinitionPart.objects.filter(is_active=True).order_by("kind", "code"):
        files.setdefault((part.kind, part.code), (part.filename, part.source.encode()))
    return engine.Library.from_files(sorted(files.values()))


def _parts_used(definition: engine.Definition, library: engine.Library) -> tuple[tuple[str, str], ...]:
    """(kind, code) of the library's files a built definition uses: its decisions, its called processes."""
    used: set[str] = set()
    for spec in (definition.spec, *definition.subprocess_specs.values()):
        used |= {ts.decision_id for ts in spec.task_specs.values() if hasattr(ts, "decision_id")}
    used |= {pid for pid in definition.subprocess_specs if pid in library.processes}
    return tuple(sorted({_part_key(library.sources[key][0]) for key in used if key in library.sources}))


def _lint_parts(parts: list[tuple[str, bytes]]) -> list[engine.Problem]:
    problems: list[engine.Problem] = []
    for filename, source in parts:
        if part_kind(filename) == Kind.DECISIONS:
            problems += engine.errors_of(engine.lint_dmn(source, filename))
        else:  # a shared sub-process: a process like a service's, named as its file, lanes roles
            problems += engine.errors_of(engine.lint(source, filename))
    return problems


def _build_all(
    services: list[tuple[str, bytes]], parts: list[tuple[str, bytes]]
) -> tuple[list[_Built], list[engine.Problem]]:
    """Every service given and every active one using a changed part, built with the new parts."""
    try:
        library = active_library(replacing={_part_key(name): (name, source) for name, source in parts})
    except engine.DmnError as exc:
        return [], list(exc.problems)
    built: list[_Built] = []
    problems: list[engine.Problem] = []
    for filename, source in services:
        try:
            definition = engine.load_definition(source, filename, library=library)
        except engine.DefinitionError as exc:
            problems.extend(exc.problems)
            continue
        built.append(_Built(source, definition, _parts_used(definition, library)))
    given = {b.definition.code for b in built} | {engine.service_code_of(name) for name, _ in services}
    changed = {_part_key(name) for name, _ in parts}
    for row in _dependents(changed, given):
        try:
            definition = engine.load_definition(row.bpmn_source.encode(), f"{row.code}.bpmn", library=library)
        except engine.DefinitionError as exc:
            problems.extend(exc.problems)
            continue
        note = "memakai berkas bersama yang baru: " + ", ".join(f"{k}/{c}" for k, c in sorted(changed))
        built.append(_Built(row.bpmn_source.encode(), definition, _parts_used(definition, library), note))
    return built, problems


def _dependents(changed: set[tuple[str, str]], given: set[str]) -> list[ProcessDefinition]:
    """Active services (not deployed in this call) whose version uses a file being changed."""
    if not changed:
        return []
    rows = ProcessDefinition.objects.filter(is_active=True).exclude(code__in=given).prefetch_related("parts")
    return [row for row in rows if {(p.kind, p.code) for p in row.parts.all()} & changed]


def definitions_deploy(
    *, files: list[tuple[str, bytes]], deployed_by: Any = None, by_name: str = "", note: str = "",
    now: datetime | None = None,
) -> list[DeployResult]:  # fmt: skip
    """Lint every file, then deploy each changed one as a new version; all or nothing.

    Each change of an active version is a `definition_deployed` (a service) or `part_deployed` (a
    decision table or shared sub-process) event naming who deployed (`deployed_by`, a user, or
    `by_name` as given to the command) and why (`note`). Returns the services' results (deploy_files
    also returns the decision tables' and shared files')."""
    return deploy_files(files=files, deployed_by=deployed_by, by_name=by_name, note=note, now=now)[0]


def deploy_files(
    *, files: list[tuple[str, bytes]], deployed_by: Any = None, by_name: str = "", note: str = "",
    now: datetime | None = None,
) -> tuple[list[DeployResult], list[PartResult]]:  # fmt: skip
    """definitions_deploy, also answering what became of each decision table and shared file."""
    now = now or timezone.now()
    parts = [(name, source) for name, source in files if part_kind(name) is not None]
    services = [(name, source) for name, source in files if part_kind(name) is None]
    problems = _lint_parts(parts)
    built, build_problems = _build_all(services, parts) if not problems else ([], [])
    if problems or build_problems:
        raise engine.DefinitionError(problems + build_problems)
    by_name = (by_name or (deployed_by.get_username() if deployed_by is not None else ""))[:150]
    with transaction.atomic():
        part_results = [
            _deploy_part(filename, source, by=deployed_by, by_name=by_name, note=note, now=now)
            for filename, source in parts
        ]
        rows = {(p.part.kind, p.part.code): p.part for p in part_results}
        for part in DefinitionPart.objects.filter(is_active=True):
            rows.setdefault((part.kind, part.code), part)
        results = [
            _deploy_one(item, parts=[rows[key] for key in item.parts], by=deployed_by, by_name=by_name,
                        note=item.note or note, now=now)
            for item in built
        ]  # fmt: skip
    return results, part_results


@dataclass(frozen=True)
class _Switch:
    active: Any  # the version in use until now (None: the first deploy)
    unchanged: bool  # the active version has this content already: nothing changes
    reused: Any = None  # an earlier version with this content, in use again (a roll back)
    number: int = 0  # the number a new version takes, when none is reused


def _version_switch(versions: QuerySet[Any], sha: str) -> _Switch:
    """Under the versions' row locks: retire the active version unless it has this content, and put
    an earlier version with the same content back in use rather than duplicate it."""
    active = versions.filter(is_active=True).first()
    if active is not None and active.sha256 == sha:
        return _Switch(active, unchanged=True)
    versions.filter(is_active=True).update(is_active=False)
    reused = versions.filter(sha256=sha).first()
    if reused is not None:
        reused.is_active = True
        reused.save(update_fields=["is_active"])
    last = versions.order_by("-version").values_list("version", flat=True).first() or 0
    return _Switch(active, unchanged=False, reused=reused, number=last + 1)


def _deploy_part(filename: str, source: bytes, *, by: Any, by_name: str, note: str, now: datetime) -> PartResult:
    kind, code = _part_key(filename)
    sha = engine.sha256_of(source)
    switch = _version_switch(DefinitionPart.objects.select_for_update().filter(kind=kind, code=code), sha)
    if switch.unchanged:
        return PartResult(switch.active, changed=False)
    part = switch.reused or DefinitionPart.objects.create(
        kind=kind, code=code[:64], version=switch.number, sha256=sha, source=source.decode("utf-8", errors="replace"),
        deployed_by=by, deployed_by_name=by_name, deployed_at=now, note=note, is_active=True,
    )  # fmt: skip
    events.part_deployed(part=part, previous=switch.active, actor=by, by_name=by_name, at=now, note=note,
                         reactivated=switch.reused is not None)  # fmt: skip
    return PartResult(part, changed=True)


def bundle_sha256(file_sha256: str, parts: list[DefinitionPart]) -> str:
    """A service version's fingerprint: its file's alone, or with the parts it was built with."""
    if not parts:
        return file_sha256
    lines = [file_sha256, *sorted(f"{p.kind}/{p.code}:{p.sha256}" for p in parts)]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _deploy_one(
    item: _Built, *, parts: list[DefinitionPart], by: Any, by_name: str, note: str, now: datetime
) -> DeployResult:
    definition = item.definition
    sha = bundle_sha256(definition.sha256, parts)
    switch = _version_switch(ProcessDefinition.objects.select_for_update().filter(code=definition.code), sha)
    if switch.unchanged:
        return DeployResult(switch.active, changed=False)
    row = switch.reused
    if row is None:
        stored = engine.definition_to_dict(definition)
        stored["sha256"] = sha
        row = ProcessDefinition.objects.create(
            code=definition.code, name=definition.name[:200], version=switch.number, sha256=sha,
            bpmn_source=item.source.decode("utf-8", errors="replace"), spec_json=stored,
            deployed_by=by, deployed_by_name=by_name, deployed_at=now, note=note, is_active=True,
        )  # fmt: skip
        row.parts.set(parts)
    events.definition_deployed(
        definition=row, previous=switch.active, actor=by, by_name=by_name, at=now, note=note,
        reactivated=switch.reused is not None,
    )  # fmt: skip
    return DeployResult(row, changed=True)
