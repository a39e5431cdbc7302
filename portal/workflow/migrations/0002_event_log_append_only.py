"""The audit log refuses UPDATE and DELETE at the database level (SQLite and PostgreSQL)."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER workflow_instanceevent_no_update BEFORE UPDATE ON workflow_instanceevent
       BEGIN SELECT RAISE(ABORT, 'workflow_instanceevent is append-only'); END""",
    """CREATE TRIGGER workflow_instanceevent_no_delete BEFORE DELETE ON workflow_instanceevent
       BEGIN SELECT RAISE(ABORT, 'workflow_instanceevent is append-only'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS workflow_instanceevent_no_update",
    "DROP TRIGGER IF EXISTS workflow_instanceevent_no_delete",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION workflow_instanceevent_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'workflow_instanceevent is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER workflow_instanceevent_append_only BEFORE UPDATE OR DELETE ON workflow_instanceevent
       FOR EACH ROW EXECUTE FUNCTION workflow_instanceevent_refuse()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS workflow_instanceevent_append_only ON workflow_instanceevent",
    "DROP FUNCTION IF EXISTS workflow_instanceevent_refuse()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("workflow", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
