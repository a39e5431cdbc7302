"""Reads of the auditor's workspace: a search over requests, a request within her offices, the log's state."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from portal.accounts.enums import RoleCode
from portal.accounts.selectors import user_roles
from portal.core.keyset import Band, Cursor, ListPage, bounded_count, keyset_page
from portal.core.text import search_key
from portal.directory.models import Village
from portal.directory.selectors import OfficeScope, scope_office_ids
from portal.workflow.models import InstanceEvent, NameKey, ProcessInstance
from portal.workflow.selectors import active_definitions

QUERY_MAX = 100
SEARCH_MAX = 50  # a search shows at most this many requests; past that, it asks for more of the name
NAME_MIN = 2  # letters of a name before it is searched
PAGE_SIZE = 25
TRACKING_NUMBER_RE = re.compile(r"[A-Z0-9-]{1,20}")


def may_audit(user: Any) -> bool:
    return bool(user_roles(user) & {RoleCode.AUDITOR, RoleCode.ADMIN})


def _starts_with(field: str, prefix: str) -> Q:
    """Rows whose `field` starts with `prefix`, in a form an index of the column serves."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__startswith": prefix})  # LIKE 'x%' on the pattern operator class index
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + "\U0010ffff"})  # a B-tree range


def _requests() -> QuerySet[ProcessInstance]:
    return ProcessInstance.objects.select_related("definition", "applicant_village").defer(
        "state", "definition__spec_json", "definition__bpmn_source", "request_data"
    )


@dataclass
class SearchResult:
    """The requests a search found, newest first; `more`: more than SEARCH_MAX matched (say more)."""

    requests: list[ProcessInstance]
    more: bool


def filtered(rows: QuerySet[ProcessInstance], filters: dict[str, Any]) -> QuerySet[ProcessInstance]:
    """`rows` narrowed by the search form's filters (service code, village code, an officer who acted
    on the request, registration dates in office time)."""
    if filters.get("layanan"):
        rows = rows.filter(definition__code=filters["layanan"])
    if filters.get("desa"):
        rows = rows.filter(applicant_village__code=filters["desa"])
    if filters.get("petugas"):
        acted = InstanceEvent.objects.filter(instance=OuterRef("pk"), actor_username=filters["petugas"])
        rows = rows.filter(Exists(acted))
    if filters.get("dari"):
        rows = rows.filter(created_at__gte=_office_midnight(filters["dari"]))
    if filters.get("sampai"):
        rows = rows.filter(created_at__lt=_office_midnight(filters["sampai"] + timedelta(days=1)))
    return rows


def _office_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def service_choices() -> list[tuple[str, str]]:
    return [(d.code, d.name) for d in active_definitions()]


def village_choices(scope: OfficeScope) -> list[tuple[str, str]]:
    return [(v.code, v.name) for v in Village.objects.filter(scope.q()).order_by("name")]


def requests_search(query: str, *, scope: OfficeScope, filters: dict[str, Any] | None = None) -> SearchResult:
    """Requests (of the offices of `scope`) whose tracking number or the applicant's NIK is `query`, or
    whose applicant's name has a word starting with it ("amin" finds Siti Nur Aminah); newest first,
    at most SEARCH_MAX. Each is an index lookup: the unique number, the NIK, the name keys."""
    text = str(query or "").strip()[:QUERY_MAX]
    ids: set[int] = set()
    scoped = ProcessInstance.objects.filter(scope.q()).order_by()  # in the index's order: no sort
    number = text.upper()
    if TRACKING_NUMBER_RE.fullmatch(number):
        ids.update(scoped.filter(tracking_number=number).values_list("pk", flat=True)[:1])
    if text.isdigit():
        ids.update(scoped.filter(applicant_nik=text).values_list("pk", flat=True)[: SEARCH_MAX + 1])
    key = search_key(text)
    if len(key) >= NAME_MIN and not any(c.isdigit() for c in key):  # names have no digits
        for office_id in scope_office_ids(scope):
            named = NameKey.objects.filter(_starts_with("key", key), office_id=office_id).order_by()
            ids.update(named.values_list("instance_id", flat=True)[: SEARCH_MAX + 1])
    rows = filtered(_requests().filter(pk__in=ids).order_by(), filters or {})
    found = sorted(rows, key=lambda i: (i.created_at, i.pk), reverse=True)
    return SearchResult(found[:SEARCH_MAX], len(found) > SEARCH_MAX)


def requests_recent(
    *, scope: OfficeScope, cursor: Any = None, now: datetime | None = None, filters: dict[str, Any] | None = None
) -> ListPage:
    """Every request of the offices of `scope` (narrowed by `filters`), newest first: a keyset page after `cursor`."""
    after = Cursor.parse(cursor)
    at = after.at if after is not None else (now or timezone.now())
    parts = [filtered(_requests().filter(office_id=office_id), filters or {}) for office_id in scope_office_ids(scope)]
    page = keyset_page([Band(parts, "created_at", descending=True)], cursor=after, limit=PAGE_SIZE, at=at)
    total, capped = bounded_count(parts)
    return ListPage(page, total, capped)


def request_in_scope(tracking_number: str, *, scope: OfficeScope) -> ProcessInstance | None:
    """The request of that number, if its office is within `scope`."""
    return (
        ProcessInstance.objects.filter(scope.q())
        .select_related("definition", "applicant_village")
        .defer("state", "definition__spec_json")
        .filter(tracking_number=str(tracking_number)[:20])
        .first()
    )


def log_state() -> dict[str, Any]:
    """The transparency log at a glance: its size, the recent checkpoints, the last verification runs."""
    from .checkpoints import KeyMissing, verifier
    from .models import Checkpoint, LogHead, VerificationRun

    head = LogHead.objects.filter(pk=1).first()
    try:
        key = verifier()
    except KeyMissing:
        key = ""
    return {
        "size": head.size if head else 0,
        "sealed_at": head.updated_at if head else None,
        "checkpoints": list(Checkpoint.objects.order_by("-issued_at", "-id")[:20]),
        "runs": list(VerificationRun.objects.order_by("-started_at", "-id")[:10]),
        "verifier_key": key,
    }
