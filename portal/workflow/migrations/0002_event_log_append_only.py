"""The audit log refuses UPDATE and DELETE at the database level (SQLite and PostgreSQL)."""

from django.db import migrations

from portal.workflow import audit_sql


def create(apps, schema_editor):
    audit_sql.execute(schema_editor.connection, audit_sql.create_statements(audit_sql.INSTANCE_EVENTS))


def drop(apps, schema_editor):
    audit_sql.execute(schema_editor.connection, audit_sql.drop_statements(audit_sql.INSTANCE_EVENTS))


class Migration(migrations.Migration):
    dependencies = [("workflow", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
