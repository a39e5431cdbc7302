"""SQL that makes the audit logs append-only at the database level, per database vendor."""

from __future__ import annotations

from typing import Any

INSTANCE_EVENTS = "workflow_instanceevent"
DEFINITION_EVENTS = "workflow_definitionevent"


def create_statements(table: str) -> dict[str, list[str]]:
    return {
        "sqlite": [
            f"""CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table}
               BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END""",
            f"""CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
               BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END""",
        ],
        "postgresql": [
            f"""CREATE OR REPLACE FUNCTION {table}_refuse() RETURNS trigger AS $$
               BEGIN RAISE EXCEPTION '{table} is append-only'; END; $$ LANGUAGE plpgsql""",
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
               FOR EACH ROW EXECUTE FUNCTION {table}_refuse()""",
        ],
    }


def drop_statements(table: str) -> dict[str, list[str]]:
    return {
        "sqlite": [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"],
        "postgresql": [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"DROP FUNCTION IF EXISTS {table}_refuse()",
        ],
    }


# The transparency log's tables (portal.audit): its leaves, complete subtrees and checkpoints.
LOG_TABLES = ("audit_logleaf", "audit_lognode", "audit_checkpoint")
APPEND_ONLY = (INSTANCE_EVENTS, DEFINITION_EVENTS, *LOG_TABLES)


def _all(make: Any, tables: tuple[str, ...] = APPEND_ONLY) -> dict[str, list[str]]:
    made = [make(table) for table in tables]
    return {vendor: [sql for one in made for sql in one[vendor]] for vendor in made[0]}


# Every audit table at once (test fixtures that must flush the database).
CREATE = _all(create_statements)
DROP = _all(drop_statements)
CREATE_LOG = _all(create_statements, LOG_TABLES)
DROP_LOG = _all(drop_statements, LOG_TABLES)


def execute(connection: Any, statements: dict[str, list[str]]) -> None:
    with connection.cursor() as cursor:
        for sql in statements.get(connection.vendor, []):
            cursor.execute(sql)
