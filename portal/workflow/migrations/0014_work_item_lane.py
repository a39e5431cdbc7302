from django.db import migrations, models


def lanes_fill(apps, schema_editor):
    """Whose list each open step is on: its role's; the counter's for an applicant without an account."""
    work_item_model = apps.get_model("workflow", "WorkItem")
    work_item_model.objects.exclude(role="pemohon").update(lane=models.F("role"))
    work_item_model.objects.filter(role="pemohon", applicant_user__isnull=True).update(lane="loket")
    work_item_model.objects.filter(role="pemohon", applicant_user__isnull=False).update(lane="pemohon")


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0013_work_items"),
    ]

    operations = [
        migrations.AddField(
            model_name="workitem",
            name="lane",
            field=models.CharField(default="", max_length=16, verbose_name="daftar"),
            preserve_default=False,
        ),
        migrations.RunPython(lanes_fill, migrations.RunPython.noop),
        migrations.AlterModelOptions(
            name="workitem",
            options={
                "ordering": ["created_at", "human_task_id"],
                "verbose_name": "langkah terbuka",
                "verbose_name_plural": "langkah terbuka",
            },
        ),
        migrations.RemoveIndex(model_name="workitem", name="work_item_office_role"),
        migrations.RemoveIndex(model_name="workitem", name="work_item_office_due"),
        migrations.RemoveIndex(model_name="workitem", name="work_item_assignee"),
        migrations.AddIndex(
            model_name="workitem",
            index=models.Index(fields=["office", "lane", "created_at", "human_task"], name="work_item_office_lane"),
        ),
        migrations.AddIndex(
            model_name="workitem",
            index=models.Index(fields=["office", "lane", "due_at", "human_task"], name="work_item_office_due"),
        ),
        migrations.AddIndex(
            model_name="workitem",
            index=models.Index(fields=["office", "lane", "assignee", "created_at", "human_task"], name="work_item_assignee"),
        ),
    ]
