"""Plain dicts of catalogue data shared by the public pages and the JSON API."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from portal.accounts.enums import RoleCode
from portal.catalogue import selectors
from portal.catalogue.enums import AuthorityStatus
from portal.catalogue.models import AuthorityRule, Service
from portal.catalogue.services import MANAGEMENT_KEYS
from portal.directory.models import Office
from portal.workflow.definitions import definition_runtime
from portal.workflow.models import ProcessDefinition


def authority_view(rule: AuthorityRule | None) -> dict[str, Any]:
    if rule is None:
        return {
            "status": AuthorityStatus.DELEGATED, "status_label": str(AuthorityStatus.DELEGATED.label),
            "office": "", "legal_basis": _("Dasar kewenangan belum dicatat."), "legal_basis_date": None,
            "in_force_from": None, "in_force_until": None, "note": "",
        }  # fmt: skip
    return {
        "status": rule.status,
        "status_label": str(AuthorityStatus(rule.status).label),
        "office": rule.office,
        "legal_basis": rule.legal_basis_number,
        "legal_basis_date": rule.legal_basis_date,
        "in_force_from": rule.in_force_from,
        "in_force_until": rule.in_force_until,
        "note": rule.note,
    }


def _active_definition(service: Service) -> ProcessDefinition | None:
    return ProcessDefinition.objects.filter(code=service.code, is_active=True).defer("bpmn_source", "spec_json").first()


def service_summary(service: Service, office: Office | None = None) -> dict[str, Any]:
    """What the list shows of a service; with `office`, under that kecamatan's authority row (its
    own, else the regency's), without, the regency's."""
    standard = selectors.standard_current(service)
    content = standard.content if standard else {}
    rule = selectors.authority_in_force(service.code, office_id=office.pk if office is not None else None)
    online = rule is None or rule.status != AuthorityStatus.NOT_AVAILABLE
    return {
        "code": service.code,
        "kecamatan": office.slug if office is not None else "",
        "name": service.name,
        "kind": service.kind,
        "summary": service.summary,
        "version": standard.version if standard else None,
        "completion_time": content.get("completion_time", {}),
        "fee": content.get("fee", {}),
        "authority": authority_view(rule),
        "online": online and _active_definition(service) is not None,
    }


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return "" if value is None else str(value)


def service_detail(service: Service, office: Office | None = None) -> dict[str, Any]:
    data = service_summary(service, office)
    standard = selectors.standard_current(service)
    content = standard.content if standard else {}
    steps = []
    definition = _active_definition(service)
    if definition is not None:
        labels = dict(RoleCode.choices)
        for bpmn_id, name, role in definition_runtime(definition).procedure():
            steps.append(
                {
                    "bpmn_id": bpmn_id,
                    "name": name,
                    "role": role or "",
                    "role_label": str(labels.get(role or "", role or "")),
                }
            )
    data.update(
        {
            "requirements": content.get("requirements", []),
            "procedure": [str(p) for p in content.get("procedure", [])],
            "steps": steps,
            "product": _text(content.get("product")),
            "complaints": _text(content.get("complaints")),
            "service_hours": _text(content.get("service_hours")),
            "management": {k: content.get(k) for k in MANAGEMENT_KEYS},
        }
    )
    return data
