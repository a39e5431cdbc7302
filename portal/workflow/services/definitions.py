"""Deploying BPMN files: lint first, then a new immutable version for each changed file, recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

import engine

from .. import events
from ..models import ProcessDefinition


@dataclass(frozen=True)
class DeployResult:
    definition: ProcessDefinition
    changed: bool


def definitions_deploy(
    *, files: list[tuple[str, bytes]], deployed_by: Any = None, by_name: str = "", note: str = "",
    now: datetime | None = None,
) -> list[DeployResult]:  # fmt: skip
    """Lint every file, then deploy each changed one as a new version; all or nothing.

    Each change of the active version is a `definition_deployed` event naming who deployed
    (`deployed_by`, a user, or `by_name` as given to the command) and why (`note`).
    """
    now = now or timezone.now()
    built: list[tuple[bytes, engine.Definition]] = []
    problems: list[engine.Problem] = []
    for filename, source in files:
        try:
            built.append((source, engine.load_definition(source, filename)))
        except engine.DefinitionError as exc:
            problems.extend(exc.problems)
    if problems:
        raise engine.DefinitionError(problems)
    by_name = (by_name or (deployed_by.get_username() if deployed_by is not None else ""))[:150]
    with transaction.atomic():
        return [
            _deploy_one(source=source, definition=definition, by=deployed_by, by_name=by_name, note=note, now=now)
            for source, definition in built
        ]


def _deploy_one(
    *, source: bytes, definition: engine.Definition, by: Any, by_name: str, note: str, now: datetime
) -> DeployResult:
    versions = ProcessDefinition.objects.select_for_update().filter(code=definition.code)
    active = versions.filter(is_active=True).first()
    if active is not None and active.sha256 == definition.sha256:
        return DeployResult(active, changed=False)
    versions.filter(is_active=True).update(is_active=False)
    same = versions.filter(sha256=definition.sha256).first()
    if same is not None:
        # Content identical to an earlier version (a roll back): reactivate it rather than duplicate it.
        same.is_active = True
        same.save(update_fields=["is_active"])
        events.definition_deployed(
            definition=same, previous=active, actor=by, by_name=by_name, at=now, note=note, reactivated=True
        )
        return DeployResult(same, changed=True)
    last = versions.order_by("-version").values_list("version", flat=True).first() or 0
    row = ProcessDefinition.objects.create(
        code=definition.code, name=definition.name[:200], version=last + 1, sha256=definition.sha256,
        bpmn_source=source.decode("utf-8", errors="replace"), spec_json=engine.definition_to_dict(definition),
        deployed_by=by, deployed_by_name=by_name, deployed_at=now, note=note, is_active=True,
    )  # fmt: skip
    events.definition_deployed(
        definition=row, previous=active, actor=by, by_name=by_name, at=now, note=note, reactivated=False
    )
    return DeployResult(row, changed=True)
