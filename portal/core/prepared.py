"""Queries of the command path compiled once: the ORM builds the SQL the first time, later runs only
bind new keys.

Building and compiling a queryset (joins, deferred columns, a subquery, FOR UPDATE) costs more than
running it on an indexed row; a command runs the same few queries on every step of every request.

    LOCK = PreparedQuery(lambda pk: Order.objects.select_for_update().select_related("shop").filter(pk=pk))
    order = LOCK.first(42)

`build` receives placeholder keys (integers, or strings) and returns the queryset; each placeholder
must reach the SQL as one parameter, unchanged, which is checked when it is compiled. The SQL and the
way to turn rows into model objects (the ORM's own converters, deferred columns and select_related
objects included) are kept per thread and database alias, as Django keeps its connections. The
statement goes through the connection's cursor, so query logging and execute wrappers see it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators
from django.db.models.sql.compiler import SQLCompiler

M = TypeVar("M", bound=Model)

# Placeholder keys: far outside any id a table reaches, distinct per parameter position.
_PLACEHOLDER_BASE = -7_340_032_000_000


@dataclass(frozen=True)
class _Compiled:
    compiler: SQLCompiler
    sql: str
    params: tuple[Any, ...]
    slots: tuple[int, ...]  # for each key, where it goes in params
    converters: dict[int, Any]  # column -> the backend's and fields' conversions of what it returns
    model: type[Model]
    fields: tuple[int, int]  # the main model's columns in a row: start, end
    init_list: tuple[str, ...]
    populators: tuple[Any, ...]


class PreparedQuery(Generic[M]):
    """A model query compiled on first use, run again with other keys (see the module).

    `keys`: the type of each key `build` takes, int (the default: one) or str; a key is compared for
    equality (a lookup that rewrites its value, such as `__iexact`, is refused when compiled)."""

    def __init__(self, build: Callable[..., QuerySet[M]], *, keys: tuple[type[int] | type[str], ...] = (int,)) -> None:
        self._build = build
        self._keys = keys
        self._local = threading.local()

    def _compiled(self, using: str) -> _Compiled:
        found: _Compiled | None = getattr(self._local, using, None)
        if found is not None:
            return found
        placeholders = [
            _PLACEHOLDER_BASE - n if kind is int else f"\x1fprepared-key-{n}\x1f" for n, kind in enumerate(self._keys)
        ]
        queryset = self._build(*placeholders)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = []
        for placeholder in placeholders:
            where = [n for n, value in enumerate(params) if value == placeholder]
            if len(where) != 1:
                raise ValueError(f"a key of the prepared query reaches its SQL {len(where)} times, not once: {sql}")
            slots.append(where[0])
        klass_info = compiler.klass_info
        if klass_info is None or getattr(queryset, "_fields", None) is not None:  # values(): not model rows
            raise ValueError("a prepared query returns model objects")
        select = compiler.select
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        columns = [column[0] for column in select[: compiler.col_count]]
        found = _Compiled(
            compiler=compiler, sql=sql, params=tuple(params), slots=tuple(slots),
            converters=compiler.get_converters(columns), model=klass_info["model"],
            fields=(start, end), init_list=tuple(column[0].target.attname for column in select[start:end]),
            populators=tuple(get_related_populators(klass_info, select, using)),  # type: ignore[call-arg]
        )  # fmt: skip
        setattr(self._local, using, found)
        return found

    def all(self, *keys: int | str, using: str = DEFAULT_DB_ALIAS) -> list[M]:
        """The rows for these keys, as model objects (related objects of select_related attached)."""
        if len(keys) != len(self._keys):
            raise TypeError(f"the prepared query takes {len(self._keys)} key(s), not {len(keys)}")
        compiled = self._compiled(using)
        params = list(compiled.params)
        for slot, kind, key in zip(compiled.slots, self._keys, keys, strict=True):
            params[slot] = kind(key)
        with connections[using].cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        start, end = compiled.fields
        objects = []
        converted = compiled.compiler.apply_converters(rows, compiled.converters) if compiled.converters else rows
        for row in converted:
            obj = compiled.model.from_db(using, compiled.init_list, row[start:end])
            for populator in compiled.populators:
                populator.populate(row, obj)
            objects.append(obj)
        return objects  # type: ignore[return-value]

    def first(self, *keys: int | str, using: str = DEFAULT_DB_ALIAS) -> M | None:
        """The one row for these keys (the query limits itself), or None."""
        found = self.all(*keys, using=using)
        return found[0] if found else None


# --- writes of the command path: the statements Model.save and bulk_create would send, built once --
# The SQL text holds only the model's table and column names, quoted by the backend; every value is
# a parameter.


_SQL: dict[tuple[Any, ...], str] = {}  # plain text per statement shape and database vendor


def _column_values(obj: Model, fields: list[Any], connection: Any, *, add: bool) -> list[Any]:
    return [field.get_db_prep_save(field.pre_save(obj, add), connection) for field in fields]


def row_update(obj: Model, fields: list[str] | tuple[str, ...] | set[str] | frozenset[str], *,
               using: str = DEFAULT_DB_ALIAS) -> None:  # fmt: skip
    """UPDATE one saved row's `fields` by its primary key, as `obj.save(update_fields=fields)` would
    (the fields' own conversions; no signals: the command path's models have no receivers)."""
    meta: Any = obj._meta
    _update_by_key(obj, [meta.get_field(name) for name in sorted(fields)], obj.pk, add=False, using=using)


def _update_by_key(obj: Model, fields: list[Any], key: Any, *, add: bool, using: str) -> int:
    """UPDATE the row keyed `key` with `fields` as `obj` holds them; how many rows it changed."""
    meta: Any = obj._meta
    connection = connections[using]
    sql_key = ("update", meta.label, tuple(field.name for field in fields), connection.vendor)
    sql = _SQL.get(sql_key)
    if sql is None:
        quote = connection.ops.quote_name
        assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
        sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608
        _SQL[sql_key] = sql
    params = [*_column_values(obj, fields, connection, add=add), meta.pk.get_db_prep_save(key, connection)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def _insert(objs: list[Any], using: str, *, skip_existing: bool) -> tuple[Any, list[tuple[Any, ...]]]:
    """Send the INSERT of `objs`; returns the generated key field (None: the rows bring their own)
    and the rows RETURNING gave back."""
    meta: Any = type(objs[0])._meta
    connection = connections[using]
    generated = meta.pk if meta.pk.db_returning else None  # an AutoField: the database numbers the row
    fields = [field for field in meta.concrete_fields if field is not generated]
    key = ("insert", meta.label, len(objs), skip_existing, connection.vendor)
    sql = _SQL.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        columns = ", ".join(quote(field.column) for field in fields)
        sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {', '.join([row] * len(objs))}"  # noqa: S608
        if skip_existing:
            sql += " ON CONFLICT DO NOTHING"
        if generated is not None:
            sql += f" RETURNING {quote(generated.column)}"
        _SQL[key] = sql
    params = [value for obj in objs for value in _column_values(obj, fields, connection, add=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        returned = cursor.fetchall() if generated is not None else []
    return generated, returned


def rows_insert(objs: list[M], *, using: str = DEFAULT_DB_ALIAS) -> list[M]:
    """INSERT new rows of one model in one statement, as `bulk_create(objs)` would, and give them
    their ids (RETURNING) when the database makes them."""
    if not objs:
        return objs
    if objs[0]._meta.pk.db_returning and not connections[using].features.can_return_rows_from_bulk_insert:
        return type(objs[0])._default_manager.using(using).bulk_create(objs)
    generated, returned = _insert(objs, using, skip_existing=False)
    for n, obj in enumerate(objs):
        if generated is not None:
            setattr(obj, generated.attname, returned[n][0])
        obj._state.adding = False
        obj._state.db = using
    return objs


def rows_insert_new(objs: list[Any], *, using: str = DEFAULT_DB_ALIAS) -> list[int]:
    """INSERT the rows no unique constraint already holds, in one statement (ON CONFLICT DO NOTHING);
    returns the ids of the rows inserted (the objects themselves are left unsaved)."""
    if not objs:
        return []
    if not objs[0]._meta.pk.db_returning or not connections[using].features.can_return_rows_from_bulk_insert:
        raise ValueError("rows_insert_new needs a database-numbered key it can read back")
    _generated, returned = _insert(objs, using, skip_existing=True)
    return [int(row[0]) for row in returned]


def row_replace(obj: Model, key: Any, *, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Make the row keyed `key` the row `obj` describes, its key included, in one UPDATE (for a table
    whose rows come and go with another's: one going and one coming cost one statement, not two).
    False when there was no such row."""
    meta: Any = obj._meta
    replaced = _update_by_key(obj, list(meta.concrete_fields), key, add=True, using=using) == 1
    if replaced:
        obj._state.adding = False
        obj._state.db = using
    return replaced


def rows_delete(model: type[Model], keys: list[int], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """DELETE rows by primary key in one statement (for a model nothing cascades from)."""
    if not keys:
        return
    meta: Any = model._meta
    connection = connections[using]
    key = ("delete", meta.label, len(keys), connection.vendor)
    sql = _SQL.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        marks = ", ".join(["%s"] * len(keys))
        sql = f"DELETE FROM {quote(meta.db_table)} WHERE {quote(meta.pk.column)} IN ({marks})"  # noqa: S608
        _SQL[key] = sql
    with connection.cursor() as cursor:
        cursor.execute(sql, [int(k) for k in keys])


def counter_next(model: type[Model], field: str, where: dict[str, Any], *, using: str = DEFAULT_DB_ALIAS) -> int | None:
    """Add one to `field` of the row matching `where` (equality on each column) and return the new
    value, in one statement: the row stays locked by the update until the transaction ends. None
    when no row matches (the caller creates it)."""
    meta: Any = model._meta
    counted = meta.get_field(field)
    columns: list[Any] = [meta.get_field(name) for name in sorted(where)]
    connection = connections[using]
    key = ("counter", meta.label, field, tuple(sorted(where)), connection.vendor)
    sql = _SQL.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        matches = " AND ".join(f"{quote(column.column)} = %s" for column in columns)
        number = quote(counted.column)
        sql = f"UPDATE {quote(meta.db_table)} SET {number} = {number} + 1 WHERE {matches} RETURNING {number}"  # noqa: S608
        _SQL[key] = sql
    params = [column.get_db_prep_value(where[column.name], connection) for column in columns]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else int(row[0])
