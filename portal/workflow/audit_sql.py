"""SQL that makes the event log append-only at the database level, per database vendor."""

from __future__ import annotations

from typing import Any

CREATE = {
    "sqlite": [
        """CREATE TRIGGER IF NOT EXISTS workflow_instanceevent_no_update BEFORE UPDATE ON workflow_instanceevent
           BEGIN SELECT RAISE(ABORT, 'workflow_instanceevent is append-only'); END""",
        """CREATE TRIGGER IF NOT EXISTS workflow_instanceevent_no_delete BEFORE DELETE ON workflow_instanceevent
           BEGIN SELECT RAISE(ABORT, 'workflow_instanceevent is append-only'); END""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION workflow_instanceevent_refuse() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'workflow_instanceevent is append-only'; END; $$ LANGUAGE plpgsql""",
        "DROP TRIGGER IF EXISTS workflow_instanceevent_append_only ON workflow_instanceevent",
        """CREATE TRIGGER workflow_instanceevent_append_only BEFORE UPDATE OR DELETE ON workflow_instanceevent
           FOR EACH ROW EXECUTE FUNCTION workflow_instanceevent_refuse()""",
    ],
}
DROP = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS workflow_instanceevent_no_update",
        "DROP TRIGGER IF EXISTS workflow_instanceevent_no_delete",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS workflow_instanceevent_append_only ON workflow_instanceevent",
        "DROP FUNCTION IF EXISTS workflow_instanceevent_refuse()",
    ],
}


def execute(connection: Any, statements: dict[str, list[str]]) -> None:
    with connection.cursor() as cursor:
        for sql in statements.get(connection.vendor, []):
            cursor.execute(sql)
