"""Keyset pages over indexed rows: a list that costs the same on its first page and its thousandth.

A list is one or more bands shown one after the other (the worklist: mine, then late, then the
rest). A band is the union of a few branches, each a queryset one index serves in the band's
order (an office and a role, say); a page takes at most `limit + 1` rows of each branch after the
cursor, in index order, and merges them. No OFFSET, no COUNT over the whole table: a page reads
about (branches x page size) index entries, whatever the table holds. The total shown beside a
list is counted up to a cap.

A cursor names the band, the last row's key and id, how many rows came before (for "51-100") and
the moment the list was first read, so membership in time-dependent bands ("late") does not shift
under a reader paging on. It is plain text of integers; anything else reads as the first page.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet

COUNT_CAP = 1000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECONDS_MAX = 32_503_680_000 * 10**6  # year 3000
_ID_MAX = 2**63 - 1


def _micros(at: datetime) -> int:
    return (at - _EPOCH) // timedelta(microseconds=1)


def _datetime(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros)


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: after the row (`key`, `pk`) of band `band`, `position` rows into the list;
    or, going `backward`, the page before the one that row starts at `position`."""

    band: int
    key: datetime
    pk: int
    position: int
    at: datetime  # when the first page was read
    backward: bool = False

    def token(self) -> str:
        numbers = (int(self.backward), self.band, _micros(self.key), self.pk, self.position, _micros(self.at))
        return ".".join(str(n) for n in numbers)

    @classmethod
    def parse(cls, token: Any) -> Cursor | None:
        """The cursor a token names, or None for anything that is not one (the first page then)."""
        if not isinstance(token, str) or len(token) > 100:
            return None
        parts = token.split(".")
        if len(parts) != 6 or not all(p.isascii() and p.isdigit() and len(p) < 20 for p in parts):
            return None
        backward, band, key, pk, position, at = (int(p) for p in parts)
        if backward > 1 or band > 16 or key > _MICROSECONDS_MAX or at > _MICROSECONDS_MAX:
            return None
        if not 0 < pk <= _ID_MAX or position > 10**9:
            return None
        return cls(band, _datetime(key), pk, position, _datetime(at), bool(backward))


@dataclass(frozen=True)
class Band:
    """Rows of the union of `branches`, ordered by `key` (a non-null column) then primary key."""

    branches: Sequence[QuerySet[Any]]
    key: str
    descending: bool = False

    def rows(self, *, after: tuple[datetime, int] | None, limit: int, backward: bool = False) -> list[Any]:
        """The first `limit` rows of the band after `after` (the last ones before it, nearest first,
        going `backward`), merged from its branches."""
        descending = self.descending != backward
        order = (f"-{self.key}", "-pk") if descending else (self.key, "pk")
        where = Q()
        if after is not None:
            key, pk = after
            # The inclusive bound is what an index range starts from; the OR only drops the ties before.
            if descending:
                where = Q(**{f"{self.key}__lte": key}) & (Q(**{f"{self.key}__lt": key}) | Q(pk__lt=pk))
            else:
                where = Q(**{f"{self.key}__gte": key}) & (Q(**{f"{self.key}__gt": key}) | Q(pk__gt=pk))
        runs = [list(branch.filter(where).order_by(*order)[:limit]) for branch in self.branches]
        merged = heapq.merge(*runs, key=lambda row: (getattr(row, self.key), row.pk), reverse=descending)
        return list(merged)[:limit]


@dataclass
class KeysetPage:
    """One page of a keyset list: its rows, where it stands, and the cursors of the pages around it
    (computed when the page is read, so the rows may be replaced by what a page shows of them)."""

    rows: list[Any]
    next_cursor: Cursor | None
    previous_cursor: Cursor | None
    position: int  # rows before this page
    at: datetime

    @property
    def next_token(self) -> str | None:
        return self.next_cursor.token() if self.next_cursor is not None else None

    @property
    def previous_token(self) -> str | None:
        return self.previous_cursor.token() if self.previous_cursor is not None else None

    @property
    def first_number(self) -> int:
        return self.position + 1

    @property
    def last_number(self) -> int:
        return self.position + len(self.rows)

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None


def _collect(
    bands: Sequence[Band], start: int, after: tuple[datetime, int] | None, wanted: int, *, backward: bool
) -> list[tuple[int, Any]]:
    """(band number, row) of the `wanted` rows after `after` in band `start` and the bands after it
    (before it and the bands before, going `backward`), in list order."""
    found: list[tuple[int, Any]] = []
    for number in range(start, -1, -1) if backward else range(start, len(bands)):
        rows = bands[number].rows(after=after, limit=wanted - len(found), backward=backward)
        found += [(number, row) for row in rows]
        after = None
        if len(found) >= wanted:
            break
    return found[::-1] if backward else found


def keyset_page(bands: Sequence[Band], *, cursor: Cursor | None, limit: int, at: datetime) -> KeysetPage:
    """At most `limit` rows after `cursor` (before it, for a backward one; from the start without
    one), band after band."""
    keys = [band.key for band in bands]
    if cursor is not None and cursor.band < len(bands) and cursor.backward:
        found = _collect(bands, cursor.band, (cursor.key, cursor.pk), limit, backward=True)
        if len(found) == limit and cursor.position > limit:  # else the first page is the one before
            return _page(keys, found, has_next=True, position=cursor.position - limit, at=at)
        cursor = None
    start, after, position = 0, None, 0
    if cursor is not None and cursor.band < len(bands):
        start, after, position = cursor.band, (cursor.key, cursor.pk), cursor.position
    found = _collect(bands, start, after, limit + 1, backward=False)
    return _page(keys, found[:limit], has_next=len(found) > limit, position=position, at=at)


def _page(keys: list[str], found: list[tuple[int, Any]], *, has_next: bool, position: int, at: datetime) -> KeysetPage:
    next_cursor = previous_cursor = None
    if has_next and found:
        band, last = found[-1]
        next_cursor = Cursor(band, getattr(last, keys[band]), last.pk, position + len(found), at)
    if position > 0 and found:
        band, first = found[0]
        previous_cursor = Cursor(band, getattr(first, keys[band]), first.pk, position, at, backward=True)
    return KeysetPage([row for _band, row in found], next_cursor, previous_cursor, position, at)


def page_size(raw: Any, *, default: int, maximum: int) -> int:
    """Rows per page asked for (`limit`), within 1..maximum; `default` for anything not a number."""
    try:
        size = int(raw)
    except (TypeError, ValueError):
        return default
    return min(max(size, 1), maximum)


@dataclass
class ListPage:
    """A page of a list with the list's total, counted up to a cap (`total_capped`: there are more)."""

    page: KeysetPage
    total: int
    total_capped: bool

    @property
    def rows(self) -> list[Any]:
        return self.page.rows


def bounded_count(querysets: Sequence[QuerySet[Any]], *, cap: int | None = None) -> tuple[int, bool]:
    """How many rows the (disjoint) querysets hold together, counted up to `cap` (COUNT_CAP); and
    whether there are more."""
    cap = COUNT_CAP if cap is None else cap
    total = 0
    for queryset in querysets:
        total += queryset.order_by().values("pk")[: cap + 1 - total].count()
        if total > cap:
            return cap, True
    return total, False
