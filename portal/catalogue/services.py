"""Writes of the catalogue: loading standards and the registry from processes/, refusals, revisions."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal.core.yamltext import yaml_load
from portal.directory.selectors import office_find

from .enums import AuthorityStatus, ServiceKind
from .models import AuthorityRule, RefusedRequest, Service, ServiceDeclaration, ServiceStandard

PUBLISHED_KEYS = ("requirements", "procedure", "completion_time", "fee", "product", "complaints")
MANAGEMENT_KEYS = (
    "legal_basis", "facilities", "staff_competence", "supervision", "staff_count",
    "service_guarantee", "safety_guarantee", "performance_review",
)  # fmt: skip
REQUIRED_KEYS = ("code", "version", "name", "kind", "summary", *PUBLISHED_KEYS, *MANAGEMENT_KEYS, "service_hours")
_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_REQ_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class CatalogueFileError(ValueError):
    """A catalogue file that cannot be loaded; the message names the file and the problem."""


def _digest(content: Any) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _load_yaml(path: Path) -> Any:
    try:
        return yaml_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CatalogueFileError(f"{path.name}: cannot be read as YAML: {exc}") from exc


def standard_check(content: Any, *, source: str) -> dict[str, Any]:
    """Validate a standard's content; returns it (normalised) or raises CatalogueFileError."""
    if not isinstance(content, dict):
        raise CatalogueFileError(f"{source}: expected a mapping")
    missing = [k for k in REQUIRED_KEYS if k not in content or content[k] in (None, "", [])]
    if missing:
        raise CatalogueFileError(f"{source}: missing {', '.join(missing)}")
    if not _CODE.match(str(content["code"])):
        raise CatalogueFileError(f"{source}: code '{content['code']}' is not a service code")
    if content["kind"] not in ServiceKind.values:
        raise CatalogueFileError(f"{source}: kind must be one of {', '.join(ServiceKind.values)}")
    if not isinstance(content["version"], int) or content["version"] < 1:
        raise CatalogueFileError(f"{source}: version must be a positive whole number")
    requirements = content["requirements"]
    if not isinstance(requirements, list):
        raise CatalogueFileError(f"{source}: requirements must be a list")
    seen: set[str] = set()
    for item in requirements:
        if not isinstance(item, dict) or not _REQ_CODE.match(str(item.get("code", ""))) or not item.get("name"):
            raise CatalogueFileError(f"{source}: each requirement needs a snake_case code and a name: {item!r}")
        if item["code"] in seen:
            raise CatalogueFileError(f"{source}: requirement '{item['code']}' appears twice")
        seen.add(item["code"])
        item["required"] = bool(item.get("required", True))
    completion = content["completion_time"]
    if not isinstance(completion, dict) or not isinstance(completion.get("working_days"), int):
        raise CatalogueFileError(f"{source}: completion_time needs working_days (a whole number) and text")
    fee = content["fee"]
    if not isinstance(fee, dict) or not isinstance(fee.get("amount"), int) or not fee.get("text"):
        raise CatalogueFileError(f"{source}: fee needs amount (a whole number of rupiah) and text")
    if not isinstance(content["procedure"], list):
        raise CatalogueFileError(f"{source}: procedure must be a list of steps")
    if not isinstance(content.get("separation_of_duties", True), bool):
        raise CatalogueFileError(f"{source}: separation_of_duties must be true or false")
    return content


@dataclass(frozen=True)
class SyncResult:
    standards_new: int
    services: int
    authority_rules_new: int
    declaration_new: bool


def _parse_date(value: Any, *, source: str, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise CatalogueFileError(f"{source}: {field} '{value}' is not a date YYYY-MM-DD") from exc


def _authority_rows(raw: Any, *, source: str) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise CatalogueFileError(f"{source}: expected a list of rows")
    rows = []
    for row in raw:
        if not isinstance(row, dict) or row.get("status") not in AuthorityStatus.values or not row.get("service"):
            raise CatalogueFileError(
                f"{source}: each row needs service and status ({', '.join(AuthorityStatus.values)})"
            )
        basis = row.get("legal_basis") or {}
        start = _parse_date(row.get("in_force_from"), source=source, field="in_force_from")
        if start is None:
            raise CatalogueFileError(f"{source}: {row['service']}: in_force_from is required")
        kecamatan = None
        if row.get("kecamatan"):
            kecamatan = office_find(str(row["kecamatan"]))
            if kecamatan is None:
                raise CatalogueFileError(f"{source}: {row['service']}: no kecamatan '{row['kecamatan']}'")
        rows.append(
            {
                "service": str(row["service"]),
                "kecamatan": kecamatan,
                "status": row["status"],
                "office": str(row.get("office") or ""),
                "legal_basis_number": str(basis.get("number") or "") if isinstance(basis, dict) else str(basis),
                "legal_basis_date": _parse_date(basis.get("date") if isinstance(basis, dict) else None,
                                                source=source, field="legal_basis.date"),
                "in_force_from": start,
                "in_force_until": _parse_date(row.get("in_force_until"), source=source, field="in_force_until"),
                "note": str(row.get("note") or ""),
            }
        )  # fmt: skip
    return rows


def _standard_store(service: Service, content: dict[str, Any], *, now: datetime, by: Any = None) -> bool:
    digest = _digest(content)
    current = service.standards.filter(is_current=True).first()
    if current is not None and current.sha256 == digest:
        return False
    last = service.standards.order_by("-version").values_list("version", flat=True).first() or 0
    version = max(int(content.get("version", 1)), last + 1)
    service.standards.filter(is_current=True).update(is_current=False)
    ServiceStandard.objects.create(
        service=service, version=version, sha256=digest, content={**content, "version": version},
        created_at=now, created_by=by, is_current=True,
    )  # fmt: skip
    return True


def _declarations_read(directory: Path) -> dict[int | None, dict[str, Any]]:
    """`maklumat.yaml` (the regency's, for every kecamatan without its own) and
    `maklumat.<kecamatan>.yaml` (one kecamatan's), by office id (None: the regency's)."""
    found: dict[int | None, dict[str, Any]] = {}
    for path in sorted(directory.glob("maklumat*.yaml")):
        slug = path.name.removesuffix(".yaml").removeprefix("maklumat").lstrip(".")
        office = office_find(slug) if slug else None
        if slug and office is None:
            raise CatalogueFileError(f"{path.name}: no kecamatan '{slug}'")
        content = _load_yaml(path)
        if not isinstance(content, dict):
            raise CatalogueFileError(f"{path.name}: expected a mapping")
        found[office.pk if office is not None else None] = content
    return found


def catalogue_sync(*, directory: Path, now: datetime | None = None) -> SyncResult:
    """Load `*.standard.yaml`, `authority.yaml` and `maklumat.yaml` from `directory`; all or nothing.

    Standards get a new version when their content changed. Authority rows from the file are
    added only for services that have none yet: the registry is then the admin's to change.
    """
    now = now or timezone.now()
    standards = [standard_check(_load_yaml(p), source=p.name) for p in sorted(directory.glob("*.standard.yaml"))]
    for path, content in zip(sorted(directory.glob("*.standard.yaml")), standards, strict=True):
        if f"{content['code']}.standard.yaml" != path.name:
            raise CatalogueFileError(f"{path.name}: code '{content['code']}' does not match the file name")
    authority_path = directory / "authority.yaml"
    authority = (
        _authority_rows(_load_yaml(authority_path), source=authority_path.name) if authority_path.exists() else []
    )
    known = {c["code"] for c in standards}
    unknown = sorted({r["service"] for r in authority} - known)
    if unknown:
        raise CatalogueFileError(f"authority.yaml: no standard for {', '.join(unknown)}")
    declarations = _declarations_read(directory)

    new_standards = new_rules = 0
    declaration_new = False
    with transaction.atomic():
        for content in standards:
            service, _ = Service.objects.update_or_create(
                code=content["code"],
                defaults={"name": content["name"], "kind": content["kind"], "summary": content["summary"]},
            )
            new_standards += _standard_store(service, content, now=now)
        services = {s.code: s for s in Service.objects.all()}
        with_rules = set(AuthorityRule.objects.values_list("service__code", "kecamatan_id"))
        for row in authority:
            if (row["service"], row["kecamatan"].pk if row["kecamatan"] else None) in with_rules:
                continue
            AuthorityRule.objects.create(service=services[row.pop("service")], **row)
            new_rules += 1
        for office_id, declaration in declarations.items():
            digest = _digest(declaration)
            mine = Q(office_id=office_id) if office_id is not None else Q(office__isnull=True)
            latest = ServiceDeclaration.objects.filter(mine).first()
            if latest is None or latest.sha256 != digest:
                ServiceDeclaration.objects.create(
                    office_id=office_id, sha256=digest, content=declaration, created_at=now
                )
                declaration_new = True
    return SyncResult(new_standards, len(standards), new_rules, declaration_new)


def standard_revise(*, service: Service, content: Any, by: Any, now: datetime | None = None) -> ServiceStandard:
    """Publish an edited standard as a new version (the old one stays for the record)."""
    checked = standard_check(content, source=service.code)
    if checked["code"] != service.code:
        raise CatalogueFileError(f"{service.code}: the code cannot change")
    with transaction.atomic():
        _standard_store(service, checked, now=now or timezone.now(), by=by)
        current = service.standards.get(is_current=True)
    return current


def refusal_record(
    *, service: Service, rule: AuthorityRule | None, actor: Any, now: datetime, office: Any = None
) -> RefusedRequest:
    """Count one request for a service the kecamatan may not serve (its own transaction)."""
    local = timezone.localtime(now)
    with transaction.atomic():
        return RefusedRequest.objects.create(
            service=service, office=office, at=now, month=local.date().replace(day=1), rule=rule,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
        )  # fmt: skip


REFUSALS_SEEN = "paten_refusals_seen"


def refusal_record_once(
    *, session: Any, service_code: str, actor: Any, now: datetime | None = None, office: Any = None
) -> bool:
    """Count a refusal shown on a page (the counter's or the citizen's), once per visit, service and day.

    True when the service is not available here and the refusal was counted now.
    """
    from .selectors import authority_in_force

    now = now or timezone.now()
    office_id = office.pk if office is not None else None
    rule = authority_in_force(str(service_code)[:64], on=timezone.localdate(now), office_id=office_id)
    if rule is None or rule.status != AuthorityStatus.NOT_AVAILABLE:
        return False
    key = f"{rule.service.code}:{office_id or ''}:{timezone.localdate(now).isoformat()}"
    seen = session.get(REFUSALS_SEEN)
    seen = list(seen) if isinstance(seen, list) else []
    if key in seen:
        return False
    refusal_record(service=rule.service, rule=rule, actor=actor, now=now, office=office)
    session[REFUSALS_SEEN] = [*seen[-19:], key]
    return True
