"""Reads of the lists of open steps: the task API, the worklist, the camat's inbox, the overdue counts.

They read WorkItem rows (one per open step, kept by persistence.work_items_write), never the
human-task rows and their JSON. Who may act on a step is a union of branches, each an index's
partition: an office and a role's list, the applicant's own account. A page takes a bounded run of each
branch in index order and merges them (core.keyset), so it costs the same however many steps are
open; the total beside a list is counted up to a cap.
"""

from __future__ import annotations

from datetime import datetime
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

import engine
from portal.accounts.enums import RoleCode
from portal.accounts.selectors import user_roles
from portal.core.keyset import Band, Cursor, KeysetPage, ListPage, bounded_count, keyset_page, page_size
from portal.directory.models import Village
from portal.directory.selectors import OfficeScope, office_scope, scope_office_ids

from .hooks import hooks
from .models import ProcessInstance, WorkItem

PAGE_SIZE = 50
PAGE_SIZE_MAX = 200
# The worklist's status filter (the page's words for them live in officework.forms).
MINE, UNCLAIMED, OVERDUE = "mine", "unclaimed", "overdue"


def _deputy_services(user: Any) -> list[str] | None:
    """The services whose camat steps a delegation in force lets `user` take: None for none, [] for all."""
    found: set[str] = set()
    scopes = hooks.deputy_scopes(user)
    if not scopes:
        return None
    for services in scopes:
        if not services:
            return []
        found.update(services)
    return sorted(found)


def _camat_branches(user: Any, offices: list[int], roles: frozenset[str]) -> list[Q]:
    """The camat's steps `user` may decide: all of them for the camat, a deputy's delegated ones."""
    if RoleCode.CAMAT in roles:
        return [Q(office_id=office, lane=RoleCode.CAMAT) for office in offices]
    services = _deputy_services(user)
    if services is None:
        return []
    only = Q(service_code__in=services) if services else Q()
    return [Q(only, office_id=office, lane=RoleCode.CAMAT) for office in offices]


def step_branches(user: Any) -> list[Q]:
    """The disjoint partitions of the open steps `user` may act on.

    Per office of the user's scope: the list of each lane role the user holds (the counter's holds
    the steps of applicants without an account); the camat's steps a delegation names the user
    deputy for. Anywhere in scope, for an applicant's account (role pemohon): the steps waiting for her.
    """
    if not getattr(user, "is_authenticated", False):
        return []
    roles = user_roles(user)
    scope = office_scope(user)
    offices = scope_office_ids(scope)
    staff = sorted((roles & engine.LANE_ROLES) - {RoleCode.PEMOHON, RoleCode.CAMAT})
    branches = [Q(office_id=office, lane=role) for office in offices for role in staff]
    branches += _camat_branches(user, offices, roles)
    if RoleCode.PEMOHON in roles:  # only an applicant's own account registers her requests as hers
        branches.append(Q(scope.q(), lane=RoleCode.PEMOHON, applicant_user_id=user.pk))
    return branches


def _union(branches: list[Q]) -> Q:
    return reduce(or_, branches) if branches else Q(pk__in=[])


def _rows() -> QuerySet[WorkItem]:
    return WorkItem.objects.all()


def _named(listed: ListPage) -> ListPage:
    """The page's rows with `assignee_name` (the username of who holds the step; "" for none)."""
    ids = {row.assignee_id for row in listed.rows if row.assignee_id is not None}
    names = dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "username")) if ids else {}
    for row in listed.rows:
        row.assignee_name = names.get(row.assignee_id, "")
    return listed


def steps_page(
    user: Any, *, cursor: Any = None, limit: Any = PAGE_SIZE, tracking_number: str | None = None,
    now: datetime | None = None,
) -> ListPage:  # fmt: skip
    """Open steps `user` may act on, oldest first (the task API): a keyset page after `cursor`, each
    row with `assignee_name`."""
    after = Cursor.parse(cursor)
    at = after.at if after is not None else (now or timezone.now())
    size = page_size(limit, default=PAGE_SIZE, maximum=PAGE_SIZE_MAX)
    branches = step_branches(user)
    if tracking_number:
        return _named(_request_steps(branches, str(tracking_number)[:20], limit=size, at=at))
    parts = [_rows().filter(branch) for branch in branches]
    page = keyset_page([Band(parts, "created_at")], cursor=after, limit=size, at=at)
    total, capped = bounded_count(parts)
    return _named(ListPage(page, total, capped))


def _request_steps(branches: list[Q], tracking_number: str, *, limit: int, at: datetime) -> ListPage:
    """The open steps of one request the user may act on: a request has a few, read by its own index
    (then kept by their ids: the lists' partitions would lead the database away from that index)."""
    found = ProcessInstance.objects.filter(tracking_number=tracking_number).order_by()
    instance_id = next(iter(found.values_list("pk", flat=True)[:1]), None)
    steps = list(_rows().filter(instance_id=instance_id).order_by("created_at", "pk")) if instance_id else []
    kept: set[int] = set()
    if steps and branches:
        allowed = WorkItem.objects.filter(_union(branches), pk__in=[s.pk for s in steps]).order_by()
        kept = set(allowed.values_list("pk", flat=True))
    rows = [s for s in steps if s.pk in kept][:limit]
    return ListPage(KeysetPage(rows, None, None, 0, at), len(rows), False)


def worklist_page(
    user: Any, *, service: str = "", village_code: str = "", status: str = "", cursor: Any = None,
    limit: int = PAGE_SIZE, now: datetime | None = None,
) -> ListPage:  # fmt: skip
    """The worklist: the steps the user claimed first, then the others' late ones (the most late
    first), then the rest, oldest first; filtered by service, village and status (only the late
    ones: the most late first). Each row has `assignee_name`."""
    after = Cursor.parse(cursor)
    at = after.at if after is not None else (now or timezone.now())
    branches = step_branches(user)
    narrow = Q()
    if service:
        narrow &= Q(service_code=service)
    if village_code:
        narrow &= Q(village_id=Village.objects.filter(code=village_code).values_list("pk", flat=True).first())
    if status == UNCLAIMED:
        narrow &= Q(assignee__isnull=True)
    page = keyset_page(_worklist_bands(user, branches, narrow, status, at), cursor=after, limit=limit, at=at)
    late = Q(due_at__lt=at) if status == OVERDUE else Q()
    if status == MINE:
        counted = [_rows().filter(branch, narrow, assignee_id=user.pk) for branch in branches]
    else:
        counted = [_rows().filter(b, narrow, late) for b in branches]
    total, capped = bounded_count(counted)
    return _named(ListPage(page, total, capped))


def _worklist_bands(user: Any, branches: list[Q], narrow: Q, status: str, at: datetime) -> list[Band]:
    """The worklist's bands in order, each an index range per branch in the band's order. Only the
    late steps (OVERDUE): one band, the most late first, whoever holds them."""
    late, in_time = Q(due_at__lt=at), Q(due_at__isnull=True) | Q(due_at__gte=at)
    if status == OVERDUE:
        return [Band([_rows().filter(branch, narrow, late) for branch in branches], "due_at")]
    bands = []
    if status != UNCLAIMED:
        bands.append(Band([_rows().filter(branch, narrow, assignee_id=user.pk) for branch in branches], "created_at"))
    if status != MINE:
        others = [_rows().filter(branch, narrow).exclude(assignee_id=user.pk) for branch in branches]
        bands.append(Band([other.filter(late) for other in others], "due_at"))
        bands.append(Band([other.filter(in_time) for other in others], "created_at"))
    return bands


def approval_branches(user: Any) -> list[Q]:
    """The partitions of the camat's open steps `user` may decide (as camat, or as a deputy)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return _camat_branches(user, scope_office_ids(office_scope(user)), user_roles(user))


def approvals_page(user: Any, *, cursor: Any = None, limit: int = PAGE_SIZE, now: datetime | None = None) -> ListPage:
    """The camat's open steps `user` may decide, oldest first: a keyset page of work items."""
    after = Cursor.parse(cursor)
    at = after.at if after is not None else (now or timezone.now())
    parts = [WorkItem.objects.filter(branch) for branch in approval_branches(user)]
    page = keyset_page([Band(parts, "created_at")], cursor=after, limit=limit, at=at)
    total, capped = bounded_count(parts)
    return ListPage(page, total, capped)


def approval_open(user: Any, human_task_id: int) -> bool:
    """Whether the step is an open camat step `user` may decide."""
    branches = approval_branches(user)
    return bool(branches) and WorkItem.objects.filter(_union(branches), pk=human_task_id).exists()


def overdue_counts(*, scope: OfficeScope, now: datetime | None = None) -> list[dict[str, Any]]:
    """Open steps past their due time in the offices of `scope`, counted per role and per officer
    holding them (an index range of the late steps, read from the index alone)."""
    now = now or timezone.now()
    rows = list(
        WorkItem.objects.filter(office_id__in=scope_office_ids(scope), due_at__lt=now)
        .values("role", "assignee_id")
        .annotate(count=Count("*"))
        .order_by()
    )
    ids = {r["assignee_id"] for r in rows if r["assignee_id"] is not None}
    names = dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "username")) if ids else {}
    found = [
        {"role": r["role"], "officer": names.get(r["assignee_id"], "") if r["assignee_id"] else "", "count": r["count"]}
        for r in rows
    ]
    return sorted(found, key=lambda r: (r["role"], r["officer"]))
