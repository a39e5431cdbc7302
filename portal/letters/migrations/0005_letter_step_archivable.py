"""A letter's signing step may move to workflow.HumanTaskHistory (same id) when its request is archived:
the column stays, the database constraint to the hot table goes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("letters", "0004_offices"),
        ("workflow", "0015_history"),
    ]

    operations = [
        migrations.AlterField(
            model_name="letter",
            name="human_task",
            field=models.ForeignKey(
                db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name="letters",
                to="workflow.humantask", verbose_name="langkah penandatanganan",
            ),
        ),
    ]
